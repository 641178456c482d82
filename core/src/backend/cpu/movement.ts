// Data movement on the CPU: reshape (shares storage), permute, slice, pad, concat,
// gather and scatterAdd.

import type { Kernel } from "../backend";
import { InputError } from "../../errors";
import { broadcastStrides, sizeOf, stridesOf } from "../../shape";
import { alloc, data } from "./storage";
import { transposeLast2 } from "./rows";
import { copyStrided } from "./loops";

export const reshape: Kernel<"reshape"> = ({ inputs }) => inputs[0];

/** True when `perm` swaps the last two axes and keeps the others (a batched matrix .T). */
function swapsLastTwo(perm: readonly number[]): boolean {
  const r = perm.length;
  return r >= 2 && perm[r - 1] === r - 2 && perm[r - 2] === r - 1 && perm.slice(0, r - 2).every((p, i) => p === i);
}

export const permute: Kernel<"permute"> = ({ inputs, infos, out, attrs }) => {
  const x = data(inputs[0]);
  const r = alloc(out.dtype, sizeOf(out.shape));
  const shape = infos[0].shape;
  if (swapsLastTwo(attrs.perm)) {
    const [m, n] = shape.slice(-2);
    transposeLast2(x, r.data, sizeOf(shape) / (m * n || 1), m, n);
    return r;
  }
  const s = stridesOf(shape);
  copyStrided(x, attrs.perm.map((p) => s[p]), 0, r.data, stridesOf(out.shape), 0, out.shape);
  return r;
};

export const slice: Kernel<"slice"> = ({ inputs, infos, out, attrs }) => {
  const s = stridesOf(infos[0].shape);
  const base = attrs.starts.reduce((acc, st, i) => acc + st * s[i], 0);
  const r = alloc(out.dtype, sizeOf(out.shape));
  copyStrided(data(inputs[0]), attrs.steps.map((st, i) => st * s[i]), base, r.data, stridesOf(out.shape), 0, out.shape);
  return r;
};

export const pad: Kernel<"pad"> = ({ inputs, infos, out, attrs }) => {
  const x = data(inputs[0]);
  const r = alloc(out.dtype, sizeOf(out.shape));
  r.data.fill(attrs.value);
  const os = stridesOf(out.shape);
  const base = attrs.low.reduce((acc, l, i) => acc + l * os[i], 0);
  // The input (dense) lands at strided places of the output.
  const shape = infos[0].shape;
  copyStrided(x, stridesOf(shape), 0, r.data, attrs.interior.map((g, i) => (g + 1) * os[i]), base, shape);
  return r;
};

export const concat: Kernel<"concat"> = ({ inputs, infos, out, attrs }) => {
  const ax = attrs.axis;
  const outer = sizeOf(out.shape.slice(0, ax));
  const inner = sizeOf(out.shape.slice(ax + 1));
  const r = alloc(out.dtype, sizeOf(out.shape));
  const rowOut = out.shape[ax] * inner;
  let col = 0;
  inputs.forEach((s, k) => {
    const x = data(s);
    const rowIn = infos[k].shape[ax] * inner;
    if (rowIn >= 64) {
      for (let o = 0; o < outer; o++) r.data.set(x.subarray(o * rowIn, (o + 1) * rowIn), o * rowOut + col);
    } else {
      // Short rows (conv2d stacks its K views on the last axis: rows of one value) copy in a
      // plain loop: a subarray per row cost ~100 ns a value.
      const d = r.data;
      for (let o = 0, src = 0; o < outer; o++) {
        const dst = o * rowOut + col;
        for (let i = 0; i < rowIn; i++) d[dst + i] = x[src++];
      }
    }
    col += rowIn;
  });
  return r;
};

function checkIndex(v: number, n: number, axis: number): void {
  if (v < 0 || v >= n) throw new InputError(`index ${v} is out of range for axis ${axis} with size ${n}`);
}

export const gather: Kernel<"gather"> = ({ inputs, infos, out, attrs }) => {
  const x = data(inputs[0]);
  const idx = data(inputs[1]);
  const shape = infos[0].shape;
  const ax = attrs.axis;
  const n = shape[ax];
  const outer = sizeOf(shape.slice(0, ax));
  const inner = sizeOf(shape.slice(ax + 1));
  const r = alloc(out.dtype, sizeOf(out.shape));
  let p = 0;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < idx.length; j++) {
      const v = idx[j];
      checkIndex(v, n, ax);
      const src = (o * n + v) * inner;
      r.data.set(x.subarray(src, src + inner), p);
      p += inner;
    }
  }
  return r;
};

export const scatterAdd: Kernel<"scatterAdd"> = ({ inputs, infos, out, attrs }) => {
  const u = data(inputs[0]);
  const idx = data(inputs[1]);
  const ax = attrs.axis;
  const n = attrs.size;
  const outer = sizeOf(infos[0].shape.slice(0, ax));
  const inner = sizeOf(out.shape.slice(ax + 1));
  const r = alloc(out.dtype, sizeOf(out.shape));
  const y = r.data;
  let p = 0;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < idx.length; j++) {
      const v = idx[j];
      checkIndex(v, n, ax);
      const dst = (o * n + v) * inner;
      for (let i = 0; i < inner; i++) y[dst + i] += u[p++];
    }
  }
  return r;
};
