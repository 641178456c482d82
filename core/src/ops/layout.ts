// Shape changes: reshape (a free view), permute/transpose, squeeze/unsqueeze, broadcastTo.

import type { Tensor } from "../tensor";
import { run } from "../dispatch";
import { ShapeError, InputError } from "../errors";
import { describe, formatShape, sizeOf } from "../shape";
import { axisError, axesOf, oneAxis } from "./axes";
import { broadcastShapes } from "./shapeRules";
import { normalizeAxis } from "../shape";

function reshapeError(x: Tensor, shape: number[], message: string, rule: string): ShapeError {
  const suggestions: { code: string; resultShape: number[] }[] = [];
  if (shape.length > 1) {
    const known = shape.slice(1);
    const p = sizeOf(known.map((d) => (d === -1 ? 1 : d)));
    if (p > 0 && x.size % p === 0 && !known.includes(-1)) {
      const s = [-1, ...known];
      suggestions.push({ code: `{input}.reshape(${formatShape(s)})`, resultShape: [x.size / p, ...known] });
    }
  }
  suggestions.push({ code: `{input}.reshape([-1])`, resultShape: [x.size] });
  return new ShapeError(message, {
    op: "reshape",
    operands: [{ role: "input", shape: x.shape.slice(), dtype: x.dtype }],
    conflict: [],
    rule,
    suggestions,
  });
}

/** The shape with its one -1 entry filled in, checked against x's element count. */
export function resolveShape(x: Tensor, shape: number[]): number[] {
  shape.forEach((d, i) => {
    if (typeof d !== "number" || !Number.isInteger(d) || d < -1) {
      throw new InputError(`reshape: size ${describe(d)} at position ${i} of ${JSON.stringify(shape)} is not a non-negative integer or -1`);
    }
  });
  const free = shape.filter((d) => d === -1).length;
  if (free > 1) throw reshapeError(x, shape, `reshape: only one size may be -1, got ${formatShape(shape)}`, "at most one size may be -1 (inferred).");
  const known = sizeOf(shape.filter((d) => d !== -1));
  if (free === 1) {
    if (known === 0 || x.size % known !== 0) {
      throw reshapeError(
        x,
        shape,
        `reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) into ${formatShape(shape)}: ${x.size} is not a multiple of ${known}`,
        `the sizes must multiply to ${x.size}, the input's element count; -1 is inferred as ${x.size} divided by the others.`,
      );
    }
    return shape.map((d) => (d === -1 ? x.size / known : d));
  }
  if (known !== x.size) {
    throw reshapeError(
      x,
      shape,
      `reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) into ${formatShape(shape)} (${known} elements)`,
      `the new shape must have the same number of elements as the input (${x.size}).`,
    );
  }
  return shape.slice();
}

export function reshape(x: Tensor, shape: number[]): Tensor {
  const s = resolveShape(x, shape);
  if (s.length === x.ndim && s.every((d, i) => d === x.shape[i])) return x;
  return run("reshape", [x], { shape: s });
}

export function flatten(x: Tensor, startAxis = 0, endAxis = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const a = oneAxis("flatten", x, startAxis);
  const b = oneAxis("flatten", x, endAxis);
  if (a > b) throw new InputError(`flatten: startAxis ${startAxis} comes after endAxis ${endAxis} in shape ${formatShape(x.shape)}`);
  const mid = sizeOf(x.shape.slice(a, b + 1));
  return reshape(x, [...x.shape.slice(0, a), mid, ...x.shape.slice(b + 1)]);
}

export function permute(x: Tensor, perm: number[]): Tensor {
  const p = perm.map((a) => normalizeAxis(a, x.ndim));
  if (p.length !== x.ndim || p.some((a) => a === null) || new Set(p).size !== p.length) {
    throw new ShapeError(`permute: ${JSON.stringify(perm)} is not a permutation of the ${x.ndim} axes of ${formatShape(x.shape)}`, {
      op: "permute",
      operands: [{ role: "input", shape: x.shape.slice(), dtype: x.dtype }],
      conflict: [],
      rule: `permute needs each axis 0..${x.ndim - 1} exactly once.`,
      suggestions: [],
    });
  }
  const q = p as number[];
  if (q.every((a, i) => a === i)) return x;
  return run("permute", [x], { perm: q });
}

/** Swaps two axes; without arguments reverses all axes (x.T). */
export function transpose(x: Tensor, a?: number, b?: number): Tensor {
  if (a === undefined || b === undefined) return permute(x, x.shape.map((_, i) => x.ndim - 1 - i));
  const i = oneAxis("transpose", x, a);
  const j = oneAxis("transpose", x, b);
  const perm = x.shape.map((_, k) => k);
  perm[i] = j;
  perm[j] = i;
  return permute(x, perm);
}

export function squeeze(x: Tensor, axis?: number | number[]): Tensor {
  const axes = axis === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : axesOf("squeeze", x, axis);
  for (const a of axes) {
    if (x.shape[a] !== 1) {
      throw new ShapeError(`squeeze: axis ${a} of shape ${formatShape(x.shape)} has size ${x.shape[a]}, not 1`, {
        op: "squeeze",
        operands: [{ role: "input", shape: x.shape.slice(), dtype: x.dtype }],
        conflict: [{ operand: 0, axis: a }],
        rule: "only axes of size 1 can be squeezed.",
        suggestions: [],
      });
    }
  }
  return reshape(x, x.shape.filter((_, i) => !axes.includes(i)));
}

export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normalizeAxis(axis, x.ndim + 1);
  if (a === null) throw axisError("unsqueeze", x, axis, x.ndim + 1);
  const s = x.shape.slice();
  s.splice(a, 0, 1);
  return reshape(x, s);
}

export function broadcastTo(x: Tensor, shape: number[]): Tensor {
  const out = broadcastShapes(x.shape, shape);
  if (!out || out.length !== shape.length || out.some((d, i) => d !== shape[i])) {
    const k = x.ndim;
    const conflict: { operand: number; axis: number }[] = [];
    for (let i = 1; i <= k; i++) {
      const d = x.shape[k - i];
      const t = shape[shape.length - i];
      if (t === undefined || (d !== 1 && d !== t)) {
        conflict.push({ operand: 0, axis: k - i });
        break;
      }
    }
    throw new ShapeError(`broadcastTo: cannot broadcast shape ${formatShape(x.shape)} to ${formatShape(shape)}`, {
      op: "broadcastTo",
      operands: [{ role: "input", shape: x.shape.slice(), dtype: x.dtype }],
      conflict,
      rule: "lined up from the right, each input dim must equal the target dim or be 1, and the target must have at least as many dims.",
      suggestions: [],
    });
  }
  if (out.length === x.ndim && out.every((d, i) => d === x.shape[i])) return x;
  return run("broadcast", [x], { shape: out });
}

/** A new buffer with the same values (recorded for autodiff as an identity). */
export function copy(x: Tensor): Tensor {
  return run("slice", [x], { starts: x.shape.map(() => 0), steps: x.shape.map(() => 1), shape: x.shape.slice() });
}
