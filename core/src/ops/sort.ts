// Sorting: argsort (the primitive, over the last axis; other axes are moved there and back),
// sort, topk, and takeAlongAxis, which picks one element per index along an axis (numpy's
// take_along_axis, torch.gather) and carries the gradient of sort and topk back to the input.

import type { Tensor } from "../tensor";
import { run, commonBackend } from "../dispatch";
import { InputError, ShapeError } from "../errors";
import { formatShape, sizeOf } from "../shape";
import { oneAxis } from "./axes";
import { checkIndices, checkRange, rowOffsetIndices } from "./indexing";
import { constant } from "../creation";

/** The permutation that moves axis a last (its own inverse is computed by inverse()). */
function toLast(ndim: number, a: number): number[] {
  return [...Array.from({ length: ndim }, (_, i) => i).filter((i) => i !== a), a];
}
function inverse(perm: number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

export interface SortOptions {
  /** Largest first. NaN then comes first, as in PyTorch; ascending puts it last, as NumPy. */
  descending?: boolean;
}

/** The indices that sort x along axis (default the last), stable: equal values keep their order. */
export function argsort(x: Tensor, axis = -1, options: SortOptions = {}): Tensor {
  if (x.ndim === 0) return argsort(x.reshape([1]), 0, options).reshape([]);
  const a = oneAxis("argsort", x, axis);
  const attrs = { descending: options.descending === true };
  if (a === x.ndim - 1) return run("argsort", [x], attrs);
  const perm = toLast(x.ndim, a);
  return run("argsort", [x.permute(perm)], attrs).permute(inverse(perm));
}

/** x sorted along axis (default the last): the values, as jnp.sort (argsort gives the indices). */
export function sort(x: Tensor, axis = -1, options: SortOptions = {}): Tensor {
  if (x.ndim === 0) return x.add(0);
  return takeAlongAxis(x, argsort(x, axis, options), axis);
}

/** The k largest (or smallest) values along axis and their indices, largest first, as torch.topk. */
export function topk(x: Tensor, k: number, axis = -1, options: { largest?: boolean } = {}): [Tensor, Tensor] {
  if (x.ndim === 0) throw new InputError("topk: needs a tensor with at least one dim");
  const a = oneAxis("topk", x, axis);
  const n = x.shape[a];
  if (!Number.isInteger(k) || k < 0 || k > n) {
    throw new InputError(`topk: k must be an integer from 0 to ${n} (the size of axis ${axis} of ${formatShape(x.shape)}), got ${k}`);
  }
  const idx = argsort(x, a, { descending: options.largest !== false }).slice(a, 0, k);
  return [takeAlongAxis(x, idx, a), idx];
}

/**
 * out[..., j, ...] = x[..., indices[..., j, ...], ...] along axis: indices has x's rank, and its
 * other axes match x's (or are 1). numpy's take_along_axis, torch.gather(x, axis, indices).
 * Negative indices count from the end.
 */
export function takeAlongAxis(x: Tensor, indices: Tensor, axis: number): Tensor {
  const a = oneAxis("takeAlongAxis", x, axis);
  checkIndices(indices, "takeAlongAxis");
  commonBackend([x, indices], "takeAlongAxis");
  const bad = indices.ndim !== x.ndim || indices.shape.some((d, i) => i !== a && d !== x.shape[i] && d !== 1);
  if (bad) {
    throw new ShapeError(
      `takeAlongAxis: indices of shape ${formatShape(indices.shape)} do not fit x of shape ${formatShape(x.shape)} along axis ${axis}: ` +
        `they need x's rank and its sizes on every other axis`,
      {
        op: "takeAlongAxis",
        operands: [
          { role: "input", shape: x.shape.slice(), dtype: x.dtype },
          { role: "indices", shape: indices.shape.slice(), dtype: indices.dtype },
        ],
        conflict: [],
        rule: `{indices} must have {input}'s rank and the same size on every axis but ${a} (or size 1 there).`,
        suggestions: [],
      },
    );
  }
  const n = x.shape[a];
  const known = indices.peek();
  if (known) checkRange("takeAlongAxis", x, a, known);
  const shape = indices.shape.map((d, i) => (i === a ? d : x.shape[i]));
  const full = indices.broadcastTo(shape);
  // Negative indices count from the end.
  const idx = run("where", [full.lt(0), full.add(constant(n, "int32", x.backend)), full], {});
  // Rows of the moved-last axis, flattened: each row's indices offset to its own row.
  const perm = toLast(x.ndim, a);
  const lead = perm.slice(0, -1).map((i) => shape[i]);
  const rows = sizeOf(lead);
  const xs = x.permute(perm).reshape([x.size]);
  const flat = idx.permute(perm).reshape([rows, shape[a]]);
  const picked = run("gather", [xs, rowOffsetIndices(flat, n)], { axis: 0 });
  return picked.reshape([...lead, shape[a]]).permute(inverse(perm));
}
