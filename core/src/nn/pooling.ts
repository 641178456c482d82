// Pooling of [N, C, H, W] images: max and average over non-overlapping windows (stride =
// kernel size, PyTorch's default), and adaptive average pooling to a given output size.

import type { Tensor } from "../tensor";
import { Module } from "./module";
import { builtinLayer } from "./layers";
import { imageError, pair } from "./conv";
import { tensor } from "../creation";
import { internal } from "../scope";
import { InputError } from "../errors";

function positiveSizes(op: string, sizes: [number, number]): void {
  for (const v of sizes) {
    if (!Number.isInteger(v) || v <= 0) throw new InputError(`${op}: sizes must be positive integers, got ${v}`);
  }
}

/** Non-overlapping kh x kw windows of x as axes 3 and 5: [N, C, Ho, kh, Wo, kw]. Trailing
 * rows/cols that do not fill a window are dropped, as in PyTorch's default floor mode. */
function windows(op: string, x: Tensor, [kh, kw]: [number, number]): Tensor {
  if (x.ndim !== 4) throw imageError(op, x, null);
  const [n, c, h, w] = x.shape;
  const ho = Math.floor(h / kh);
  const wo = Math.floor(w / kw);
  if (ho === 0 || wo === 0) {
    throw new InputError(`${op}: a ${kh}x${kw} window does not fit the ${h}x${w} input (shape [${x.shape.join(", ")}])`);
  }
  const cropped = h % kh || w % kw ? x.index(":", ":", [0, ho * kh], [0, wo * kw]) : x;
  return cropped.reshape([n, c, ho, kh, wo, kw]);
}

abstract class Pool2d extends Module {
  readonly kernelSize: [number, number];
  constructor(kernelSize: number | [number, number], options: { stride?: number | [number, number] } = {}) {
    super();
    this.kernelSize = pair(kernelSize);
    const name = this.constructor.name;
    positiveSizes(name, this.kernelSize);
    const stride = pair(options.stride ?? this.kernelSize);
    if (stride[0] !== this.kernelSize[0] || stride[1] !== this.kernelSize[1]) {
      throw new InputError(`${name}: only stride = kernel size (non-overlapping windows) is supported, got stride ${stride.join("x")} for kernel ${this.kernelSize.join("x")}`);
    }
  }
  override describe(): string {
    return `${this.constructor.name}(${this.kernelSize.join("x")})`;
  }
}

/** Max over non-overlapping windows (stride = kernel size). */
export class MaxPool2d extends Pool2d {
  forward(x: Tensor): Tensor {
    return internal(() => windows("MaxPool2d", x, this.kernelSize).max([3, 5]));
  }
}

/** Mean over non-overlapping windows (stride = kernel size). */
export class AvgPool2d extends Pool2d {
  forward(x: Tensor): Tensor {
    return internal(() => windows("AvgPool2d", x.astype("float32"), this.kernelSize).mean([3, 5]));
  }
}

/**
 * The averaging matrix [out, size] of adaptive pooling along one axis: output i averages
 * inputs floor(i size / out) .. ceil((i + 1) size / out) - 1, PyTorch's windows.
 */
function averaging(out: number, size: number): Tensor {
  const rows: number[][] = [];
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * size) / out);
    const end = Math.ceil(((i + 1) * size) / out);
    rows.push(Array.from({ length: size }, (_, j) => (j >= start && j < end ? 1 / (end - start) : 0)));
  }
  return tensor(rows, { dtype: "float32" });
}

/**
 * Average pooling to a fixed output size [Ho, Wo] whatever the input's size, e.g.
 * AdaptiveAvgPool2d(1) for the global average pooling before a classifier.
 */
export class AdaptiveAvgPool2d extends Module {
  readonly outputSize: [number, number];
  constructor(outputSize: number | [number, number]) {
    super();
    this.outputSize = pair(outputSize);
    positiveSizes("AdaptiveAvgPool2d", this.outputSize);
  }
  forward(input: Tensor): Tensor {
    if (input.ndim !== 4) throw imageError("AdaptiveAvgPool2d", input, null);
    const [, , h, w] = input.shape;
    const [ho, wo] = this.outputSize;
    return internal(() => {
      const x = input.astype("float32");
      if (h % ho === 0 && w % wo === 0) return windows("AdaptiveAvgPool2d", x, [h / ho, w / wo]).mean([3, 5]);
      // Overlapping or uneven windows: average rows, then columns, with averaging matrices.
      const cols = x.matmul(averaging(wo, w).T);
      return averaging(ho, h).matmul(cols);
    });
  }
  override describe(): string {
    return `AdaptiveAvgPool2d(${this.outputSize.join("x")})`;
  }
}

builtinLayer(MaxPool2d, AvgPool2d, AdaptiveAvgPool2d);
