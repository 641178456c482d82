// Reductions over 2x2 pooling windows in WebAssembly SIMD: MaxPool2d's max over [.., W, 2]
// pairs, and its gradient's tie count (a sum). The JavaScript fold runs such windows at 8-9 ns a
// value: max's compare-and-branch is taken at random, and the innermost loop is two long. Here
// four outputs go at once: a run's 2W inputs split into even and odd lanes by two shuffles, the
// fused body is evaluated on each, and each lane folds its even value and then its odd one.
// Column folds (the innermost axis kept: a bias gradient's sums over the batch) are the same
// kernel with one value per output: each run of W values folds into W outputs, four at a time.
//
// The same values as the JavaScript fold, bit for bit: every output takes its inputs in the
// same order (runs in plan order, even before odd); max and min follow its statement exactly
// (`if (v > a || v !== v) a = a !== a ? a : v`, as lane masks), so NaN wins and the first of
// -0 and +0 stays; sums accumulate in float64 lanes (promoted floats), as the JavaScript
// accumulator does. Runs whose W is not a multiple of 4 end with partial loads and lane
// stores, so nothing past a run is read or written.

import { Body, encodeModule, i32, v128 } from "./emit";
import type { WasmHeap } from "./heap";
import { bodyEmitter, kindsOf, pairKinds, runTable, runsLoop, simdEnabled, writeRunTable, type Arr, type Plan, type SimdOp } from "./simdmap";
import { fillArray, tensorHeap } from "./tensorheap";
import { giveTemp, takeTemp } from "./temps";

export type FoldFn = "sum" | "max" | "min" | "prod";

const PAGE = 65536;
/** Smaller inputs stay on the JavaScript fold: copies and calls cost more than they save. */
const MIN_ELEMENTS = 2048;
/** Temporary copies of leaves that are not on the heap stop here (else the JavaScript fold). */
const MAX_TEMP_BYTES = 64 << 20;
const MAX_KERNELS = 256;

const OR = 0x50;
const NOT = 0x4d;
const BITSELECT = 0x52;
const F32_NE = 0x42;
const F32_LT = 0x43;
const F32_GT = 0x44;
const F64_PROMOTE_LOW = 0x5f;
const F64_ADD = 0xf0;

/** Folds run in SIMD and kernels compiled (tests, counters). */
export const foldStats = { runs: 0, compiled: 0 };

type Kernel = (...args: number[]) => void;
const kernels = new Map<string, Kernel | null>();

/**
 * run(p0, .., p{L-1}, pacc, groups): for one run, acc[w] folds body(x[2w]) then body(x[2w+1])
 * for w < 4 * groups + tail. Leaf kinds: "1" read whole (x[2w], x[2w+1]), "p" once per pair
 * (x[w] for both), "0" one value. acc is float32 for max and min, float64 for sum.
 */
function emitFold(fn: FoldFn, ops: readonly SimdOp[], kinds: string, tail: number, heap: WasmHeap, pairs: boolean): Uint8Array {
  const L = kinds.length;
  const f = new Body(Array.from({ length: L + 2 }, () => i32));
  const pacc = L;
  const groups = L + 1;
  const g = f.local(i32);
  const o = f.local(i32); // the group's first output, as a float32 byte offset
  const even = [...kinds].map(() => f.local(v128));
  const odd = [...kinds].map(() => f.local(v128));
  const lo = f.local(v128);
  const hi = f.local(v128);
  const a = f.local(v128);
  const a2 = f.local(v128);
  const sum = fn === "sum";
  [...kinds].forEach((kind, k) => {
    if (kind === "0") f.get(k).v128Load32Splat(0).set(even[k]);
  });
  const body = bodyEmitter(f, ops);

  /** Loads `n` float32 values at local `ptr` + offset into lanes 0..n-1 (zeros above). */
  const loadN = (ptr: number, offset: number, n: number): Body => {
    if (n === 4) return f.get(ptr).v128Load(offset);
    if (n === 2) return f.get(ptr).v128Load64Zero(offset);
    if (n === 1) return f.get(ptr).v128Load32Zero(offset);
    return f.get(ptr).get(ptr).v128Load64Zero(offset).v128Load32Lane(2, offset + 8);
  };
  /** Address local = base param + o * scale. */
  const addr = (param: number, scale: number, into: number) => {
    f.get(param).get(o);
    if (scale === 2) f.i32c(1).shl();
    f.add().set(into);
  };
  const ptr = f.local(i32);
  const accPtr = f.local(i32);

  /** One group of `n` outputs (4, or the tail's 1-3) at output offset o. */
  const group = (n: number) => {
    [...kinds].forEach((kind, k) => {
      if (kind === "1") {
        addr(k, 2, ptr);
        // 2n inputs: lanes (even, odd) of outputs 0, 1 in lo, of outputs 2, 3 in hi.
        loadN(ptr, 0, Math.min(4, 2 * n)).set(lo);
        if (n > 2) loadN(ptr, 16, 2 * n - 4).set(hi);
        else f.v128Zero().set(hi);
        f.get(lo).get(hi).shuffleF32([0, 2, 4, 6]).set(even[k]);
        f.get(lo).get(hi).shuffleF32([1, 3, 5, 7]).set(odd[k]);
      } else if (kind === "p") {
        addr(k, 1, ptr);
        loadN(ptr, 0, n).set(even[k]);
      }
    });
    const value = (lanes: number[]) => (k: number) => void f.get(kinds[k] === "1" ? lanes[k] : even[k]);
    // A column fold (not pairs) takes one value per output: its leaves are all "p" or "0".
    const passes = pairs ? [even, odd] : [even];
    addr(pacc, sum ? 2 : 1, accPtr);
    if (sum) {
      // Outputs 0, 1 in a (float64 lanes), 2, 3 in a2.
      loadN(accPtr, 0, Math.min(4, 2 * n)).set(a);
      if (n > 2) loadN(accPtr, 16, 2 * n - 4).set(a2);
      for (const lanes of passes) {
        const r = body(value(lanes));
        f.get(a).get(r).simdOp(F64_PROMOTE_LOW).simdOp(F64_ADD).set(a);
        if (n > 2) f.get(a2).get(r).get(r).shuffleF32([2, 3, 2, 3]).simdOp(F64_PROMOTE_LOW).simdOp(F64_ADD).set(a2);
      }
      storeN(f, accPtr, 0, a, Math.min(4, 2 * n));
      if (n > 2) storeN(f, accPtr, 16, a2, 2 * n - 4);
    } else {
      loadN(accPtr, 0, n).set(a);
      for (const lanes of passes) {
        const v = body(value(lanes));
        // a = a where (a is NaN or not (v beats a or v is NaN)), else v.
        f.get(a).get(v);
        f.get(a).get(a).simdOp(F32_NE);
        f.get(v).get(a).simdOp(fn === "max" ? F32_GT : F32_LT).get(v).get(v).simdOp(F32_NE).simdOp(OR).simdOp(NOT);
        f.simdOp(OR).simdOp(BITSELECT).set(a);
      }
      storeN(f, accPtr, 0, a, n);
    }
  };

  f.i32c(0).set(o);
  f.i32c(0).set(g);
  f.forLoop(g, groups, 1, () => {
    group(4);
    f.inc(o, 16);
  });
  if (tail > 0) group(tail);
  return encodeModule({
    memory: { initialPages: 1, maximumPages: heap.maxBytes / PAGE, shared: heap.shared },
    functions: [{ name: "run", body: f }, { name: "runs", body: runsLoop([...new Array<number>(L).fill(2), fn === "sum" ? 3 : 2]) }],
  });
}

/** Stores lanes 0..n-1 (float32-sized) of local `v` at local `ptr` + offset. */
function storeN(f: Body, ptr: number, offset: number, v: number, n: number): void {
  if (n === 4) f.get(ptr).get(v).v128Store(offset);
  else if (n === 2) f.get(ptr).get(v).v128Store64Lane(0, offset);
  else if (n === 1) f.get(ptr).get(v).v128Store32Lane(0, offset);
  else {
    f.get(ptr).get(v).v128Store64Lane(0, offset);
    f.get(ptr).get(v).v128Store32Lane(2, offset + 8);
  }
}

/**
 * The leaves' kinds when the plan is a fold over 2x2 windows that this takes: innermost axes
 * [W, 2] (W >= 4) with the accumulator kept along W and reduced along the pair, and each leaf
 * read whole, once per pair or as one value there. Else null.
 */
function windowKinds(plan: Plan, L: number): string | null {
  const K = plan.dims.length;
  if (K < 2 || plan.dims[K - 1] !== 2 || plan.dims[K - 2] < 4) return null;
  const acc = plan.strides[L];
  if (acc[K - 2] !== 1 || acc[K - 1] !== 0) return null;
  const kinds = pairKinds(plan, L);
  return kinds?.includes("1") ? kinds : null;
}

/**
 * The leaves' kinds when the plan is a fold over its outer axes with the innermost one kept
 * (a bias gradient's column sums): the accumulator and every leaf read along it with step 1
 * ("p": one value per output) or 0 ("0"), at least 16 long. Else null.
 */
function columnKinds(plan: Plan, L: number): string | null {
  const K = plan.dims.length;
  if (plan.dims[K - 1] < 16 || plan.strides[L][K - 1] !== 1) return null;
  let kinds = "";
  for (let k = 0; k < L; k++) {
    const step = plan.strides[k][K - 1];
    if (step !== 0 && step !== 1) return null;
    kinds += step === 1 ? "p" : "0";
  }
  return kinds.includes("p") ? kinds : null;
}

/**
 * y = the reduction (fn, starting from `init`) of the body over `xs` as `plan` lays them out
 * (its last stream is the output's), in SIMD. Returns false, having done nothing, when the
 * reduction, body or layout is not one it takes.
 */
export function simdFold(fn: FoldFn, key: string, ops: readonly SimdOp[], y: Float32Array, init: number, plan: Plan, xs: readonly Arr[]): boolean {
  if (!simdEnabled() || fn === "prod") return false;
  const L = xs.length;
  for (let k = 0; k < L; k++) if (!(xs[k] instanceof Float32Array)) return false;
  let total = plan.blocks;
  for (const d of plan.dims) total *= d;
  if (total < MIN_ELEMENTS) return false;
  const window = windowKinds(plan, L);
  const pairs = window !== null;
  const kinds = window ?? columnKinds(plan, L);
  if (!kinds || !kindsOf(ops)) return false;
  const heap = tensorHeap();
  if (!heap) return false;
  const K = plan.dims.length;
  const W = pairs ? plan.dims[K - 2] : plan.dims[K - 1]; // outputs per run
  const full = `${fn}|${key}|${kinds}|${W % 4}|${pairs ? "pairs" : "column"}`;
  let run = kernels.get(full);
  if (run === undefined) {
    if (kernels.size >= MAX_KERNELS) kernels.clear();
    const bytes = emitFold(fn, ops, kinds, W % 4, heap, pairs);
    run = (new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: heap.memory } }).exports as { runs: Kernel }).runs;
    kernels.set(full, run);
    foldStats.compiled += 1;
  }
  if (!run) return false;

  // The accumulator: y itself for max and min when y is on the heap (their values are floats
  // or infinities), else a heap block (float64 for sums, as the JavaScript fold keeps them).
  const sum = fn === "sum";
  const yAt = sum ? -1 : heap.addressOf(y);
  const accBytes = yAt >= 0 ? 0 : Math.ceil(((sum ? 8 : 4) * y.length) / 64) * 64;
  const at = xs.map((x) => heap.addressOf(x as Float32Array));
  // Runs in plan order: every axis but the last two, each W pairs long; or (a column fold)
  // every axis but the last, each W values long.
  const runTab = runTable(plan, pairs);
  const count = runTab.length / (L + 1);
  const tableBytes = Math.ceil((4 * runTab.length) / 64) * 64;
  let tempBytes = accBytes + tableBytes;
  for (let k = 0; k < L; k++) if (at[k] < 0) tempBytes += Math.ceil(xs[k].length / 16) * 64;
  if (tempBytes > MAX_TEMP_BYTES) return false;
  const temp = takeTemp(heap, tempBytes);
  if (temp < 0) return false;
  try {
    const accAt = yAt >= 0 ? yAt : temp;
    const table = temp + accBytes;
    let next = table + tableBytes;
    const base = at.map((a, k) => {
      if (a >= 0) return a;
      const p = next;
      heap.f32(p, xs[k].length).set(xs[k] as Float32Array);
      next += Math.ceil(xs[k].length / 16) * 64;
      return p;
    });
    if (sum) heap.zero(accAt, 8 * y.length);
    else fillArray(heap.f32(accAt, y.length), init);
    writeRunTable(heap, table, runTab);
    run(...base, accAt, Math.floor(W / 4), table, count);
    // Sums are rounded to float32 once, as the JavaScript fold's y.set(acc) does.
    if (sum) y.set(new Float64Array(heap.memory.buffer, accAt, y.length));
    else if (yAt < 0) y.set(heap.f32(accAt, y.length));
  } finally {
    giveTemp(heap, temp);
  }
  foldStats.runs += 1;
  return true;
}
