// Reductions on the CPU: each input element is added into its output slot, visiting the input
// in memory order (the output offset of each element comes from strides with 0 on reduced axes).

import type { Kernel } from "../backend";
import { stridesOf, sizeOf } from "../../shape";
import { alloc, data } from "./storage";
import { offsets } from "./strided";

/** For each input element, the flat index of the output element it reduces into. */
function targets(shape: readonly number[], axes: number[]): Int32Array {
  const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const ks = stridesOf(kept);
  return offsets(shape, shape.map((_, i) => (axes.includes(i) ? 0 : ks[i])));
}

export const reduce: Kernel<"reduce"> = ({ inputs, infos, out, attrs }) => {
  const x = data(inputs[0]);
  const n = sizeOf(out.shape);
  const r = alloc(out.dtype, n);
  const y = r.data;
  const isInt = out.dtype === "int32";
  const { fn } = attrs;
  const init = fn === "sum" ? 0 : fn === "prod" ? 1 : fn === "max" ? -Infinity : Infinity;
  const acc = new Float64Array(n).fill(init);
  const t = targets(infos[0].shape, attrs.axes);
  if (isInt && fn === "prod") {
    // Wrap at every step like int32 multiplication: a float64 product loses the low bits
    // past 2^53 (3^40 would come out as 0 instead of 689956897).
    y.fill(1);
    for (let i = 0; i < x.length; i++) y[t[i]] = Math.imul(y[t[i]], x[i]);
    return r;
  }
  if (fn === "sum") for (let i = 0; i < x.length; i++) acc[t[i]] += x[i];
  else if (fn === "prod") for (let i = 0; i < x.length; i++) acc[t[i]] *= x[i];
  else if (fn === "max") {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      const k = t[i];
      if (v > acc[k] || v !== v) acc[k] = acc[k] !== acc[k] ? acc[k] : v;
    }
  } else {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      const k = t[i];
      if (v < acc[k] || v !== v) acc[k] = acc[k] !== acc[k] ? acc[k] : v;
    }
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
