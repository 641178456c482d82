// Batched matmul for software adapters (lavapipe/llvmpipe). llvmpipe runs a workgroup's
// invocations as the lanes of one 256-bit SIMD register, and every workgroup barrier is a
// coroutine switch, so the fastest layout there has no workgroup memory at all: workgroups of
// exactly LANES = 8 invocations, lanes along output columns so B loads are contiguous across
// lanes, and A loads the same address for every lane (a broadcast). Each lane owns ROWS rows x
// COLS vec4 columns (a register block). Measured on 2 cores by CPU time: about 8.5 GFLOP/s
// against 5-6 for the workgroup-memory tiled kernel (wgsl/matmul.ts, which GPUs get).
// The layout follows the hand-written ceiling kernel of bench/raw/wgsl.mjs, generalized to
// any shape, batches and int32.
//
// Rows and columns past the edge are clamped for loads (always valid memory) and skipped for
// stores, so the k loop has no branches. Variant `vec4` needs N % 4 == 0 (B and C rows start
// on a vec4 boundary); otherwise B is gathered from 4 clamped scalar loads.
//
// Transposed operands (transA: A stored [K, M]; transB: B stored [N, K]) swap the index
// arithmetic of the loads: A's broadcast load steps by M per k instead of 1, and B's vec4 of
// four columns becomes four clamped scalar loads K apart (as the scalar variant's gather).
//
// Params as wgsl/matmul.ts: [M, N, K, tilesM, tilesN, groups, batchRank, batchShape[r],
// aBatchStrides[r], bBatchStrides[r], kChunk, groupsPerChunk] (split-K as there); a tile is ROWS rows x LANES * COLS vec4 columns.

import { declare, entry, type StorageType } from "./common";

export const LANES = 8;
export const LANE_ROWS = 8;
export const LANE_COLS = 2;

const range = (n: number) => [...Array(n).keys()];

export type LaneAxis = "cols" | "rows" | "k";

/**
 * `axis` is what the lanes of a workgroup split:
 * - "cols", the layout described above;
 * - "rows", for tall products with n of a few vec4s (lanes along columns would mostly compute
 *   clamped duplicates): lane l owns rows row0 + l + i * LANES of a LANES * ROWS-row tile of
 *   COLS vec4 columns, and B loads are the same address for every lane;
 * - "k", split-K only (kernels/matmul.ts): lane l sums k = l, l + LANES, ... of its chunk over a
 *   ROWS x COLS-vec4 tile and writes its own partial product, to output slot
 *   (l * batches + batch) of [LANES * batches, M, N], batches counting the chunk axis. For few,
 *   narrow output tiles (weight gradients: n of 8 or 16) every lane then does useful work.
 */
export function matmulLanesShader(t: StorageType, vec4: boolean, axis: LaneAxis = "cols", transA = false, transB = false): string {
  const vecB = vec4 && !transB;
  const kLanes = axis === "k";
  const rowLanes = axis === "rows";
  const rowOf = (i: number) => (rowLanes ? `row0 + ${i * LANES}u` : `row0 + ${i}u`);
  const V = `vec4<${t}>`;
  const madd = (acc: string, a: string, b: string) =>
    t === "f32" ? `${acc} = fma(${V}(${a}), ${b}, ${acc});` : `${acc} += ${V}(${a}) * ${b};`;
  const cols = range(LANE_COLS);
  const rows = range(LANE_ROWS);
  const loadB = cols.map((j) =>
    vecB
      ? `    let b${j} = b[bRow4 + c${j}];`
      : `    let b${j} = ${V}(b[bRow + e${j}.x], b[bRow + e${j}.y], b[bRow + e${j}.z], b[bRow + e${j}.w]);`,
  );
  const store = rows.flatMap((i) =>
    cols.map((j) =>
      vec4
        ? `  if (${rowOf(i)} < M && col${j} < n4) { out[(cOff + (${rowOf(i)}) * N) / 4u + col${j}] = acc${i}_${j}; }`
        : `  if (${rowOf(i)} < M) {
    for (var q = 0u; q < 4u; q++) {
      let n = col${j} * 4u + q;
      if (n < N) { out[cOff + (${rowOf(i)}) * N + n] = acc${i}_${j}[q]; }
    }
  }`,
    ),
  );
  return `${declare([
    { name: "a", type: t },
    { name: "b", type: vecB ? `vec4<${t}>` : t },
    { name: "out", type: vec4 ? `vec4<${t}>` : t, write: true },
  ])}
${entry(
  LANES,
  `  if (group >= p[5]) { return; }
  let M = p[0];
  let N = p[1];
  let K = p[2];
  let rank = p[6];
  let kc = p[7u + 3u * rank];
  let kLen = min(kc, K - (group / p[8u + 3u * rank]) * kc);
  let tilesN = p[4];
  let perBatch = p[3] * tilesN;
  var batch = group / perBatch;
  let tile = group % perBatch;
  let row0 = (tile / tilesN) * ${rowLanes ? `${LANE_ROWS * LANES}u + lid` : `${LANE_ROWS}u`};
${
  kLanes || rowLanes
    ? `  let colBase = (tile % tilesN) * ${LANE_COLS}u;
  let cOff = ${kLanes ? "(lid * (p[5] / perBatch) + batch) * M * N" : "batch * M * N"};`
    : `  let colBase = (tile % tilesN) * ${LANES * LANE_COLS}u + lid;
  let cOff = batch * M * N;`
}
  let n4 = (N + 3u) / 4u;
  var aOff = 0u;
  var bOff = 0u;
  for (var d = rank; d > 0u; d--) {
    let n = p[6u + d];
    let c = batch % n;
    batch = batch / n;
    aOff += c * p[6u + rank + d];
    bOff += c * p[6u + 2u * rank + d];
  }
${rows.map((i) => `  let aRow${i} = aOff + min(${rowOf(i)}, M - 1u)${transA ? "" : " * K"};`).join("\n")}
${cols.map((j) => `  let col${j} = colBase + ${kLanes || rowLanes ? j : j * LANES}u;\n  let c${j} = min(col${j}, n4 - 1u);`).join("\n")}
${vecB ? "" : cols.map((j) => `  let e${j} = min(vec4<u32>(c${j} * 4u) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(N - 1u))${transB ? " * K" : ""};`).join("\n")}
${rows.flatMap((i) => cols.map((j) => `  var acc${i}_${j} = ${V}();`)).join("\n")}
  for (var k = ${kLanes ? `lid; k < kLen; k += ${LANES}u` : "0u; k < kLen; k++"}) {
${vecB ? "    let bRow4 = (bOff + k * N) / 4u;" : `    let bRow = bOff + k${transB ? "" : " * N"};`}${transA ? "\n    let kA = k * M;" : ""}
${loadB.join("\n")}
${rows.map((i) => `    let a${i} = a[aRow${i} + ${transA ? "kA" : "k"}];\n${cols.map((j) => `    ${madd(`acc${i}_${j}`, `a${i}`, `b${j}`)}`).join("\n")}`).join("\n")}
  }
${store.join("\n")}`,
)}`;
}
