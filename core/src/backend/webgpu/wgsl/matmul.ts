// Batched matmul for GPUs (software adapters use wgsl/matmulLanes.ts). Each workgroup of
// WX x WY threads computes one TM x TN output tile, staging BK-deep slabs of A and B in
// workgroup memory as vec4s; each thread accumulates RM rows x (4 * CV) columns in registers
// (register blocking), so every vec4 read from workgroup memory feeds RM or 4 * CV
// multiply-adds. This is the classic GPU layout (as in TensorFlow.js's packed vec4 matmul);
// The tile shapes are chosen by size (kernels/matmul.ts, defaultTiles and smallTiles below).
//
// On lavapipe (2 cores) this kernel reached about 6 GFLOP/s for N = 512 (by CPU time); 16 x 16
// threads or 4 x 4 blocks were 10-30% slower, and a first version with 16 x 16 threads of
// 4 x 4 scalar outputs and scalar workgroup memory 10x slower.
//
// Two variants: `vec4` loads A and B as vec4 straight from storage and needs K % 4 == 0 and
// N % 4 == 0 (every row then starts on a vec4 boundary); `scalar` assembles the same vec4 tiles
// from bounds-checked scalar loads and writes scalars, for any shape.
//
// Transposed operands (the matmul primitive's transA / transB: A stored [K, M], B [N, K]) are
// read with swapped indices while staging the slabs, as scalars: the vec4 along k (A) or n (B)
// that the slab holds is strided in such an operand. The compute loop is the same.
//
// Params: [M, N, K, tilesM, tilesN, groups, batchRank, batchShape[r], aBatchStrides[r],
// bBatchStrides[r], kChunk, groupsPerChunk]; batch strides are in elements and 0 on broadcast
// batch axes. Split-K (kernels/matmul.ts): workgroup `group` sums k over
// [0, min(kChunk, K - chunk * kChunk)) with chunk = group / groupsPerChunk, the chunk's start
// being folded into the batch offsets by an extra outermost batch axis; A rows keep stride K.
// Without a split, kChunk = K and groupsPerChunk >= groups.

import { declare, entry, type StorageType } from "./common";

export interface MatmulConfig {
  /** Threads along n and m. */
  WX: number;
  WY: number;
  /** Rows and vec4 columns per thread. */
  RM: number;
  CV: number;
  /** Depth of one workgroup-memory slab (a multiple of 4). */
  BK: number;
}

/**
 * 64 x 64 tiles, 256 threads of 4 rows x one vec4 each. Measured on an NVIDIA H100 through
 * Dawn's Vulkan backend (bench/gpu-tiles.mjs, GFLOP/s with the sync alone, one run): at
 * N = 1024 / 2048 / 4096 this layout made 6231 / 10397 / 17698 where the first layout (64
 * threads of 8 x 8, WX = WY = 8, RM = 8, CV = 2) made 5776 / 8603 / 12794; 128 x 64 tiles
 * and BK = 32 were within noise of it. On lavapipe the tiles kernel is not used (lanes are).
 */
export const defaultTiles: MatmulConfig = { WX: 16, WY: 16, RM: 4, CV: 1, BK: 16 };

/**
 * 32 x 32 tiles of 64 threads, for products whose 64 x 64 grid is small (kernels/matmul.ts):
 * at N = 256 (16 tiles of 64 x 64) 2400 GFLOP/s on the H100 against 1341 for defaultTiles.
 */
export const smallTiles: MatmulConfig = { WX: 8, WY: 8, RM: 4, CV: 1, BK: 16 };

export function tileOf(c: MatmulConfig): { M: number; N: number } {
  return { M: c.WY * c.RM, N: c.WX * c.CV * 4 };
}

const range = (n: number) => [...Array(n).keys()];

export function matmulShader(t: StorageType, vec4: boolean, config: MatmulConfig, transA = false, transB = false): string {
  const { WX, WY, RM, CV, BK } = config;
  const { M: TILE_M, N: TILE_N } = tileOf(config);
  const NT = WX * WY;
  const V = `vec4<${t}>`;
  const KQ = BK / 4; // vec4s per A tile row
  const NQ = TILE_N / 4; // vec4s per B tile row
  const la = TILE_M * KQ;
  const lb = BK * NQ;

  const vecA = vec4 && !transA;
  const vecB = vec4 && !transB;
  const loadA = (e: string) =>
    transA
      ? `let gm = m0 + ${e} / ${KQ}u;
      let gk = k0 + (${e} % ${KQ}u) * 4u;
      var v = ${V}();
      if (gm < M) {
        for (var j = 0u; j < 4u; j++) { if (gk + j < kLen) { v[j] = a[aOff + (gk + j) * M + gm]; } }
      }
      As[${e}] = v;`
      : vecA
      ? `let gm = m0 + ${e} / ${KQ}u;
      let gk = k0 + (${e} % ${KQ}u) * 4u;
      var v = ${V}();
      if (gm < M && gk < kLen) { v = a[(aOff + gm * K + gk) / 4u]; }
      As[${e}] = v;`
      : `let gm = m0 + ${e} / ${KQ}u;
      let gk = k0 + (${e} % ${KQ}u) * 4u;
      var v = ${V}();
      if (gm < M) {
        let base = aOff + gm * K + gk;
        for (var j = 0u; j < 4u; j++) { if (gk + j < kLen) { v[j] = a[base + j]; } }
      }
      As[${e}] = v;`;
  const loadB = (e: string) =>
    transB
      ? `let gk = k0 + ${e} / ${NQ}u;
      let gn = n0 + (${e} % ${NQ}u) * 4u;
      var v = ${V}();
      if (gk < kLen) {
        for (var j = 0u; j < 4u; j++) { if (gn + j < N) { v[j] = b[bOff + (gn + j) * K + gk]; } }
      }
      Bs[${e}] = v;`
      : vecB
      ? `let gk = k0 + ${e} / ${NQ}u;
      let gn = n0 + (${e} % ${NQ}u) * 4u;
      var v = ${V}();
      if (gk < kLen && gn < N) { v = b[(bOff + gk * N + gn) / 4u]; }
      Bs[${e}] = v;`
      : `let gk = k0 + ${e} / ${NQ}u;
      let gn = n0 + (${e} % ${NQ}u) * 4u;
      var v = ${V}();
      if (gk < kLen) {
        let base = bOff + gk * N + gn;
        for (var j = 0u; j < 4u; j++) { if (gn + j < N) { v[j] = b[base + j]; } }
      }
      Bs[${e}] = v;`;
  const staged = (count: number, body: (e: string) => string) =>
    range(Math.ceil(count / NT))
      .map(
        (s) => `    {
      let e = lid + ${s * NT}u;
      ${count % NT === 0 ? body("e") : `if (e < ${count}u) {\n      ${body("e")}\n      }`}
    }`,
      )
      .join("\n");

  const acc = range(RM)
    .flatMap((i) => range(CV).map((j) => `  var acc${i}_${j} = ${V}();`))
    .join("\n");
  const inner = [
    ...range(RM).map((i) => `      let a${i} = As[(ty * ${RM}u + ${i}u) * ${KQ}u + kq];`),
    ...range(4).flatMap((kk) =>
      range(CV).map((j) => `      let b${kk}_${j} = Bs[(kq * 4u + ${kk}u) * ${NQ}u + tx * ${CV}u + ${j}u];`),
    ),
    ...range(RM).flatMap((i) =>
      range(CV).map(
        (j) => `      acc${i}_${j} += a${i}.x * b0_${j} + a${i}.y * b1_${j} + a${i}.z * b2_${j} + a${i}.w * b3_${j};`,
      ),
    ),
  ].join("\n");
  const write = range(RM)
    .map((i) => {
      const cols = range(CV)
        .map((j) => {
          const n = `(n0 + (tx * ${CV}u + ${j}u) * 4u)`;
          return vec4
            ? `      if (${n} < N) { out[(cOff + gm * N + ${n}) / 4u] = acc${i}_${j}; }`
            : `      for (var q = 0u; q < 4u; q++) { if (${n} + q < N) { out[cOff + gm * N + ${n} + q] = acc${i}_${j}[q]; } }`;
        })
        .join("\n");
      return `  {
    let gm = m0 + ty * ${RM}u + ${i}u;
    if (gm < M) {
${cols}
    }
  }`;
    })
    .join("\n");

  const elem = vec4 ? V : t;
  return `${declare([
    { name: "a", type: vecA ? `vec4<${t}>` : t },
    { name: "b", type: vecB ? `vec4<${t}>` : t },
    { name: "out", type: vec4 ? `vec4<${t}>` : t, write: true },
  ])}
// ${elem} storage; tiles are vec4 in workgroup memory either way.
var<workgroup> As: array<${V}, ${la}>;
var<workgroup> Bs: array<${V}, ${lb}>;
${entry(
  NT,
  `  // Uniform across the workgroup: the grid may have spare workgroups past the end.
  if (group >= p[5]) { return; }
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
  let m0 = (tile / tilesN) * ${TILE_M}u;
  let n0 = (tile % tilesN) * ${TILE_N}u;
  let cOff = batch * M * N;
  var aOff = 0u;
  var bOff = 0u;
  for (var d = rank; d > 0u; d--) {
    let n = p[6u + d];
    let c = batch % n;
    batch = batch / n;
    aOff += c * p[6u + rank + d];
    bOff += c * p[6u + 2u * rank + d];
  }
  let tx = lid % ${WX}u;
  let ty = lid / ${WX}u;
${acc}
  for (var k0 = 0u; k0 < kLen; k0 += ${BK}u) {
${staged(la, loadA)}
${staged(lb, loadB)}
    workgroupBarrier();
    for (var kq = 0u; kq < ${KQ}u; kq++) {
${inner}
    }
    workgroupBarrier();
  }
${write}`,
)}`;
}
