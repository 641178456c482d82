// Reduction shaders over a contiguous view [A, R, C] (reduce the middle axis R), producing
// partial results [A, P, C] where the reduced axis is cut into P chunks of L elements. The host
// runs passes until P is 1. Two shapes of work:
// - `strided`: one thread per (a, part, c), looping over its part of R (chunked or
//   interleaved, see below).
// - `tree` (C == 1): one workgroup per (a, chunk); threads stride through the chunk, then a
//   shared-memory tree combines the 256 partial values. The usual choice on GPUs; on lavapipe
//   every workgroup barrier is a coroutine switch per SIMD group, and the interleaved strided
//   passes ran 3x faster for 16M -> 1 and 20x faster for rows of 1024, so software adapters
//   use those instead (see kernels/reduce.ts).

import type { DType } from "../../../dtype";
import type { ArgReduceFn, ReduceFn } from "../../../ops/primitives";
import { bitsHelpers, declare, entry, load, storageType, truth, type StorageType } from "./common";
import { mathHelpers } from "./math";
import { divideHelpers } from "./divide";
import type { FusedSource } from "../fusion";

export const REDUCE_WORKGROUP = 256;

interface Monoid {
  init: string;
  combine: (acc: string, v: string) => string;
  helpers: string[];
}

function monoid(fn: ReduceFn, t: StorageType): Monoid {
  const plain = (op: string): Monoid["combine"] => (a, v) => `(${a} ${op} ${v})`;
  const call = (f: string): Monoid["combine"] => (a, v) => `${f}(${a}, ${v})`;
  switch (fn) {
    case "sum":
      return { init: `${t}(0)`, combine: plain("+"), helpers: [] };
    case "prod":
      return { init: `${t}(1)`, combine: plain("*"), helpers: [] };
    case "max":
      if (t === "f32") return { init: "-infF()", combine: call("maximumF"), helpers: ["maximumF"] };
      return { init: t === "i32" ? "(-2147483647 - 1)" : "0u", combine: call("max"), helpers: [] };
    case "min":
      if (t === "f32") return { init: "infF()", combine: call("minimumF"), helpers: ["minimumF"] };
      return { init: t === "i32" ? "2147483647" : "1u", combine: call("min"), helpers: [] };
  }
}

/** `x` stored as `from`, as a value of storage type `to` (the output's). */
function convert(x: string, from: DType, to: StorageType): string {
  if (to === "u32") return from === "bool" ? x : `u32(${truth(x, from)})`;
  return load(x, from, to);
}

/**
 * Params: [count = A*P*C, C, R, P, span, step, division magic for C and for P]. Thread
 * (a, part, c) combines rows r of its column c, starting at r0 and going `step` at a time up
 * to min(R, r0 + span):
 * - chunked (step 1, r0 = part * span): each part is a contiguous run of rows; neighbouring
 *   threads have neighbouring c, so they read neighbouring addresses when C > 1;
 * - interleaved (C = 1, step = P, span = R, r0 = part): part p reads p, p + P, ..., so
 *   neighbouring threads read neighbouring elements of one long row.
 */
export function stridedReduceShader(fn: ReduceFn, inType: DType, outType: DType, fused?: FusedSource): string {
  const t = storageType(outType);
  const m = monoid(fn, t);
  const x = (i: string) => (fused ? `fx(${i})` : `x[${i}]`);
  return `${declare([
    ...(fused ? fused.decls : [{ name: "x", type: storageType(inType) }]),
    { name: "out", type: t, write: true },
  ])}
${bitsHelpers}
${divideHelpers}
${mathHelpers([...m.helpers, ...(fused?.helpers ?? [])])}
${fused?.source ?? ""}
${entry(
  REDUCE_WORKGROUP,
  `  let i = group * ${REDUCE_WORKGROUP}u + lid;
  if (i >= p[0]) { return; }
  let cols = p[1];
  let len = p[2];
  let parts = p[3];
  let span = p[4];
  let step = p[5];
  let ap = udiv(i, p[6], p[7]);
  let c = i - ap * cols;
  let a = udiv(ap, p[8], p[9]);
  let part = ap - a * parts;
  let r0 = select(part * span, part, step > 1u);
  let r1 = min(len, r0 + span);
  var acc = ${m.init};
  var off = (a * len + r0) * cols + c;
  let jump = step * cols;
  for (var r = r0; r < r1; r += step) {
    acc = ${m.combine("acc", convert(x("off"), inType, t))};
    off += jump;
  }
  out[i] = acc;`,
)}`;
}

/** Params: [groups = A*P, R, P, L]; C is 1. */
export function treeReduceShader(fn: ReduceFn, inType: DType, outType: DType, fused?: FusedSource): string {
  const t = storageType(outType);
  const m = monoid(fn, t);
  const W = REDUCE_WORKGROUP;
  const x = (i: string) => (fused ? `fx(${i})` : `x[${i}]`);
  return `${declare([
    ...(fused ? fused.decls : [{ name: "x", type: storageType(inType) }]),
    { name: "out", type: t, write: true },
  ])}
${bitsHelpers}
${fused ? divideHelpers : ""}
${mathHelpers([...m.helpers, ...(fused?.helpers ?? [])])}
${fused?.source ?? ""}
var<workgroup> partial: array<${t}, ${W}>;
${entry(
  W,
  `  // group and p[0] are uniform, so the whole workgroup leaves together (barriers follow).
  if (group >= p[0]) { return; }
  let len = p[1];
  let parts = p[2];
  let chunk = p[3];
  let part = group % parts;
  let a = group / parts;
  let r0 = part * chunk;
  let r1 = min(len, r0 + chunk);
  var acc = ${m.init};
  for (var r = r0 + lid; r < r1; r += ${W}u) {
    acc = ${m.combine("acc", convert(x("a * len + r"), inType, t))};
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var s = ${W / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { partial[lid] = ${m.combine("partial[lid]", "partial[lid + s]")}; }
    workgroupBarrier();
  }
  if (lid == 0u) { out[group] = partial[0]; }`,
)}`;
}

/** True when (v, i) beats (bv, bi): the extreme wins, NaN is the most extreme, then the lower index. */
function betterFn(fn: ArgReduceFn, t: StorageType): string {
  const cmp = fn === "argmax" ? ">" : "<";
  const nan =
    t === "f32"
      ? `  let vn = isNan(v);
  let bn = isNan(bv);
  if (vn || bn) { return vn && (!bn || i < bi); }\n`
      : "";
  return `fn better(v: ${t}, i: u32, bv: ${t}, bi: u32) -> bool {
${nan}  return v ${cmp} bv || (v == bv && i < bi);
}`;
}

/** Params: [count = A*C, C, R, division magic for C]. One thread per output, scanning R. */
export function stridedArgShader(fn: ArgReduceFn, inType: DType): string {
  const t = storageType(inType);
  return `${declare([
    { name: "x", type: t },
    { name: "out", type: "i32", write: true },
  ])}
${bitsHelpers}
${divideHelpers}
${betterFn(fn, t)}
${entry(
  REDUCE_WORKGROUP,
  `  let i = group * ${REDUCE_WORKGROUP}u + lid;
  if (i >= p[0]) { return; }
  let cols = p[1];
  let len = p[2];
  if (len == 0u) { out[i] = 0; return; }
  let a = udiv(i, p[3], p[4]);
  let c = i - a * cols;
  var off = a * len * cols + c;
  var best = x[off];
  var bi = 0u;
  for (var r = 1u; r < len; r++) {
    off += cols;
    let v = x[off];
    if (better(v, r, best, bi)) { best = v; bi = r; }
  }
  out[i] = i32(bi);`,
)}`;
}

/** Params: [A, R]; C is 1. One workgroup per row, then a tree over (value, index) pairs. */
export function treeArgShader(fn: ArgReduceFn, inType: DType): string {
  const t = storageType(inType);
  const W = REDUCE_WORKGROUP;
  return `${declare([
    { name: "x", type: t },
    { name: "out", type: "i32", write: true },
  ])}
${bitsHelpers}
${betterFn(fn, t)}
const NONE = 0xffffffffu;
var<workgroup> vals: array<${t}, ${W}>;
var<workgroup> idxs: array<u32, ${W}>;
${entry(
  W,
  `  if (group >= p[0]) { return; }
  let len = p[1];
  var best = x[group * len];
  var bi = NONE;
  for (var r = lid; r < len; r += ${W}u) {
    let v = x[group * len + r];
    if (bi == NONE || better(v, r, best, bi)) { best = v; bi = r; }
  }
  vals[lid] = best;
  idxs[lid] = bi;
  workgroupBarrier();
  for (var s = ${W / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      let oi = idxs[lid + s];
      if (oi != NONE && (idxs[lid] == NONE || better(vals[lid + s], oi, vals[lid], idxs[lid]))) {
        vals[lid] = vals[lid + s];
        idxs[lid] = oi;
      }
    }
    workgroupBarrier();
  }
  if (lid == 0u) { out[group] = i32(select(idxs[0], 0u, idxs[0] == NONE)); }`,
)}`;
}
