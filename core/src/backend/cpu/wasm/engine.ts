// Runs float32 (batched) matmuls in the generated SIMD module: copies the operands into wasm
// memory, splits C into tasks, runs them on this thread and on the worker pool, and copies C
// back. One engine owns one memory, one compiled module and its workers.

import * as path from "node:path";
import * as v8 from "node:v8";
import { Worker } from "node:worker_threads";
import { type SgemmExports, type Tile, tileFor, sgemmModule } from "./sgemm";
import * as q from "./tasks";

export interface EngineOptions {
  /** Threads including the caller; 1 never starts workers. */
  threads: number;
  /** Use relaxed-SIMD fused multiply-add if the engine validates it; false forces mul + add. */
  relaxed?: boolean;
  /** The wasm memory's maximum size (a shared memory must declare one). Default 1 GiB. */
  maxBytes?: number;
  /** Micro-tile shape, for experiments and tests (default 4 x 8). */
  tile?: { mr?: number; nr?: number };
  /** Matmuls under this many flops (2 m n k per batch) stay on the calling thread. */
  minThreadedFlops?: number;
}

const PAGE = 65536;
const TASKS_PER_THREAD = 3;
/**
 * Below this (about 130 µs of one thread's work) waking a sleeping worker, tens of µs, and
 * waiting for its last task cost more than the second core saves.
 */
export const DEFAULT_MIN_THREADED_FLOPS = 2 * 128 ** 3;

const align64 = (bytes: number): number => Math.ceil(bytes / 64) * 64;
const maxOf = (xs: ArrayLike<number>): number => {
  let best = 0;
  for (let i = 0; i < xs.length; i++) best = Math.max(best, xs[i]);
  return best;
};
const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);

let relaxedSupport: boolean | undefined;
/**
 * Whether this engine accepts relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd).
 * TSDL_WASM_RELAXED_SIMD=1 turns that V8 flag on at runtime instead: it works on Node 20 but
 * changes a process-wide engine setting, so it is the user's choice, never the default.
 */
export function relaxedSimdSupported(): boolean {
  if (relaxedSupport === undefined) {
    const probe = () => WebAssembly.validate(sgemmModule({ relaxed: true }, { initialPages: 1, maximumPages: 1, shared: false }));
    relaxedSupport = probe();
    if (!relaxedSupport && process.env.TSDL_WASM_RELAXED_SIMD === "1") {
      v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
      relaxedSupport = probe();
    }
  }
  return relaxedSupport;
}

/**
 * Cut points splitting [0, len) into about `parts` slices, multiples of `unit`, largest first
 * (weights 4, 2, 1 for each third): threads claim in order, so the slices left at the end are
 * small and a thread that finishes early waits at most for a small one.
 */
export function slices(len: number, unit: number, parts: number): number[] {
  const weights = Array.from({ length: parts }, (_, i) => (3 * i < parts ? 4 : 3 * i < 2 * parts ? 2 : 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const cuts = [0];
  let sum = 0;
  for (const w of weights) {
    sum += w;
    const cut = Math.min(len, Math.ceil((len * sum) / total / unit) * unit);
    if (cut > cuts[cuts.length - 1]) cuts.push(cut);
  }
  return cuts;
}

export class WasmGemm {
  readonly relaxed: boolean;
  readonly threads: number;
  readonly maxBytes: number;
  private readonly tile: Tile;
  private readonly minThreadedFlops: number;
  private readonly memory: WebAssembly.Memory;
  private readonly module: WebAssembly.Module;
  private readonly ex: SgemmExports;
  private ctlView: Int32Array;
  private workers: Worker[] = [];
  private poolStarted = false;
  private generation = 0;

  constructor(opts: EngineOptions) {
    this.relaxed = (opts.relaxed ?? true) && relaxedSimdSupported();
    this.tile = tileFor({ relaxed: this.relaxed, ...opts.tile });
    this.maxBytes = opts.maxBytes ?? 2 ** 30;
    this.minThreadedFlops = opts.minThreadedFlops ?? DEFAULT_MIN_THREADED_FLOPS;
    const maximumPages = Math.floor(this.maxBytes / PAGE);
    const initialPages = Math.ceil((q.CONTROL_BYTES + q.scratchBytes(this.tile.mr, this.tile.nr) + (1 << 20)) / PAGE);
    let memory: WebAssembly.Memory;
    let shared = opts.threads > 1;
    try {
      memory = new WebAssembly.Memory({ initial: initialPages, maximum: maximumPages, shared });
    } catch {
      // No shared memory here (e.g. no SharedArrayBuffer): one thread on a private memory.
      shared = false;
      memory = new WebAssembly.Memory({ initial: initialPages, maximum: maximumPages });
    }
    this.threads = shared ? Math.max(1, Math.floor(opts.threads)) : 1;
    this.memory = memory;
    this.module = new WebAssembly.Module(sgemmModule({ relaxed: this.relaxed, ...this.tile }, { initialPages, maximumPages, shared }));
    this.ex = new WebAssembly.Instance(this.module, { env: { memory } }).exports as unknown as SgemmExports;
    this.ctlView = new Int32Array(memory.buffer, 0, q.CONTROL_BYTES / 4);
  }

  /** The control block; growing a private (unshared) memory detaches the old view. */
  private get ctl(): Int32Array {
    if (this.ctlView.buffer !== this.memory.buffer) this.ctlView = new Int32Array(this.memory.buffer, 0, q.CONTROL_BYTES / 4);
    return this.ctlView;
  }

  /** Tasks that worker threads have run so far (0 if the pool never started). */
  get workerTasks(): number {
    return Atomics.load(this.ctl, q.WORKER_TASKS);
  }

  /** The size of the wasm memory now (it only grows). */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Worker threads started so far. */
  get workerCount(): number {
    return this.workers.length;
  }

  /**
   * C = A B for each batch entry: A[e] = A[aOffsets[e] ..] as [m, k], B[e] likewise [k, n],
   * C[e] = C[e m n ..], all row-major, except that A[e] is stored as [k, m] if transA and B[e]
   * as [n, k] if transB. C must hold aOffsets.length * m * n values.
   */
  matmul(
    A: Float32Array, aOffsets: ArrayLike<number>, B: Float32Array, bOffsets: ArrayLike<number>, C: Float32Array,
    m: number, k: number, n: number, transA = false, transB = false,
  ): void {
    const batch = aOffsets.length;
    if (batch === 0 || m === 0 || n === 0) return;
    if (k === 0) {
      C.fill(0, 0, batch * m * n);
      return;
    }
    const flops = 2 * batch * m * n * k;
    if (this.threads > 1 && flops >= this.minThreadedFlops) this.startPool();
    // Every started thread gets scratch: an awake worker may claim even a one-task job.
    const poolThreads = this.poolStarted ? this.workers.length + 1 : 1;
    const threads = flops >= this.minThreadedFlops ? poolThreads : 1;
    const { mr, nr } = this.tile;
    const plan = this.plan(batch, m, n, threads);
    // The operand every slice of an entry would pack for itself, packed once here (tasks.ts SHARED).
    let shared = plan.shared;
    const pad = shared === q.SHARED_A ? q.padded(m, mr) : q.padded(n, nr);
    const aExtent = maxOf(aOffsets) + m * k;
    const bExtent = maxOf(bOffsets) + k * n;
    const scratch = q.CONTROL_BYTES;
    const entries = scratch + poolThreads * q.scratchBytes(mr, nr);
    const aPtr = entries + align64(12 * batch);
    const bPtr = aPtr + align64(4 * aExtent);
    const cPtr = bPtr + align64(4 * bExtent);
    const packedPtr = align64(cPtr + 4 * batch * m * n);
    const packedStride = align64(4 * k * pad);
    if (packedPtr + batch * packedStride > this.maxBytes) shared = 0;
    const end = shared ? packedPtr + batch * packedStride : cPtr + 4 * batch * m * n;
    if (end > this.maxBytes && batch > 1) {
      // Too big as a whole: one batch entry at a time, each with just its own operands.
      for (let e = 0; e < batch; e++) {
        const a = A.subarray(aOffsets[e], aOffsets[e] + m * k);
        const b = B.subarray(bOffsets[e], bOffsets[e] + k * n);
        this.matmul(a, [0], b, [0], C.subarray(e * m * n, (e + 1) * m * n), m, k, n, transA, transB);
      }
      return;
    }
    this.reserve(end, m, k, n);

    const heap = this.memory.buffer;
    new Float32Array(heap, aPtr, aExtent).set(A.subarray(0, aExtent));
    new Float32Array(heap, bPtr, bExtent).set(B.subarray(0, bExtent));
    const table = new Int32Array(heap, entries, 3 * batch);
    for (let e = 0; e < batch; e++) {
      table[3 * e] = aPtr + 4 * aOffsets[e];
      table[3 * e + 1] = bPtr + 4 * bOffsets[e];
      table[3 * e + 2] = cPtr + 4 * e * m * n;
    }
    const ctl = this.ctl;
    ctl[q.M] = m;
    ctl[q.K] = k;
    ctl[q.N] = n;
    ctl[q.MR] = mr;
    ctl[q.NR] = nr;
    ctl[q.TRANS] = (transA ? 1 : 0) | (transB ? 2 : 0);
    ctl[q.ENTRIES] = entries;
    ctl[q.SCRATCH] = scratch;
    ctl[q.STRIDE] = q.scratchBytes(mr, nr);
    ctl[q.SHARED] = shared;
    ctl[q.PACKED] = packedPtr;
    ctl[q.PACKED_STRIDE] = packedStride;
    for (let e = 0; shared && e < batch; e++) {
      const extent = shared === q.SHARED_A ? m : n;
      for (let pc = 0; pc < k; pc += q.KC) {
        q.packPanels(this.ex, shared, ctl[q.TRANS], table[3 * e], table[3 * e + 1], m, k, n, pc, 0, extent, mr, nr, packedPtr + e * packedStride);
      }
    }
    ctl.set(plan.tasks, q.TASK_TABLE);
    this.run(plan.tasks.length / q.TASK_INTS);
    C.set(new Float32Array(this.memory.buffer, cPtr, batch * m * n));
  }

  /** Grows the memory to `end` bytes, or says plainly why it cannot. */
  private reserve(end: number, m: number, k: number, n: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const what = `matmul of float32 [${m}, ${k}] x [${k}, ${n}] needs ${mib(end)} MiB of WebAssembly memory (operands, result and scratch)`;
    if (end > this.maxBytes) throw new Error(`${what}, over the CPU backend's limit of ${mib(this.maxBytes)} MiB`);
    try {
      this.memory.grow(Math.ceil((end - have) / PAGE));
    } catch (err) {
      throw new Error(`${what}, and growing it failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /**
   * Task rectangles: whole entries when the batch alone gives enough tasks, else slices of C;
   * `shared` names the operand that several slices of one entry would each pack (0: none).
   */
  private plan(batch: number, m: number, n: number, threads: number): { tasks: Int32Array; shared: number } {
    const out: number[] = [];
    const target = threads === 1 ? 1 : Math.min(threads * TASKS_PER_THREAD, q.MAX_TASKS >> 1);
    let shared = 0;
    if (batch >= target) {
      const per = Math.ceil(batch / target);
      for (let e = 0; e < batch; e += per) out.push(e, Math.min(per, batch - e), 0, m, 0, n);
    } else {
      const byRows = m >= n;
      const cuts = slices(byRows ? m : n, byRows ? this.tile.mr : this.tile.nr, Math.ceil(target / batch));
      if (cuts.length > 2) shared = byRows ? q.SHARED_B : q.SHARED_A;
      for (let e = 0; e < batch; e++) {
        for (let i = 0; i + 1 < cuts.length; i++) {
          if (byRows) out.push(e, 1, cuts[i], cuts[i + 1], 0, n);
          else out.push(e, 1, 0, m, cuts[i], cuts[i + 1]);
        }
      }
    }
    return { tasks: Int32Array.from(out), shared };
  }

  /** Posts the job, works on it here, and waits until every task has completed. */
  private run(tasks: number): void {
    const ctl = this.ctl;
    Atomics.store(ctl, q.COMPLETED, 0);
    Atomics.store(ctl, q.FAILED, 0);
    this.generation++;
    Atomics.store(ctl, q.CLAIM, q.claimWord(this.generation, tasks));
    if (this.workers.length > 0 && tasks > 1) Atomics.notify(ctl, q.CLAIM);
    const failure = q.drain(ctl, this.memory, this.ex, 0);
    for (let done = Atomics.load(ctl, q.COMPLETED); done < tasks; done = Atomics.load(ctl, q.COMPLETED)) {
      Atomics.wait(ctl, q.COMPLETED, done);
    }
    if (failure !== undefined || Atomics.load(ctl, q.FAILED) !== 0) {
      throw new Error(`matmul: the WebAssembly kernel failed${failure ? `: ${failure}` : " on a worker thread"}`);
    }
  }

  /** Starts the workers once; if that is impossible here, the engine quietly stays single-threaded. */
  private startPool(): void {
    if (this.poolStarted) return;
    this.poolStarted = true;
    try {
      for (let thread = 1; thread < this.threads; thread++) {
        const worker = new Worker(path.join(__dirname, "worker.js"), {
          workerData: { module: this.module, memory: this.memory, thread },
        });
        // An idle pool must not keep the process (or a notebook kernel's exit) waiting.
        worker.unref();
        // A worker that dies only stops claiming tasks; the others (and this thread) do them.
        worker.on("error", () => {});
        this.workers.push(worker);
      }
    } catch {
      // Workers are unavailable; the ones already started still help.
    }
  }

  /** Stops the workers; the engine must not be used afterwards. */
  dispose(): void {
    for (const w of this.workers) void w.terminate();
    this.workers = [];
  }
}
