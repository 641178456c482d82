// Data movement on the CPU: reshape (shares storage), permute, slice, pad, concat, windows,
// gather and scatterAdd.

import type { Kernel } from "../backend";
import { InputError } from "../../errors";
import type { HostArray } from "../../dtype";
import { broadcastStrides, sizeOf, stridesOf } from "../../shape";
import { alloc, allocOverwritten, data } from "./storage";
import { fillArray, runCopier } from "./wasm/tensorheap";
import { interleaveOnHeap } from "./wasm/interleave";
import { transposeOnHeap } from "./wasm/transpose";
import { collapseAxes, transposeLast2 } from "./rows";
import { copyStrided } from "./loops";

export const reshape: Kernel<"reshape"> = ({ inputs }) => inputs[0];

/** True when `perm` swaps the last two axes and keeps the others (a batched matrix .T). */
function swapsLastTwo(perm: readonly number[]): boolean {
  const r = perm.length;
  return r >= 2 && perm[r - 1] === r - 2 && perm[r - 2] === r - 1 && perm.slice(0, r - 2).every((p, i) => p === i);
}

export const permute: Kernel<"permute"> = ({ inputs, infos, out, attrs }) => {
  const x = data(inputs[0]);
  const r = allocOverwritten(out.dtype, sizeOf(out.shape));
  const shape = infos[0].shape;
  const s = stridesOf(shape);
  const from = attrs.perm.map((p) => s[p]);
  const batched = asBatchedTranspose(out.shape, from);
  if (batched && transposeOnHeap(x, r.data, ...batched)) return r;
  if (swapsLastTwo(attrs.perm)) {
    const [m, n] = shape.slice(-2);
    transposeLast2(x, r.data, sizeOf(shape) / (m * n || 1), m, n);
    return r;
  }
  copyStrided(x, from, 0, r.data, stridesOf(out.shape), 0, out.shape);
  return r;
};

/**
 * [batch, m, n] when reading `from` (the input's strides along the output's axes) into a dense
 * output of `shape` is a batch of [m, n] -> [n, m] transposes once axes that move together
 * are merged: conv2d's [N, H, W, C] <-> [N, C, H, W] is N transposes of [H W, C].
 */
function asBatchedTranspose(shape: readonly number[], from: readonly number[]): [number, number, number] | null {
  const [dims, [src]] = collapseAxes(shape, [from, stridesOf(shape)]);
  const K = dims.length;
  if (K < 2 || K > 3) return null;
  const [n, m] = [dims[K - 2], dims[K - 1]];
  if (src[K - 2] !== 1 || src[K - 1] !== n) return null;
  if (K === 3 && src[0] !== m * n) return null;
  return [K === 3 ? dims[0] : 1, m, n];
}

export const slice: Kernel<"slice"> = ({ inputs, infos, out, attrs }) => {
  const s = stridesOf(infos[0].shape);
  const base = attrs.starts.reduce((acc, st, i) => acc + st * s[i], 0);
  const r = allocOverwritten(out.dtype, sizeOf(out.shape));
  copyStrided(data(inputs[0]), attrs.steps.map((st, i) => st * s[i]), base, r.data, stridesOf(out.shape), 0, out.shape);
  return r;
};

export const pad: Kernel<"pad"> = ({ inputs, infos, out, attrs }) => {
  const x = data(inputs[0]);
  const r = allocOverwritten(out.dtype, sizeOf(out.shape));
  fillArray(r.data, attrs.value);
  const os = stridesOf(out.shape);
  const base = attrs.low.reduce((acc, l, i) => acc + l * os[i], 0);
  // The input (dense) lands at strided places of the output.
  const shape = infos[0].shape;
  copyStrided(x, stridesOf(shape), 0, r.data, attrs.interior.map((g, i) => (g + 1) * os[i]), base, shape);
  return r;
};

/** conv2d's columns: one strided read of x [N, H, W, C] (see primitives.ts windows). */
export const windows: Kernel<"windows"> = ({ inputs, infos, out, attrs }) => {
  const [, , w, c] = infos[0].shape;
  const [s0, s1] = attrs.stride;
  const rowStride = w * c;
  const r = allocOverwritten(out.dtype, sizeOf(out.shape));
  const strides = [sizeOf(infos[0].shape.slice(1)), s0 * rowStride, s1 * c, rowStride, c, 1];
  copyStrided(data(inputs[0]), strides, 0, r.data, stridesOf(out.shape), 0, out.shape);
  return r;
};

export const concat: Kernel<"concat"> = ({ inputs, infos, out, attrs }) => {
  const ax = attrs.axis;
  const outer = sizeOf(out.shape.slice(0, ax));
  const inner = sizeOf(out.shape.slice(ax + 1));
  const r = allocOverwritten(out.dtype, sizeOf(out.shape));
  const rowOut = out.shape[ax] * inner;
  const xs = inputs.map(data);
  const rows = infos.map((info) => info.shape[ax] * inner);
  if (rows.every((n) => n < 64)) {
    interleave(r.data, xs, rows, outer);
    return r;
  }
  let col = 0;
  xs.forEach((x, k) => {
    const rowIn = rows[k];
    const copy = runCopier(r.data, x);
    for (let o = 0; o < outer; o++) copy(o * rowOut + col, o * rowIn, rowIn);
    col += rowIn;
  });
  return r;
};

/**
 * Concatenation of short rows (conv2d stacks its K shifted views on the last axis: rows of C
 * values), written in one sequential pass: for each output row, each input's row in turn. One
 * strided pass per input, as before, cost a quarter of the convnet's cpu step: K passes over an
 * output far bigger than the cache. A subarray per row costs ~100 ns a value, hence the loop.
 */
function interleave(d: HostArray, xs: HostArray[], rows: number[], outer: number): void {
  const K = xs.length;
  if (K <= 32 && rows.every((n) => n === 1)) {
    if (!interleaveOnHeap(d, xs, outer)) interleaveOnes(K)(d, xs, outer);
    return;
  }
  for (let o = 0, dst = 0; o < outer; o++) {
    for (let k = 0; k < K; k++) {
      const x = xs[k];
      const n = rows[k];
      for (let i = 0, src = o * n; i < n; i++) d[dst++] = x[src++];
    }
  }
}

type Interleave = (d: HostArray, xs: HostArray[], outer: number) => void;
const interleavers = new Map<number, Interleave>();

/**
 * d[o * K + k] = xs[k][o]: the rows-of-one case, generated per K with each input in a local
 * (a loop over an array of inputs took ~3.8 ns a value; this about half).
 */
function interleaveOnes(K: number): Interleave {
  let f = interleavers.get(K);
  if (!f) {
    const ks = [...Array(K).keys()];
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated, as in loops.ts
    f = new Function(
      "d", "xs", "outer",
      `${ks.map((k) => `const x${k} = xs[${k}];`).join(" ")}
for (let o = 0, dst = 0; o < outer; o++, dst += ${K}) {
${ks.map((k) => `  d[dst + ${k}] = x${k}[o];`).join("\n")}
}`,
    ) as Interleave;
    interleavers.set(K, f);
  }
  return f;
}

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
  const r = allocOverwritten(out.dtype, sizeOf(out.shape));
  let p = 0;
  const copy = runCopier(r.data, x);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < idx.length; j++) {
      const v = idx[j];
      checkIndex(v, n, ax);
      const src = (o * n + v) * inner;
      copy(p, src, inner);
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
