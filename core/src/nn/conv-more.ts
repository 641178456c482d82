// nn.ConvTranspose2d (the upsampling layer of autoencoders and GAN generators) and nn.Conv1d,
// as PyTorch's: weight layouts [in, out, kh, kw] and [out, in, k], the same output sizes,
// init and options. Both reduce to conv2d, whose gradient is written out (conv.ts).

import type { Tensor } from "../tensor";
import { Module, parameter } from "./module";
import { builtinLayer, uniformInit } from "./layers";
import { Conv2dBase, conv2d, imageError, pair, type Conv2dOptions } from "./conv";
import { run } from "../dispatch";
import { take } from "../ops/indexing";
import { internal } from "../scope";
import { InputError, ShapeError } from "../errors";
import { formatShape } from "../shape";

/**
 * The transposed convolution of x [N, Cin, H, W] with w [Cin, Cout, kh, kw]: each input pixel
 * adds its value times the kernel into the output at (i * stride - padding, j * stride -
 * padding). Written as a stride-1 conv2d of x spread out by the stride (stride - 1 zeros
 * between pixels) and padded by kernel - 1 - padding, with the kernel flipped and its channel
 * axes swapped. Output: (H - 1) * stride - 2 * padding + kh + outputPadding.
 */
export function convTranspose2d(
  x: Tensor,
  w: Tensor,
  b: Tensor | null,
  stride: [number, number],
  padding: [number, number],
  outputPadding: [number, number] = [0, 0],
): Tensor {
  const [kh, kw] = w.shape.slice(2);
  const k = [kh, kw];
  const lo = k.map((kk, a) => kk - 1 - padding[a]);
  const hi = k.map((kk, a) => kk - 1 - padding[a] + outputPadding[a]);
  let spread = run("pad", [x], {
    low: [0, 0, Math.max(lo[0], 0), Math.max(lo[1], 0)],
    high: [0, 0, Math.max(hi[0], 0), Math.max(hi[1], 0)],
    interior: [0, 0, stride[0] - 1, stride[1] - 1],
    value: 0,
  });
  // Padding wider than kernel - 1 cuts rows and columns off instead.
  if (lo.some((v) => v < 0) || hi.some((v) => v < 0)) {
    const keep = [0, 1].map((a) => [Math.max(-lo[a], 0), spread.shape[2 + a] - Math.max(-hi[a], 0)]);
    spread = spread.index(":", ":", keep[0], keep[1]);
  }
  const flipped = take(take(w, Array.from({ length: kh }, (_, i) => kh - 1 - i), 2), Array.from({ length: kw }, (_, i) => kw - 1 - i), 3);
  return conv2d(spread, flipped.permute(1, 0, 2, 3), b, [1, 1], [0, 0]);
}

function positive(what: string, values: number[], allowZero = false): void {
  for (const v of values) {
    if (!Number.isInteger(v) || v < 0 || (!allowZero && v === 0)) throw new InputError(`${what} must be ${allowZero ? "non-negative" : "positive"} integers, got ${v}`);
  }
}

export class ConvTranspose2d extends Conv2dBase {
  readonly outputPadding: [number, number];
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: number | [number, number],
    options: Conv2dOptions & { outputPadding?: number | [number, number] } = {},
  ) {
    // PyTorch's layout [in, out, kh, kw]; its fan-in is dim 1 (out channels) times the kernel area.
    super("ConvTranspose2d", inChannels, outChannels, kernelSize, options, (k) => [inChannels, outChannels, ...k], (k) => outChannels * k[0] * k[1]);
    this.outputPadding = pair(options.outputPadding ?? 0);
    positive("ConvTranspose2d: outputPadding", this.outputPadding, true);
    if (this.outputPadding.some((p, a) => p >= this.stride[a])) {
      throw new InputError(`ConvTranspose2d: outputPadding (${this.outputPadding.join(", ")}) must be smaller than the stride (${this.stride.join(", ")}); it only picks among the output sizes a stride leaves open`);
    }
  }
  forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== this.inChannels) throw imageError("ConvTranspose2d", x, this.inChannels);
    return internal(() => convTranspose2d(x.astype("float32"), this.weight, this.bias, this.stride, this.padding, this.outputPadding));
  }
  override describe(): string {
    return `ConvTranspose2d(${this.inChannels}, ${this.outChannels}, kernel=${this.kernelSize.join("x")}, stride=${this.stride.join("x")}, padding=${this.padding.join("x")})`;
  }
}

/** Convolution over sequences [N, C, L] with weight [out, in, k], as torch.nn.Conv1d. */
export class Conv1d extends Module {
  weight: Tensor;
  bias: Tensor | null;
  readonly stride: number;
  readonly padding: number;
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    options: { stride?: number; padding?: number; bias?: boolean } = {},
  ) {
    super();
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? 0;
    positive("Conv1d: channels, kernel size and stride", [inChannels, outChannels, kernelSize, this.stride]);
    positive("Conv1d: padding", [this.padding], true);
    const bound = 1 / Math.sqrt(inChannels * kernelSize);
    this.weight = parameter(uniformInit([outChannels, inChannels, kernelSize], bound));
    this.bias = options.bias === false ? null : parameter(uniformInit([outChannels], bound));
  }
  forward(x: Tensor): Tensor {
    if (x.ndim !== 3 || x.shape[1] !== this.inChannels) {
      throw new ShapeError(`Conv1d expects input [N, C, L] with C = ${this.inChannels}, got shape ${formatShape(x.shape)}`, {
        op: "Conv1d",
        operands: [{ role: "input", shape: x.shape.slice(), dtype: x.dtype }],
        conflict: x.ndim === 3 ? [{ operand: 0, axis: 1 }] : [],
        rule: `Conv1d takes a batch of sequences shaped [N, C, L] with ${this.inChannels} channels.`,
        suggestions: x.ndim === 2 ? [{ code: "{input}.unsqueeze(1)", resultShape: [x.shape[0], 1, x.shape[1]] }] : [],
      });
    }
    // A sequence is an image one pixel high.
    return internal(() => {
      const w = this.weight.reshape([this.outChannels, this.inChannels, 1, this.kernelSize]);
      return conv2d(x.astype("float32").unsqueeze(2), w, this.bias, [1, this.stride], [0, this.padding]).squeeze(2);
    });
  }
  override describe(): string {
    return `Conv1d(${this.inChannels}, ${this.outChannels}, kernel=${this.kernelSize}, stride=${this.stride}, padding=${this.padding})`;
  }
}

builtinLayer(ConvTranspose2d, Conv1d);
