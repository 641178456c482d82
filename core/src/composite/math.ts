// Elementwise functions composed from primitives: their gradients come from the primitives'.

import type { Tensor } from "../tensor";
import { InputError } from "../errors";
import { internal } from "../scope";
import { cast, operands, where, type Operand } from "../ops/elementwise";
import { broadcastOrThrow } from "../ops/broadcastError";

/** Exact GELU, 0.5 x (1 + erf(x / sqrt 2)), PyTorch's default. */
export function gelu(x: Tensor): Tensor {
  return internal(() => x.mul(0.5).mul(x.mul(Math.SQRT1_2).erf().add(1)));
}

/**
 * log(1 + exp(x)) without overflow: max(x, 0) + log1p(exp(-|x|)), written with where so that
 * the gradient is exact at x = 0 too (the kinks of max and |x| meet there, and their one-sided
 * derivatives, which autodiff takes, do not add up to sigmoid(0) = 0.5).
 */
export function softplus(x: Tensor): Tensor {
  return internal(() => {
    const pos = x.gt(0);
    return where(pos, x, 0).add(where(pos, x.neg(), x).exp().log1p());
  });
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

export function log2(x: Tensor): Tensor {
  return internal(() => x.log().mul(Math.LOG2E));
}

export function log10(x: Tensor): Tensor {
  return internal(() => x.log().mul(Math.LOG10E));
}

/** Both operands as float32 tensors that broadcast together (else a ShapeError naming `op`). */
function floats(op: string, a: Operand, b: Operand): [Tensor, Tensor] {
  const [x, y] = operands(op, a, b);
  broadcastOrThrow(op, x, y);
  return [cast(x, "float32"), cast(y, "float32")];
}

/**
 * sqrt(a^2 + b^2) as max * sqrt(1 + (min / max)^2), so squares of large values (past 1.8e19 in
 * float32) never overflow; infinite if either is, as C's hypot. At (0, 0) the gradient is 0.
 */
export function hypot(a: Operand, b: Operand): Tensor {
  const [x, y] = floats("hypot", a, b);
  return internal(() => {
    const ax = x.abs();
    const ay = y.abs();
    const big = ax.maximum(ay);
    const small = ax.minimum(ay);
    const scalable = big.gt(0).logicalAnd(big.lt(Infinity));
    const r = small.div(where(scalable, big, 1));
    const scaled = big.mul(r.mul(r).add(1).sqrt());
    return where(ax.eq(Infinity).logicalOr(ay.eq(Infinity)), Infinity, where(scalable, scaled, big));
  });
}

/**
 * log(exp(a) + exp(b)) without overflow: max(a, b) + log1p(exp(-|a - b|)). Equal infinities
 * (where a - b is NaN) give that infinity.
 */
export function logaddexp(a: Operand, b: Operand): Tensor {
  const [x, y] = floats("logaddexp", a, b);
  return internal(() => {
    const m = x.maximum(y);
    const d = x.sub(y).abs();
    return where(d.isnan(), m, m.add(d.neg().exp().log1p()));
  });
}

/**
 * start + weight * (end - start), as torch.lerp: for |weight| >= 0.5 it is computed from the
 * end (end - (end - start) * (1 - weight)), so weight 1 gives exactly end.
 */
export function lerp(start: Tensor, end: Operand, weight: Operand): Tensor {
  const [s, e] = floats("lerp", start, end);
  return internal(() => {
    const diff = e.sub(s);
    if (typeof weight === "number") return Math.abs(weight) < 0.5 ? s.add(diff.mul(weight)) : e.sub(diff.mul(1 - weight));
    const w = cast(operands("lerp", weight, s)[0], "float32");
    return where(w.abs().lt(0.5), s.add(diff.mul(w)), e.sub(diff.mul(w.neg().add(1))));
  });
}

/** x * log(y), with 0 wherever x is 0 (even for y = 0), as torch.xlogy; NaN where y is NaN. */
export function xlogy(a: Operand, b: Operand): Tensor {
  const [x, y] = floats("xlogy", a, b);
  return internal(() => {
    const zero = x.eq(0);
    // log sees 1 where x is 0, so that branch's gradient is 0 rather than 0 * inf.
    const v = where(zero, 0, x.mul(where(zero, 1, y).log()));
    return where(y.isnan(), NaN, v);
  });
}
