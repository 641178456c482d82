// The strided copy behind permute, broadcast, slice, concat and the transposes that reduce
// needs. It moves 32-bit words, so one shader serves every dtype (bool is u32 on the GPU).

import { declare, elementLoop, entry } from "./common";
import { divideHelpers, unravel } from "./divide";
import { WORKGROUP } from "./elementwise";

const words = declare([
  { name: "src", type: "u32" },
  { name: "dst", type: "u32", write: true },
]);

/**
 * Params: [count, rank, inBase, outBase, axes block (Params.axes), inStrides[rank],
 * outStrides[rank]]. Thread i walks the iteration shape in row-major order. Ranks up to 4
 * (after collapsing, nearly every copy) get their own shader with the rank as a constant, so
 * the compiler unrolls the coordinate loop; that made 2-D transposes about 2x faster on
 * lavapipe.
 */
export function stridedCopyShader(rank: number | null): string {
  return `${words}
${divideHelpers}
${entry(
  WORKGROUP,
  `  let rank = ${rank === null ? "p[1]" : `${rank}u`};
${elementLoop(
  WORKGROUP,
  `  var io = p[2];
  var oo = p[3];
  var rem = i;
${unravel("4u", ["io", "oo"])}
  dst[oo] = src[io];`,
)}`,
)}`;
}

/** Params: [count, inBase, outBase]; a plain copy of count words. */
export const contiguousCopyShader = `${words}
${entry(
  WORKGROUP,
  elementLoop(WORKGROUP, `  dst[p[2] + i] = src[p[1] + i];`),
)}`;

/**
 * XLA pad, one thread per output element. Params: [count, rank, fill bits, axes block of the
 * output shape, inShape[rank], inStrides[rank], low[rank] (i32 bits), interior + 1 [rank]].
 * Negative `low` crops, which falls out of the same arithmetic. Ranks up to 4 get their own
 * shader with the rank as a constant, as for the strided copy (kernels/layout.ts also merges
 * unpadded axes into their neighbours, so most pads are rank 2 or 3); on lavapipe that made
 * a [64, 8, 11, 11] -> [64, 8, 13, 13] pad several times faster.
 */
export function padShader(rank: number | null): string {
  return `${words}
${divideHelpers}
${entry(
  WORKGROUP,
  `  let rank = ${rank === null ? "p[1]" : `${rank}u`};
${elementLoop(
  WORKGROUP,
  `  var io = 0u;
  var inside = true;
  var rem = i;
  for (var d = 0u; d < rank; d++) {
    let k = rank - 1u - d;
    let q = udiv(rem, p[3u + rank + k], p[3u + 2u * rank + k]);
    let c = rem - q * p[3u + k];
    rem = q;
    let pos = i32(c) - bitcast<i32>(p[3u + 5u * rank + k]);
    let step = p[3u + 6u * rank + k];
    var j = u32(max(pos, 0));
    if (step != 1u) {
      // Interior padding is rare; only then pay for a real division.
      if (j % step != 0u) { inside = false; }
      j = j / step;
    }
    if (pos < 0 || j >= p[3u + 3u * rank + k]) { inside = false; }
    if (inside) { io += j * p[3u + 4u * rank + k]; }
  }
  if (inside) { dst[i] = src[io]; } else { dst[i] = p[2]; }`,
)}`,
)}`;
}
