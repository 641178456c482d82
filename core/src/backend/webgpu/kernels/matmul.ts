// Batched matmul [...batch, m, k] x [...batch, k, n] with broadcast batch axes. The batch axes
// are collapsed on the host and walked per workgroup (one division per axis per workgroup).

import type { KernelTable } from "../../backend";
import { input, output, type GpuContext } from "../context";
import { broadcastStrides, collapse, sizeOf } from "../layout";
import { Params } from "../params";
import { memoSource, storageType } from "../wgsl/common";
import { defaultMatmulConfig, matmulShader, tileSize, type MatmulConfig } from "../wgsl/matmul";

export function matmulKernels(
  ctx: GpuContext,
  config: MatmulConfig = defaultMatmulConfig,
): Pick<KernelTable, "matmul"> {
  const { BM, BN } = tileSize(config);
  const configKey = JSON.stringify(config);
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
      const tilesM = Math.ceil(M / BM);
      const tilesN = Math.ceil(N / BN);
      const groups = sizeOf(batchShape) * tilesM * tilesN;
      const params = new Params()
        .u32(M, N, K, tilesM, tilesN, groups, batch.shape.length)
        .list(batch.shape)
        .list(batch.strides[0])
        .list(batch.strides[1]);
      const t = storageType(out.dtype);
      const source = memoSource(`matmul|${t}|${configKey}`, () => matmulShader(t, config));
      const bindings = [input(inputs[0], sizeOf(as)), input(inputs[1], sizeOf(bs)), output(result, n)];
      ctx.run(source, bindings, params, groups);
      return result;
    },
  };
}
