// conv2d's im2col concatenation in WebAssembly: d[o * K + k] = xs[k][o], K inputs of one value
// per output row, all float32 arrays on the tensor heap. The generated JavaScript loop took
// 1.4 ns a value (5 ms of the bench's convnet step, for 3.6M values); wasm's loads and stores
// have no bounds or type checks to pay for. Only a copy: the values are the same bits.

import { Body, encodeModule, i32 } from "./emit";
import type { WasmHeap } from "./heap";
import { tensorHeap } from "./tensorheap";

const PAGE = 65536;
const MIN_VALUES = 4096;

/** Interleaves run in wasm (tests). */
export const interleaveStats = { runs: 0 };

type Kernel = (...args: number[]) => void;
const kernels = new Map<number, Kernel>();

/** run(x0, .., x{K-1}, d, outer): the interleave, pointers stepping through the rows. */
function emit(K: number, heap: WasmHeap): Kernel {
  const f = new Body(Array.from({ length: K + 2 }, () => i32));
  const [d, outer] = [K, K + 1];
  f.get(outer).ifElse(() =>
    f.countDown(outer, () => {
      for (let k = 0; k < K; k++) f.get(d).get(k).f32Load().f32Store(4 * k).inc(k, 4);
      f.inc(d, 4 * K);
    }),
  );
  const bytes = encodeModule({
    memory: { initialPages: 1, maximumPages: heap.maxBytes / PAGE, shared: heap.shared },
    functions: [{ name: "run", body: f }],
  });
  return (new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: heap.memory } }).exports as { run: Kernel }).run;
}

/** The interleave in wasm when d and every input are float32 arrays on the heap; else false. */
export function interleaveOnHeap(d: ArrayLike<number>, xs: readonly ArrayLike<number>[], outer: number): boolean {
  const heap = tensorHeap();
  if (!heap || !(d instanceof Float32Array) || d.length < MIN_VALUES) return false;
  const dAt = heap.addressOf(d);
  if (dAt < 0) return false;
  const at: number[] = [];
  for (const x of xs) {
    const a = x instanceof Float32Array ? heap.addressOf(x) : -1;
    if (a < 0) return false;
    at.push(a);
  }
  let run = kernels.get(xs.length);
  if (!run) kernels.set(xs.length, (run = emit(xs.length, heap)));
  run(...at, dAt, outer);
  interleaveStats.runs += 1;
  return true;
}
