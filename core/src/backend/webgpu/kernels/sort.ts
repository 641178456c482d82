// argsort: keys, then the bitonic network's passes, then the indices (wgsl/sort.ts). Every
// pass is one dispatch in the same command encoder, so a row of 1,000 values (P = 1024) costs
// 57 small dispatches and no readback.

import type { KernelTable } from "../../backend";
import { input, output, type GpuContext } from "../context";
import { sizeOf } from "../layout";
import { Params } from "../params";
import { memoSource } from "../wgsl/common";
import { elementGroups } from "../wgsl/elementwise";
import { indicesShader, keysShader, stageShader } from "../wgsl/sort";

export function sortKernels(ctx: GpuContext): Pick<KernelTable, "argsort"> {
  return {
    argsort: ({ inputs, infos, out, attrs }) => {
      const n = sizeOf(out.shape);
      const result = ctx.alloc(out);
      if (n === 0) return result;
      const shape = infos[0].shape;
      const len = shape.length ? shape[shape.length - 1] : 1;
      const rows = n / len;
      const logP = Math.ceil(Math.log2(len));
      const padded = rows * 2 ** logP;
      const keys = ctx.allocElements(padded);
      const idx = ctx.allocElements(padded);
      const source = memoSource(`argsort.keys|${infos[0].dtype}`, () => keysShader(infos[0].dtype));
      ctx.run(source, [input(inputs[0], n), output(keys, padded), output(idx, padded)], new Params().u32(padded, len, logP, attrs.descending ? 1 : 0), elementGroups(padded));
      const pairs = padded / 2;
      for (let k = 2; k <= 2 ** logP; k *= 2) {
        for (let j = k / 2; j >= 1; j /= 2) {
          ctx.run(stageShader, [output(keys, padded), output(idx, padded)], new Params().u32(pairs, logP, k, Math.log2(j)), elementGroups(pairs));
        }
      }
      ctx.run(indicesShader, [input(idx, padded), output(result, n)], new Params().u32(n, len, logP).divisor(len, n), elementGroups(n));
      ctx.pool.release(keys);
      ctx.pool.release(idx);
      return result;
    },
  };
}
