// Shaders for elementwise primitives (unary, binary, where, cast): one thread per output
// element, inputs read through broadcast strides. The expression tables say how each function
// computes in f32 or i32; the builder adds loads, conversions and the store.

import type { DType } from "../../../dtype";
import type { BinaryFn, UnaryFn } from "../../../ops/primitives";
import { bitsHelpers, declare, elementLoop, ELEMENTS_PER_THREAD, entry, load, store, storageType, truth, type ComputeType } from "./common";
import { mathHelpers } from "./math";
import { divideHelpers, unravel } from "./divide";

/** A computed value: statements binding its operands, a WGSL expression, its type, helpers. */
export interface Expr {
  prelude: string;
  expr: string;
  type: ComputeType | "bool";
  helpers: string[];
  /** The expression already has the output's storage type (e.g. a select of stored bits). */
  raw?: boolean;
  /** WGSL functions the prelude calls (fused trees, see fusion.ts). */
  functions?: string;
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
  log1p: ["log1pF(x)", ["log1pF"]],
  expm1: ["expm1F(x)", ["expm1F"]],
  tan: ["tanF(x)", ["tanF"]],
  atan: ["atanF(x)", ["atanF"]],
  asin: ["asinF(x)", ["asinF"]],
  acos: ["acosF(x)", ["acosF"]],
  sinh: ["sinhF(x)", ["sinhF"]],
  cosh: ["coshF(x)", ["coshF"]],
  asinh: ["asinhF(x)", ["asinhF"]],
  acosh: ["acoshF(x)", ["acoshF"]],
  atanh: ["atanhF(x)", ["atanhF"]],
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
  atan2: ["atan2F(a, b)", ["atan2F"]],
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

/** Workgroups for a per-element kernel over n elements (see elementLoop). */
export function elementGroups(n: number): number {
  return Math.ceil(n / (WORKGROUP * ELEMENTS_PER_THREAD));
}

/**
 * How the vectorized shader reads each input, by the input's place in the output:
 * - "full": the output's own layout;  "scalar": one value for all;
 * - "row": a block of S elements repeated down the output (a bias [n] added to [b, n]);
 * - "col": each element repeated S times (a [b, 1] column against [b, n]).
 * S is a multiple of 4 for row and col, so a vec4 of the output never straddles two blocks.
 */
export type Access = "full" | "scalar" | "row" | "col";

/**
 * Elementwise shader. The operation is a WGSL function `op` of the stored input values, so the
 * two layouts below share it:
 * - `vectorized` (every input has an Access): each thread handles 4 consecutive elements with
 *   vec4 loads and stores. On lavapipe this is 3-5x faster than one element per thread, whose
 *   cost is dominated by per-invocation overhead and per-lane bounds-checked scalar loads.
 *   Buffers are size classes (multiples of 16 bytes), so the last vec4 never leaves its
 *   buffer. Params: [count, then per input: S / 4 and the division magic for it].
 * - `null`: one thread per element (ELEMENTS_PER_THREAD of them), inputs read through
 *   broadcast strides; ranks up to 4 are compile-time constants so the loop unrolls.
 *   Params: [count, rank, axes block (Params.axes), strides of input 0, strides of input 1...].
 */
export function elementwiseShader(
  inputs: readonly DType[],
  out: DType,
  vectorized: readonly Access[] | null,
  body: (values: string[]) => Expr,
  /** For the strided layout: the rank when it is a compile-time constant (<= 4), else null. */
  rank: number | null = null,
): string {
  const args = inputs.map((_, i) => `v${i}`);
  const e = body(args);
  const outType = storageType(out);
  const op = `fn op(${inputs.map((d, i) => `v${i}: ${storageType(d)}`).join(", ")}) -> ${outType} {
${e.prelude}
  return ${storeExpr(e, out)};
}`;
  const wide = (a: Access) => a === "full" || a === "row";
  const decls = inputs.map((d, i) => {
    const t = storageType(d);
    return { name: `in${i}`, type: vectorized && wide(vectorized[i]) ? (`vec4<${t}>` as const) : t };
  });
  const outDecl = { name: "out", type: vectorized ? (`vec4<${outType}>` as const) : outType, write: true };
  const head = `${declare([...decls, outDecl])}
${bitsHelpers}
${divideHelpers}
${mathHelpers(e.helpers)}
${e.functions ?? ""}
${op}`;
  if (vectorized) {
    const index = (a: Access, k: number) => {
      const at = 1 + 3 * k;
      if (a === "full") return "i";
      if (a === "scalar") return "0";
      const q = `udiv(i, p[${at + 1}], p[${at + 2}])`;
      return a === "col" ? q : `i - ${q} * p[${at}]`;
    };
    const loads = vectorized.map((a, k) => `  let l${k} = in${k}[${index(a, k)}];`).join("\n");
    const lanes = ["x", "y", "z", "w"].map(
      (c) => `op(${vectorized.map((a, k) => (wide(a) ? `l${k}.${c}` : `l${k}`)).join(", ")})`,
    );
    return `${head}
${entry(
  WORKGROUP,
  `  let i = group * ${WORKGROUP}u + lid;
  if (i * 4u >= p[0]) { return; }
${loads}
  out[i] = vec4<${outType}>(${lanes.join(", ")});`,
)}`;
  }
  return `${head}
${entry(
  WORKGROUP,
  `  let rank = ${rank === null ? "p[1]" : `${rank}u`};
${elementLoop(
  WORKGROUP,
  `${inputs.map((_, i) => `  var o${i} = 0u;`).join("\n")}
  var rem = i;
${unravel("2u", inputs.map((_, i) => `o${i}`))}
  out[i] = op(${inputs.map((_, i) => `in${i}[o${i}]`).join(", ")});`,
)}`,
)}`;
}
