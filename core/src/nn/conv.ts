// Conv2d and MaxPool2d on [N, C, H, W] tensors, built from primitives: convolution gathers
// the kernel's K*K shifted views with strided slices (their gradient is a cheap pad, where a
// gather's would be a scatter) and multiplies once by the flattened weight.

import type { Tensor } from "../tensor";
import { Module, parameter } from "./module";
import { uniformInit } from "./layers";
import { stack } from "../ops/indexing";
import { matmulT } from "../ops/matmul";
import { ShapeError, InputError } from "../errors";
import { formatShape } from "../shape";

function pair(v: number | [number, number]): [number, number] {
  return Array.isArray(v) ? v : [v, v];
}

function imageError(op: string, x: Tensor, channels: number | null): ShapeError {
  return new ShapeError(
    `${op} expects input [N, C, H, W]${channels === null ? "" : ` with C = ${channels}`}, got shape ${formatShape(x.shape)}`,
    {
      op,
      operands: [{ role: "input", shape: x.shape.slice(), dtype: x.dtype }],
      conflict: x.ndim === 4 ? [{ operand: 0, axis: 1 }] : [],
      rule: `${op} takes a batch of images shaped [N, C, H, W]${channels === null ? "" : ` with ${channels} channels`}.`,
      suggestions:
        x.ndim === 3 ? [{ code: "{input}.unsqueeze(1)", resultShape: [x.shape[0], 1, x.shape[1], x.shape[2]] }] : [],
    },
  );
}

/** The conv of x [N, C, H, W] with w [O, C, kh, kw]: [N, O, Ho, Wo]. */
export function conv2d(x: Tensor, w: Tensor, b: Tensor | null, stride: [number, number], padding: [number, number]): Tensor {
  const [n, c, h, wd] = x.shape;
  const [o, , kh, kw] = w.shape;
  const xp = padding[0] || padding[1] ? x.pad([[0, 0], [0, 0], [padding[0], padding[0]], [padding[1], padding[1]]]) : x;
  const ho = Math.floor((h + 2 * padding[0] - kh) / stride[0]) + 1;
  const wo = Math.floor((wd + 2 * padding[1] - kw) / stride[1]) + 1;
  if (ho <= 0 || wo <= 0) {
    throw new ShapeError(`conv2d: a ${kh}x${kw} kernel does not fit the ${h}x${wd} input (padding ${padding.join("x")})`, {
      op: "conv2d",
      operands: [
        { role: "input", shape: x.shape.slice(), dtype: x.dtype },
        { role: "weight", shape: w.shape.slice(), dtype: w.dtype },
      ],
      conflict: [],
      rule: "the kernel must fit inside the padded image.",
      suggestions: [],
    });
  }
  // The views are cut from the image channels-last, so stacking them on a new last axis lays
  // the columns out as the matmul reads them: one transpose of the image (and of its gradient)
  // instead of one of the K-times larger stack (and of its gradient).
  const xh = xp.permute(0, 2, 3, 1);
  const views: Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      views.push(xh.index(":", [i, i + (ho - 1) * stride[0] + 1, stride[0]], [j, j + (wo - 1) * stride[1] + 1, stride[1]], ":"));
    }
  }
  // [N, Ho, Wo, C, K] -> [N*Ho*Wo, C*K], matching w's [O, C, kh, kw] order.
  const cols = stack(views, 4).reshape([n * ho * wo, c * kh * kw]);
  // cols @ W^T with W read transposed in place (no copy of the transpose, here or in the VJP).
  const wm = w.reshape([o, c * kh * kw]);
  let y = cols.dtype === wm.dtype ? matmulT(cols, wm, false, true) : cols.matmul(wm.T);
  if (b) y = y.add(b);
  return y.reshape([n, ho, wo, o]).permute(0, 3, 1, 2);
}

export class Conv2d extends Module {
  weight: Tensor;
  bias: Tensor | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: number | [number, number],
    options: { stride?: number | [number, number]; padding?: number | [number, number]; bias?: boolean } = {},
  ) {
    super();
    this.kernelSize = pair(kernelSize);
    this.stride = pair(options.stride ?? 1);
    this.padding = pair(options.padding ?? 0);
    for (const v of [inChannels, outChannels, ...this.kernelSize, ...this.stride]) {
      if (!Number.isInteger(v) || v <= 0) throw new InputError(`Conv2d: sizes and strides must be positive integers, got ${v}`);
    }
    const fanIn = inChannels * this.kernelSize[0] * this.kernelSize[1];
    const bound = 1 / Math.sqrt(fanIn);
    this.weight = parameter(uniformInit([outChannels, inChannels, ...this.kernelSize], bound));
    this.bias = options.bias === false ? null : parameter(uniformInit([outChannels], bound));
  }
  forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== this.inChannels) throw imageError("Conv2d", x, this.inChannels);
    return conv2d(x.astype("float32"), this.weight, this.bias, this.stride, this.padding);
  }
  override describe(): string {
    return `Conv2d(${this.inChannels}, ${this.outChannels}, kernel=${this.kernelSize.join("x")}, stride=${this.stride.join("x")}, padding=${this.padding.join("x")})`;
  }
}

/** Max over non-overlapping windows (stride = kernel size); trailing rows/cols that do not
 * fill a window are dropped, as in PyTorch's default floor mode. */
export class MaxPool2d extends Module {
  readonly kernelSize: [number, number];
  constructor(kernelSize: number | [number, number]) {
    super();
    this.kernelSize = pair(kernelSize);
  }
  forward(x: Tensor): Tensor {
    if (x.ndim !== 4) throw imageError("MaxPool2d", x, null);
    const [n, c, h, w] = x.shape;
    const [kh, kw] = this.kernelSize;
    const ho = Math.floor(h / kh);
    const wo = Math.floor(w / kw);
    const cropped = h % kh || w % kw ? x.index(":", ":", [0, ho * kh], [0, wo * kw]) : x;
    return cropped.reshape([n, c, ho, kh, wo, kw]).max([3, 5]);
  }
  override describe(): string {
    return `MaxPool2d(${this.kernelSize.join("x")})`;
  }
}
