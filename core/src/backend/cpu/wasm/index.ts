// The process-wide float32 matmul engine of the CPU backend, and its thread setting.
//
// Threads default to the machine's parallelism capped at 4 (a 2-core machine measured ~1.8x
// with two), overridable by TSDL_CPU_THREADS or setCpuThreads(); 1 means no worker threads.

import * as os from "node:os";
import { WasmGemm } from "./engine";

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
}

let unavailable = false;

/**
 * The shared engine, created on first use (workers start on its first large matmul), or
 * undefined where it cannot be built; callers then use the TypeScript kernel.
 */
export function gemmEngine(): WasmGemm | undefined {
  if (!engine && !unavailable) {
    try {
      engine = new WasmGemm({ threads: cpuThreads() });
    } catch {
      // No WebAssembly, no SIMD, or no memory to reserve: slower, but matmul still works.
      unavailable = true;
    }
  }
  return engine;
}

let releaseTimer: NodeJS.Timeout | undefined;

/**
 * Drops the engine `afterMs` after the last matmul if its memory has grown past `limit` bytes.
 * A shared memory cannot shrink, so otherwise one large product would keep that much memory
 * reserved for the rest of a notebook session. Each matmul restarts the wait, so a loop of
 * large products keeps its engine and warm workers.
 */
export function releaseIfLarge(limit = 256 * 2 ** 20, afterMs = 30000): void {
  if (releaseTimer) clearTimeout(releaseTimer);
  releaseTimer = undefined;
  if (!engine || engine.memoryBytes <= limit) return;
  const large = engine;
  releaseTimer = setTimeout(() => {
    releaseTimer = undefined;
    if (engine !== large) return;
    engine.dispose();
    engine = undefined;
  }, afterMs);
  releaseTimer.unref();
}
