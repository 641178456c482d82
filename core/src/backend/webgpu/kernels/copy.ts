// Strided copies shared by the layout kernels and by reduce (which transposes reduced axes
// to the end when they are not adjacent).

import type { Storage } from "../../backend";
import { input, output, type GpuContext } from "../context";
import { collapse, contiguousStrides, isContiguous, sizeOf } from "../layout";
import { Params } from "../params";
import { memoSource } from "../wgsl/common";
import { elementGroups } from "../wgsl/elementwise";
import { contiguousCopyShader, stridedCopyShader } from "../wgsl/copy";

export interface StridedView {
  /** Iteration shape. */
  shape: readonly number[];
  inBase: number;
  inStrides: readonly number[];
  outBase: number;
  outStrides: readonly number[];
}

/**
 * dst[outBase + sum(c * outStrides)] = src[inBase + sum(c * inStrides)] for every coordinate
 * c of `shape`. `srcElements`/`dstElements` bound what the shader may touch.
 */
export function stridedCopy(
  ctx: GpuContext,
  src: Storage,
  srcElements: number,
  dst: Storage,
  dstElements: number,
  view: StridedView,
): void {
  const n = sizeOf(view.shape);
  if (n === 0) return;
  const layout = collapse(view.shape, [view.inStrides, view.outStrides]);
  const bindings = [input(src, srcElements), output(dst, dstElements)];
  if (isContiguous(layout)) {
    const params = new Params().u32(n, view.inBase, view.outBase);
    ctx.run(contiguousCopyShader, bindings, params, elementGroups(n));
    return;
  }
  const params = new Params()
    .u32(n, layout.shape.length, view.inBase, view.outBase)
    .axes(layout.shape, n)
    .list(layout.strides[0])
    .list(layout.strides[1]);
  const rank = layout.shape.length <= 4 ? layout.shape.length : null;
  const source = memoSource(`copy.strided|${rank}`, () => stridedCopyShader(rank));
  ctx.run(source, bindings, params, elementGroups(n));
}

/** A new contiguous tensor of `shape` whose element c is src[base + sum(c * inStrides)]. */
export function gatherView(
  ctx: GpuContext,
  src: Storage,
  srcElements: number,
  shape: readonly number[],
  inBase: number,
  inStrides: readonly number[],
): Storage {
  const n = sizeOf(shape);
  const dst = ctx.allocElements(n);
  stridedCopy(ctx, src, srcElements, dst, n, {
    shape,
    inBase,
    inStrides,
    outBase: 0,
    outStrides: contiguousStrides(shape),
  });
  return dst;
}
