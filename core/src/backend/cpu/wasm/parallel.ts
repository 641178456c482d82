// Elementwise maps over large placed arrays, cut into slices that the matmul engine's worker
// threads run with the calling thread (tasks.ts MAP_JOB). One thread adds two 16M-float tensors
// at about 16 GB/s here, two processes together at about 27: memory-bound loops still gain from
// a second core. Smaller maps stay on the calling thread, since waking a worker costs 40-70 µs.

import * as q from "./tasks";
import type { WasmHeap } from "./heap";
import { gemmEngine } from "./index";

/** Maps of fewer elements run on the calling thread alone. */
export const MIN_PARALLEL_ELEMENTS = 1 << 18;
/** Slices per thread, so that a descheduled worker holds up little (threads claim slices). */
const TASKS_PER_THREAD = 4;

/** A compiled map kernel (simdmap.ts) as the workers get it: its id, module bytes and their copy on the heap. */
export interface ParallelKernel extends q.MapKernel {
  id: number;
  bytes: Uint8Array;
  /** Byte address of `bytes` on the heap, or -1 before the kernel's first parallel run. */
  code: number;
}

let enabled = typeof process === "undefined" || process.env?.TSDL_CPU_PARALLEL_MAPS !== "0";
/** Turns parallel maps on or off (tests and A/B runs); returns the previous setting. */
export function setParallelMaps(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}

/** Maps run on several threads so far (tests). */
export const parallelStats = { maps: 0 };

/** The engine, if it has workers on this heap, with the kernel's bytes placed for them. */
function engineFor(heap: WasmHeap, kernel: ParallelKernel, streams: number) {
  if (!enabled || streams > q.MAX_MAP_STREAMS) return undefined;
  const engine = gemmEngine();
  if (!engine || engine.heap !== heap || engine.threads < 2) return undefined;
  if (kernel.code < 0) {
    const at = heap.alloc(kernel.bytes.length);
    if (at < 0) return undefined;
    new Uint8Array(heap.memory.buffer, at, kernel.bytes.length).set(kernel.bytes);
    kernel.code = at;
    q.registerMapKernel(kernel.id, kernel);
  }
  return engine;
}

function describe(ctl: Int32Array, kernel: ParallelKernel, bases: readonly number[]): void {
  ctl[q.MAP_ID] = kernel.id;
  ctl[q.MAP_CODE] = kernel.code;
  ctl[q.MAP_CODE_BYTES] = kernel.bytes.length;
  ctl[q.MAP_STREAMS] = bases.length;
  ctl.set(bases, q.MAP_BASES);
}

/**
 * kernel.run over one run of `bytes` (a multiple of 16) at the streams' `bases`; streams whose
 * bit is set in `splat` are one value, not advanced. False, having done nothing, when the map
 * stays on this thread.
 */
export function parallelRun(
  heap: WasmHeap, kernel: ParallelKernel, bases: readonly number[], splat: number, bytes: number, arrays: readonly ArrayBufferView[],
): boolean {
  const engine = engineFor(heap, kernel, bases.length);
  if (!engine) return false;
  // Slices of whole cache lines, so that no two threads write one line.
  const chunk = Math.ceil(bytes / (engine.threads * TASKS_PER_THREAD) / 64) * 64;
  const tasks = Math.ceil(bytes / chunk);
  const ran = engine.parallelMap((ctl) => {
    describe(ctl, kernel, bases);
    ctl[q.MAP_SPLAT] = splat;
    ctl[q.MAP_CHUNK] = chunk;
    ctl[q.MAP_TOTAL] = bytes;
    ctl[q.MAP_TABLE] = 0;
  }, tasks, arrays);
  if (ran) parallelStats.maps += 1;
  return ran;
}

/** kernel.runs over `count` runs of `extra` bytes from the run table at `table`; false as above. */
export function parallelRuns(
  heap: WasmHeap, kernel: ParallelKernel, bases: readonly number[], extra: number, table: number, count: number, arrays: readonly ArrayBufferView[],
): boolean {
  const engine = engineFor(heap, kernel, bases.length);
  if (!engine) return false;
  const per = Math.ceil(count / (engine.threads * TASKS_PER_THREAD));
  const tasks = Math.ceil(count / per);
  if (tasks < 2) return false;
  const ran = engine.parallelMap((ctl) => {
    describe(ctl, kernel, bases);
    ctl[q.MAP_SPLAT] = 0;
    ctl[q.MAP_CHUNK] = per;
    ctl[q.MAP_TOTAL] = count;
    ctl[q.MAP_TABLE] = table;
    ctl[q.MAP_EXTRA] = extra;
  }, tasks, arrays);
  if (ran) parallelStats.maps += 1;
  return ran;
}
