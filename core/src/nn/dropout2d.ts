// Dropout2d, as torch's nn.Dropout2d: in training mode whole channels of [N, C, H, W] (or
// [C, H, W]) images are zeroed with probability p and the rest scaled by 1 / (1 - p), so the
// expectation is unchanged; neighbouring pixels are correlated, so dropping single pixels
// (nn.Dropout) regularizes convolutions little. In eval mode it is the identity.

import type { Tensor } from "../tensor";
import { Module } from "./module";
import { builtinLayer } from "./layers";
import { bernoulli } from "../random";
import { InputError, ShapeError } from "../errors";
import { formatShape } from "../shape";
import { internal } from "../scope";

export class Dropout2d extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(typeof p === "number" && p >= 0 && p < 1)) throw new InputError(`Dropout2d: p must be in [0, 1), got ${p}`);
  }
  forward(x: Tensor): Tensor {
    if (x.ndim !== 3 && x.ndim !== 4) {
      throw new ShapeError(`Dropout2d expects input [N, C, H, W] or [C, H, W], got shape ${formatShape(x.shape)}`, {
        op: "Dropout2d",
        operands: [{ role: "input", shape: x.shape.slice(), dtype: x.dtype }],
        conflict: [],
        rule: "Dropout2d zeroes whole channels of images shaped [N, C, H, W] or [C, H, W].",
        suggestions: [],
      });
    }
    if (!this.training || this.p === 0) return x;
    // One draw per channel (per image), broadcast over H and W.
    const maskShape = x.shape.map((d, i) => (i < x.ndim - 2 ? d : 1));
    return internal(() => x.mul(bernoulli(1 - this.p, maskShape).astype("float32")).div(1 - this.p));
  }
  override describe(): string {
    return `Dropout2d(p=${this.p})`;
  }
}

builtinLayer(Dropout2d);
