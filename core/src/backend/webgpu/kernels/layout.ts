// reshape, permute, broadcast, slice, windows, pad, concat: all are index remappings, done by the
// strided copy (pad by its own shader, since it mixes a fill value in).

import { castValue } from "../../../dtype";
import type { KernelTable } from "../../backend";
import { input, output, type GpuContext } from "../context";
import { broadcastStrides, contiguousStrides, sizeOf } from "../layout";
import { Params } from "../params";
import { elementGroups } from "../wgsl/elementwise";
import { padShader } from "../wgsl/copy";
import { memoSource } from "../wgsl/common";
import { gatherView, stridedCopy } from "./copy";

interface PadAxis {
  inN: number;
  outN: number;
  low: number;
  interior: number;
}

/**
 * The pad's axes with size-1 unpadded axes dropped and each unpadded axis merged into the axis
 * before it when that one has no interior padding (its low padding scales by the merged size):
 * [64, 8, 11, 11] -> [64, 8, 13, 13] becomes [512, 11, 11] -> [512, 13, 13].
 */
function mergePadAxes(inShape: readonly number[], outShape: readonly number[], low: readonly number[], interior: readonly number[]): PadAxis[] {
  const axes: PadAxis[] = [];
  inShape.forEach((inN, d) => {
    const unpadded = inN === outShape[d] && low[d] === 0 && interior[d] === 0;
    if (unpadded && inN === 1) return;
    const last = axes[axes.length - 1];
    if (unpadded && last && last.interior === 0) {
      last.inN *= inN;
      last.outN *= inN;
      last.low *= inN;
    } else {
      axes.push({ inN, outN: outShape[d], low: low[d], interior: interior[d] });
    }
  });
  return axes.length ? axes : [{ inN: 1, outN: 1, low: 0, interior: 0 }];
}

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
): Pick<KernelTable, "reshape" | "permute" | "broadcast" | "slice" | "pad" | "concat" | "windows"> {
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

    // One copy per kernel row: each is a rank-4 view [N, Ho, Wo, kw*C] (a window row is
    // contiguous in x), which gets the unrolled shader; the whole rank-5 view would not.
    windows: ({ inputs, infos, out, attrs }) => {
      const [n, h, w, c] = infos[0].shape;
      const [, ho, wo, kh, kw] = out.shape;
      const [s0, s1] = attrs.stride;
      const size = sizeOf(out.shape);
      const result = ctx.alloc(out);
      const row = kw * c;
      for (let a = 0; a < kh; a++) {
        stridedCopy(ctx, inputs[0], sizeOf(infos[0].shape), result, size, {
          shape: [n, ho, wo, row],
          inBase: a * w * c,
          inStrides: [h * w * c, s0 * w * c, s1 * c, 1],
          outBase: a * row,
          outStrides: [ho * wo * kh * row, wo * kh * row, kh * row, 1],
        });
      }
      return result;
    },

    pad: ({ inputs, infos, out, attrs }) => {
      const n = sizeOf(out.shape);
      const result = ctx.alloc(out);
      if (n === 0) return result;
      const axes = mergePadAxes(infos[0].shape, out.shape, attrs.low, attrs.interior);
      const inShape = axes.map((a) => a.inN);
      const params = new Params()
        .u32(n, axes.length, fillBits(attrs.value, out.dtype))
        .axes(
          axes.map((a) => a.outN),
          n,
        )
        .list(inShape)
        .list(contiguousStrides(inShape));
      axes.forEach((a) => params.i32(a.low));
      params.list(axes.map((a) => a.interior + 1));
      const bindings = [input(inputs[0], sizeOf(inShape)), output(result, n)];
      const rank = axes.length <= 4 ? axes.length : null;
      ctx.run(
        memoSource(`pad|${rank}`, () => padShader(rank)),
        bindings,
        params,
        elementGroups(n),
      );
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
