// Tests on values that give bool tensors: isinf, isposinf, isneginf, isfinite, isclose, and
// allclose (isclose over every element, as a 0-d bool tensor so that it stays on the device
// and works under jit: `await allclose(a, b).item()` is PyTorch's bool).

import type { Tensor } from "../tensor";
import { InputError } from "../errors";
import { internal } from "../scope";
import { cast, operands, type Operand } from "../ops/elementwise";
import { broadcastOrThrow } from "../ops/broadcastError";

// Comparisons with an infinite JS number work on every dtype: int32 and bool tensors compare
// in float32 and are never infinite or NaN.
export const isinf = (x: Tensor) => internal(() => x.abs().eq(Infinity));
export const isposinf = (x: Tensor) => x.eq(Infinity);
export const isneginf = (x: Tensor) => x.eq(-Infinity);
/** Not infinite and not NaN (NaN < inf is false). */
export const isfinite = (x: Tensor) => internal(() => x.abs().lt(Infinity));

export interface CloseOptions {
  /** Relative tolerance, times |b| (default 1e-5, as PyTorch). */
  rtol?: number;
  /** Absolute tolerance (default 1e-8, as PyTorch). */
  atol?: number;
  /** NaN counts as close to NaN (default false). */
  equalNan?: boolean;
}

/**
 * |a - b| <= atol + rtol * |b| elementwise, as torch.isclose: equal values (infinities too) are
 * close, an infinity is close only to itself, NaN to nothing unless equalNan.
 */
export function isclose(a: Operand, b: Operand, o: CloseOptions = {}): Tensor {
  const rtol = o.rtol ?? 1e-5;
  const atol = o.atol ?? 1e-8;
  if (!(rtol >= 0) || !(atol >= 0)) throw new InputError(`isclose: rtol and atol must be non-negative numbers, got rtol ${rtol}, atol ${atol}`);
  const [x0, y0] = operands("isclose", a, b);
  broadcastOrThrow("isclose", x0, y0);
  // int32 and bool compare as float32: exact below 2^24, which is all isclose is for.
  const x = cast(x0, "float32");
  const y = cast(y0, "float32");
  return internal(() => {
    const err = x.sub(y).abs();
    // An infinite error (inf against a number) is never within an infinite allowance.
    let close = x.eq(y).logicalOr(err.lt(Infinity).logicalAnd(err.le(y.abs().mul(rtol).add(atol))));
    if (o.equalNan) close = close.logicalOr(x.isnan().logicalAnd(y.isnan()));
    return close;
  });
}

/** Whether every element is close (isclose), as a 0-d bool tensor. */
export function allclose(a: Operand, b: Operand, o: CloseOptions = {}): Tensor {
  return internal(() => isclose(a, b, o).all());
}
