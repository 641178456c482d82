// Reductions on the CPU: the input is visited in memory order, one row (last axis) at a time,
// each row folded into its output slot (reduced last axis) or slots (kept last axis); the
// output offsets come from strides with 0 on reduced axes.

import type { Kernel, Storage } from "../backend";
import type { HostArray } from "../../dtype";
import type { PrimitiveAttrs, TensorInfo } from "../../ops/primitives";
import { stridesOf, sizeOf } from "../../shape";
import { alloc, data } from "./storage";

import { blockPlan, leafCode, runFold, simdOpsOf, type Body } from "./loops";
import { simdFold } from "./wasm/simdfold";
import type { CpuFuser } from "./fusion";

/** The reduction's input: one leaf read densely, or (fusion) a pending chain's body. */
export interface ReduceInput {
  body: Body;
  /** Per leaf: its data and strides as seen from the reduced input's shape. */
  xs: HostArray[];
  strides: number[][];
}

/** Folds `input` (of `shape`) over `axes` into a new storage of `out`. */
export function computeReduce(input: ReduceInput, shape: readonly number[], out: TensorInfo, attrs: PrimitiveAttrs["reduce"]): Storage {
  const n = sizeOf(out.shape);
  const r = alloc(out.dtype, n);
  const y = r.data;
  const isInt = out.dtype === "int32";
  const { fn } = attrs;
  const init = fn === "sum" ? 0 : fn === "prod" ? 1 : fn === "max" ? -Infinity : Infinity;
  if (sizeOf(shape) === 0) {
    y.fill(isInt ? init | 0 : init);
    return r;
  }
  // Row by row along the input's last axis, the output offsets as one more stream.
  const kept = shape.map((d, i) => (attrs.axes.includes(i) ? 1 : d));
  const ks = stridesOf(kept);
  const plan = blockPlan(shape, [...input.strides, shape.map((_, i) => (attrs.axes.includes(i) ? 0 : ks[i]))]);
  const ops = y instanceof Float32Array ? simdOpsOf(input.body) : undefined;
  if (ops && simdFold(fn, input.body.key, ops, y as Float32Array, init, plan, input.xs)) return r;
  const acc = new Float64Array(n).fill(init);
  runFold(fn, isInt, input.body, acc, plan, input.xs);
  // Sums are accumulated in float64 and rounded once; ints wrap like int32 arithmetic.
  if (isInt) for (let k = 0; k < n; k++) y[k] = acc[k] | 0;
  else y.set(acc);
  return r;
}

/** The reduce kernel: a pending (fused) input is folded straight from its leaves. */
export function reduceKernel(fuser: CpuFuser): Kernel<"reduce"> {
  return ({ inputs, infos, out, attrs }) => {
    const info = infos[0];
    const input = fuser.reduceInput(inputs[0], info) ?? {
      body: { key: "leaf", dtypes: [info.dtype], code: leafCode },
      xs: [data(inputs[0])],
      strides: [stridesOf(info.shape)],
    };
    return computeReduce(input, info.shape, out, attrs);
  };
}

export const argReduce: Kernel<"argReduce"> = ({ inputs, infos, out, attrs }) => {
  const x = data(inputs[0]);
  const shape = infos[0].shape;
  const ax = attrs.axis;
  const len = shape[ax];
  const inner = sizeOf(shape.slice(ax + 1));
  const outer = sizeOf(shape.slice(0, ax));
  const r = alloc("int32", sizeOf(out.shape));
  const y = r.data;
  const better = attrs.fn === "argmax" ? (v: number, b: number) => v > b : (v: number, b: number) => v < b;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * len * inner + j;
      let best = x[base];
      let bi = 0;
      for (let i = 1; i < len && best === best; i++) {
        const v = x[base + i * inner];
        if (v !== v || better(v, best)) {
          best = v;
          bi = i;
        }
      }
      y[o * inner + j] = bi;
    }
  }
  return r;
};
