// Batched transposes in WebAssembly SIMD, dst[b, j, i] = src[b, i, j] for [m, n] matrices with
// m and n multiples of 4, both arrays on the tensor heap: 4 x 4 tiles of four row loads, eight
// lane shuffles and four stores. conv2d moves activations between [N, H, W, C] (its matmul's
// layout) and [N, C, H, W] four times a step; the generated JavaScript copies took 1.5-2 ns a
// value (7.5 ms of the bench's convnet step). Only a copy: the same bits.
//
// The side walked with a stride (dst rows here) is limited to 64 rows, so every row being
// written stays in cache; larger transposes keep the cache-tiled JavaScript (rows.ts).

import { Body, encodeModule, i32, v128 } from "./emit";
import type { WasmHeap } from "./heap";
import { tensorHeap } from "./tensorheap";

const PAGE = 65536;
const MIN_VALUES = 4096;
const MAX_STRIDED_ROWS = 64;

/** Transposes run in wasm (tests). */
export const transposeStats = { runs: 0 };

type Kernel = (src: number, dst: number, batch: number, m: number, n: number) => void;
let kernel: { heap: WasmHeap; run: Kernel } | null = null;

function emit(heap: WasmHeap): Kernel {
  const f = new Body([i32, i32, i32, i32, i32]);
  const [src, dst, batch, m, n] = [0, 1, 2, 3, 4];
  const b = f.local(i32);
  const i = f.local(i32);
  const j = f.local(i32);
  const s = f.local(i32);
  const d = f.local(i32);
  const rowBytes = f.local(i32); // 4 n: one source row
  const colBytes = f.local(i32); // 4 m: one destination row
  const v = [f.local(v128), f.local(v128), f.local(v128), f.local(v128)];
  const lo = f.local(v128);
  const hi = f.local(v128);
  f.get(n).i32c(2).shl().set(rowBytes);
  f.get(m).i32c(2).shl().set(colBytes);
  f.i32c(0).set(b).forLoop(b, batch, 1, () => {
    f.i32c(0).set(i).forLoop(i, m, 4, () => {
      f.i32c(0).set(j).forLoop(j, n, 4, () => {
        // s = src + 4 ((b m + i) n + j); d = dst + 4 ((b n + j) m + i)
        f.get(src).get(b).get(m).mul().get(i).add().get(n).mul().get(j).add().i32c(2).shl().add().set(s);
        f.get(dst).get(b).get(n).mul().get(j).add().get(m).mul().get(i).add().i32c(2).shl().add().set(d);
        for (let r = 0; r < 4; r++) {
          f.get(s).v128Load().set(v[r]);
          if (r < 3) f.get(s).get(rowBytes).add().set(s);
        }
        // rows a, b, c, d -> columns (a0 b0 c0 d0) .. (a3 b3 c3 d3): destination rows j .. j + 3
        f.transpose4(v, lo, hi, (_, column) => {
          f.get(d);
          column();
          f.v128Store();
          f.get(d).get(colBytes).add().set(d);
        });
      });
    });
  });
  const bytes = encodeModule({
    memory: { initialPages: 1, maximumPages: heap.maxBytes / PAGE, shared: heap.shared },
    functions: [{ name: "run", body: f }],
  });
  return (new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: heap.memory } }).exports as { run: Kernel }).run;
}

/** The transpose in wasm when it is one this takes (see above); else false, having done nothing. */
export function transposeOnHeap(src: ArrayLike<number>, dst: ArrayLike<number>, batch: number, m: number, n: number): boolean {
  if (m % 4 !== 0 || n % 4 !== 0 || Math.min(m, n) > MAX_STRIDED_ROWS || batch * m * n < MIN_VALUES) return false;
  if (!(src instanceof Float32Array) || !(dst instanceof Float32Array)) return false;
  const heap = tensorHeap();
  if (!heap) return false;
  const sAt = heap.addressOf(src);
  const dAt = heap.addressOf(dst);
  if (sAt < 0 || dAt < 0) return false;
  if (kernel?.heap !== heap) kernel = { heap, run: emit(heap) };
  kernel.run(sAt, dAt, batch, m, n);
  transposeStats.runs += 1;
  return true;
}
