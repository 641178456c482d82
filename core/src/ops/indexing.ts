// Indexing and joining: NumPy-style index(), slice, take/gather, booleanMask, pad, concat,
// stack, split. Slices follow Python's rules (negative indices count from the end, out-of-range
// bounds are clamped); single indices out of range are errors, as in NumPy.

import type { Tensor } from "../tensor";
import { run } from "../dispatch";
import { ShapeError, InputError, DTypeError } from "../errors";
import { formatShape } from "../shape";
import { axisError, oneAxis } from "./axes";
import { reshape, unsqueeze } from "./layout";
import { cast } from "./elementwise";
import { commonBackend } from "../dispatch";
import { constant, fromHost, isTensor, toHost, type NestedArray } from "../creation";
import { promote } from "../dtype";

export type SliceSpec = [number?, number?, number?] | { start?: number; stop?: number; step?: number };
/** number: pick; ":" or a slice: keep a range; "...": all remaining axes; null: new axis of
 * size 1; "a:b:c": a Python slice written as a string; an int32 Tensor gathers. A JS array
 * is always a slice [start, stop, step] (use a Tensor to pick a list of indices). */
export type IndexSpec = number | null | string | SliceSpec | Tensor | number[];

function indexError(x: Tensor, axis: number, message: string, rule: string, op = "index"): ShapeError {
  return new ShapeError(message, {
    op,
    operands: [{ role: "input", shape: x.shape.slice(), dtype: x.dtype }],
    conflict: [{ operand: 0, axis }],
    rule,
    suggestions: [],
  });
}

function outOfBounds(op: string, x: Tensor, axis: number, v: number): ShapeError {
  const n = x.shape[axis];
  return indexError(x, axis, `${op}: index ${v} is out of bounds for axis ${axis} with size ${n} (shape ${formatShape(x.shape)})`, `an index along an axis of size ${n} must be in ${-n}..${n - 1}.`, op);
}

/** Index values along `axis` must be in -n..n-1. A GPU kernel cannot throw, so they are checked
 * here whenever the host knows them (JS arrays, cpu tensors, tensors already read back). */
export function checkRange(op: string, x: Tensor, axis: number, values: ArrayLike<number>): void {
  const n = x.shape[axis];
  for (let i = 0; i < values.length; i++) {
    if (values[i] < -n || values[i] >= n) throw outOfBounds(op, x, axis, values[i]);
  }
}

/** An index list written as a JS array, checked and uploaded to x's device. */
function indexList(op: string, x: Tensor, axis: number, list: NestedArray): Tensor {
  const { host, shape } = toHost(list, { dtype: "int32" }, op);
  checkRange(op, x, axis, host);
  return fromHost(host, shape, "int32", x.backend);
}

function parseSliceString(s: string): SliceSpec {
  const parts = s.split(":").map((p) => p.trim());
  if (parts.length > 3 || parts.length < 2) throw new InputError(`index: ${JSON.stringify(s)} is not a slice like "1:3" or "::2"`);
  const nums = parts.map((p) => {
    if (p === "") return undefined;
    const v = Number(p);
    if (!Number.isInteger(v)) throw new InputError(`index: ${JSON.stringify(s)} has a non-integer part ${JSON.stringify(p)}`);
    return v;
  });
  return [nums[0], nums[1], nums[2]];
}

/** Python slice semantics for a positive step: [start, size]. */
function resolveSlice(n: number, spec: SliceSpec, x: Tensor, axis: number): [number, number, number] {
  const [start0, stop0, step0] = Array.isArray(spec) ? spec : [spec.start, spec.stop, spec.step];
  const step = step0 ?? 1;
  if (!Number.isInteger(step) || step <= 0) {
    throw indexError(x, axis, `index: slice step must be a positive integer, got ${step}`, "slices step forward; reverse with a gather of descending indices.");
  }
  const clamp = (v: number | undefined | null, dflt: number) => {
    if (v === undefined || v === null) return dflt;
    if (!Number.isInteger(v)) throw new InputError(`index: slice bound ${v} is not an integer`);
    const w = v < 0 ? v + n : v;
    return Math.min(Math.max(w, 0), n);
  };
  const start = clamp(start0, 0);
  const stop = clamp(stop0, n);
  return [start, step, Math.max(0, Math.ceil((stop - start) / step))];
}

export function index(x: Tensor, specs: IndexSpec[]): Tensor {
  const ellipses = specs.filter((s) => s === "...").length;
  if (ellipses > 1) throw new InputError(`index: only one "..." is allowed`);
  const consuming = specs.filter((s) => s !== null && s !== "...").length;
  if (consuming > x.ndim) {
    throw indexError(x, 0, `index: ${consuming} indices for a tensor with ${x.ndim} dims (shape ${formatShape(x.shape)})`, "use at most one index per axis.");
  }
  const full: IndexSpec[] = [];
  for (const s of specs) {
    if (s === "...") for (let i = 0; i < x.ndim - consuming; i++) full.push(":");
    else full.push(s);
  }
  while (full.filter((s) => s !== null).length < x.ndim) full.push(":");

  const starts: number[] = [];
  const steps: number[] = [];
  const sizes: number[] = [];
  const finalShape: (number | "gather")[] = [];
  let gatherAxis = -1;
  let gatherIdx: Tensor | null = null;
  let axis = 0;
  for (const s of full) {
    if (s === null) {
      finalShape.push(1);
      continue;
    }
    const n = x.shape[axis];
    if (typeof s === "number") {
      if (!Number.isInteger(s) || s < -n || s >= n) {
        throw indexError(x, axis, `index ${s} is out of bounds for axis ${axis} with size ${n} (shape ${formatShape(x.shape)})`, `an index along an axis of size ${n} must be in ${-n}..${n - 1}.`);
      }
      starts.push(s < 0 ? s + n : s);
      steps.push(1);
      sizes.push(1);
    } else if (Array.isArray(s) && (s.length > 3 || s.some((v) => Array.isArray(v)))) {
      throw new InputError(
        `index: ${JSON.stringify(s)} is not a slice [start, stop, step]; to pick a list of indices pass a tensor: x.index(tensor(${JSON.stringify(s)}))`,
      );
    } else if (isTensor(s)) {
      if (gatherIdx) throw new InputError("index: only one tensor index is supported; index again for the next axis");
      gatherIdx = s;
      gatherAxis = axis;
      starts.push(0);
      steps.push(1);
      sizes.push(n);
      finalShape.push("gather");
    } else {
      const spec = typeof s === "string" ? (s === ":" ? [] as SliceSpec : parseSliceString(s)) : (s as SliceSpec);
      const [start, step, size] = resolveSlice(n, spec, x, axis);
      starts.push(start);
      steps.push(step);
      sizes.push(size);
      finalShape.push(size);
    }
    axis += 1;
  }
  let y = x;
  const trivial = starts.every((v) => v === 0) && steps.every((v) => v === 1) && sizes.every((v, i) => v === x.shape[i]);
  if (!trivial) y = run("slice", [x], { starts, steps, shape: sizes });
  if (gatherIdx) {
    const g = gatherAlong(y, gatherIdx, gatherAxis, "index");
    const shape = finalShape.flatMap((d) => (d === "gather" ? gatherIdx!.shape : [d]));
    return reshape(g, shape);
  }
  return reshape(y, finalShape as number[]);
}

export function sliceAxis(x: Tensor, axis: number, start?: number, stop?: number, step?: number): Tensor {
  const a = oneAxis("slice", x, axis);
  const specs: IndexSpec[] = x.shape.map(() => ":");
  specs[a] = [start, stop, step];
  return index(x, specs);
}

export function checkIndices(idx: Tensor, op: string): Tensor {
  if (idx.dtype === "bool") throw new DTypeError(`${op}: got a bool mask; use await x.booleanMask(mask) to select by a mask`);
  if (idx.dtype !== "int32") throw new DTypeError(`${op}: indices must be int32, got ${idx.dtype}`);
  return idx;
}

/** Gathers along `axis` with indices of any shape; negative indices count from the end. */
export function gatherAlong(x: Tensor, indices: Tensor, axis: number, op = "gather"): Tensor {
  const a = oneAxis(op, x, axis);
  checkIndices(indices, op);
  commonBackend([x, indices], op);
  // Negative indices count from the end; the kernels only see non-negative ones.
  const n = x.shape[a];
  const known = indices.peek();
  if (known) checkRange(op, x, a, known);
  const idx = run("where", [run("binary", [indices, constant(0, "int32", x.backend)], { fn: "lt" }), run("binary", [indices, constant(n, "int32", x.backend)], { fn: "add" }), indices], {});
  return run("gather", [x, idx], { axis: a });
}

/** take(x, indices): from the flattened tensor, or along `axis`. */
export function take(x: Tensor, indices: Tensor | number[], axis?: number): Tensor {
  const src = axis === undefined ? reshape(x, [x.size]) : x;
  const a = oneAxis("take", src, axis ?? 0);
  const idx = isTensor(indices) ? indices : indexList("take", src, a, indices);
  return gatherAlong(src, idx, a, "take");
}

export async function booleanMask(x: Tensor, mask: Tensor): Promise<Tensor> {
  const k = mask.ndim;
  if (mask.dtype !== "bool") throw new DTypeError(`booleanMask: mask must be bool, got ${mask.dtype} (compare first, e.g. x.gt(0))`);
  if (k > x.ndim || mask.shape.some((d, i) => d !== x.shape[i])) {
    throw new ShapeError(`booleanMask: mask shape ${formatShape(mask.shape)} does not match the leading dims of ${formatShape(x.shape)}`, {
      op: "booleanMask",
      operands: [
        { role: "input", shape: x.shape.slice(), dtype: x.dtype },
        { role: "mask", shape: mask.shape.slice(), dtype: mask.dtype },
      ],
      conflict: [],
      rule: "the mask's shape must equal the input's leading dims.",
      suggestions: [],
    });
  }
  const m = await mask.data();
  const picked: number[] = [];
  m.forEach((v, i) => v && picked.push(i));
  const flat = reshape(x, [mask.size, ...x.shape.slice(k)]);
  const idx = fromHost(Int32Array.from(picked), [picked.length], "int32", x.backend);
  return gatherAlong(flat, idx, 0, "booleanMask");
}

export function pad(x: Tensor, widths: [number, number][] | number, value = 0): Tensor {
  const w = typeof widths === "number" ? x.shape.map(() => [widths, widths] as [number, number]) : widths;
  if (!Array.isArray(w) || w.length !== x.ndim || w.some((p) => !Array.isArray(p) || p.length !== 2 || p.some((v) => !Number.isInteger(v) || v < 0))) {
    throw new InputError(`pad: widths must be ${x.ndim} pairs [before, after] of non-negative integers (one per axis of ${formatShape(x.shape)}), got ${JSON.stringify(widths)}`);
  }
  return run("pad", [x], { low: w.map((p) => p[0]), high: w.map((p) => p[1]), interior: w.map(() => 0), value });
}

export function concat(xs: Tensor[], axis = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0 || !xs.every(isTensor)) throw new InputError("concat: expected a non-empty array of tensors");
  const first = xs[0];
  if (first.ndim === 0) throw new ShapeError("concat: cannot concatenate 0-d tensors; use stack", { op: "concat", operands: xs.map((t, i) => ({ role: `input${i}`, shape: t.shape.slice(), dtype: t.dtype })), conflict: [], rule: "concat joins along an existing axis; 0-d tensors have none.", suggestions: [] });
  const a = oneAxis("concat", first, axis);
  xs.forEach((t, i) => {
    if (t.ndim !== first.ndim || t.shape.some((d, k) => k !== a && d !== first.shape[k])) {
      const bad = t.ndim !== first.ndim ? 0 : t.shape.findIndex((d, k) => k !== a && d !== first.shape[k]);
      throw new ShapeError(
        `concat: tensor ${i} has shape ${formatShape(t.shape)}, which does not match ${formatShape(first.shape)} outside axis ${a}`,
        {
          op: "concat",
          operands: xs.map((u, j) => ({ role: `input${j}`, shape: u.shape.slice(), dtype: u.dtype })),
          conflict: [{ operand: 0, axis: bad }, { operand: i, axis: bad }],
          rule: `all tensors must have the same shape except along the concat axis (${a}).`,
          suggestions: [],
        },
      );
    }
  });
  if (xs.length === 1) return first;
  const t = xs.map((u) => u.dtype).reduce(promote);
  return run("concat", xs.map((u) => cast(u, t)), { axis: a });
}

export function stack(xs: Tensor[], axis = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0 || !xs.every(isTensor)) throw new InputError("stack: expected a non-empty array of tensors");
  const a = axis < 0 ? axis + xs[0].ndim + 1 : axis;
  if (a < 0 || a > xs[0].ndim) throw axisError("stack", xs[0], axis, xs[0].ndim + 1);
  xs.forEach((t, i) => {
    if (t.ndim !== xs[0].ndim || t.shape.some((d, k) => d !== xs[0].shape[k])) {
      throw new ShapeError(`stack: tensor ${i} has shape ${formatShape(t.shape)} but tensor 0 has ${formatShape(xs[0].shape)}`, {
        op: "stack",
        operands: xs.map((u, j) => ({ role: `input${j}`, shape: u.shape.slice(), dtype: u.dtype })),
        conflict: [],
        rule: "stack needs tensors of one shape.",
        suggestions: [],
      });
    }
  });
  return concat(xs.map((t) => unsqueeze(t, a)), a);
}

/** PyTorch's split: a number is the size of each piece (the last may be smaller); an array
 * lists the sizes, which must add up to the axis length. */
export function split(x: Tensor, sizes: number | number[], axis = 0): Tensor[] {
  const a = oneAxis("split", x, axis);
  const n = x.shape[a];
  let parts: number[];
  if (typeof sizes === "number") {
    if (!Number.isInteger(sizes) || sizes <= 0) throw new InputError(`split: piece size must be a positive integer, got ${sizes}`);
    parts = [];
    for (let s = 0; s < n; s += sizes) parts.push(Math.min(sizes, n - s));
  } else {
    parts = sizes;
    const total = parts.reduce((p, q) => p + q, 0);
    if (parts.some((p) => !Number.isInteger(p) || p < 0) || total !== n) {
      throw new ShapeError(`split: sizes ${JSON.stringify(sizes)} add up to ${total}, but axis ${a} of ${formatShape(x.shape)} has ${n}`, {
        op: "split",
        operands: [{ role: "input", shape: x.shape.slice(), dtype: x.dtype }],
        conflict: [{ operand: 0, axis: a }],
        rule: `the sizes must be non-negative integers adding up to ${n}.`,
        suggestions: [],
      });
    }
  }
  let start = 0;
  return parts.map((p) => {
    const t = sliceAxis(x, a, start, start + p);
    start += p;
    return t;
  });
}

/**
 * Indices [rows, ...] into rows of length n flattened into one axis: row b's index i becomes
 * b * n + i (vmap's batched gathers, takeAlongAxis). An index out of 0..n-1 becomes -1, so it
 * stays out of range instead of reaching another row (gather then fills NaN, scatterAdd drops it).
 */
export function rowOffsetIndices(idx: Tensor, n: number): Tensor {
  const size = idx.shape[0];
  const off = new Int32Array(size);
  for (let b = 0; b < size; b++) off[b] = b * n;
  const offsets = fromHost(off, [size, ...new Array<number>(idx.ndim - 1).fill(1)], "int32", idx.backend);
  const lo = run("binary", [idx, constant(0, "int32", idx.backend)], { fn: "ge" });
  const hi = run("binary", [idx, constant(n, "int32", idx.backend)], { fn: "lt" });
  const ok = run("binary", [lo, hi], { fn: "logicalAnd" });
  const moved = run("binary", [idx, offsets], { fn: "add" });
  return run("where", [ok, moved, constant(-1, "int32", idx.backend)], {});
}
