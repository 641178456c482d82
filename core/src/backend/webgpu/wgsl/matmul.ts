// Batched matmul: each workgroup computes one BM x BN output tile, staging BK-wide slabs of A
// and B in workgroup memory; each thread accumulates a TM x TN block in registers (register
// blocking), so every value read from workgroup memory feeds TM or TN multiply-adds.
//
// Thread (tx, ty) owns rows ty*TM + i and columns tx + j*WX: neighbouring threads own
// neighbouring columns, so B reads are contiguous across a SIMD group (lavapipe runs 8
// invocations per AVX2 vector) while A reads are one broadcast value per group.
//
// Params: [M, N, K, tilesM, tilesN, groups, batchRank, batchShape[r], aBatchStrides[r],
// bBatchStrides[r]]; the batch strides are 0 on broadcast batch axes.

import { declare, entry, type StorageType } from "./common";

export interface MatmulConfig {
  /** Threads per workgroup along n and m. */
  WX: number;
  WY: number;
  /** Outputs per thread along m and n. */
  TM: number;
  TN: number;
  /** Depth of one shared-memory slab. */
  BK: number;
}

export const defaultMatmulConfig: MatmulConfig = { WX: 16, WY: 16, TM: 4, TN: 4, BK: 16 };

export function tileSize(c: MatmulConfig): { BM: number; BN: number } {
  return { BM: c.WY * c.TM, BN: c.WX * c.TN };
}

export function matmulShader(t: StorageType, c: MatmulConfig): string {
  const { WX, WY, TM, TN, BK } = c;
  const { BM, BN } = tileSize(c);
  const NT = WX * WY;
  const zero = `${t}(0)`;
  const range = (n: number) => [...Array(n).keys()];
  const accDecl = range(TM * TN).map((k) => `  var acc${k} = ${zero};`).join("\n");
  const loadA = range(Math.ceil((BM * BK) / NT))
    .map(
      (s) => `  {
    let e = lid + ${s * NT}u;
    if (e < ${BM * BK}u) {
      let m = e / ${BK}u;
      let k = e % ${BK}u;
      let gm = m0 + m;
      let gk = k0 + k;
      var v = ${zero};
      if (gm < M && gk < K) { v = a[aOff + gm * K + gk]; }
      As[k * ${BM}u + m] = v;
    }
  }`,
    )
    .join("\n");
  const loadB = range(Math.ceil((BK * BN) / NT))
    .map(
      (s) => `  {
    let e = lid + ${s * NT}u;
    if (e < ${BK * BN}u) {
      let k = e / ${BN}u;
      let n = e % ${BN}u;
      let gk = k0 + k;
      let gn = n0 + n;
      var v = ${zero};
      if (gk < K && gn < N) { v = b[bOff + gk * N + gn]; }
      Bs[k * ${BN}u + n] = v;
    }
  }`,
    )
    .join("\n");
  const inner = [
    ...range(TM).map((i) => `      let a${i} = As[kk * ${BM}u + ty * ${TM}u + ${i}u];`),
    ...range(TN).map((j) => `      let b${j} = Bs[kk * ${BN}u + tx + ${j * WX}u];`),
    ...range(TM).flatMap((i) => range(TN).map((j) => `      acc${i * TN + j} += a${i} * b${j};`)),
  ].join("\n");
  const write = range(TM)
    .map(
      (i) => `  {
    let gm = m0 + ty * ${TM}u + ${i}u;
    if (gm < M) {
${range(TN)
  .map((j) => `      if (n0 + tx + ${j * WX}u < N) { out[cOff + gm * N + n0 + tx + ${j * WX}u] = acc${i * TN + j}; }`)
  .join("\n")}
    }
  }`,
    )
    .join("\n");
  return `${declare([
    { name: "a", type: t },
    { name: "b", type: t },
    { name: "out", type: t, write: true },
  ])}
var<workgroup> As: array<${t}, ${BM * BK}>;
var<workgroup> Bs: array<${t}, ${BK * BN}>;
${entry(
  NT,
  `  // Uniform across the workgroup: the grid may have spare workgroups past the end.
  if (group >= p[5]) { return; }
  let M = p[0];
  let N = p[1];
  let K = p[2];
  let tilesM = p[3];
  let tilesN = p[4];
  let perBatch = tilesM * tilesN;
  var batch = group / perBatch;
  let tile = group % perBatch;
  let m0 = (tile / tilesN) * ${BM}u;
  let n0 = (tile % tilesN) * ${BN}u;
  let cOff = batch * M * N;
  let rank = p[6];
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
${accDecl}
  for (var k0 = 0u; k0 < K; k0 += ${BK}u) {
${loadA}
${loadB}
    workgroupBarrier();
    for (var kk = 0u; kk < ${BK}u; kk++) {
${inner}
    }
    workgroupBarrier();
  }
${write}`,
)}`;
}
