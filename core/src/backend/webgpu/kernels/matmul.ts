// Batched matmul [...batch, m, k] x [...batch, k, n] with broadcast batch axes. The batch axes
// are collapsed on the host and walked once per workgroup. Two kernels: workgroup-memory tiles
// for GPUs (wgsl/matmul.ts) and SIMD-lane register blocks for software adapters
// (wgsl/matmulLanes.ts); each has a vec4 variant for aligned shapes and a scalar one.
//
// Split-K: both kernels parallelize over output tiles only, so a product with few tiles and a
// long k (a convolution's weight gradient: [9, 43264] x [43264, 8]) would run on one or two
// workgroups. Such products are computed as `chunks` partial products over k-chunks, written
// to a [chunks, ...batch, m, n] scratch buffer (the chunk is an extra outermost batch axis whose
// strides step A by kChunk columns and B by kChunk rows), then summed over the chunks. On
// lavapipe the lanes of a split product also split k within the chunk ([chunks * LANES, ...]
// scratch); there a [9, 43264] x [43264, 8] product went from ~20 ms to ~2.5 ms. Tall
// products with narrow n (the convolution itself and its input gradient) have the lanes split
// rows instead of columns.

import type { KernelTable } from "../../backend";
import { input, output, type GpuContext } from "../context";
import { broadcastStrides, collapse, sizeOf } from "../layout";
import { Params } from "../params";
import { declare, entry, memoSource, storageType, type StorageType } from "../wgsl/common";
import { defaultTiles, matmulShader, smallTiles, tileOf, type MatmulConfig } from "../wgsl/matmul";
import { LANE_COLS, LANE_ROWS, LANES, matmulLanesShader, type LaneAxis } from "../wgsl/matmulLanes";

/** Workgroups we like to have for a matmul; fewer output tiles get their k split. */
const TARGET_GROUPS_LANES = 64;
const TARGET_GROUPS_TILES = 256;
/** Shortest k-chunk worth a workgroup of its own; chunks are multiples of CHUNK_ALIGN. */
const MIN_K_CHUNK = 256;
const CHUNK_ALIGN = 16;
const SUM_WORKGROUP = 64;

/** out[i] = sum over c < chunks of parts[c * count + i]. Params: [count, chunks]. */
function sumChunksShader(t: StorageType): string {
  return `${declare([
    { name: "parts", type: t },
    { name: "out", type: t, write: true },
  ])}
${entry(
  SUM_WORKGROUP,
  `  let i = group * ${SUM_WORKGROUP}u + lid;
  let count = p[0];
  if (i >= count) { return; }
  var s = ${t}();
  for (var c = 0u; c < p[1]; c++) { s += parts[c * count + i]; }
  out[i] = s;`,
)}`;
}

/**
 * Chunks and chunk length (a multiple of CHUNK_ALIGN, so vec4 loads stay aligned) for
 * splitting k over `groups` output-tile workgroups; { chunks: 1, kChunk: K } for no split.
 */
export function splitK(K: number, groups: number, lanes: boolean): { chunks: number; kChunk: number } {
  const target = lanes ? TARGET_GROUPS_LANES : TARGET_GROUPS_TILES;
  // Few tiles means a small output, so the [chunks (x LANES), ...batch, m, n] scratch stays
  // small too: at most target * LANES * (a tile) elements.
  if (groups >= target / 2 || K < 2 * MIN_K_CHUNK) return { chunks: 1, kChunk: K };
  const wanted = Math.min(Math.ceil(target / groups), Math.floor(K / MIN_K_CHUNK));
  const kChunk = Math.ceil(K / wanted / CHUNK_ALIGN) * CHUNK_ALIGN;
  return { chunks: Math.ceil(K / kChunk), kChunk };
}

/**
 * What the lanes of an unsplit lanes product split (see wgsl/matmulLanes.ts): columns, unless
 * rows use more of the lanes' register blocks. A "cols" tile is LANES * LANE_COLS vec4
 * columns wide, so n of 8 vec4s (a [12544, 144] x [144, 32] convolution) leaves half the
 * lanes computing clamped duplicates, and n of 36 vec4s a quarter; a "rows" tile is
 * LANES * LANE_ROWS rows tall, which tall products fill. At equal use the column layout is
 * the faster (B loads contiguous across lanes, where rows gather A), hence the 1.1 margin.
 * Medians on lavapipe (2 busy cores, alternating in one process): [12544,144] x [32,144]^T
 * 44 -> 24 ms wall, [12544,32] x [32,144] 34 -> 26 ms CPU time; square products keep "cols".
 */
export function laneAxis(M: number, n4: number): "cols" | "rows" {
  const used = (n: number, tile: number) => n / (Math.ceil(n / tile) * tile);
  const cols = used(n4, LANES * LANE_COLS) * used(M, LANE_ROWS);
  const rows = used(n4, LANE_COLS) * used(M, LANES * LANE_ROWS);
  return rows > 1.1 * cols ? "rows" : "cols";
}

/**
 * The tile configuration for a GPU product: 64 x 64 tiles (defaultTiles), or 32 x 32 tiles
 * (smallTiles) when the 64 x 64 grid would have fewer than SMALL_GRID workgroups, too few to
 * fill a GPU's multiprocessors; or the configuration forced by setMatmulTiles.
 */
function tilesFor(M: number, N: number, batches: number): MatmulConfig {
  if (forcedTiles) return forcedTiles;
  const big = tileOf(defaultTiles);
  return batches * Math.ceil(M / big.M) * Math.ceil(N / big.N) < SMALL_GRID ? smallTiles : defaultTiles;
}
const SMALL_GRID = 64;

/**
 * Forces one tile configuration on every GPU product (null: choose by size), for tuning:
 * bench/gpu-tiles.mjs sweeps them in one process. TSDL_MATMUL_TILES="WX,WY,RM,CV,BK" sets it
 * at start-up.
 */
export function setMatmulTiles(config: MatmulConfig | null): void {
  if (config) {
    const { WX, WY, RM, CV, BK } = config;
    if (![WX, WY, RM, CV, BK].every((v) => Number.isInteger(v) && v > 0) || BK % 4 !== 0) {
      throw new Error(`matmul tiles ${WX},${WY},${RM},${CV},${BK}: want five positive integers WX,WY,RM,CV,BK with BK a multiple of 4`);
    }
  }
  forcedTiles = config;
}
let forcedTiles: MatmulConfig | null = null;
{
  const forced = typeof process === "undefined" ? undefined : process.env?.TSDL_MATMUL_TILES;
  if (forced) {
    const [WX, WY, RM, CV, BK] = forced.split(",").map(Number);
    setMatmulTiles({ WX, WY, RM, CV, BK });
  }
}

/** `lanes`: use the software-adapter kernel (see wgsl/matmulLanes.ts). */
export function matmulKernels(ctx: GpuContext, lanes: boolean): Pick<KernelTable, "matmul"> {
  return {
    matmul: ({ inputs, infos, out, attrs }) => {
      const result = ctx.alloc(out);
      const n = sizeOf(out.shape);
      if (n === 0) return result;
      // Transposed operands (A stored [K, M], B [N, K]) are read with swapped indices.
      const transA = attrs.transA === true;
      const transB = attrs.transB === true;
      const trans = `${transA ? "|tA" : ""}${transB ? "|tB" : ""}`;
      const [as, bs] = [infos[0].shape, infos[1].shape];
      const M = as[as.length - (transA ? 1 : 2)];
      const K = as[as.length - (transA ? 2 : 1)];
      const N = bs[bs.length - (transB ? 2 : 1)];
      const batchShape = out.shape.slice(0, -2);
      const t = storageType(out.dtype);
      // vec4 rows need every row to start on a 16-byte boundary. int32 matmuls are rare
      // enough that one (scalar) variant saves a multi-second cold compile on lavapipe.
      let vec4: boolean;
      let source: string;
      let tilesM: number;
      let tilesN: number;
      let chunks: number;
      let kChunk: number;
      /** Partial products per output element: chunks, times LANES when the lanes split k. */
      let slots: number;
      const batches = sizeOf(batchShape);
      if (lanes) {
        vec4 = N % 4 === 0 && t === "f32";
        const n4 = Math.ceil(N / 4);
        tilesM = Math.ceil(M / LANE_ROWS);
        tilesN = Math.ceil(n4 / (LANES * LANE_COLS));
        ({ chunks, kChunk } = splitK(K, batches * tilesM * tilesN, true));
        const axis: LaneAxis = chunks > 1 ? "k" : laneAxis(M, n4);
        if (axis !== "cols") tilesN = Math.ceil(n4 / LANE_COLS);
        if (axis === "rows") tilesM = Math.ceil(M / (LANES * LANE_ROWS));
        slots = axis === "k" ? chunks * LANES : chunks;
        source = memoSource(`matmul.lanes|${t}|${vec4}|${axis}${trans}`, () => matmulLanesShader(t, vec4, axis, transA, transB));
      } else {
        vec4 = K % 4 === 0 && N % 4 === 0 && t === "f32";
        const config = tilesFor(M, N, batches);
        const { WX, WY, RM, CV, BK } = config;
        source = memoSource(`matmul.tiles|${t}|${vec4}${trans}|${WX},${WY},${RM},${CV},${BK}`, () => matmulShader(t, vec4, config, transA, transB));
        const tile = tileOf(config);
        tilesM = Math.ceil(M / tile.M);
        tilesN = Math.ceil(N / tile.N);
        ({ chunks, kChunk } = splitK(K, batches * tilesM * tilesN, false));
        slots = chunks;
      }
      const round = (k: number) => (vec4 ? Math.ceil(k / 4) * 4 : k);
      const groupsPerChunk = batches * tilesM * tilesN;
      const groups = chunks * groupsPerChunk;
      const chunkShape = chunks > 1 ? [chunks] : [];
      const batch = collapse(
        [...chunkShape, ...batchShape],
        [
          // A chunk starts kChunk along k: kChunk columns of A (rows if transposed), kChunk rows of B.
          [...chunkShape.map(() => (transA ? kChunk * M : kChunk)), ...broadcastStrides(as.slice(0, -2), batchShape).map((s) => s * M * K)],
          [...chunkShape.map(() => (transB ? kChunk : kChunk * N)), ...broadcastStrides(bs.slice(0, -2), batchShape).map((s) => s * K * N)],
        ],
      );
      const params = new Params()
        .u32(M, N, K, tilesM, tilesN, groups, batch.shape.length)
        .list(batch.shape)
        .list(batch.strides[0])
        .list(batch.strides[1])
        .u32(kChunk, groupsPerChunk);
      const parts = slots > 1 ? ctx.allocElements(round(slots * n)) : result;
      const bindings = [
        // An operand read as scalars is bound at its size; vec4 bindings round up.
        input(inputs[0], lanes || transA ? sizeOf(as) : round(sizeOf(as))),
        input(inputs[1], transB ? sizeOf(bs) : round(sizeOf(bs))),
        output(parts, round(slots * n)),
      ];
      ctx.run(source, bindings, params, groups);
      if (slots > 1) {
        const sum = memoSource(`matmul.sumChunks|${t}`, () => sumChunksShader(t));
        ctx.run(sum, [input(parts, slots * n), output(result, n)], new Params().u32(n, slots), Math.ceil(n / SUM_WORKGROUP));
        ctx.pool.release(parts);
      }
      return result;
    },
  };
}
