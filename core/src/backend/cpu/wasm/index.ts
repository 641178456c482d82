// The process-wide float32 matmul engine of the CPU backend, and its thread setting. The engine
// computes on the tensor heap (tensorheap.ts), so tensors placed there are used in place; a
// product too big for that heap runs in an overflow engine with a heap of its own, which is
// dropped a while after its last use, because a memory cannot shrink.
//
// Threads default to the machine's parallelism capped at 4 (a 2-core machine measured ~1.8x
// with two), overridable by TSDL_CPU_THREADS or setCpuThreads(); 1 means no worker threads.

import * as os from "node:os";
import { WasmGemm } from "./engine";
import { tensorHeap } from "./tensorheap";

export { WasmGemm, relaxedSimdSupported } from "./engine";
export type { EngineOptions } from "./engine";

const MAX_DEFAULT_THREADS = 4;

let engine: WasmGemm | undefined;
let threadSetting: number | undefined;

function defaultThreads(): number {
  const env = process.env.TSDL_CPU_THREADS;
  if (env !== undefined && env.trim() !== "") {
    const n = Number(env);
    if (Number.isInteger(n) && n >= 1) return n;
    throw new Error(`TSDL_CPU_THREADS must be a whole number >= 1 (1 = no worker threads); got "${env}"`);
  }
  const cores = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(MAX_DEFAULT_THREADS, cores));
}

/** Threads the CPU backend's matmul uses, including the calling thread. */
export function cpuThreads(): number {
  return threadSetting ?? defaultThreads();
}

/** Sets the CPU matmul's thread count (1 = calling thread only); stops any current workers. */
export function setCpuThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`setCpuThreads: threads must be a whole number >= 1; got ${threads}`);
  threadSetting = threads;
  engine?.dispose();
  engine = undefined;
  dropOverflow();
}

let unavailable = false;
let overflow: WasmGemm | undefined;
let releaseTimer: NodeJS.Timeout | undefined;

/**
 * The shared engine, created on first use (workers start on its first large matmul), or
 * undefined where it cannot be built; callers then use the TypeScript kernel.
 */
export function gemmEngine(): WasmGemm | undefined {
  if (!engine && !unavailable) {
    try {
      const heap = tensorHeap();
      engine = new WasmGemm({ threads: cpuThreads(), heap: heap ?? undefined, overflow: overflowEngine, overflowed: scheduleRelease });
    } catch {
      // No WebAssembly, no SIMD, or no memory to reserve: slower, but matmul still works.
      unavailable = true;
    }
  }
  return engine;
}

/** The engine for products too big for the tensor heap (1 GiB of its own), made when needed. */
function overflowEngine(): WasmGemm | null {
  try {
    overflow ??= new WasmGemm({ threads: cpuThreads() });
  } catch {
    return null;
  }
  // No release while it computes; the wait starts when the product is done.
  if (releaseTimer) clearTimeout(releaseTimer);
  releaseTimer = undefined;
  return overflow;
}

/** The overflow engine now, if one is held (tests). */
export function overflowGemm(): WasmGemm | undefined {
  return overflow;
}

/** Drops the overflow engine now (emptyCache). */
export function dropOverflow(): void {
  if (releaseTimer) clearTimeout(releaseTimer);
  releaseTimer = undefined;
  overflow?.dispose();
  overflow = undefined;
}

/** How long the overflow engine outlives its last product (tests shorten it). */
let releaseAfterMs = 30000;
export function setOverflowRelease(ms: number): void {
  releaseAfterMs = ms;
}

/**
 * Drops the overflow engine `releaseAfterMs` after its last product. Each product restarts
 * the wait, so a loop of large products keeps its engine and warm workers.
 */
function scheduleRelease(): void {
  if (releaseTimer) clearTimeout(releaseTimer);
  releaseTimer = setTimeout(dropOverflow, releaseAfterMs);
  releaseTimer.unref();
}
