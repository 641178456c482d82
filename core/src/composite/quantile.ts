// median and quantile by sorting along the axis and picking (and for quantile interpolating)
// the ranked values. The picks are gathers, so the gradient reaches the elements picked.
// A NaN anywhere along the axis makes the result NaN, as in PyTorch.

import type { Tensor } from "../tensor";
import { InputError } from "../errors";
import { formatShape } from "../shape";
import { internal } from "../scope";
import { fromHost } from "../creation";
import { oneAxis } from "../ops/axes";
import { gatherAlong } from "../ops/indexing";
import { sort } from "../ops/sort";
import { where } from "../ops/elementwise";

export type Interpolation = "linear" | "lower" | "higher" | "midpoint" | "nearest";

export interface QuantileOptions {
  keepdims?: boolean;
  /** Between two ranked values: "linear" (default), "lower", "higher", "midpoint", "nearest". */
  interpolation?: Interpolation;
}

/** The axis to rank along: x's own, or 0 of the flattened x when none is given. */
function ranked(op: string, x: Tensor, axis: number | undefined): { src: Tensor; a: number } {
  const src = axis === undefined ? x.flatten() : x;
  const a = oneAxis(op, src, axis ?? 0);
  if (src.shape[a] === 0) throw new InputError(`${op}: cannot take the ${op} of an empty axis (shape ${formatShape(x.shape)})`);
  return { src, a };
}

/** Shape with axis a kept as 1 (keepdims), or dropped; all axes when x was flattened. */
function outShape(x: Tensor, axis: number | undefined, a: number, keepdims: boolean): number[] {
  if (axis === undefined) return keepdims ? x.shape.map(() => 1) : [];
  return keepdims ? x.shape.map((d, i) => (i === a ? 1 : d)) : x.shape.filter((_, i) => i !== a);
}

/** NaN where the axis holds a NaN (float32 only: ints have none). */
function propagateNan(src: Tensor, a: number, v: Tensor): Tensor {
  return src.dtype === "float32" ? where(src.isnan().any(a, { keepdims: true }), NaN, v) : v;
}

/**
 * The median along axis (of all elements without one), as torch.median: for an even count the
 * lower of the two middle values (NumPy averages them; quantile(0.5) does that).
 */
export function median(x: Tensor, axis?: number, o: { keepdims?: boolean } = {}): Tensor {
  const { src, a } = ranked("median", x, axis);
  const k = Math.floor((src.shape[a] - 1) / 2);
  return internal(() => {
    const v = sort(src, a).slice(a, k, k + 1);
    return propagateNan(src, a, v).reshape(outShape(x, axis, a, o.keepdims ?? false));
  });
}

/**
 * The q-th quantiles along axis (of all elements without one), as torch.quantile: q in [0, 1],
 * one number (the axis is reduced) or several (a new first axis, one entry per q).
 */
export function quantile(x: Tensor, q: number | number[], axis?: number, o: QuantileOptions = {}): Tensor {
  const qs = Array.isArray(q) ? q : [q];
  if (qs.length === 0 || qs.some((v) => typeof v !== "number" || !(v >= 0 && v <= 1))) {
    throw new InputError(`quantile: q must be a number in [0, 1] or an array of them, got ${JSON.stringify(q)}`);
  }
  const how = o.interpolation ?? "linear";
  if (!["linear", "lower", "higher", "midpoint", "nearest"].includes(how)) {
    throw new InputError(`quantile: interpolation must be "linear", "lower", "higher", "midpoint" or "nearest", got ${JSON.stringify(how)}`);
  }
  const { src: raw, a } = ranked("quantile", x, axis);
  const n = raw.shape[a];
  const pos = qs.map((v) => v * (n - 1));
  // torch rounds half to even for "nearest".
  const nearest = (p: number) => (p - Math.floor(p) === 0.5 ? 2 * Math.round(p / 2) : Math.round(p));
  const lo = pos.map((p) => (how === "higher" ? Math.ceil(p) : how === "nearest" ? nearest(p) : Math.floor(p)));
  const hi = pos.map((p, i) => (how === "lower" || how === "nearest" ? lo[i] : Math.ceil(p)));
  const frac = pos.map((p, i) => (how === "linear" ? p - lo[i] : how === "midpoint" && hi[i] !== lo[i] ? 0.5 : 0));
  return internal(() => {
    const src = raw.astype("float32");
    const sorted = sort(src, a);
    const pick = (idx: number[]) => gatherAlong(sorted, fromHost(Int32Array.from(idx), [idx.length], "int32", x.backend), a, "quantile");
    const below = pick(lo);
    const weights = fromHost(Float32Array.from(frac), src.shape.map((d, i) => (i === a ? qs.length : 1)), "float32", x.backend);
    const v = frac.some((f) => f !== 0) ? below.add(pick(hi).sub(below).mul(weights)) : below;
    // The q axis goes first, as in PyTorch; the reduced axis is dropped or kept as 1.
    const rest = outShape(x, axis, a, o.keepdims ?? false);
    const first = propagateNan(src, a, v).permute([a, ...src.shape.map((_, i) => i).filter((i) => i !== a)]);
    return first.reshape(Array.isArray(q) ? [qs.length, ...rest] : rest);
  });
}
