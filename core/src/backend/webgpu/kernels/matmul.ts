// Batched matmul [...batch, m, k] x [...batch, k, n] with broadcast batch axes. The batch axes
// are collapsed on the host and walked once per workgroup. Two kernels: workgroup-memory tiles
// for GPUs (wgsl/matmul.ts) and SIMD-lane register blocks for software adapters
// (wgsl/matmulLanes.ts); each has a vec4 variant for aligned shapes and a scalar one.

import type { KernelTable } from "../../backend";
import { input, output, type GpuContext } from "../context";
import { broadcastStrides, collapse, sizeOf } from "../layout";
import { Params } from "../params";
import { memoSource, storageType } from "../wgsl/common";
import { defaultTiles, matmulShader, tileOf } from "../wgsl/matmul";
import { LANE_COLS, LANE_ROWS, LANES, matmulLanesShader } from "../wgsl/matmulLanes";

/** `lanes`: use the software-adapter kernel (see wgsl/matmulLanes.ts). */
export function matmulKernels(ctx: GpuContext, lanes: boolean): Pick<KernelTable, "matmul"> {
  return {
    matmul: ({ inputs, infos, out }) => {
      const result = ctx.alloc(out);
      const n = sizeOf(out.shape);
      if (n === 0) return result;
      const [as, bs] = [infos[0].shape, infos[1].shape];
      const M = as[as.length - 2];
      const K = as[as.length - 1];
      const N = bs[bs.length - 1];
      const batchShape = out.shape.slice(0, -2);
      const batch = collapse(batchShape, [
        broadcastStrides(as.slice(0, -2), batchShape).map((s) => s * M * K),
        broadcastStrides(bs.slice(0, -2), batchShape).map((s) => s * K * N),
      ]);
      const t = storageType(out.dtype);
      // vec4 rows need every row to start on a 16-byte boundary. int32 matmuls are rare
      // enough that one (scalar) variant saves a multi-second cold compile on lavapipe.
      let vec4: boolean;
      let source: string;
      let tilesM: number;
      let tilesN: number;
      if (lanes) {
        vec4 = N % 4 === 0 && t === "f32";
        source = memoSource(`matmul.lanes|${t}|${vec4}`, () => matmulLanesShader(t, vec4));
        tilesM = Math.ceil(M / LANE_ROWS);
        tilesN = Math.ceil(Math.ceil(N / 4) / (LANES * LANE_COLS));
      } else {
        vec4 = K % 4 === 0 && N % 4 === 0 && t === "f32";
        source = memoSource(`matmul.tiles|${t}|${vec4}`, () => matmulShader(t, vec4, defaultTiles));
        const tile = tileOf(defaultTiles);
        tilesM = Math.ceil(M / tile.M);
        tilesN = Math.ceil(N / tile.N);
      }
      const groups = sizeOf(batchShape) * tilesM * tilesN;
      const params = new Params()
        .u32(M, N, K, tilesM, tilesN, groups, batch.shape.length)
        .list(batch.shape)
        .list(batch.strides[0])
        .list(batch.strides[1]);
      const round = (k: number) => (vec4 ? Math.ceil(k / 4) * 4 : k);
      const bindings = [
        input(inputs[0], lanes ? sizeOf(as) : round(sizeOf(as))),
        input(inputs[1], round(sizeOf(bs))),
        output(result, round(n)),
      ];
      ctx.run(source, bindings, params, groups);
      return result;
    },
  };
}
