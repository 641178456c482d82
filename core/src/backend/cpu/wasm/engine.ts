// Runs float32 (batched) matmuls in the generated SIMD module: splits C into tasks, runs them on
// this thread and on the worker pool. Operands and C that are views on the engine's heap
// (heap.ts: the CPU backend's float32 tensors live there) are used in place; others are copied
// in, and C out. One engine owns one compiled module and its workers, on one heap.

import * as path from "node:path";
import * as v8 from "node:v8";
import { Worker } from "node:worker_threads";
import { type SgemmExports, type Tile, tileFor, sgemmModule } from "./sgemm";
import * as q from "./tasks";
import { WasmHeap } from "./heap";

export interface EngineOptions {
  /** Threads including the caller; 1 never starts workers. */
  threads: number;
  /** Use relaxed-SIMD fused multiply-add if the engine validates it; false forces mul + add. */
  relaxed?: boolean;
  /** The wasm memory's maximum size (a shared memory must declare one). Default 1 GiB. */
  maxBytes?: number;
  /** Compute on this heap (its maximum, not maxBytes, bounds the memory). Default: a heap of its own. */
  heap?: WasmHeap;
  /**
   * Where a product goes whose operands and scratch do not fit this heap (null: none; it
   * fails). The CPU backend's tensor heap is kept small, since a memory cannot shrink.
   */
  overflow?: () => WasmGemm | null;
  /** Called after a product ran in the overflow engine (index.ts times its release from there). */
  overflowed?: () => void;
  /** Micro-tile shape, for experiments and tests (default 4 x 8). */
  tile?: { mr?: number; nr?: number };
  /** Matmuls under this many flops (2 m n k per batch) stay on the calling thread. */
  minThreadedFlops?: number;
}

const PAGE = 65536;
const TASKS_PER_THREAD = 3;
/**
 * How long the calling thread spins on the completion count before it sleeps. Alternating
 * A/B on the bench's MLP step (2 threads): 0.3 ms took it from 2.30 to 2.18 ms and from 2.26
 * to 2.15 (medians of 30 blocks); 0.1 and 1 ms showed no difference from sleeping at once.
 */
const TAIL_SPIN_MS = 0.3;
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

/** The tasks of a product split along k: chunk t is task t, each all of C's one entry. */
function splitTasks(chunks: number, m: number, n: number): Int32Array {
  const tasks = new Int32Array(chunks * q.TASK_INTS);
  for (let t = 0; t < chunks; t++) tasks.set([0, 1, 0, m, 0, n], t * q.TASK_INTS);
  return tasks;
}

/** C = the sum of `chunks` partial products of `size` values, added in chunk order in float32. */
function addPartials(partials: Float32Array, chunks: number, C: Float32Array, size: number): void {
  for (let i = 0; i < size; i++) {
    let sum = partials[i];
    for (let t = 1; t < chunks; t++) sum = Math.fround(sum + partials[t * size + i]);
    C[i] = sum;
  }
}

export class WasmGemm {
  readonly relaxed: boolean;
  readonly threads: number;
  readonly maxBytes: number;
  readonly heap: WasmHeap;
  /** Bytes copied into the heap and out of it so far (tests check that heap operands are not). */
  copiedBytes = 0;
  private readonly tile: Tile;
  private readonly minThreadedFlops: number;
  private readonly overflow: () => WasmGemm | null;
  private readonly overflowed: () => void;
  private readonly module: WebAssembly.Module;
  private readonly ex: SgemmExports;
  private readonly ctlAt: number;
  private readonly scratchAt: number;
  private ctlView: Int32Array;
  private workers: Worker[] = [];
  private poolStarted = false;
  private generation = 0;
  /**
   * The product in progress: its heap block and its arrays (held so that a terminated caller's
   * C cannot be collected and its block reused while workers still write it). Cleared when the
   * product returns or throws; left set when V8 terminated the calling script (settle()).
   */
  private job: { block: number; arrays: readonly ArrayBufferView[] } | null = null;

  constructor(opts: EngineOptions) {
    this.relaxed = (opts.relaxed ?? true) && relaxedSimdSupported();
    this.tile = tileFor({ relaxed: this.relaxed, ...opts.tile });
    this.heap = opts.heap ?? new WasmHeap({ maxBytes: opts.maxBytes ?? 2 ** 30, shared: opts.threads > 1 });
    this.maxBytes = this.heap.maxBytes;
    this.minThreadedFlops = opts.minThreadedFlops ?? DEFAULT_MIN_THREADED_FLOPS;
    this.overflow = opts.overflow ?? (() => null);
    this.overflowed = opts.overflowed ?? (() => {});
    // Without a shared memory: one thread.
    this.threads = this.heap.shared ? Math.max(1, Math.floor(opts.threads)) : 1;
    const stride = q.scratchBytes(this.tile.mr, this.tile.nr);
    this.ctlAt = this.heap.alloc(q.CONTROL_BYTES, true);
    this.scratchAt = this.heap.alloc(this.threads * stride);
    if (this.ctlAt < 0 || this.scratchAt < 0) throw new Error("matmul: no WebAssembly memory for the engine's control block and scratch");
    const memory = this.heap.memory;
    const maximumPages = this.maxBytes / PAGE;
    this.module = new WebAssembly.Module(sgemmModule({ relaxed: this.relaxed, ...this.tile }, { initialPages: 1, maximumPages, shared: this.heap.shared }));
    this.ex = new WebAssembly.Instance(this.module, { env: { memory } }).exports as unknown as SgemmExports;
    this.ctlView = new Int32Array(memory.buffer, this.ctlAt, q.CONTROL_BYTES / 4);
    this.ctlView[q.SCRATCH] = this.scratchAt;
    this.ctlView[q.STRIDE] = stride;
  }

  /** The control block; growing a private (unshared) memory detaches the old view. */
  private get ctl(): Int32Array {
    const buffer = this.heap.memory.buffer;
    if (this.ctlView.buffer !== buffer) this.ctlView = new Int32Array(buffer, this.ctlAt, q.CONTROL_BYTES / 4);
    return this.ctlView;
  }

  /** Tasks that worker threads have run so far (0 if the pool never started). */
  get workerTasks(): number {
    return Atomics.load(this.ctl, q.WORKER_TASKS);
  }

  /** The size of the wasm memory now (it only grows). */
  get memoryBytes(): number {
    return this.heap.memoryBytes;
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
    this.settle();
    const flops = 2 * batch * m * n * k;
    if (this.threads > 1 && flops >= this.minThreadedFlops) this.startPool();
    const threads = flops >= this.minThreadedFlops && this.poolStarted ? this.workers.length + 1 : 1;
    const { mr, nr } = this.tile;
    const chunks = q.kChunks(batch, m, k, n, (transA ? 1 : 0) | (transB ? 2 : 0), mr, nr);
    const plan = chunks > 0 ? { tasks: splitTasks(chunks, m, n), shared: 0 } : this.plan(batch, m, n, threads);
    const heap = this.heap;
    // Operands already on the heap are read in place; the rest go into one block with the
    // entry table, C unless it is on the heap, and the operand packed once for all slices
    // (tasks.ts SHARED) when it fits.
    const aExtent = maxOf(aOffsets) + m * k;
    const bExtent = maxOf(bOffsets) + k * n;
    const aHeap = heap.addressOf(A);
    const bHeap = heap.addressOf(B);
    const cHeap = heap.addressOf(C);
    const pad = plan.shared === q.SHARED_A ? q.padded(m, mr) : q.padded(n, nr);
    const packedStride = align64(4 * k * pad);
    const aBytes = aHeap < 0 ? align64(4 * aExtent) : 0;
    const bBytes = bHeap < 0 ? align64(4 * bExtent) : 0;
    const cBytes = cHeap < 0 ? align64(4 * batch * m * n) : 0;
    const partialBytes = align64(4 * chunks * m * n);
    const base = align64(12 * batch) + aBytes + bBytes + cBytes + partialBytes;
    let shared = plan.shared;
    let block = shared ? heap.alloc(base + batch * packedStride) : -1;
    if (block < 0) {
      shared = 0;
      block = heap.alloc(base);
    }
    if (block < 0) {
      const other = this.overflow();
      if (other) {
        other.matmul(A, aOffsets, B, bOffsets, C, m, k, n, transA, transB);
        this.overflowed();
        return;
      }
      if (batch > 1) {
        // Too big as a whole: one batch entry at a time, each with just its own operands.
        for (let e = 0; e < batch; e++) {
          const a = A.subarray(aOffsets[e], aOffsets[e] + m * k);
          const b = B.subarray(bOffsets[e], bOffsets[e] + k * n);
          this.matmul(a, [0], b, [0], C.subarray(e * m * n, (e + 1) * m * n), m, k, n, transA, transB);
        }
        return;
      }
      this.fail(heap.usedBytes + base, m, k, n);
    }
    this.job = { block, arrays: [A, B, C] };
    try {
      const entries = block;
      const aPtr = aHeap >= 0 ? aHeap : entries + align64(12 * batch);
      const bPtr = bHeap >= 0 ? bHeap : entries + align64(12 * batch) + aBytes;
      const cPtr = cHeap >= 0 ? cHeap : entries + align64(12 * batch) + aBytes + bBytes;
      const packedPtr = block + base;
      const partialsPtr = block + base - partialBytes;
      if (aHeap < 0) heap.f32(aPtr, aExtent).set(A.subarray(0, aExtent));
      if (bHeap < 0) heap.f32(bPtr, bExtent).set(B.subarray(0, bExtent));
      this.copiedBytes += aBytes + bBytes + cBytes;
      const table = new Int32Array(heap.memory.buffer, entries, 3 * batch);
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
      ctl[q.SHARED] = shared;
      ctl[q.PACKED] = packedPtr;
      ctl[q.PACKED_STRIDE] = packedStride;
      ctl[q.K_SPLIT] = chunks;
      ctl[q.PARTIALS] = partialsPtr;
      for (let e = 0; shared && e < batch; e++) {
        const extent = shared === q.SHARED_A ? m : n;
        for (let pc = 0; pc < k; pc += q.kcFor(k)) {
          q.packPanels(this.ex, shared, ctl[q.TRANS], table[3 * e], table[3 * e + 1], m, k, n, pc, 0, extent, mr, nr, packedPtr + e * packedStride);
        }
      }
      ctl.set(plan.tasks, q.TASK_TABLE);
      ctl[q.KIND] = q.GEMM_JOB;
      this.run(plan.tasks.length / q.TASK_INTS);
      if (chunks > 0) addPartials(heap.f32(partialsPtr, chunks * m * n), chunks, C, m * n);
      else if (cHeap < 0) C.set(heap.f32(cPtr, batch * m * n));
    } finally {
      // Not reached when V8 terminates the script (no finally runs then): settle() does it.
      this.job = null;
      heap.free(block);
    }
  }

  /** Waits out an interrupted product or map, if any (temps.ts, before reusing its memory). */
  settleInterrupted(): void {
    this.settle();
  }

  /**
   * After a product whose calling script was terminated mid-way (an interrupted notebook cell
   * runs under vm's breakOnSigint), workers may still be running its tasks, writing its C and
   * counting completions into the next job. Stops further claims, waits until no worker is in
   * a task, then frees that product's block. Before this, the next product could return while
   * a worker still wrote it: wrong values.
   */
  private settle(): void {
    const job = this.job;
    if (!job) return;
    const ctl = this.ctl;
    this.generation++;
    Atomics.store(ctl, q.CLAIM, q.claimWord(this.generation, 0));
    const deadline = performance.now() + 60000;
    for (let busy = Atomics.load(ctl, q.IN_TASK); busy > 0; busy = Atomics.load(ctl, q.IN_TASK)) {
      if (performance.now() > deadline) throw new Error("matmul: the worker threads are still busy with an interrupted product after 60 s");
      Atomics.wait(ctl, q.IN_TASK, busy, 100);
    }
    this.job = null;
    if (job.block >= 0) this.heap.free(job.block);
  }

  /** Says plainly why a product's memory cannot be had. */
  private fail(end: number, m: number, k: number, n: number): never {
    const what = `matmul of float32 [${m}, ${k}] x [${k}, ${n}] needs ${mib(end)} MiB of WebAssembly memory (operands, result and scratch)`;
    if (end > this.maxBytes) throw new Error(`${what}, over the CPU backend's limit of ${mib(this.maxBytes)} MiB`);
    throw new Error(`${what}, and growing the memory to that failed`);
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

  /**
   * Runs an elementwise map's `tasks` (tasks.ts MAP_JOB) here and on the workers; `describe`
   * writes the job into the control block. `arrays` are the map's operands, held until it is
   * done (settle() says why). False, having done nothing, where there are no workers.
   */
  parallelMap(describe: (ctl: Int32Array) => void, tasks: number, arrays: readonly ArrayBufferView[]): boolean {
    if (this.threads < 2) return false;
    this.startPool();
    if (this.workers.length === 0) return false;
    this.settle();
    const ctl = this.ctl;
    describe(ctl);
    ctl[q.KIND] = q.MAP_JOB;
    this.job = { block: -1, arrays };
    try {
      this.run(tasks, "elementwise map");
    } finally {
      this.job = null;
    }
    return true;
  }

  /** Posts the job, works on it here, and waits until every task has completed. */
  private run(tasks: number, what = "matmul"): void {
    const ctl = this.ctl;
    Atomics.store(ctl, q.COMPLETED, 0);
    Atomics.store(ctl, q.FAILED, 0);
    this.generation++;
    Atomics.store(ctl, q.CLAIM, q.claimWord(this.generation, tasks));
    if (this.workers.length > 0 && tasks > 1) Atomics.notify(ctl, q.CLAIM);
    const failure = q.drain(ctl, this.heap.memory, this.ex, 0);
    // The workers' last tasks usually end within a fraction of a millisecond; a thread asleep
    // in Atomics.wait takes 40-70 µs to wake here, so the caller watches for a while first.
    const spinEnd = performance.now() + TAIL_SPIN_MS;
    while (Atomics.load(ctl, q.COMPLETED) < tasks && performance.now() < spinEnd);
    for (let done = Atomics.load(ctl, q.COMPLETED); done < tasks; done = Atomics.load(ctl, q.COMPLETED)) {
      Atomics.wait(ctl, q.COMPLETED, done);
    }
    if (failure !== undefined || Atomics.load(ctl, q.FAILED) !== 0) {
      throw new Error(`${what}: the WebAssembly kernel failed${failure ? `: ${failure}` : " on a worker thread"}`);
    }
  }

  /** Starts the workers once; if that is impossible here, the engine quietly stays single-threaded. */
  private startPool(): void {
    if (this.poolStarted) return;
    this.poolStarted = true;
    try {
      for (let thread = 1; thread < this.threads; thread++) {
        const worker = new Worker(path.join(__dirname, "worker.js"), {
          workerData: { module: this.module, memory: this.heap.memory, ctl: this.ctlAt, thread },
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

  /**
   * Stops the workers and gives back the scratch; the engine must not be used afterwards. The
   * control block is kept: a terminating worker may still sleep on its claim word, and must
   * not be woken by a block that reuses the address.
   */
  dispose(): void {
    for (const w of this.workers) void w.terminate();
    this.workers = [];
    this.heap.free(this.scratchAt);
  }
}
