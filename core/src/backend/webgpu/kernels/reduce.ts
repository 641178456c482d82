// reduce and argReduce. Every reduction is brought to the view [A, R, C] (reduce the middle):
// size-1 axes are dropped and neighbours merged; when the reduced axes are not one adjacent
// run, a transposing copy first moves them to the end. Large R is split into chunks whose
// partial results feed further passes (see wgsl/reduce.ts).

import type { DType } from "../../../dtype";
import type { KernelTable, Storage } from "../../backend";
import { input, output, type GpuContext } from "../context";
import { contiguousStrides, sizeOf } from "../layout";
import { Params } from "../params";
import { memoSource } from "../wgsl/common";
import {
  REDUCE_WORKGROUP,
  stridedArgShader,
  stridedReduceShader,
  treeArgShader,
  treeReduceShader,
} from "../wgsl/reduce";
import { gatherView } from "./copy";
import type { ReduceFn } from "../../../ops/primitives";
import type { GPUStorage } from "../buffers";
import type { Fuser, FusedLoad } from "../fusion";

/** Threads we like to have in flight; fewer outputs than this get their R split into chunks. */
const TARGET_THREADS = 16384;
/** Elements one tree workgroup reduces per pass. */
const TREE_CHUNK = 8192;

interface View3 {
  storage: Storage;
  /** Whether `storage` is a temporary this kernel must release. */
  temporary: boolean;
  A: number;
  R: number;
  C: number;
}

interface Dim {
  n: number;
  red: boolean;
  axis: number;
}

/** [A, R, C] when the reduced axes of `shape` are one adjacent run (after dropping size 1s). */
function plainView(shape: readonly number[], axes: readonly number[]): { A: number; R: number; C: number; dims: Dim[] } {
  const reduced = new Set(axes);
  const dims = shape.map((n, i) => ({ n, red: reduced.has(i), axis: i })).filter((d) => d.n !== 1);
  const firstRed = dims.findIndex((d) => d.red);
  const lastRed = dims.length - 1 - [...dims].reverse().findIndex((d) => d.red);
  const prod = (ds: typeof dims) => ds.reduce((s, d) => s * d.n, 1);
  if (firstRed < 0) return { A: prod(dims), R: 1, C: 1, dims };
  const middle = dims.slice(firstRed, lastRed + 1);
  if (!middle.every((d) => d.red)) return { A: -1, R: -1, C: -1, dims };
  return { A: prod(dims.slice(0, firstRed)), R: prod(middle), C: prod(dims.slice(lastRed + 1)), dims };
}

/** Brings x to [A, R, C], copying when the reduced axes are not adjacent. */
function toView3(ctx: GpuContext, x: Storage, shape: readonly number[], axes: readonly number[]): View3 {
  const plain = plainView(shape, axes);
  if (plain.A >= 0) return { storage: x, temporary: false, A: plain.A, R: plain.R, C: plain.C };
  const dims = plain.dims;
  const prod = (ds: typeof dims) => ds.reduce((s, d) => s * d.n, 1);
  // Kept axes first, reduced axes last, by a transposing copy.
  const order = [...dims.filter((d) => !d.red), ...dims.filter((d) => d.red)];
  const strides = contiguousStrides(shape);
  const copy = gatherView(
    ctx,
    x,
    sizeOf(shape),
    order.map((d) => d.n),
    0,
    order.map((d) => strides[d.axis]),
  );
  return { storage: copy, temporary: true, A: prod(order.filter((d) => !d.red)), R: prod(order.filter((d) => d.red)), C: 1 };
}

/** Where a fused first pass's parameters start in the params block (after the reduce's own). */
const FUSED_BASE = 10;

function reducePasses(
  ctx: GpuContext,
  view: View3,
  fn: ReduceFn,
  inType: DType,
  outType: DType,
  result: GPUStorage,
  useTree: boolean,
  /** The first pass computes its input from a pending expression instead of reading a buffer. */
  fused: FusedLoad | null = null,
): void {
  let { storage: src, temporary, A, R } = view;
  const C = view.C;
  let srcType = inType;
  for (;;) {
    const outputs = A * C;
    // Split R into parts only when the outputs alone give too few threads.
    const split = outputs < TARGET_THREADS && R > 64;
    const tree = split && useTree && C === 1 && R >= REDUCE_WORKGROUP;
    const interleaved = split && !tree && C === 1;
    const parts = !split ? 1 : tree ? Math.ceil(R / TREE_CHUNK) : Math.min(Math.ceil(R / 64), Math.ceil(TARGET_THREADS / outputs));
    const dst = parts === 1 ? result : ctx.allocElements(A * parts * C);
    const f = fused;
    const bindings = f
      ? [...f.storages.map((s, k) => input(s, f.sizes[k])), output(dst, A * parts * C)]
      : [input(src, A * R * C), output(dst, A * parts * C)];
    const fusedKey = f ? `|${f.key}` : "";
    const fusedSource = () => f?.source();
    let params: Params;
    let source: string;
    let groups: number;
    if (tree) {
      source = memoSource(`reduce.tree|${fn}|${srcType}|${outType}${fusedKey}`, () =>
        treeReduceShader(fn, srcType, outType, fusedSource()),
      );
      params = new Params().u32(A * parts, R, parts, Math.ceil(R / parts));
      groups = A * parts;
    } else {
      source = memoSource(`reduce.strided|${fn}|${srcType}|${outType}${fusedKey}`, () =>
        stridedReduceShader(fn, srcType, outType, fusedSource()),
      );
      const count = A * parts * C;
      const [span, step] = interleaved ? [R, parts] : [Math.ceil(R / parts), 1];
      params = new Params().u32(count, C, R, parts, span, step).divisor(C, count).divisor(parts, count / C);
      groups = Math.ceil(count / REDUCE_WORKGROUP);
    }
    if (fused) {
      while (params.length < FUSED_BASE) params.u32(0);
      fused.params(params);
    }
    ctx.run(source, bindings, params, groups);
    fused = null;
    if (temporary) ctx.pool.release(src as GPUStorage);
    if (parts === 1) return;
    src = dst;
    temporary = true;
    R = parts;
    srcType = outType;
  }
}

/**
 * `treeReductions`: reduce long contiguous rows with workgroup trees (GPUs) rather than
 * interleaved per-thread loops (faster on software adapters such as lavapipe).
 */
export function reduceKernels(ctx: GpuContext, fuser: Fuser, treeReductions: boolean): Pick<KernelTable, "reduce" | "argReduce"> {
  return {
    reduce: ({ inputs, infos, out, attrs }) => {
      const result = ctx.alloc(out);
      if (sizeOf(out.shape) === 0) return result;
      // A pending input whose reduced axes need no transposing copy is computed in the load.
      const node = fuser.pendingNode(inputs[0], infos[0]);
      const plain = plainView(infos[0].shape, attrs.axes);
      if (node && plain.A >= 0) {
        const view = { storage: inputs[0], temporary: false, A: plain.A, R: plain.R, C: plain.C };
        const fused = fuser.reduceInput(node, FUSED_BASE);
        reducePasses(ctx, view, attrs.fn, infos[0].dtype, out.dtype, result, treeReductions, fused);
        return result;
      }
      const view = toView3(ctx, fuser.materialize(inputs[0]), infos[0].shape, attrs.axes);
      reducePasses(ctx, view, attrs.fn, infos[0].dtype, out.dtype, result, treeReductions);
      return result;
    },

    argReduce: ({ inputs, infos, out, attrs }) => {
      const result = ctx.alloc(out);
      const n = sizeOf(out.shape);
      if (n === 0) return result;
      const shape = infos[0].shape;
      const A = sizeOf(shape.slice(0, attrs.axis));
      const R = shape[attrs.axis];
      const C = sizeOf(shape.slice(attrs.axis + 1));
      const dtype = infos[0].dtype;
      const bindings = [input(inputs[0], sizeOf(shape)), output(result, n)];
      // A few long rows: one workgroup per row even on software adapters, where a lone
      // thread scanning millions of elements would be slower still.
      if (C === 1 && R >= 2048 && A < TARGET_THREADS / REDUCE_WORKGROUP) {
        const source = memoSource(`arg.tree|${attrs.fn}|${dtype}`, () => treeArgShader(attrs.fn, dtype));
        ctx.run(source, bindings, new Params().u32(A, R), A);
      } else {
        const source = memoSource(`arg.strided|${attrs.fn}|${dtype}`, () => stridedArgShader(attrs.fn, dtype));
        const params = new Params().u32(A * C, C, R).divisor(C, A * C);
        ctx.run(source, bindings, params, Math.ceil((A * C) / REDUCE_WORKGROUP));
      }
      return result;
    },
  };
}
