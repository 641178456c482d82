// Conv2d on [N, C, H, W] tensors, built from primitives: convolution reads the kernel's
// windows of the channels-last image in one strided copy (the windows primitive) and
// multiplies once by the flattened weight. Its gradient is written out (customVjp) rather
// than left to autodiff of those ops.

import type { Tensor } from "../tensor";
import { Module, parameter } from "./module";
import { builtinLayer, uniformInit } from "./layers";
import { internal } from "../scope";
import { take } from "../ops/indexing";
import { run } from "../dispatch";
import { customVjp } from "../autodiff/custom";
import { isGradEnabled } from "../autodiff/mode";
import { matmulT } from "../ops/matmul";
import { ShapeError, InputError } from "../errors";
import { formatShape } from "../shape";

export function pair(v: number | [number, number]): [number, number] {
  return Array.isArray(v) ? v : [v, v];
}

export function imageError(op: string, x: Tensor, channels: number | null): ShapeError {
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

function convFitError(x: Tensor, w: Tensor, padding: [number, number]): ShapeError {
  const [kh, kw] = w.shape.slice(2);
  return new ShapeError(`conv2d: a ${kh}x${kw} kernel does not fit the ${x.shape[2]}x${x.shape[3]} input (padding ${padding.join("x")})`, {
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

/**
 * The im2col columns of x [N, C, H, W]: [N*Ho*Wo, kh*kw*C], one row per output pixel, ordered
 * (kernel row, kernel column, channel). The image goes channels-last once; then the windows
 * primitive reads every column in one strided copy, whose runs are a window row's kw*C
 * contiguous values (nine slices and their stack took 3-5 times as long on the cpu).
 */
function im2col(x: Tensor, kh: number, kw: number, stride: [number, number], padding: [number, number], ho: number, wo: number): Tensor {
  const [n, c] = x.shape;
  const xp = padding[0] || padding[1] ? x.pad([[0, 0], [0, 0], [padding[0], padding[0]], [padding[1], padding[1]]]) : x;
  const cols = run("windows", [xp.permute(0, 2, 3, 1)], { kernel: [kh, kw], stride });
  return cols.reshape([n * ho * wo, kh * kw * c]);
}

/** w [O, C, kh, kw] as the columns' weights [O, kh*kw*C] (the order of im2col's columns). */
function weightRows(w: Tensor): Tensor {
  const [o, c, kh, kw] = w.shape;
  return w.permute(0, 2, 3, 1).reshape([o, kh * kw * c]);
}

/** cols @ W^T with W [O, C, kh, kw] in the columns' order, plus bias, as [N, O, Ho, Wo]. */
function colsTimesWeight(cols: Tensor, w: Tensor, b: Tensor | null, n: number, ho: number, wo: number): Tensor {
  const o = w.shape[0];
  const wm = weightRows(w);
  let y = cols.dtype === wm.dtype ? matmulT(cols, wm, false, true) : cols.matmul(wm.T);
  if (b) y = y.add(b);
  return y.reshape([n, ho, wo, o]).permute(0, 3, 1, 2);
}

function outputSize(x: Tensor, w: Tensor, stride: [number, number], padding: [number, number]): [number, number] {
  const ho = Math.floor((x.shape[2] + 2 * padding[0] - w.shape[2]) / stride[0]) + 1;
  const wo = Math.floor((x.shape[3] + 2 * padding[1] - w.shape[3]) / stride[1]) + 1;
  if (ho <= 0 || wo <= 0) throw convFitError(x, w, padding);
  return [ho, wo];
}

/** conv2d as plain ops, differentiated op by op by autodiff: the reference for its custom
 * gradient (tests compare the two). */
export function conv2dComposite(x: Tensor, w: Tensor, b: Tensor | null, stride: [number, number], padding: [number, number]): Tensor {
  const [ho, wo] = outputSize(x, w, stride, padding);
  return colsTimesWeight(im2col(x, w.shape[2], w.shape[3], stride, padding, ho, wo), w, b, x.shape[0], ho, wo);
}

/**
 * The gradient of conv2d w.r.t. x [N, C, H, W] from gy [N, O, Ho, Wo]: the transposed conv,
 * i.e. a stride-1 conv of gy (dilated by the stride, padded by the kernel size less the
 * padding) with the spatially flipped kernel, its in/out channels swapped. It reuses the
 * forward's im2col and one matmul where autodiff of im2col would pad each of the kh*kw
 * column gradients to the image's size and add them up.
 */
function convInputGrad(gy: Tensor, w: Tensor, xShape: readonly number[], stride: [number, number], padding: [number, number]): Tensor {
  const [n, o, ho, wo] = gy.shape;
  const [, , kh, kw] = w.shape;
  const [s0, s1] = stride;
  let gd = gy;
  if (s0 > 1 || s1 > 1) {
    // Interleave s-1 zeros after every value: pad a unit axis after each spatial axis.
    gd = gy.reshape([n, o, ho, 1, wo, 1]).pad([[0, 0], [0, 0], [0, 0], [0, s0 - 1], [0, 0], [0, s1 - 1]]).reshape([n, o, ho * s0, wo * s1]);
  }
  // Rows the forward's last window left over (r), and the s-1 trailing zeros already there.
  const widths = ([0, 1] as const).map((a) => {
    const k = w.shape[2 + a];
    const r = xShape[2 + a] + 2 * padding[a] - k - ((a ? wo : ho) - 1) * stride[a];
    return [k - 1 - padding[a], k - 1 - padding[a] + r - (stride[a] - 1)] as [number, number];
  });
  const grow = widths.map(([lo, hi]) => [Math.max(lo, 0), Math.max(hi, 0)] as [number, number]);
  if (grow.some(([lo, hi]) => lo || hi)) gd = gd.pad([[0, 0], [0, 0], ...grow]);
  if (widths.some(([lo, hi]) => lo < 0 || hi < 0)) {
    const cut = widths.map(([lo, hi], a) => [Math.max(-lo, 0), gd.shape[2 + a] - Math.max(-hi, 0)]);
    gd = gd.index(":", ":", cut[0], cut[1]);
  }
  const flipH = Array.from({ length: kh }, (_, i) => kh - 1 - i);
  const flipW = Array.from({ length: kw }, (_, i) => kw - 1 - i);
  const wt = take(take(w, flipH, 2), flipW, 3).permute(1, 0, 2, 3);
  return conv2d(gd, wt, null, [1, 1], [0, 0]);
}

/** The conv of x [N, C, H, W] with w [O, C, kh, kw]: [N, O, Ho, Wo]. Its gradient is written
 * out (customVjp): the transposed conv for x, one matmul of the columns for w. */
export function conv2d(x: Tensor, w: Tensor, b: Tensor | null, stride: [number, number], padding: [number, number]): Tensor {
  const [n] = x.shape;
  const [o, c, kh, kw] = w.shape;
  const [ho, wo] = outputSize(x, w, stride, padding);
  let cols: Tensor | null = null;
  const inputs = b ? [x, w, b] : [x, w];
  return customVjp(
    inputs,
    () => {
      cols = im2col(x, kh, kw, stride, padding, ho, wo);
      return colsTimesWeight(cols, w, b, n, ho, wo);
    },
    (gy, needs) => {
      const gm = gy.permute(0, 2, 3, 1).reshape([n * ho * wo, o]);
      let gw: Tensor | null = null;
      if (needs[1]) {
        // Differentiating the backward pass needs the columns as recorded ops of x.
        const xc = isGradEnabled() ? im2col(x, kh, kw, stride, padding, ho, wo) : cols!;
        gw = matmulT(gm, xc, true, false).reshape([o, kh, kw, c]).permute(0, 3, 1, 2);
      }
      return [
        needs[0] ? convInputGrad(gy, w, x.shape, stride, padding) : null,
        gw,
        b && needs[2] ? gy.sum([0, 2, 3]) : null,
      ];
    },
  );
}

export interface Conv2dOptions {
  stride?: number | [number, number];
  padding?: number | [number, number];
  bias?: boolean;
}

/** What Conv2d and ConvTranspose2d share: sizes, checks, and PyTorch's uniform init. */
export abstract class Conv2dBase extends Module {
  weight: Tensor;
  bias: Tensor | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  /** `fanIn` scales the init as PyTorch's does: dim 1 of the weight times the kernel area. */
  protected constructor(
    name: string,
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: number | [number, number],
    options: Conv2dOptions,
    weightShape: (k: [number, number]) => number[],
    fanIn: (k: [number, number]) => number,
  ) {
    super();
    this.kernelSize = pair(kernelSize);
    this.stride = pair(options.stride ?? 1);
    this.padding = pair(options.padding ?? 0);
    for (const v of [inChannels, outChannels, ...this.kernelSize, ...this.stride]) {
      if (!Number.isInteger(v) || v <= 0) throw new InputError(`${name}: sizes and strides must be positive integers, got ${v}`);
    }
    for (const v of this.padding) {
      if (!Number.isInteger(v) || v < 0) throw new InputError(`${name}: padding must be non-negative integers, got ${v}`);
    }
    const bound = 1 / Math.sqrt(fanIn(this.kernelSize));
    this.weight = parameter(uniformInit(weightShape(this.kernelSize), bound));
    this.bias = options.bias === false ? null : parameter(uniformInit([outChannels], bound));
  }
}

export class Conv2d extends Conv2dBase {
  constructor(inChannels: number, outChannels: number, kernelSize: number | [number, number], options: Conv2dOptions = {}) {
    super("Conv2d", inChannels, outChannels, kernelSize, options, (k) => [outChannels, inChannels, ...k], (k) => inChannels * k[0] * k[1]);
  }
  forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== this.inChannels) throw imageError("Conv2d", x, this.inChannels);
    return internal(() => conv2d(x.astype("float32"), this.weight, this.bias, this.stride, this.padding));
  }
  override describe(): string {
    return `Conv2d(${this.inChannels}, ${this.outChannels}, kernel=${this.kernelSize.join("x")}, stride=${this.stride.join("x")}, padding=${this.padding.join("x")})`;
  }
}

builtinLayer(Conv2d);
