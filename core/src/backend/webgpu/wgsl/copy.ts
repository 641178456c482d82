// The strided copy behind permute, broadcast, slice, concat and the transposes that reduce
// needs. It moves 32-bit words, so one shader serves every dtype (bool is u32 on the GPU).

import { declare, entry } from "./common";
import { WORKGROUP } from "./elementwise";

/**
 * Params: [count, rank, inBase, outBase, shape[rank], inStrides[rank], outStrides[rank]].
 * Thread i walks the iteration shape in row-major order.
 */
export const stridedCopyShader = `${declare([
  { name: "src", type: "u32" },
  { name: "dst", type: "u32", write: true },
])}
${entry(
  WORKGROUP,
  `  let i = group * ${WORKGROUP}u + lid;
  if (i >= p[0]) { return; }
  let rank = p[1];
  var io = p[2];
  var oo = p[3];
  var rem = i;
  for (var d = rank; d > 0u; d--) {
    let n = p[3u + d];
    let c = rem % n;
    rem = rem / n;
    io += c * p[3u + rank + d];
    oo += c * p[3u + 2u * rank + d];
  }
  dst[oo] = src[io];`,
)}`;

/** Params: [count, inBase, outBase]; a plain copy of count words. */
export const contiguousCopyShader = `${declare([
  { name: "src", type: "u32" },
  { name: "dst", type: "u32", write: true },
])}
${entry(
  WORKGROUP,
  `  let i = group * ${WORKGROUP}u + lid;
  if (i >= p[0]) { return; }
  dst[p[2] + i] = src[p[1] + i];`,
)}`;

/**
 * XLA pad, one thread per output element. Params: [count, rank, fill bits, outShape[rank],
 * inShape[rank], inStrides[rank], low[rank] (i32 bits), interior + 1 [rank]]. Negative `low`
 * crops, which falls out of the same arithmetic.
 */
export const padShader = `${declare([
  { name: "src", type: "u32" },
  { name: "dst", type: "u32", write: true },
])}
${entry(
  WORKGROUP,
  `  let i = group * ${WORKGROUP}u + lid;
  if (i >= p[0]) { return; }
  let rank = p[1];
  var io = 0u;
  var inside = true;
  var rem = i;
  for (var d = rank; d > 0u; d--) {
    let n = p[2u + d];
    let c = rem % n;
    rem = rem / n;
    let q = i32(c) - bitcast<i32>(p[2u + 3u * rank + d]);
    let step = p[2u + 4u * rank + d];
    if (q < 0 || u32(q) % step != 0u || u32(q) / step >= p[2u + rank + d]) {
      inside = false;
    } else {
      io += (u32(q) / step) * p[2u + 2u * rank + d];
    }
  }
  if (inside) { dst[i] = src[io]; } else { dst[i] = p[2]; }`,
)}`;
