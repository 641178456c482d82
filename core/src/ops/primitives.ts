// The primitive vocabulary. Everything else in @tsdl/core is composed from these, so a backend
// implements exactly this list and autodiff needs a VJP for exactly this list. Tables keyed by
// `Primitive` ({ [P in Primitive]: ... }) make a missing rule or kernel a compile error.

import type { DType } from "../dtype";

export const unaryFns = [
  "neg", "abs", "exp", "log", "sqrt", "rsqrt", "sin", "cos", "tanh", "sigmoid", "relu",
  "erf", "sign", "floor", "ceil", "round", "reciprocal", "logicalNot", "isnan",
  "log1p", "expm1", "tan", "atan", "asin", "acos", "sinh", "cosh", "asinh", "acosh", "atanh",
] as const;
export type UnaryFn = (typeof unaryFns)[number];

export const binaryFns = [
  "add", "sub", "mul", "div", "pow", "maximum", "minimum", "mod",
  "eq", "ne", "lt", "le", "gt", "ge", "logicalAnd", "logicalOr", "logicalXor", "atan2",
] as const;
export type BinaryFn = (typeof binaryFns)[number];

export type ReduceFn = "sum" | "max" | "min" | "prod";
export type ArgReduceFn = "argmax" | "argmin";

/** Attributes of each primitive. Axes are already normalized (non-negative, sorted). */
export interface PrimitiveAttrs {
  unary: { fn: UnaryFn };
  /** Inputs broadcast against each other (NumPy rules) to the output shape. */
  binary: { fn: BinaryFn };
  /** where(cond, a, b): all three broadcast to the output shape. */
  where: Record<string, never>;
  /** Reduces `axes`; the output keeps them as size-1 dims iff keepdims. */
  reduce: { fn: ReduceFn; axes: number[]; keepdims: boolean };
  /** Index of the max/min along one axis (first occurrence), int32. */
  argReduce: { fn: ArgReduceFn; axis: number; keepdims: boolean };
  /**
   * [...batch, m, k] x [...batch, k, n] with broadcast batch dims; both inputs have rank >= 2.
   * transA: the first input is stored as [...batch, k, m] and used transposed; transB likewise
   * [...batch, n, k]. Kernels read the other layout with swapped strides, so x W^T (nn.Linear)
   * and the matmul VJP never copy a transpose.
   */
  matmul: { transA?: boolean; transB?: boolean };
  /** Same elements, new shape. Backends may share the input's storage. */
  reshape: { shape: number[] };
  /** Output axis i is input axis perm[i]. */
  permute: { perm: number[] };
  /** NumPy broadcast of the input to `shape`. */
  broadcast: { shape: number[] };
  /** out[i] = in[start + i * step] per axis; steps are positive. */
  slice: { starts: number[]; steps: number[]; shape: number[] };
  /** XLA-style pad: `low` before, `high` after, `interior` between elements; filled with value. */
  pad: { low: number[]; high: number[]; interior: number[]; value: number };
  /** Inputs joined along axis. */
  concat: { axis: number };
  /**
   * The sliding windows of an image [N, H, W, C] (channels last): out[n, i, j, a, b, c] =
   * x[n, i * stride[0] + a, j * stride[1] + b, c], of shape [N, Ho, Wo, kh, kw, C] with
   * Ho = floor((H - kh) / stride[0]) + 1. conv2d's columns in one strided copy; each window
   * row (b, c) is one contiguous run of x.
   */
  windows: { kernel: [number, number]; stride: [number, number] };
  /** out[..., j, ...] = x[..., idx[j], ...] along axis; indices are int32 of any shape (flattened in). */
  gather: { axis: number };
  /** The transpose of gather: out has `size` entries along axis, each the sum of the updates
   * whose index points at it. Inputs: (updates, indices). */
  scatterAdd: { axis: number; size: number };
  cast: { dtype: DType };
  /**
   * The indices that sort each row of the last axis: int32, the input's shape. NaN sorts after
   * every number (before them when descending, as PyTorch), and ties keep their order (stable).
   */
  argsort: { descending: boolean };
}

export type Primitive = keyof PrimitiveAttrs;

export const primitives: readonly Primitive[] = [
  "unary", "binary", "where", "reduce", "argReduce", "matmul", "reshape", "permute",
  "broadcast", "slice", "pad", "concat", "windows", "gather", "scatterAdd", "cast", "argsort",
];

/** What a kernel knows about each operand and the result. */
export interface TensorInfo {
  shape: readonly number[];
  dtype: DType;
}
