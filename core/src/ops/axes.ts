// Axis arguments as users write them (undefined = all, negative from the end) made canonical,
// with errors that say which axis is out of range for which shape.

import { ShapeError } from "../errors";
import { formatShape, normalizeAxis } from "../shape";
import type { Tensor } from "../tensor";

const reductions = new Set(["sum", "mean", "prod", "max", "min", "argmax", "argmin", "var", "std", "logsumexp", "all", "any"]);

/** `positions` is how many axes the op may name: x.ndim, or x.ndim + 1 for ops that insert an
 * axis (unsqueeze, stack), whose axes count in the result. */
export function axisError(op: string, x: Tensor, axis: unknown, positions = x.ndim): ShapeError {
  const n = positions;
  const inserts = positions !== x.ndim;
  const valid = n === 0 ? "a 0-d tensor has no axes" : `valid axes are ${-n}..${n - 1}`;
  return new ShapeError(`${op}: axis ${String(axis)} is out of range for shape ${formatShape(x.shape)}; ${valid}`, {
    op,
    operands: [{ role: "input", shape: x.shape.slice(), dtype: x.dtype }],
    conflict: [],
    rule: inserts
      ? `axis must be between ${-n} and ${n - 1}: it names a position in the result, which has ${n} dims (negative counts from the end).`
      : `axis must be between ${-n} and ${n - 1} for a tensor with ${n} dims (negative counts from the end).`,
    // Only reductions drop the named axis, so only for them is "the last axis" a fix with a known shape.
    suggestions: n > 0 && reductions.has(op) ? [{ code: `{input}.${op}(${n - 1})`, resultShape: x.shape.slice(0, -1) }] : [],
  });
}

export function oneAxis(op: string, x: Tensor, axis: number): number {
  const a = normalizeAxis(axis, x.ndim);
  if (a === null) throw axisError(op, x, axis);
  return a;
}

/** Sorted, unique, non-negative axes; undefined means every axis. */
export function axesOf(op: string, x: Tensor, axis: number | number[] | undefined | null): number[] {
  if (axis === undefined || axis === null) return x.shape.map((_, i) => i);
  const list = Array.isArray(axis) ? axis : [axis];
  const out = list.map((a) => oneAxis(op, x, a));
  if (new Set(out).size !== out.length) {
    throw new ShapeError(`${op}: axis list ${JSON.stringify(list)} names the same axis twice`, {
      op,
      operands: [{ role: "input", shape: x.shape.slice(), dtype: x.dtype }],
      conflict: [],
      rule: "each axis may appear once.",
      suggestions: [],
    });
  }
  return out.sort((a, b) => a - b);
}
