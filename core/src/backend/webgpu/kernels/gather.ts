// gather and scatterAdd over the view [outer, axis, inner]; the indices are flattened.

import type { KernelTable } from "../../backend";
import { input, output, type GpuContext } from "../context";
import { sizeOf } from "../layout";
import { Params } from "../params";
import { memoSource } from "../wgsl/common";
import { elementGroups } from "../wgsl/elementwise";
import { gatherShader, scatterAddShader } from "../wgsl/gather";

export function gatherKernels(ctx: GpuContext): Pick<KernelTable, "gather" | "scatterAdd"> {
  return {
    gather: ({ inputs, infos, out, attrs }) => {
      const n = sizeOf(out.shape);
      const result = ctx.alloc(out);
      const x = infos[0].shape;
      const count = sizeOf(infos[1].shape);
      if (n === 0) return result;
      const inner = sizeOf(x.slice(attrs.axis + 1));
      const params = new Params()
        .u32(n, inner, count, x[attrs.axis])
        .divisor(inner, n)
        .divisor(count, Math.ceil(n / inner));
      const bindings = [input(inputs[0], sizeOf(x)), input(inputs[1], count), output(result, n)];
      ctx.run(memoSource(`gather|${out.dtype}`, () => gatherShader(out.dtype)), bindings, params, elementGroups(n));
      return result;
    },

    scatterAdd: ({ inputs, infos, out, attrs }) => {
      const n = sizeOf(out.shape);
      const result = ctx.alloc(out);
      if (n === 0) return result;
      const inner = sizeOf(out.shape.slice(attrs.axis + 1));
      const count = sizeOf(infos[1].shape);
      const params = new Params()
        .u32(n, inner, count, attrs.size)
        .divisor(inner, n)
        .divisor(attrs.size, Math.ceil(n / inner));
      const source = memoSource(`scatterAdd|${out.dtype}`, () => scatterAddShader(out.dtype));
      const bindings = [input(inputs[0], sizeOf(infos[0].shape)), input(inputs[1], count), output(result, n)];
      ctx.run(source, bindings, params, elementGroups(n));
      return result;
    },
  };
}
