// gather and its transpose scatterAdd, over the flattened view [outer, axis, inner].
// Indices are int32 in [0, axis length); the ops layer checks them wherever the host knows
// them. A shader cannot throw, so an index out of range (indices computed on the GPU, or
// replayed by jit) never touches memory out of bounds: gather fills its output as jnp.take
// does (NaN for float32, the most negative int32, true for bool), so the mistake shows
// instead of reading as plausible zeros; scatterAdd skips it.

import type { DType } from "../../../dtype";
import { declare, elementLoop, entry, storageType } from "./common";
import { WORKGROUP } from "./elementwise";
import { divideHelpers } from "./divide";

/** The 32-bit word gather writes for an index out of range (see the top of the file). */
export function gatherFill(dtype: DType): string {
  return dtype === "float32" ? "0x7fc00000u" : dtype === "int32" ? "0x80000000u" : "1u";
}

/**
 * Params: [count, inner, J (number of indices), A (axis length of x), division magic for
 * inner and for J]. Moves 32-bit words.
 */
export const gatherShader = (dtype: DType): string => `${declare([
  { name: "x", type: "u32" },
  { name: "idx", type: "i32" },
  { name: "out", type: "u32", write: true },
])}
${divideHelpers}
${entry(
  WORKGROUP,
  `  let inner = p[1];
  let count = p[2];
  let axis = p[3];
${elementLoop(
  WORKGROUP,
  `  let t = udiv(i, p[4], p[5]);
  let c = i - t * inner;
  let o = udiv(t, p[6], p[7]);
  let j = t - o * count;
  let k = idx[j];
  if (k < 0 || u32(k) >= axis) {
    out[i] = ${gatherFill(dtype)};
  } else {
    out[i] = x[(o * axis + u32(k)) * inner + c];
  }`,
)}`,
)}`;

/**
 * Params: [count, inner, J (number of indices), size (axis length of out), division magic for
 * inner and for size]. Each output element
 * loops over all indices and sums the updates that point at it: deterministic and free of
 * float atomics, which WGSL lacks.
 */
export function scatterAddShader(dtype: DType): string {
  const t = storageType(dtype);
  return `${declare([
    { name: "upd", type: t },
    { name: "idx", type: "i32" },
    { name: "out", type: t, write: true },
  ])}
${divideHelpers}
${entry(
  WORKGROUP,
  `  let inner = p[1];
  let count = p[2];
  let size = p[3];
${elementLoop(
  WORKGROUP,
  `  let t = udiv(i, p[4], p[5]);
  let c = i - t * inner;
  let o = udiv(t, p[6], p[7]);
  let s = i32(t - o * size);
  var acc = ${t}(0);
  for (var j = 0u; j < count; j++) {
    if (idx[j] == s) { acc += upd[(o * count + j) * inner + c]; }
  }
  out[i] = acc;`,
)}`,
)}`;
}
