// Scalar functions of the CPU reference backend, one per unary/binary primitive function.
// Float results are rounded to float32 by the Float32Array they are stored in.

import type { BinaryFn, UnaryFn } from "../../ops/primitives";

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** erf to double precision ~1e-7 relative: Taylor series near 0, complementary
 * Chebyshev fit (Numerical Recipes' erfc, fractional error < 1.2e-7) elsewhere. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const z = Math.abs(x);
  if (z < 0.5) {
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 12; n++) {
      term *= -x2 / n;
      sum += term / (2 * n + 1);
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z - 1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 +
    t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(poly);
  return x >= 0 ? 1 - erfc : erfc - 1;
}

export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - Math.trunc(v)) === 0.5 ? 2 * Math.round(v / 2) : r;
}

export function sigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

export const unaryMath: { [F in UnaryFn]: (v: number) => number } = {
  neg: (v) => -v,
  abs: Math.abs,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (v) => 1 / Math.sqrt(v),
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  sigmoid,
  relu: (v) => (v > 0 ? v : v === v ? 0 : v),
  erf,
  sign: (v) => (v > 0 ? 1 : v < 0 ? -1 : v === v ? 0 : v),
  floor: Math.floor,
  ceil: Math.ceil,
  round: roundHalfEven,
  reciprocal: (v) => 1 / v,
  logicalNot: (v) => (v ? 0 : 1),
  isnan: (v) => (v !== v ? 1 : 0),
  log1p: Math.log1p,
  expm1: Math.expm1,
  tan: Math.tan,
  atan: Math.atan,
  asin: Math.asin,
  acos: Math.acos,
  sinh: Math.sinh,
  cosh: Math.cosh,
  asinh: Math.asinh,
  acosh: Math.acosh,
  atanh: Math.atanh,
};

export function intPow(a: number, b: number): number {
  if (b < 0) return a === 1 ? 1 : a === -1 ? (b % 2 === 0 ? 1 : -1) : 0;
  let r = 1;
  let base = a | 0;
  let e = b;
  while (e > 0) {
    if (e & 1) r = Math.imul(r, base);
    base = Math.imul(base, base);
    e >>>= 1;
  }
  return r;
}

export function floorMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

export function intMod(a: number, b: number): number {
  return b === 0 ? 0 : floorMod(a, b) | 0;
}

const nanMax = (a: number, b: number) => (a !== a || b !== b ? NaN : a > b ? a : b);
const nanMin = (a: number, b: number) => (a !== a || b !== b ? NaN : a < b ? a : b);

type Fn2 = (a: number, b: number) => number;

export const floatMath: { [F in BinaryFn]: Fn2 } = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: nanMax,
  minimum: nanMin,
  mod: floorMod,
  eq: (a, b) => +(a === b),
  ne: (a, b) => +(a !== b),
  lt: (a, b) => +(a < b),
  le: (a, b) => +(a <= b),
  gt: (a, b) => +(a > b),
  ge: (a, b) => +(a >= b),
  logicalAnd: (a, b) => +(!!a && !!b),
  logicalOr: (a, b) => +(!!a || !!b),
  logicalXor: (a, b) => +(!!a !== !!b),
  atan2: Math.atan2,
};

/** int32 arithmetic wraps around like C (and NumPy, PyTorch). */
export const intMath: { [F in BinaryFn]: Fn2 } = {
  ...floatMath,
  add: (a, b) => (a + b) | 0,
  sub: (a, b) => (a - b) | 0,
  mul: Math.imul,
  div: (a, b) => a / b, // never used: ops divide in float32
  pow: intPow,
  mod: intMod,
};
