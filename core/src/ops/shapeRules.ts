// Output shape and dtype of each primitive. User-facing ops (elementwise.ts, matmul.ts, ...)
// have already checked shapes against the user's call and thrown a ShapeError that speaks the
// user's terms; these rules compute the result and guard against internal misuse.

import type { PrimitiveAttrs, Primitive, TensorInfo } from "./primitives";
import { sizeOf } from "../shape";

/** The last two dims of a matmul operand as used: [rows, cols], swapped when `trans`. */
export function matmulDims(shape: readonly number[], trans = false): [number, number] {
  const [r, c] = shape.slice(-2);
  return trans ? [c, r] : [r, c];
}

type ShapeRule<P extends Primitive> = (infos: TensorInfo[], attrs: PrimitiveAttrs[P]) => TensorInfo;

function internal(msg: string): Error {
  return new Error(`internal shape rule violated: ${msg}`);
}

/** NumPy broadcasting of shapes; null when they do not broadcast. */
export function broadcastShapes(...shapes: (readonly number[])[]): number[] | null {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i];
      if (out[o] === 1) out[o] = d;
      else if (d !== 1 && d !== out[o]) return null;
    }
  }
  return out;
}

function mustBroadcast(...shapes: (readonly number[])[]): number[] {
  const out = broadcastShapes(...shapes);
  if (!out) throw internal(`shapes do not broadcast: ${JSON.stringify(shapes)}`);
  return out;
}

const comparisons = new Set(["eq", "ne", "lt", "le", "gt", "ge", "logicalAnd", "logicalOr", "logicalXor"]);

export const shapeRules: { [P in Primitive]: ShapeRule<P> } = {
  unary: ([x], { fn }) => ({
    shape: x.shape.slice(),
    dtype: fn === "logicalNot" || fn === "isnan" ? "bool" : x.dtype,
  }),
  binary: ([a, b], { fn }) => {
    if (a.dtype !== b.dtype) throw internal(`binary ${fn} on ${a.dtype} and ${b.dtype}`);
    return { shape: mustBroadcast(a.shape, b.shape), dtype: comparisons.has(fn) ? "bool" : a.dtype };
  },
  where: ([c, a, b]) => ({ shape: mustBroadcast(c.shape, a.shape, b.shape), dtype: a.dtype }),
  reduce: ([x], { axes, keepdims }) => ({
    shape: keepdims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i)),
    dtype: x.dtype,
  }),
  argReduce: ([x], { axis, keepdims }) => ({
    shape: keepdims ? x.shape.map((d, i) => (i === axis ? 1 : d)) : x.shape.filter((_, i) => i !== axis),
    dtype: "int32",
  }),
  matmul: ([a, b], { transA, transB }) => {
    const [m, k] = matmulDims(a.shape, transA);
    const [k2, n] = matmulDims(b.shape, transB);
    if (a.shape.length < 2 || b.shape.length < 2 || k !== k2) throw internal("matmul operands");
    const batch = mustBroadcast(a.shape.slice(0, -2), b.shape.slice(0, -2));
    return { shape: [...batch, m, n], dtype: a.dtype };
  },
  reshape: ([x], { shape }) => {
    if (sizeOf(shape) !== sizeOf(x.shape)) throw internal("reshape size");
    return { shape: shape.slice(), dtype: x.dtype };
  },
  permute: ([x], { perm }) => ({ shape: perm.map((p) => x.shape[p]), dtype: x.dtype }),
  broadcast: ([x], { shape }) => ({ shape: mustBroadcast(x.shape, shape), dtype: x.dtype }),
  slice: ([x], { shape }) => ({ shape: shape.slice(), dtype: x.dtype }),
  pad: ([x], { low, high, interior }) => ({
    shape: x.shape.map((d, i) => low[i] + high[i] + d + Math.max(0, d - 1) * interior[i]),
    dtype: x.dtype,
  }),
  concat: (xs, { axis }) => {
    const shape = xs[0].shape.slice();
    shape[axis] = xs.reduce((n, x) => n + x.shape[axis], 0);
    return { shape, dtype: xs[0].dtype };
  },
  windows: ([x], { kernel: [kh, kw], stride: [s0, s1] }) => {
    const [n, h, w, c] = x.shape;
    return { shape: [n, Math.floor((h - kh) / s0) + 1, Math.floor((w - kw) / s1) + 1, kh, kw, c], dtype: x.dtype };
  },
  gather: ([x, idx], { axis }) => ({
    shape: [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)],
    dtype: x.dtype,
  }),
  scatterAdd: ([u, idx], { axis, size }) => ({
    shape: [...u.shape.slice(0, axis), size, ...u.shape.slice(axis + idx.shape.length)],
    dtype: u.dtype,
  }),
  cast: ([x], { dtype }) => ({ shape: x.shape.slice(), dtype }),
  argsort: ([x]) => ({ shape: x.shape.slice(), dtype: "int32" }),
};
