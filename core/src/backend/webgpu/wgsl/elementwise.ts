// Shaders for elementwise primitives (unary, binary, where, cast): one thread per output
// element, inputs read through broadcast strides. The expression tables say how each function
// computes in f32 or i32; the builder adds loads, conversions and the store.

import type { DType } from "../../../dtype";
import type { BinaryFn, UnaryFn } from "../../../ops/primitives";
import { bitsHelpers, declare, entry, load, store, storageType, truth, type ComputeType } from "./common";
import { mathHelpers } from "./math";

/** A computed value: statements binding its operands, a WGSL expression, its type, helpers. */
export interface Expr {
  prelude: string;
  expr: string;
  type: ComputeType | "bool";
  helpers: string[];
  /** The expression already has the output's storage type (e.g. a select of stored bits). */
  raw?: boolean;
}

type Table<F extends string> = Partial<Record<F, [expr: string, helpers: string[]]>>;

const unaryF32: Table<UnaryFn> = {
  neg: ["-x", []],
  abs: ["abs(x)", []],
  exp: ["expF(x)", ["expF"]],
  log: ["logF(x)", ["logF"]],
  sqrt: ["sqrtF(x)", ["sqrtF"]],
  rsqrt: ["rsqrtF(x)", ["rsqrtF"]],
  sin: ["sin(x)", []],
  cos: ["cos(x)", []],
  tanh: ["tanhF(x)", ["tanhF"]],
  sigmoid: ["sigmoidF(x)", ["sigmoidF"]],
  relu: ["select(0.0, x, x > 0.0 || isNan(x))", []],
  erf: ["erfF(x)", ["erfF"]],
  sign: ["signF(x)", ["signF"]],
  floor: ["floor(x)", []],
  ceil: ["ceil(x)", []],
  // WGSL's round is round-half-to-even, as the CPU reference requires.
  round: ["round(x)", []],
  reciprocal: ["1.0 / x", []],
};

/** Functions that stay integral on int32 (and bool) inputs; the rest compute in f32. */
const unaryI32: Table<UnaryFn> = {
  neg: ["-x", []],
  abs: ["abs(x)", []],
  sign: ["sign(x)", []],
  relu: ["max(x, 0)", []],
  floor: ["x", []],
  ceil: ["x", []],
  round: ["x", []],
};

export function unaryExpr(fn: UnaryFn, x: string, dtype: DType): Expr {
  if (fn === "logicalNot") return { prelude: "", expr: `!${truth(x, dtype)}`, type: "bool", helpers: [] };
  if (fn === "isnan") {
    return { prelude: "", expr: dtype === "float32" ? `isNan(${x})` : "false", type: "bool", helpers: [] };
  }
  const intRule = dtype !== "float32" ? unaryI32[fn] : undefined;
  const type: ComputeType = intRule ? "i32" : "f32";
  const rule = intRule ?? unaryF32[fn];
  if (!rule) throw new Error(`no WGSL rule for unary ${fn}`);
  return { prelude: `  let x = ${load(x, dtype, type)};`, expr: `(${rule[0]})`, type, helpers: rule[1] };
}

const binaryF32: Table<BinaryFn> = {
  add: ["a + b", []],
  sub: ["a - b", []],
  mul: ["a * b", []],
  div: ["a / b", []],
  pow: ["powF(a, b)", ["powF"]],
  maximum: ["maximumF(a, b)", ["maximumF"]],
  minimum: ["minimumF(a, b)", ["minimumF"]],
  mod: ["modF(a, b)", ["modF"]],
};

const binaryI32: Table<BinaryFn> = {
  add: ["a + b", []],
  sub: ["a - b", []],
  mul: ["a * b", []],
  div: ["divI(a, b)", ["divI"]],
  pow: ["powI(a, b)", ["powI"]],
  maximum: ["max(a, b)", []],
  minimum: ["min(a, b)", []],
  mod: ["modI(a, b)", ["modI"]],
};

const comparisons: Partial<Record<BinaryFn, string>> = {
  eq: "==", ne: "!=", lt: "<", le: "<=", gt: ">", ge: ">=",
};

const logical: Partial<Record<BinaryFn, string>> = {
  logicalAnd: "&&", logicalOr: "||", logicalXor: "!=",
};

/** Binary functions compute in f32 if either operand is float32, else in i32. */
export function binaryExpr(fn: BinaryFn, a: string, aType: DType, b: string, bType: DType): Expr {
  const logic = logical[fn];
  if (logic) {
    return { prelude: "", expr: `(${truth(a, aType)} ${logic} ${truth(b, bType)})`, type: "bool", helpers: [] };
  }
  const type: ComputeType = aType === "float32" || bType === "float32" ? "f32" : "i32";
  const prelude = `  let a = ${load(a, aType, type)};\n  let b = ${load(b, bType, type)};`;
  const cmp = comparisons[fn];
  if (cmp) {
    // Some drivers compile f32 `!=` as an ordered comparison, which is false for NaN.
    const expr = fn === "ne" && type === "f32" ? "(a != b || isNan(a) || isNan(b))" : `(a ${cmp} b)`;
    return { prelude, expr, type: "bool", helpers: [] };
  }
  const rule = (type === "f32" ? binaryF32 : binaryI32)[fn];
  if (!rule) throw new Error(`no WGSL rule for binary ${fn}`);
  return { prelude, expr: `(${rule[0]})`, type, helpers: rule[1] };
}

/** The store of an Expr into an output of dtype `out`. */
export function storeExpr(e: Expr, out: DType): string {
  if (e.raw) return e.expr;
  if (e.type !== "bool") return store(e.expr, e.type, out);
  if (out === "bool") return `u32(${e.expr})`;
  return out === "float32" ? `select(0.0, 1.0, ${e.expr})` : `select(0, 1, ${e.expr})`;
}

export const WORKGROUP = 256;

/**
 * One thread per output element. Params: [count, rank, shape[rank], strides of input 0,
 * strides of input 1, ...]. With `contiguous`, every input is read at the output's own index
 * and the params hold only the count.
 */
export function elementwiseShader(
  inputs: readonly DType[],
  out: DType,
  contiguous: boolean,
  body: (values: string[]) => Expr,
): string {
  const decls = inputs.map((d, i) => ({ name: `in${i}`, type: storageType(d) }));
  decls.push({ name: "out", type: storageType(out), write: true } as (typeof decls)[number]);
  const values = inputs.map((_, i) => `in${i}[o${i}]`);
  const e = body(values);
  const offsets = contiguous
    ? inputs.map((_, i) => `  let o${i} = i;`).join("\n")
    : `  let rank = p[1];
${inputs.map((_, i) => `  var o${i} = 0u;`).join("\n")}
  var rem = i;
  for (var d = rank; d > 0u; d--) {
    let n = p[1u + d];
    let c = rem % n;
    rem = rem / n;
${inputs.map((_, i) => `    o${i} += c * p[1u + ${i + 1}u * rank + d];`).join("\n")}
  }`;
  return `${declare(decls)}
${bitsHelpers}
${mathHelpers(e.helpers)}
${entry(
  WORKGROUP,
  `  let i = group * ${WORKGROUP}u + lid;
  if (i >= p[0]) { return; }
${offsets}
${e.prelude}
  out[i] = ${storeExpr(e, out)};`,
)}`;
}
