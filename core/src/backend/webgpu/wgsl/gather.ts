// gather and its transpose scatterAdd, over the flattened view [outer, axis, inner].
// Indices are int32 in [0, axis length); the ops layer checks them. A shader cannot throw, so
// an index out of range (negative ones included, as on the CPU backend) reads as 0 in gather
// and contributes nothing in scatterAdd, and never touches memory out of bounds.

import type { DType } from "../../../dtype";
import { declare, elementLoop, entry, storageType } from "./common";
import { WORKGROUP } from "./elementwise";
import { divideHelpers } from "./divide";

/**
 * Params: [count, inner, J (number of indices), A (axis length of x), division magic for
 * inner and for J]. Moves 32-bit words.
 */
export const gatherShader = `${declare([
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
    out[i] = 0u;
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
