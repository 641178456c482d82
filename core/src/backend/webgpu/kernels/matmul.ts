// Batched matmul [...batch, m, k] x [...batch, k, n] with broadcast batch axes. The batch axes
// are collapsed on the host and walked once per workgroup.

import type { KernelTable } from "../../backend";
import { input, output, type GpuContext } from "../context";
import { broadcastStrides, collapse, sizeOf } from "../layout";
import { Params } from "../params";
import { memoSource, storageType } from "../wgsl/common";
import { matmulShader, TILE_M, TILE_N } from "../wgsl/matmul";

export function matmulKernels(ctx: GpuContext): Pick<KernelTable, "matmul"> {
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
      const tilesM = Math.ceil(M / TILE_M);
      const tilesN = Math.ceil(N / TILE_N);
      const groups = sizeOf(batchShape) * tilesM * tilesN;
      const params = new Params()
        .u32(M, N, K, tilesM, tilesN, groups, batch.shape.length)
        .list(batch.shape)
        .list(batch.strides[0])
        .list(batch.strides[1]);
      // vec4 rows need every row of A and B to start on a 16-byte boundary.
      const vec4 = K % 4 === 0 && N % 4 === 0;
      const t = storageType(out.dtype);
      const source = memoSource(`matmul|${t}|${vec4}`, () => matmulShader(t, vec4));
      const round = (k: number) => (vec4 ? Math.ceil(k / 4) * 4 : k);
      const bindings = [
        input(inputs[0], round(sizeOf(as))),
        input(inputs[1], round(sizeOf(bs))),
        output(result, round(n)),
      ];
      ctx.run(source, bindings, params, groups);
      return result;
    },
  };
}
