// The work queue that the calling thread and the workers share, kept in a control block of the
// engine's heap, and the cache-blocked loop that runs one task. Both sides import this file, so
// the layout has one definition.
//
// A job is a list of tasks, each a rectangle of C in a range of batch entries. Threads claim
// tasks one at a time with a compare-and-swap on one word that holds the job's generation,
// its task count and the next index. A claim succeeds only against the word as it is now, so
// a thread preempted mid-claim either takes a task of the current job (whose parameters it
// reads after claiming) or none; and a slow thread just ends up with fewer tasks.

import type { SgemmExports } from "./sgemm";

/** Int32 slots of the control block at byte 0. */
export const CLAIM = 0;
export const COMPLETED = 1;
export const FAILED = 2;
/**
 * Workers inside drain's claim-and-run step. A product whose calling script V8 terminated (an
 * interrupted notebook cell) leaves workers finishing its tasks; the engine's next product
 * first stops further claims and waits for this to reach 0 (engine.ts settle).
 */
export const IN_TASK = 3;
export const M = 4;
export const K = 5;
export const N = 6;
export const ENTRIES = 7; // byte address of the [aPtr, bPtr, cPtr] table, one row per entry
export const SCRATCH = 8; // byte address of thread 0's scratch; thread t's is SCRATCH + t * STRIDE
export const STRIDE = 9;
export const MR = 10;
export const WORKER_TASKS = 11; // tasks run by workers, ever (tests check the pool is used)
export const TRANS = 12; // bit 0: A is stored transposed ([k, m]); bit 1: B is ([n, k])
export const NR = 13;
/**
 * Which operand the caller packed whole before posting the job (SHARED_A / SHARED_B, or 0).
 * When C is cut into row slices, every task would pack all of B for itself (column slices: all
 * of A); the caller packs it once instead. It does so alone, before the job: packing split
 * between threads would add a barrier, and on a busy machine a descheduled worker holding a
 * pack task stalls everyone, where a slow worker in the job only ends up with fewer tasks.
 */
export const SHARED = 15;
/** A product split along k (kChunks): the number of chunks (0: not split); task t is chunk t. */
export const K_SPLIT = 14;
/** Byte address of the chunks' partial products, m x n floats each, in chunk order. */
export const PARTIALS = 28;
export const PACKED = 16; // byte address of entry 0's packed operand
export const PACKED_STRIDE = 17; // bytes from one entry's packed operand to the next
export const SHARED_A = 1;
export const SHARED_B = 2;

/** What the tasks are: slices of a product (GEMM_JOB) or of an elementwise map (MAP_JOB). */
export const KIND = 18;
export const GEMM_JOB = 0;
export const MAP_JOB = 1;
/**
 * A map job (simdmap.ts) runs one generated kernel over S streams (its leaves, then y), whose
 * byte addresses are at MAP_BASES. Either one contiguous run (MAP_TABLE = 0) cut into tasks of
 * MAP_CHUNK bytes, MAP_TOTAL in all; or MAP_TOTAL runs from a run table (simdmap.ts
 * writeRunTable) at MAP_TABLE, MAP_CHUNK runs per task, each MAP_EXTRA bytes long.
 * Workers compile the kernel from the module bytes at MAP_CODE the first time they meet its id.
 */
export const MAP_ID = 19;
export const MAP_CODE = 20;
export const MAP_CODE_BYTES = 21;
export const MAP_STREAMS = 22;
export const MAP_SPLAT = 23; // bit k: stream k is one value splatted, not advanced along the run
export const MAP_CHUNK = 24;
export const MAP_TOTAL = 25;
export const MAP_TABLE = 26;
export const MAP_EXTRA = 27;
export const MAP_BASES = 32;
export const MAX_MAP_STREAMS = 32;
export const TASK_TABLE = 64; // int32 index where the task table starts

export const TASK_INTS = 6; // entryStart, entryCount, r0, r1, c0, c1
export const MAX_TASKS = 2047; // the claim word has 11 bits for the count and 11 for the index
export const CONTROL_BYTES = 65536;

/**
 * Cache blocking: kc x 8 B panels fit L1, MC x kc of packed A fits L2, kc x NC of B fits L3.
 * K blocks are at most KC_MAX values and as even as possible (kcFor), so that none is a
 * sliver: k = 288 (a convolution's 3 x 3 x 32 columns) is one block, not 256 and then 32,
 * whose extra pass re-read and re-wrote all of C for an eighth of the work; k = 1024 stays
 * four blocks of 256.
 */
export const KC_MAX = 320;
export const kcFor = (k: number): number => Math.ceil(k / Math.ceil(k / KC_MAX));
export const NC = 1024;
export const mcFor = (mr: number): number => Math.floor(96 / mr) * mr;
/** NC rounded down to whole panels, so that a shared packed B's blocks start on a panel. */
export const ncFor = (nr: number): number => Math.floor(NC / nr) * nr;
/** An operand's extent (rows of A, columns of B) rounded up to whole panels of `w`. */
export const padded = (extent: number, w: number): number => Math.ceil(extent / w) * w;

/**
 * Byte address of panel `first / w` of the K block at `pc` in a whole packed operand: blocks
 * of kcFor(k) values of k, each holding all panels of width w (`pad` values in all) k-major.
 */
export const packedAt = (base: number, pad: number, pc: number, kc: number, first: number): number => base + 4 * (pc * pad + first * kc);

/** Per thread: packed A block, packed B block, one micro-tile for edges (mr x nr). */
export const scratchBytes = (mr: number, nr: number): number => {
  const bytes = 4 * (mcFor(mr) * KC_MAX + KC_MAX * NC + mr * nr);
  return Math.ceil(bytes / 64) * 64;
};

/** The k of one chunk of a split product. */
export const K_CHUNK = 4096;
/** Split products have at most this many output tiles. */
const SPLIT_MAX_TILES = 16;

/**
 * How many chunks of k a product is split into (0: none). A product with a handful of output
 * tiles and a long k (a first convolution's weight gradient: [16, 9] over k = 50176) has too
 * few row or column slices to keep two threads busy, and the one operand they share is packed
 * by the caller alone. Split, each task computes one chunk's partial product and the caller
 * adds the partials in chunk order. The split depends on the shape alone, so the bits do not
 * depend on the thread count. Only for A stored [k, m] and B [k, n] (the weight gradient
 * X^T dY), whose chunks are contiguous.
 */
export function kChunks(batch: number, m: number, k: number, n: number, trans: number, mr: number, nr: number): number {
  const chunks = Math.ceil(k / K_CHUNK);
  if (batch !== 1 || trans !== 1 || k < 2 * K_CHUNK || chunks > MAX_TASKS >> 1) return 0;
  return Math.ceil(m / mr) * Math.ceil(n / nr) <= SPLIT_MAX_TILES ? chunks : 0;
}

export function claimWord(generation: number, tasks: number): number {
  return ((generation & 0x3ff) << 22) | (tasks << 11);
}

/** The next task index of the current job, or -1 once all are claimed. */
export function claim(ctl: Int32Array): number {
  for (;;) {
    const w = Atomics.load(ctl, CLAIM);
    const next = w & 0x7ff;
    if (next >= ((w >>> 11) & 0x7ff)) return -1;
    if (Atomics.compareExchange(ctl, CLAIM, w, w + 1) === w) return next;
  }
}

/**
 * Claims and runs tasks until none are left. Failures are recorded rather than thrown, so that
 * the count of completed tasks always reaches the task count and the caller never waits forever.
 */
export function drain(ctl: Int32Array, memory: WebAssembly.Memory, ex: SgemmExports, thread: number): string | undefined {
  let failure: string | undefined;
  const worker = thread > 0;
  for (;;) {
    // Counted before claiming, so that a worker about to claim is waited for too.
    if (worker) Atomics.add(ctl, IN_TASK, 1);
    const t = claim(ctl);
    if (t >= 0) {
      try {
        runTask(ctl, memory, ex, thread, t);
      } catch (err) {
        failure = String(err instanceof Error ? err.message : err);
        Atomics.store(ctl, FAILED, 1);
      }
      if (worker) Atomics.add(ctl, WORKER_TASKS, 1);
      Atomics.add(ctl, COMPLETED, 1);
      Atomics.notify(ctl, COMPLETED);
    }
    if (worker) {
      Atomics.sub(ctl, IN_TASK, 1);
      Atomics.notify(ctl, IN_TASK);
    }
    if (t < 0) return failure;
  }
}

function runTask(ctl: Int32Array, memory: WebAssembly.Memory, ex: SgemmExports, thread: number, t: number): void {
  if (ctl[KIND] === MAP_JOB) return runMapTask(ctl, memory, t);
  const task = ctl.subarray(TASK_TABLE + t * TASK_INTS, TASK_TABLE + (t + 1) * TASK_INTS);
  const m = ctl[M];
  const k = ctl[K];
  const n = ctl[N];
  const trans = ctl[TRANS];
  const shared = ctl[SHARED];
  const [e0, count, r0, r1, c0, c1] = task;
  const entries = new Int32Array(memory.buffer, ctl[ENTRIES], 3 * (e0 + count));
  const scratch = ctl[SCRATCH] + thread * ctl[STRIDE];
  if (ctl[K_SPLIT] > 0) {
    const k0 = t * K_CHUNK;
    const partial = ctl[PARTIALS] + 4 * t * m * n;
    gemmBlock(ex, ctl[MR], ctl[NR], entries[0] + 4 * k0 * m, entries[1] + 4 * k0 * n, partial, m, Math.min(K_CHUNK, k - k0), n, 0, m, 0, n, scratch, trans);
    return;
  }
  for (let e = e0; e < e0 + count; e++) {
    const packed = shared ? ctl[PACKED] + e * ctl[PACKED_STRIDE] : 0;
    gemmBlock(ex, ctl[MR], ctl[NR], entries[3 * e], entries[3 * e + 1], entries[3 * e + 2], m, k, n, r0, Math.min(r1, m), c0, Math.min(c1, n), scratch, trans, shared, packed);
  }
}

/**
 * Packs panels [i0, i1) (i0 a multiple of the panel width; rows for A, columns for B) of the
 * K block at pc of operand `which` into the whole packed operand at `base` (see packedAt).
 */
export function packPanels(
  ex: SgemmExports, which: number, trans: number, a: number, b: number, m: number, k: number, n: number,
  pc: number, i0: number, i1: number, mr: number, nr: number, base: number,
): void {
  const kc = Math.min(kcFor(k), k - pc);
  if (which === SHARED_A) {
    const dst = packedAt(base, padded(m, mr), pc, kc, i0);
    if (trans & 1) ex.packAT(a + 4 * (pc * m + i0), 4 * m, i1 - i0, kc, dst);
    else ex.packA(a + 4 * (i0 * k + pc), 4 * k, i1 - i0, kc, dst);
  } else {
    const dst = packedAt(base, padded(n, nr), pc, kc, i0);
    if (trans & 2) ex.packBT(b + 4 * (i0 * k + pc), 4 * k, i1 - i0, kc, dst);
    else ex.packB(b + 4 * (pc * n + i0), 4 * n, i1 - i0, kc, dst);
  }
}

/**
 * C[r0:r1, c0:c1] = A[r0:r1, :] B[:, c0:c1] for A[m, k], B[k, n], C[m, n] at byte addresses
 * a, b, c (k >= 1), row-major except that `trans` bit 0 says A is stored as [k, m] and bit 1
 * that B is stored as [n, k]. The loop order is the usual one for packed GEMM: column blocks,
 * then K blocks (one packed B block each), then row blocks (one packed A block each). With
 * `shared` (SHARED_A: r0 = 0; SHARED_B: c0 = 0) that operand is already packed whole at `packed`.
 */
export function gemmBlock(
  ex: SgemmExports, mr: number, nr: number, a: number, b: number, c: number, m: number, k: number, n: number,
  r0: number, r1: number, c0: number, c1: number, scratch: number, trans = 0, shared = 0, packed = 0,
): void {
  const mcMax = mcFor(mr);
  const ncMax = ncFor(nr);
  const ap = scratch;
  const bp = ap + 4 * mcMax * KC_MAX;
  const tile = bp + 4 * KC_MAX * NC;
  const kcStep = kcFor(k);
  for (let jc = c0; jc < c1; jc += ncMax) {
    const nc = Math.min(ncMax, c1 - jc);
    for (let pc = 0; pc < k; pc += kcStep) {
      const kc = Math.min(kcStep, k - pc);
      let bBlock = bp;
      if (shared === SHARED_B) bBlock = packedAt(packed, padded(n, nr), pc, kc, jc);
      else if (trans & 2) ex.packBT(b + 4 * (jc * k + pc), 4 * k, nc, kc, bp);
      else ex.packB(b + 4 * (pc * n + jc), 4 * n, nc, kc, bp);
      for (let ic = r0; ic < r1; ic += mcMax) {
        const mc = Math.min(mcMax, r1 - ic);
        let aBlock = ap;
        if (shared === SHARED_A) aBlock = packedAt(packed, padded(m, mr), pc, kc, ic);
        else if (trans & 1) ex.packAT(a + 4 * (pc * m + ic), 4 * m, mc, kc, ap);
        else ex.packA(a + 4 * (ic * k + pc), 4 * k, mc, kc, ap);
        ex.macro(mc, nc, kc, aBlock, bBlock, c + 4 * (ic * n + jc), 4 * n, pc === 0 ? 1 : 0, tile);
      }
    }
  }
}

/** A map kernel's entries (simdmap.ts emitKernel): one run, and many runs from a table. */
export interface MapKernel {
  run(...args: number[]): void;
  runs(...args: number[]): void;
}

/** Map kernels by id, on each thread: the caller registers its own, workers compile theirs. */
const mapKernels = new Map<number, MapKernel>();
const MAX_MAP_KERNELS = 1024;

export function registerMapKernel(id: number, kernel: MapKernel): void {
  if (mapKernels.size >= MAX_MAP_KERNELS) mapKernels.clear();
  mapKernels.set(id, kernel);
}

function mapKernelOf(ctl: Int32Array, memory: WebAssembly.Memory): MapKernel {
  const id = ctl[MAP_ID];
  let kernel = mapKernels.get(id);
  if (!kernel) {
    // A copy: a module is not compiled from a view of shared memory.
    const bytes = new Uint8Array(memory.buffer, ctl[MAP_CODE], ctl[MAP_CODE_BYTES]).slice();
    kernel = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as unknown as MapKernel;
    registerMapKernel(id, kernel);
  }
  return kernel;
}

function runMapTask(ctl: Int32Array, memory: WebAssembly.Memory, t: number): void {
  const kernel = mapKernelOf(ctl, memory);
  const S = ctl[MAP_STREAMS];
  const splat = ctl[MAP_SPLAT];
  const chunk = ctl[MAP_CHUNK];
  const total = ctl[MAP_TOTAL];
  const table = ctl[MAP_TABLE];
  const args = new Array<number>(S + 1);
  const first = t * chunk;
  const count = Math.min(chunk, total - first);
  if (count <= 0) return;
  if (table === 0) {
    for (let k = 0; k < S; k++) args[k] = ctl[MAP_BASES + k] + ((splat >>> k) & 1 ? 0 : first);
    args[S] = count;
    kernel.run(...args);
  } else {
    for (let k = 0; k < S; k++) args[k] = ctl[MAP_BASES + k];
    args[S] = ctl[MAP_EXTRA];
    kernel.runs(...args, table + 4 * S * first, count);
  }
}
