// Repeating a tensor: repeat and tile copy the whole tensor along each axis (torch.repeat,
// torch.tile / numpy.tile), repeatInterleave repeats each element in place (1 1 2 2 3 3).
// Counts given as numbers become a broadcast and a reshape: size-1 axes are inserted next to
// the repeated ones, broadcast to the counts and merged; gradients sum the copies back.

import type { Tensor } from "../tensor";
import { InputError, ShapeError } from "../errors";
import { formatShape } from "../shape";
import { internal } from "../scope";
import { fromHost, isTensor } from "../creation";
import { oneAxis } from "../ops/axes";
import { gatherAlong } from "../ops/indexing";

function counts(op: string, reps: number[]): number[] {
  if (reps.some((r) => !Number.isInteger(r) || r < 0)) throw new InputError(`${op}: repeat counts must be non-negative integers, got ${JSON.stringify(reps)}`);
  return reps;
}

/**
 * The whole tensor repeated reps[i] times along axis i, as torch's x.repeat(...reps): reps may
 * be longer than x's rank (x gains leading axes) but not shorter.
 */
export function repeat(x: Tensor, reps: number[]): Tensor {
  counts("repeat", reps);
  if (reps.length < x.ndim) {
    throw new ShapeError(
      `repeat: got ${reps.length} repeat counts for a tensor of shape ${formatShape(x.shape)}; give at least ${x.ndim} (one per axis), or use tile`,
      {
        op: "repeat",
        operands: [{ role: "input", shape: x.shape.slice(), dtype: x.dtype }],
        conflict: [],
        rule: "repeat needs a count for every axis of the input (leading extra counts add axes).",
        suggestions: [{ code: `{input}.tile(${reps.join(", ")})`, resultShape: tileShape(x.shape, reps) }],
      },
    );
  }
  const shape = [...new Array<number>(reps.length - x.ndim).fill(1), ...x.shape];
  return internal(() => {
    const spread = x.reshape(shape.flatMap((d) => [1, d]));
    const wide = spread.broadcastTo(shape.flatMap((d, i) => [reps[i], d]));
    return wide.reshape(shape.map((d, i) => d * reps[i]));
  });
}

function tileShape(shape: number[], reps: number[]): number[] {
  const n = Math.max(shape.length, reps.length);
  const s = [...new Array<number>(n - shape.length).fill(1), ...shape];
  const r = [...new Array<number>(n - reps.length).fill(1), ...reps];
  return s.map((d, i) => d * r[i]);
}

/** numpy.tile / torch.tile: like repeat, but fewer counts than axes repeat the last axes. */
export function tile(x: Tensor, reps: number[]): Tensor {
  counts("tile", reps);
  return repeat(x, [...new Array<number>(Math.max(0, x.ndim - reps.length)).fill(1), ...reps]);
}

/**
 * Each element repeated along axis (of the flattened tensor when no axis is given), as
 * torch.repeat_interleave: `repeats` is one count for all, or one per element of the axis.
 */
export function repeatInterleave(x: Tensor, repeats: number | number[], axis?: number): Tensor {
  if (isTensor(repeats)) {
    throw new InputError("repeatInterleave: repeats must be a number or an array of numbers; for a tensor of counts pass Array.from(await counts.data())");
  }
  const src = axis === undefined ? x.flatten() : x;
  const a = oneAxis("repeatInterleave", src, axis ?? 0);
  const n = src.shape[a];
  if (typeof repeats === "number") {
    const [r] = counts("repeatInterleave", [repeats]);
    return internal(() => {
      const inserted = src.shape.slice();
      inserted.splice(a + 1, 0, 1);
      const wide = inserted.slice();
      wide[a + 1] = r;
      const merged = src.shape.slice();
      merged[a] = n * r;
      return src.reshape(inserted).broadcastTo(wide).reshape(merged);
    });
  }
  counts("repeatInterleave", repeats);
  if (repeats.length !== n) {
    throw new ShapeError(`repeatInterleave: got ${repeats.length} repeat counts for axis ${a} of size ${n} (shape ${formatShape(src.shape)}); give one per element`, {
      op: "repeatInterleave",
      operands: [{ role: "input", shape: src.shape.slice(), dtype: src.dtype }],
      conflict: [{ operand: 0, axis: a }],
      rule: "an array of repeat counts needs one count per element along the axis.",
      suggestions: [],
    });
  }
  const picks = repeats.flatMap((r, i) => new Array<number>(r).fill(i));
  return internal(() => gatherAlong(src, fromHost(Int32Array.from(picks), [picks.length], "int32", x.backend), a, "repeatInterleave"));
}
