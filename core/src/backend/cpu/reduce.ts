// Reductions on the CPU: the input is visited in memory order, one row (last axis) at a time,
// each row folded into its output slot (reduced last axis) or slots (kept last axis); the
// output offsets come from strides with 0 on reduced axes.

import type { Kernel } from "../backend";
import { stridesOf, sizeOf } from "../../shape";
import { alloc, data } from "./storage";
import { offsets } from "./strided";
import { rowPlan } from "./rows";

/** For each input element, the flat index of the output element it reduces into. */
function targets(shape: readonly number[], axes: number[]): Int32Array {
  const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const ks = stridesOf(kept);
  return offsets(shape, shape.map((_, i) => (axes.includes(i) ? 0 : ks[i])));
}

type Acc = Float64Array;
type Host = ReturnType<typeof data>;
/** Folds one input row (len elements from xo) into acc: into acc[k] alone when the row's axis
 * is reduced (step 0), else element by element into acc[k..k+len). NaN wins in max and min. */
type Fold = (acc: Acc, k: number, step: number, x: Host, xo: number, len: number) => void;

const folds: Record<"sum" | "prod" | "max" | "min", Fold> = {
  sum: (acc, k, step, x, xo, len) => {
    if (step === 0) {
      let a = acc[k];
      for (let i = 0; i < len; i++) a += x[xo + i];
      acc[k] = a;
    } else for (let i = 0; i < len; i++) acc[k + i] += x[xo + i];
  },
  prod: (acc, k, step, x, xo, len) => {
    if (step === 0) {
      let a = acc[k];
      for (let i = 0; i < len; i++) a *= x[xo + i];
      acc[k] = a;
    } else for (let i = 0; i < len; i++) acc[k + i] *= x[xo + i];
  },
  max: (acc, k, step, x, xo, len) => {
    if (step === 0) {
      let a = acc[k];
      for (let i = 0; i < len; i++) {
        const v = x[xo + i];
        if (v > a || v !== v) a = a !== a ? a : v;
      }
      acc[k] = a;
    } else {
      for (let i = 0; i < len; i++) {
        const v = x[xo + i];
        const a = acc[k + i];
        if (v > a || v !== v) acc[k + i] = a !== a ? a : v;
      }
    }
  },
  min: (acc, k, step, x, xo, len) => {
    if (step === 0) {
      let a = acc[k];
      for (let i = 0; i < len; i++) {
        const v = x[xo + i];
        if (v < a || v !== v) a = a !== a ? a : v;
      }
      acc[k] = a;
    } else {
      for (let i = 0; i < len; i++) {
        const v = x[xo + i];
        const a = acc[k + i];
        if (v < a || v !== v) acc[k + i] = a !== a ? a : v;
      }
    }
  },
};

export const reduce: Kernel<"reduce"> = ({ inputs, infos, out, attrs }) => {
  const x = data(inputs[0]);
  const n = sizeOf(out.shape);
  const r = alloc(out.dtype, n);
  const y = r.data;
  const isInt = out.dtype === "int32";
  const { fn } = attrs;
  const shape = infos[0].shape;
  if (isInt && fn === "prod") {
    // Wrap at every step like int32 multiplication: a float64 product loses the low bits
    // past 2^53 (3^40 would come out as 0 instead of 689956897).
    const t = targets(shape, attrs.axes);
    y.fill(1);
    for (let i = 0; i < x.length; i++) y[t[i]] = Math.imul(y[t[i]], x[i]);
    return r;
  }
  const init = fn === "sum" ? 0 : fn === "prod" ? 1 : fn === "max" ? -Infinity : Infinity;
  const acc = new Float64Array(n).fill(init);
  if (x.length > 0) {
    // Row by row along the input's last axis (contiguous), with the output offset of each row.
    const kept = shape.map((d, i) => (attrs.axes.includes(i) ? 1 : d));
    const ks = stridesOf(kept);
    const plan = rowPlan(shape, [shape.map((_, i) => (attrs.axes.includes(i) ? 0 : ks[i]))]);
    const fold = folds[fn];
    const starts = plan.starts[0];
    const step = plan.steps[0];
    for (let row = 0; row < plan.rows; row++) fold(acc, starts[row], step, x, row * plan.len, plan.len);
  }
  // Sums are accumulated in float64 and rounded once; ints wrap like int32 arithmetic.
  for (let k = 0; k < n; k++) y[k] = isInt ? acc[k] | 0 : acc[k];
  return r;
};

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
