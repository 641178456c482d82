// Elementwise functions composed from primitives: their gradients come from the primitives'.

import type { Tensor } from "../tensor";
import { InputError } from "../errors";
import { internal } from "../scope";

/** Exact GELU, 0.5 x (1 + erf(x / sqrt 2)), PyTorch's default. */
export function gelu(x: Tensor): Tensor {
  return internal(() => x.mul(0.5).mul(x.mul(Math.SQRT1_2).erf().add(1)));
}

/** log(1 + exp(x)) without overflow: max(x, 0) + log1p(exp(-|x|)). */
export function softplus(x: Tensor): Tensor {
  return internal(() => x.relu().add(x.abs().neg().exp().log1p()));
}

/** Limits values to [min, max]; null leaves that side open. */
export function clip(x: Tensor, min: number | null, max: number | null): Tensor {
  if (min !== null && max !== null && min > max) throw new InputError(`clip: min (${min}) is greater than max (${max})`);
  return internal(() => {
    let y = x;
    if (min !== null && min !== undefined) y = y.maximum(min);
    if (max !== null && max !== undefined) y = y.minimum(max);
    return y;
  });
}
