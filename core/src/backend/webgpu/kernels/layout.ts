// reshape, permute, broadcast, slice, pad, concat: all are index remappings, done by the
// strided copy (pad by its own shader, since it mixes a fill value in).

import { castValue } from "../../../dtype";
import type { KernelTable } from "../../backend";
import { input, output, type GpuContext } from "../context";
import { broadcastStrides, contiguousStrides, sizeOf } from "../layout";
import { Params } from "../params";
import { elementGroups } from "../wgsl/elementwise";
import { padShader } from "../wgsl/copy";
import { gatherView, stridedCopy } from "./copy";

/** The 32-bit pattern of `value` stored as `dtype` on the GPU. */
function fillBits(value: number, dtype: "float32" | "int32" | "bool"): number {
  const v = castValue(value, dtype);
  if (dtype !== "float32") return v >>> 0;
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, v, true);
  return view.getUint32(0, true);
}

export function layoutKernels(
  ctx: GpuContext,
): Pick<KernelTable, "reshape" | "permute" | "broadcast" | "slice" | "pad" | "concat"> {
  return {
    // Same elements in the same order: share the storage; the memory module counts references.
    reshape: ({ inputs }) => inputs[0],

    permute: ({ inputs, infos, out, attrs }) => {
      const inStrides = contiguousStrides(infos[0].shape);
      const strides = attrs.perm.map((axis) => inStrides[axis]);
      return gatherView(ctx, inputs[0], sizeOf(infos[0].shape), out.shape, 0, strides);
    },

    broadcast: ({ inputs, infos, out }) =>
      gatherView(ctx, inputs[0], sizeOf(infos[0].shape), out.shape, 0, broadcastStrides(infos[0].shape, out.shape)),

    slice: ({ inputs, infos, out, attrs }) => {
      const inStrides = contiguousStrides(infos[0].shape);
      let base = 0;
      attrs.starts.forEach((s, d) => (base += s * inStrides[d]));
      const strides = attrs.steps.map((step, d) => step * inStrides[d]);
      return gatherView(ctx, inputs[0], sizeOf(infos[0].shape), out.shape, base, strides);
    },

    pad: ({ inputs, infos, out, attrs }) => {
      const n = sizeOf(out.shape);
      const result = ctx.alloc(out);
      if (n === 0) return result;
      const inShape = infos[0].shape;
      const params = new Params()
        .u32(n, out.shape.length, fillBits(attrs.value, out.dtype))
        .axes(out.shape, n)
        .list(inShape)
        .list(contiguousStrides(inShape));
      attrs.low.forEach((l) => params.i32(l));
      params.list(attrs.interior.map((k) => k + 1));
      const bindings = [input(inputs[0], sizeOf(inShape)), output(result, n)];
      ctx.run(padShader, bindings, params, elementGroups(n));
      return result;
    },

    concat: ({ inputs, infos, out, attrs }) => {
      const n = sizeOf(out.shape);
      const result = ctx.alloc(out);
      const outStrides = contiguousStrides(out.shape);
      let offset = 0;
      inputs.forEach((storage, k) => {
        const shape = infos[k].shape;
        stridedCopy(ctx, storage, sizeOf(shape), result, n, {
          shape,
          inBase: 0,
          inStrides: contiguousStrides(shape),
          outBase: offset * (outStrides[attrs.axis] ?? 0),
          outStrides,
        });
        offset += shape[attrs.axis];
      });
      return result;
    },
  };
}
