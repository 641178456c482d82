// The functional API (JAX/NumPy style): add(a, b), exp(x), matmul(a, b), sum(x, axis)...
// Each is the same operation as the Tensor method of the same name.

import type { Tensor } from "./tensor";
import type { DType } from "./dtype";
import * as ew from "./ops/elementwise";
import { openScope, closeScope, collectTensors } from "./scope";
import { isTensor } from "./creation";

type Operand = ew.Operand;
type Axes = number | number[] | undefined;
type KeepDims = { keepdims?: boolean };

const lift = (x: Operand, op: string): Tensor => {
  if (isTensor(x)) return x;
  throw new TypeError(`${op}: expected a Tensor, got ${typeof x}`);
};

export const add = (a: Operand, b: Operand) => ew.binary("add", a, b);
export const sub = (a: Operand, b: Operand) => ew.binary("sub", a, b);
export const mul = (a: Operand, b: Operand) => ew.binary("mul", a, b);
export const div = (a: Operand, b: Operand) => ew.binary("div", a, b);
export const pow = (a: Operand, b: Operand) => ew.binary("pow", a, b);
export const mod = (a: Operand, b: Operand) => ew.binary("mod", a, b);
export const maximum = (a: Operand, b: Operand) => ew.binary("maximum", a, b);
export const minimum = (a: Operand, b: Operand) => ew.binary("minimum", a, b);
export const eq = (a: Operand, b: Operand) => ew.binary("eq", a, b);
export const ne = (a: Operand, b: Operand) => ew.binary("ne", a, b);
export const lt = (a: Operand, b: Operand) => ew.binary("lt", a, b);
export const le = (a: Operand, b: Operand) => ew.binary("le", a, b);
export const gt = (a: Operand, b: Operand) => ew.binary("gt", a, b);
export const ge = (a: Operand, b: Operand) => ew.binary("ge", a, b);
export const logicalAnd = (a: Operand, b: Operand) => ew.binary("logicalAnd", a, b);
export const logicalOr = (a: Operand, b: Operand) => ew.binary("logicalOr", a, b);
export const logicalXor = (a: Operand, b: Operand) => ew.binary("logicalXor", a, b);
export const where = ew.where;

export const neg = (x: Tensor) => x.neg();
export const abs = (x: Tensor) => x.abs();
export const exp = (x: Tensor) => x.exp();
export const log = (x: Tensor) => x.log();
export const sqrt = (x: Tensor) => x.sqrt();
export const rsqrt = (x: Tensor) => x.rsqrt();
export const sin = (x: Tensor) => x.sin();
export const cos = (x: Tensor) => x.cos();
export const tanh = (x: Tensor) => x.tanh();
export const sigmoid = (x: Tensor) => x.sigmoid();
export const relu = (x: Tensor) => x.relu();
export const gelu = (x: Tensor) => x.gelu();
export const erf = (x: Tensor) => x.erf();
export const sign = (x: Tensor) => x.sign();
export const floor = (x: Tensor) => x.floor();
export const ceil = (x: Tensor) => x.ceil();
export const round = (x: Tensor) => x.round();
export const square = (x: Tensor) => x.square();
export const logicalNot = (x: Tensor) => x.logicalNot();
export const isnan = (x: Tensor) => x.isnan();
export const log1p = (x: Tensor) => x.log1p();
export const expm1 = (x: Tensor) => x.expm1();
export const tan = (x: Tensor) => x.tan();
export const atan = (x: Tensor) => x.atan();
export const asin = (x: Tensor) => x.asin();
export const acos = (x: Tensor) => x.acos();
export const sinh = (x: Tensor) => x.sinh();
export const cosh = (x: Tensor) => x.cosh();
export const asinh = (x: Tensor) => x.asinh();
export const acosh = (x: Tensor) => x.acosh();
export const atanh = (x: Tensor) => x.atanh();
/** atan2(y, x): the angle of the point (x, y), in (-pi, pi]. */
export const atan2 = (y: Operand, x: Operand) => ew.binary("atan2", y, x);
export const clip = (x: Tensor, min: number | null, max: number | null) => x.clip(min, max);
export { log2, log10, hypot, logaddexp, lerp, xlogy } from "./composite/math";
export { isinf, isposinf, isneginf, isfinite, isclose, allclose } from "./composite/compare";
export type { CloseOptions } from "./composite/compare";
export { nanToNum, maskedFill } from "./composite/fill";
export type { NanToNumOptions } from "./composite/fill";
export const astype = (x: Tensor, dtype: DType) => x.astype(dtype);

export const sum = (x: Tensor, axis?: Axes, o?: KeepDims) => lift(x, "sum").sum(axis, o);
export const mean = (x: Tensor, axis?: Axes, o?: KeepDims) => lift(x, "mean").mean(axis, o);
export const prod = (x: Tensor, axis?: Axes, o?: KeepDims) => x.prod(axis, o);
export const max = (x: Tensor, axis?: Axes, o?: KeepDims) => x.max(axis, o);
export const min = (x: Tensor, axis?: Axes, o?: KeepDims) => x.min(axis, o);
export const argmax = (x: Tensor, axis?: number, o?: KeepDims) => x.argmax(axis, o);
export const argmin = (x: Tensor, axis?: number, o?: KeepDims) => x.argmin(axis, o);
export const variance = (x: Tensor, axis?: Axes, o?: KeepDims & { correction?: number }) => x.var(axis, o);
export const std = (x: Tensor, axis?: Axes, o?: KeepDims & { correction?: number }) => x.std(axis, o);
export const norm = (x: Tensor, axis?: Axes, o?: KeepDims & { ord?: number }) => x.norm(axis, o);
export const logsumexp = (x: Tensor, axis?: Axes, o?: KeepDims) => x.logsumexp(axis, o);
export const softmax = (x: Tensor, axis = -1) => x.softmax(axis);
export const logSoftmax = (x: Tensor, axis = -1) => x.logSoftmax(axis);
export const cumsum = (x: Tensor, axis?: number) => x.cumsum(axis);
export const cumprod = (x: Tensor, axis?: number) => x.cumprod(axis);
export const tril = (x: Tensor, k = 0) => x.tril(k);
export const triu = (x: Tensor, k = 0) => x.triu(k);
export { diagonal, diag, trace } from "./composite/diagonal";
export { flip, roll } from "./composite/reorder";
export { repeat, tile, repeatInterleave } from "./composite/repeat";
export { chunk } from "./composite/chunk";
export { diff } from "./composite/diff";
export type { DiffOptions } from "./composite/diff";
export { median, quantile } from "./composite/quantile";
export type { QuantileOptions, Interpolation } from "./composite/quantile";
export { meshgrid } from "./composite/meshgrid";
export type { MeshgridOptions } from "./composite/meshgrid";
export { indexAdd } from "./composite/indexAdd";
export { einsum } from "./composite/einsum";
export { sort, argsort, topk, takeAlongAxis } from "./ops/sort";
export type { SortOptions } from "./ops/sort";

export const matmul = (a: Tensor, b: Tensor) => lift(a, "matmul").matmul(b);
export const dot = (a: Tensor, b: Tensor) => a.dot(b);
export const outer = (a: Tensor, b: Tensor) => a.outer(b);
export const reshape = (x: Tensor, shape: number[]) => x.reshape(shape);
export const transpose = (x: Tensor, a?: number, b?: number) => x.transpose(a, b);
export const permute = (x: Tensor, perm: number[]) => x.permute(perm);
export const squeeze = (x: Tensor, axis?: Axes) => x.squeeze(axis);
export const unsqueeze = (x: Tensor, axis: number) => x.unsqueeze(axis);
export const expandDims = unsqueeze;
export const flatten = (x: Tensor, start = 0, end = -1) => x.flatten(start, end);
export const broadcastTo = (x: Tensor, shape: number[]) => x.broadcastTo(shape);

/** Runs fn and disposes every tensor it created that is not part of its result. */
export function tidy<T>(fn: () => T): T {
  const scope = openScope();
  let result: T;
  try {
    result = fn();
  } catch (e) {
    closeScope(scope, new Set());
    throw e;
  }
  if (result instanceof Promise) {
    closeScope(scope, new Set());
    throw new Error("tidy() takes a synchronous function: tensors created after an await cannot be tracked");
  }
  const keep = new Set<Tensor>();
  collectTensors(result, keep, isTensor);
  closeScope(scope, keep);
  return result;
}

/** Disposes a tensor, or every tensor in an array or object. */
export function dispose(x: unknown): void {
  const all = new Set<Tensor>();
  collectTensors(x, all, isTensor);
  for (const t of all) t.dispose();
}
