// Batching rules: how each primitive applied to one example runs once over a whole batch.
// Batched operands arrive as their inner tensors, examples along axis 0; unbatched operands
// (the same for every example) arrive as they are. Each rule returns the batch of results,
// [size, ...one example's result shape]. JAX calls these batching rules; they are what makes
// vmap one kernel per op rather than a loop over examples.

import type { Primitive, PrimitiveAttrs, TensorInfo } from "../ops/primitives";
import type { Tensor } from "../tensor";
import { run } from "../dispatch";
import { rowOffsetIndices as offsetIndices } from "../ops/indexing";
import { InputError } from "../errors";

/**
 * Batched indices the host knows (cpu tensors) are checked here, naming the example: the
 * batched gather reads one flattened table, so the kernel's own check would report an index
 * into that table, not the user's. `idx` has the batch on axis 0; values are already made
 * non-negative where they were in range.
 */
function checkExampleIndices(idx: Tensor, n: number, size: number, axis: number): void {
  const known = idx.peek();
  if (!known || !known.length) return;
  const per = known.length / size;
  for (let k = 0; k < known.length; k++) {
    const v = known[k];
    if (v < 0 || v >= n) {
      const shown = v < 0 ? v - n : v; // back to what the user wrote, for a negative index
      throw new InputError(`index ${shown} (in example ${Math.floor(k / per)} of the vmap) is out of bounds for axis ${axis} with size ${n}; an index must be in ${-n}..${n - 1}`);
    }
  }
}

export interface Operand {
  t: Tensor;
  /** Whether t carries the batch on axis 0. */
  b: boolean;
}

type Rule<P extends Primitive> = (ins: Operand[], attrs: PrimitiveAttrs[P], out: TensorInfo, size: number) => Tensor;

const reshape = (t: Tensor, shape: number[]) => run("reshape", [t], { shape });
const permute = (t: Tensor, perm: number[]) => run("permute", [t], { perm });
const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
const ones = (n: number) => new Array<number>(Math.max(0, n)).fill(1);

/** A batched [B, ...s] with size-1 axes after the batch axis, to example rank r: then NumPy
 * broadcasting against unbatched operands lines up the example axes, not the batch axis. */
function toRank(x: Tensor, r: number): Tensor {
  const s = x.shape.slice(1);
  return s.length >= r ? x : reshape(x, [x.shape[0], ...ones(r - s.length), ...s]);
}

/** An unbatched operand repeated for every example. */
function materialize(o: Operand, size: number): Tensor {
  if (o.b) return o.t;
  return run("broadcast", [reshape(o.t, [1, ...o.t.shape])], { shape: [size, ...o.t.shape] });
}

const elementwise = <P extends "unary" | "cast">(prim: P): Rule<P> => (ins, attrs) => run(prim, [ins[0].t], attrs);

const broadcasting = <P extends "binary" | "where">(prim: P): Rule<P> => (ins, attrs, out) =>
  run(prim, ins.map((o) => (o.b ? toRank(o.t, out.shape.length) : o.t)), attrs);

export const batchRules: { [P in Primitive]: Rule<P> } = {
  unary: elementwise("unary"),
  cast: elementwise("cast"),
  // Rows are the last axis, which the batch axis in front leaves alone.
  argsort: ([x], a) => run("argsort", [x.t], a),
  binary: broadcasting("binary"),
  where: broadcasting("where"),
  reduce: ([x], a) => run("reduce", [x.t], { fn: a.fn, axes: a.axes.map((i) => i + 1), keepdims: a.keepdims }),
  argReduce: ([x], a) => run("argReduce", [x.t], { fn: a.fn, axis: a.axis + 1, keepdims: a.keepdims }),
  matmul: ([a, b], attrs, out, size) => {
    const ra = a.t.ndim - (a.b ? 1 : 0);
    const rb = b.t.ndim - (b.b ? 1 : 0);
    if (a.b && !b.b && rb === 2 && !attrs.transA) {
      // x @ W for a batch of x: the batch joins the rows of one product (the per-example
      // gradient case: every example's activations against the same weights).
      const k = a.t.shape[a.t.ndim - 1];
      const rows = reshape(a.t, [a.t.size / k, k]);
      return reshape(run("matmul", [rows, b.t], attrs), [size, ...out.shape]);
    }
    const r = Math.max(ra, rb);
    return run("matmul", [a.b ? toRank(a.t, r) : a.t, b.b ? toRank(b.t, r) : b.t], attrs);
  },
  reshape: ([x], a, out, size) => reshape(x.t, [size, ...a.shape]),
  permute: ([x], a) => permute(x.t, [0, ...a.perm.map((p) => p + 1)]),
  broadcast: ([x], a, out, size) => run("broadcast", [toRank(x.t, a.shape.length)], { shape: [size, ...a.shape] }),
  slice: ([x], a, out, size) => run("slice", [x.t], { starts: [0, ...a.starts], steps: [1, ...a.steps], shape: [size, ...a.shape] }),
  pad: ([x], a) => {
    const { low, high, interior, value } = a;
    return run("pad", [x.t], { low: [0, ...low], high: [0, ...high], interior: [0, ...interior], value });
  },
  concat: (ins, a, out, size) => run("concat", ins.map((o) => materialize(o, size)), { axis: a.axis + 1 }),
  windows: ([x], a, out, size) => {
    // [B, N, H, W, C] as [B * N, H, W, C]: examples are more images.
    const [n, h, w, c] = x.t.shape.slice(1);
    return reshape(run("windows", [reshape(x.t, [size * n, h, w, c])], a), [size, ...out.shape]);
  },
  gather: ([x, idx], a, out, size) => {
    const axis = a.axis;
    if (!idx.b) return run("gather", [x.t, idx.t], { axis: axis + 1 });
    const ri = idx.t.ndim - 1;
    checkExampleIndices(idx.t, x.t.shape[x.b ? axis + 1 : axis], size, axis);
    if (!x.b) {
      // x[..., idx[b], ...] for every b: the batch axis comes out where the indices go.
      const g = run("gather", [x.t, idx.t], { axis });
      return permute(g, [axis, ...range(0, axis), ...range(axis + 1, g.ndim)]);
    }
    // Both batched: example b reads its own x, so flatten (batch, axis) into one axis of
    // size * n and offset each example's indices by b * n.
    const xs = x.t.shape;
    const n = xs[axis + 1];
    const moved = permute(x.t, [0, axis + 1, ...range(1, axis + 1), ...range(axis + 2, xs.length)]);
    const flat = reshape(moved, [size * n, ...moved.shape.slice(2)]);
    const g = run("gather", [flat, offsetIndices(idx.t, n)], { axis: 0 }); // [B, ...ishape, ...pre, ...post]
    return permute(g, [0, ...range(ri + 1, ri + 1 + axis), ...range(1, ri + 1), ...range(ri + 1 + axis, g.ndim)]);
  },
  scatterAdd: ([u, idx], a, out, size) => {
    const { axis } = a;
    if (!idx.b) return run("scatterAdd", [u.t, idx.t], { axis: axis + 1, size: a.size });
    // Scatter into a [size * a.size, ...pre, ...post] table with offset indices, then unflatten.
    const ri = idx.t.ndim - 1;
    const up = materialize(u, size); // [B, ...pre, ...ishape, ...post]
    const moved = permute(up, [0, ...range(axis + 1, axis + 1 + ri), ...range(1, axis + 1), ...range(axis + 1 + ri, up.ndim)]);
    const s = run("scatterAdd", [moved, offsetIndices(idx.t, a.size)], { axis: 0, size: size * a.size });
    const table = reshape(s, [size, a.size, ...s.shape.slice(1)]); // [B, a.size, ...pre, ...post]
    return permute(table, [0, ...range(2, axis + 2), 1, ...range(axis + 2, table.ndim)]);
  },
};
