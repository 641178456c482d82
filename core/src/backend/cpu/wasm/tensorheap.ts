// The process's tensor heap: float32 CPU arrays of 8 KiB and more are placed in one shared
// WebAssembly memory, where the matmul engine and the SIMD maps read and write them in place
// (heap.ts says why). Placement is bounded, because a WebAssembly memory never shrinks: past
// TENSOR_BYTES of placed arrays, or where no shared memory can be made, arrays are ordinary
// typed arrays, and the kernels copy them as before.
//
// An array comes back with giveArray (pool.ts) when its tensor is freed (dispose, tidy, jit's
// last use, or the tensor's own finalizer). A view dropped without that is returned by a
// FinalizationRegistry of its own, so the heap never leaks a block.

import * as os from "node:os";
import { WasmHeap } from "./heap";

const MiB = 2 ** 20;

/** The memory this process may use: the machine's, or its cgroup's limit (a container's) where lower. */
export function processMemoryBytes(): number {
  const total = os.totalmem();
  const limit = process.constrainedMemory?.() ?? 0; // 0 or 2^64 where there is none
  return limit > 0 && limit < total ? limit : total;
}

/**
 * The heap's memory stops here; a matmul that needs more runs in an engine of its own
 * (index.ts, with 1 GiB, so this stays below that). A 32nd of the process's memory in steps of
 * 64 MiB, from 256 MiB (8 GiB and less) to 768 MiB (24 GiB and more): what the heap may keep
 * after its high-water mark. Arrays past the share below are ordinary ones, which cost page
 * faults when new (a new 64 MiB array about 41 ms here) and a copy into and out of the heap
 * around every SIMD loop.
 */
export const heapBytesFor = (memory: number): number => Math.min(768 * MiB, Math.max(256 * MiB, Math.floor(memory / 32 / (64 * MiB)) * 64 * MiB));
export const TENSOR_HEAP_BYTES = heapBytesFor(processMemoryBytes());
/** Bytes of tensor arrays placed at most; the rest of the heap (128 MiB) is the kernels' scratch. */
export const TENSOR_BYTES = TENSOR_HEAP_BYTES - 128 * MiB;
/** Smaller arrays stay on the JavaScript loops anyway (simdmap.ts MIN_SIMD_ELEMENTS). */
export const MIN_TENSOR_BYTES = 8192;

let heap: WasmHeap | null | undefined;
let placedBytes = 0;
let enabled = typeof process === "undefined" || process.env?.TSDL_CPU_WASM_HEAP !== "0";

/** The heap, made on first use; null where WebAssembly memories cannot be made. */
export function tensorHeap(): WasmHeap | null {
  if (heap === undefined) {
    try {
      heap = new WasmHeap({ maxBytes: TENSOR_HEAP_BYTES, shared: true });
    } catch {
      heap = null;
    }
  }
  return heap;
}

/** The arrays heapArray made and nobody gave back yet. */
const placed = new WeakSet<ArrayBufferView>();
const dropped = new FinalizationRegistry<number>((at) => {
  if (!heap) return;
  placedBytes -= heap.blockBytes(at);
  heap.free(at);
});

/** Turns placement on or off (tests and A/B runs compare both); returns the previous setting. */
export function setHeapArrays(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}

/** A float32 array of `n` values on the heap (zeroed if `zero`), or null where it does not go there. */
export function heapArray(n: number, zero: boolean): Float32Array | null {
  const bytes = 4 * n;
  if (!enabled || bytes < MIN_TENSOR_BYTES || placedBytes + bytes > TENSOR_BYTES) return null;
  const h = tensorHeap();
  if (!h?.shared) return null;
  const at = h.alloc(bytes, zero);
  if (at < 0) return null;
  placedBytes += h.blockBytes(at);
  const a = h.f32(at, n);
  placed.add(a);
  dropped.register(a, at, a);
  return a;
}

/** Takes back a heap array nothing reads any more; false for any other array. */
export function giveHeapArray(a: ArrayBufferView): boolean {
  if (!heap) return false;
  const at = heap.addressOf(a);
  if (at < 0) return false;
  // Only whole arrays that heapArray made are placed ones (a kernel's temporary views are not).
  if (!placed.has(a)) return true;
  placed.delete(a);
  dropped.unregister(a);
  placedBytes -= heap.blockBytes(at);
  heap.free(at);
  return true;
}

/** Whether `a` is a view on the tensor heap (tests). */
export function onTensorHeap(a: ArrayBufferView): boolean {
  return heap ? heap.addressOf(a) >= 0 : false;
}

/** Bytes of placed arrays now (tests). */
export function heapArrayBytes(): number {
  return placedBytes;
}

type Typed = Float32Array | Int32Array | Uint8Array;

/**
 * A copier of runs from `src` to `dst` (element offsets): memory.copy when both are on the
 * heap (heap.ts says why not set()), else set() per run.
 */
export function runCopier(dst: Typed, src: Typed): (to: number, from: number, len: number) => void {
  const dAt = heap ? heap.addressOf(dst) : -1;
  const sAt = heap ? heap.addressOf(src) : -1;
  if (heap && dAt >= 0 && sAt >= 0) {
    const h = heap;
    return (to, from, len) => h.copy(dAt + 4 * to, sAt + 4 * from, 4 * len);
  }
  return (to, from, len) => dst.set(src.subarray(from, from + len), to);
}

/**
 * a.fill(value), with memory.fill for zeros on the heap and, for other values on the heap, a
 * few values written here and then copied onto the rest in doubling steps with memory.copy.
 */
export function fillArray(a: Typed, value: number): void {
  const at = heap ? heap.addressOf(a) : -1;
  if (at < 0) return void a.fill(value);
  if (Object.is(value, 0)) return heap!.zero(at, a.byteLength);
  const n = a.length;
  let done = Math.min(n, 256);
  a.fill(value, 0, done);
  for (; done < n; done *= 2) heap!.copy(at + done * a.BYTES_PER_ELEMENT, at, Math.min(done, n - done) * a.BYTES_PER_ELEMENT);
}
