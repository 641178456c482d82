// argsort as a bitonic sorting network over each row padded to a power of two P: the same
// unsigned keys as the CPU kernel (backend/cpu/sort.ts), paired with the element's index so
// that ties resolve to the lower index (a stable order), and padding keyed above everything.
// keys() fills the pairs, stage() is one compare-exchange pass (log2(P) (log2(P) + 1) / 2 of
// them), indices() writes the first L indices of each row back as int32.

import type { DType } from "../../../dtype";
import { declare, elementLoop, entry } from "./common";
import { WORKGROUP } from "./elementwise";
import { divideHelpers } from "./divide";

function keyOf(dtype: DType): string {
  if (dtype === "bool") return "select(0u, 1u, v != 0u)";
  if (dtype === "int32") return "v ^ 0x80000000u";
  // Floats: NaN above +inf, -0 as 0; negatives reversed by flipping all bits, positives above them.
  return "select(select(select(v | 0x80000000u, ~v, (v & 0x80000000u) != 0u), 0x80000000u, (v & 0x7fffffffu) == 0u), 0xffc00000u, (v & 0x7fffffffu) > 0x7f800000u)";
}

/** Params: [R * P, L, log2 P, descending]. */
export const keysShader = (dtype: DType): string => `${declare([
  { name: "x", type: "u32" },
  { name: "keys", type: "u32", write: true },
  { name: "idx", type: "u32", write: true },
])}
fn key(v: u32) -> u32 { return ${keyOf(dtype)}; }
${entry(
  WORKGROUP,
  `  let len = p[1];
  let logP = p[2];
${elementLoop(
  WORKGROUP,
  `  let r = i >> logP;
  let j = i & ((1u << logP) - 1u);
  idx[i] = j;
  if (j < len) {
    let k = key(x[r * len + j]);
    keys[i] = select(k, ~k, p[3] != 0u);
  } else {
    keys[i] = 0xffffffffu;
  }`,
)}`,
)}`;

/** Params: [R * P / 2, log2 P, k (the size of the bitonic blocks being merged), log2 j (the compare distance)]. */
export const stageShader = `${declare([
  { name: "keys", type: "u32", write: true },
  { name: "idx", type: "u32", write: true },
])}
${entry(
  WORKGROUP,
  `  let logP = p[1];
  let k = p[2];
  let logj = p[3];
  let half = 1u << (logP - 1u);
${elementLoop(
  WORKGROUP,
  `  let r = i >> (logP - 1u);
  let t = i & (half - 1u);
  let lo = ((t >> logj) << (logj + 1u)) | (t & ((1u << logj) - 1u));
  let a = (r << logP) + lo;
  let b = a + (1u << logj);
  let ka = keys[a];
  let kb = keys[b];
  let ia = idx[a];
  let ib = idx[b];
  let greater = ka > kb || (ka == kb && ia > ib);
  if (greater == ((lo & k) == 0u)) {
    keys[a] = kb;
    keys[b] = ka;
    idx[a] = ib;
    idx[b] = ia;
  }`,
)}`,
)}`;

/** Params: [R * L, L, log2 P, division magic for L]. */
export const indicesShader = `${declare([
  { name: "idx", type: "u32" },
  { name: "out", type: "i32", write: true },
])}
${divideHelpers}
${entry(
  WORKGROUP,
  `  let len = p[1];
  let logP = p[2];
${elementLoop(
  WORKGROUP,
  `  let r = udiv(i, p[3], p[4]);
  out[i] = i32(idx[(r << logP) + (i - r * len)]);`,
)}`,
)}`;
