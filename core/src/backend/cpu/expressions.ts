// Each elementwise primitive as a JavaScript expression over its operands' loaded values, for
// the generated loops (loops.ts). They compute exactly what the reference functions in math.ts
// compute (a test checks every function on special values); the typed array the result is
// stored in rounds (float32), wraps (int32) or truncates (bool) it the same way too.

import type { DType } from "../../dtype";
import type { BinaryFn, UnaryFn } from "../../ops/primitives";
import { erf, intMod, intPow, floorMod, roundHalfEven, sigmoid } from "./math";

/** Functions an expression may call; the generated code binds each to a constant. */
export const helpers = { erf, intMod, intPow, floorMod, roundHalfEven, sigmoid };

type Expr1 = (a: string) => string;
type Expr2 = (a: string, b: string) => string;

const unaryExprs: Record<UnaryFn, Expr1> = {
  neg: (a) => `-${a}`,
  abs: (a) => `Math.abs(${a})`,
  exp: (a) => `Math.exp(${a})`,
  log: (a) => `Math.log(${a})`,
  sqrt: (a) => `Math.sqrt(${a})`,
  rsqrt: (a) => `1 / Math.sqrt(${a})`,
  sin: (a) => `Math.sin(${a})`,
  cos: (a) => `Math.cos(${a})`,
  tanh: (a) => `Math.tanh(${a})`,
  sigmoid: (a) => `sigmoid(${a})`,
  // Branch-free where the branch would follow the data (half the values negative, say):
  // +(a > 0) compiles to a flag, a mispredicted branch costs more than the whole element.
  // -inf * 0 would be NaN, hence its own (predictable) branch; `+ 0` turns -0 into 0.
  relu: (a) => `(${a} !== -Infinity ? ${a} * +(${a} > 0) + 0 : 0)`,
  erf: (a) => `erf(${a})`,
  sign: (a) => `(${a} === ${a} ? +(${a} > 0) - +(${a} < 0) : ${a})`,
  floor: (a) => `Math.floor(${a})`,
  ceil: (a) => `Math.ceil(${a})`,
  round: (a) => `roundHalfEven(${a})`,
  reciprocal: (a) => `1 / ${a}`,
  logicalNot: (a) => `+!${a}`,
  isnan: (a) => `+(${a} !== ${a})`,
  log1p: (a) => `Math.log1p(${a})`,
  expm1: (a) => `Math.expm1(${a})`,
  tan: (a) => `Math.tan(${a})`,
  atan: (a) => `Math.atan(${a})`,
  asin: (a) => `Math.asin(${a})`,
  acos: (a) => `Math.acos(${a})`,
  sinh: (a) => `Math.sinh(${a})`,
  cosh: (a) => `Math.cosh(${a})`,
  asinh: (a) => `Math.asinh(${a})`,
  acosh: (a) => `Math.acosh(${a})`,
  atanh: (a) => `Math.atanh(${a})`,
};

const nanMax: Expr2 = (a, b) => `(${a} !== ${a} || ${b} !== ${b} ? NaN : ${a} > ${b} ? ${a} : ${b})`;
const nanMin: Expr2 = (a, b) => `(${a} !== ${a} || ${b} !== ${b} ? NaN : ${a} < ${b} ? ${a} : ${b})`;

const floatExprs: Record<BinaryFn, Expr2> = {
  add: (a, b) => `(${a} + ${b})`,
  sub: (a, b) => `(${a} - ${b})`,
  mul: (a, b) => `(${a} * ${b})`,
  div: (a, b) => `(${a} / ${b})`,
  pow: (a, b) => `Math.pow(${a}, ${b})`,
  maximum: nanMax,
  minimum: nanMin,
  mod: (a, b) => `floorMod(${a}, ${b})`,
  eq: (a, b) => `+(${a} === ${b})`,
  ne: (a, b) => `+(${a} !== ${b})`,
  lt: (a, b) => `+(${a} < ${b})`,
  le: (a, b) => `+(${a} <= ${b})`,
  gt: (a, b) => `+(${a} > ${b})`,
  ge: (a, b) => `+(${a} >= ${b})`,
  logicalAnd: (a, b) => `(+!!${a} & +!!${b})`,
  logicalOr: (a, b) => `(+!!${a} | +!!${b})`,
  logicalXor: (a, b) => `(+!!${a} ^ +!!${b})`,
  atan2: (a, b) => `Math.atan2(${a}, ${b})`,
};

/** int32 (and bool) operands: arithmetic wraps like C. */
const intExprs: Record<BinaryFn, Expr2> = {
  ...floatExprs,
  add: (a, b) => `((${a} + ${b}) | 0)`,
  sub: (a, b) => `((${a} - ${b}) | 0)`,
  mul: (a, b) => `Math.imul(${a}, ${b})`,
  pow: (a, b) => `intPow(${a}, ${b})`,
  mod: (a, b) => `intMod(${a}, ${b})`,
};

export function unaryExpr(fn: UnaryFn, out: DType, a: string): string {
  const e = unaryExprs[fn](a);
  return out === "int32" ? `(${e} | 0)` : e;
}

/** The operand dtype picks the arithmetic (as in the reference kernel: the first operand's). */
export function binaryExpr(fn: BinaryFn, operands: DType, a: string, b: string): string {
  return (operands === "float32" ? floatExprs : intExprs)[fn](a, b);
}

export function whereExpr(c: string, a: string, b: string): string {
  return `(${c} ? ${a} : ${b})`;
}

/** Truncation toward zero for int32 (NaN is 0, out-of-range saturates); != 0 for bool. */
export function castExpr(to: DType, a: string): string {
  if (to === "int32") return `(${a} !== ${a} ? 0 : ${a} >= 2147483647 ? 2147483647 : ${a} <= -2147483648 ? -2147483648 : Math.trunc(${a}))`;
  if (to === "bool") return `+(${a} !== 0)`;
  return a;
}

/**
 * What storing `e` in a `dtype` array and loading it back yields, as an expression: fused
 * chains round each intermediate value like the unfused kernels' stores do.
 */
export function storedExpr(e: string, dtype: DType): string {
  if (dtype === "float32") return `Math.fround(${e})`;
  if (dtype === "int32") return `(${e} | 0)`;
  return `(${e} & 255)`;
}
