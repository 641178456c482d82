// Elementwise float32 loops in WebAssembly SIMD, for the generated loops' commonest bodies: the
// SGD update p - lr * g, relu, bias adds, scaled sums. V8's loops over Float32Arrays cost about
// 3 ns per element here (a 200K-parameter SGD update took 0.9 ms); the same update as f32x4
// code, with the operands copied into wasm memory and the result copied out, took 0.5 ns per
// element. The values are the same bits: f32x4 add, sub, mul, div and sqrt round once to
// float32, as the JavaScript loops' float64 operation followed by Math.fround does (exact for
// float32 operands), and relu is max(x, 0), which gives 0 for -0 and NaN for NaN as relu does.
//
// Comparisons become lane masks, which feed `where` (bitselect) and a cast to float32 (mask &
// 1.0, relu's gradient g * (x > 0)): the same values as the JavaScript loops' 0/1 bools.
//
// Leaves and results that live on the tensor heap (tensorheap.ts) are read and written in
// place; others are copied through temporary blocks of the heap.
//
// What it takes: float32 leaves and result, operations from OPS only, and a block plan whose
// innermost axis reads each leaf contiguously (step 1) or as one value (step 0, splatted before
// the loop); outer axes are walked here, one wasm call per innermost run. Or, for a 2x2 pooling
// window's gradient, a plan whose innermost axes are [W, 2]: leaves read whole (steps 2, 1),
// once per pair (1, 0: each value loaded for two lanes) or as one value, in runs of 2W. Everything else, and
// runs too short to pay for the copies, stays on the JavaScript loops (loops.ts).

import { Body, encodeModule, i32, v128 } from "./emit";
import { runStarts } from "../strided";
import type { WasmHeap } from "./heap";
import { tensorHeap } from "./tensorheap";
import { giveTemp, takeTemp } from "./temps";
import { MIN_PARALLEL_ELEMENTS, type ParallelKernel, parallelRun, parallelRuns } from "./parallel";

/** One operation of a fused body: its op key (elementwise.ts) and its arguments (leaf k >= 0, temporary j as -j - 1). */
export interface SimdOp {
  key: string;
  args: readonly number[];
}

/** The block plan's shape (loops.ts BlockPlan), repeated here to keep this module standalone. */
export interface Plan {
  blocks: number;
  dims: number[];
  starts: Int32Array[];
  strides: number[][];
}

export type Arr = { [i: number]: number; length: number };

/**
 * How each supported operation is emitted: `code` is its f32x4 instruction (SIMD opcodes after
 * the 0xfd prefix), `args` the kinds of its arguments and `out` of its result: "f" a float32
 * vector, "m" a comparison's lane mask (all ones or zeros), which stands for a bool value (1 or
 * 0) and only feeds `where` and a cast to float32 here.
 */
interface OpSpec {
  code: number;
  args: ("f" | "m")[];
  out: "f" | "m";
}
const f2 = (code: number): OpSpec => ({ code, args: ["f", "f"], out: "f" });
const f1 = (code: number): OpSpec => ({ code, args: ["f"], out: "f" });
const cmp = (code: number): OpSpec => ({ code, args: ["f", "f"], out: "m" });
const RELU = -1;
const CAST_MASK = -2;
const WHERE = -3;
const IDENTITY = 0;
const OPS: Record<string, OpSpec> = {
  "binary.add(float32)": f2(0xe4),
  "binary.sub(float32)": f2(0xe5),
  "binary.mul(float32)": f2(0xe6),
  "binary.div(float32)": f2(0xe7),
  "unary.abs>float32": f1(0xe0),
  "unary.neg>float32": f1(0xe1),
  "unary.sqrt>float32": f1(0xe3),
  "unary.relu>float32": f1(RELU), // max(x, 0)
  copy: f1(IDENTITY),
  // Comparisons, as JavaScript's: false whenever NaN is involved, except ne.
  "binary.eq(float32)": cmp(0x41),
  "binary.ne(float32)": cmp(0x42),
  "binary.lt(float32)": cmp(0x43),
  "binary.gt(float32)": cmp(0x44),
  "binary.le(float32)": cmp(0x45),
  "binary.ge(float32)": cmp(0x46),
  // bool to float32 (relu's gradient: g * (x > 0)): mask & 1.0.
  "cast>float32": { code: CAST_MASK, args: ["m"], out: "f" },
  where: { code: WHERE, args: ["m", "f", "f"], out: "f" },
};
const F32X4_MAX = 0xe9;
const V128_AND = 0x4e;
const V128_BITSELECT = 0x52;
const F32X4_SPLAT = 0x13;

/**
 * The kinds of the body's temporaries, or null when an operation is unsupported or gets an
 * argument of the wrong kind (a bool leaf, a mask where a float is wanted) or the result is a
 * mask. Leaves are float32 vectors.
 */
export function kindsOf(ops: readonly SimdOp[]): ("f" | "m")[] | null {
  const kinds: ("f" | "m")[] = [];
  for (const op of ops) {
    const spec = OPS[op.key];
    if (!spec || spec.args.length !== op.args.length) return null;
    for (let a = 0; a < op.args.length; a++) {
      const arg = op.args[a];
      const kind = arg >= 0 ? "f" : kinds[-arg - 1];
      if (kind !== spec.args[a]) return null;
    }
    kinds.push(spec.out);
  }
  return kinds.length > 0 && kinds[kinds.length - 1] === "f" ? kinds : null;
}

/**
 * Emits a fused body's ops as f32x4 code (the caller checked kindsOf). Returns a function that
 * emits one evaluation, with leaf k's vector pushed by `leaf(k)`, and gives the local holding
 * the result; it may be called more than once (the fold evaluates even and odd lanes apart).
 */
export function bodyEmitter(f: Body, ops: readonly SimdOp[]): (leaf: (k: number) => void) => number {
  const temps = ops.map(() => f.local(v128));
  const zero = f.local(v128);
  f.v128Zero().set(zero);
  const one = f.local(v128);
  f.f32c(1).simdOp(F32X4_SPLAT).set(one);
  return (leaf) => {
    const push = (arg: number) => (arg < 0 ? f.get(temps[-arg - 1]) : leaf(arg));
    ops.forEach((op, j) => {
      const { code } = OPS[op.key];
      if (code === WHERE) {
        // bitselect(a, b, mask) = (a & mask) | (b & ~mask)
        push(op.args[1]);
        push(op.args[2]);
        push(op.args[0]);
        f.simdOp(V128_BITSELECT);
      } else {
        for (const a of op.args) push(a);
        if (code === RELU) f.get(zero).simdOp(F32X4_MAX);
        else if (code === CAST_MASK) f.get(one).simdOp(V128_AND);
        else if (code !== IDENTITY) f.simdOp(code);
      }
      f.set(temps[j]);
    });
    return temps[ops.length - 1];
  };
}

/**
 * runs(base0, .., base{S-1}, extra, table, count): calls function 0 (a one-run kernel taking
 * S pointers and `extra`) once per run, with pointer k = base k + (table[r * S + k] << shift k):
 * the runs' element offsets, laid out by the caller, so that thousands of short runs (pooling
 * windows' rows of 28 values) cost one call from JavaScript instead of one each.
 */
export function runsLoop(shifts: readonly number[]): Body {
  const S = shifts.length;
  const f = new Body(Array.from({ length: S + 3 }, () => i32));
  const [extra, table, count] = [S, S + 1, S + 2];
  const r = f.local(i32);
  const t = f.local(i32);
  f.get(table).set(t);
  f.i32c(0).set(r);
  f.forLoop(r, count, 1, () => {
    shifts.forEach((shift, k) => f.get(k).get(t).i32Load(4 * k).i32c(shift).shl().add());
    f.get(extra).call(0);
    f.inc(t, 4 * S);
  });
  return f;
}

/** Run tables by plan (loops.ts keeps the plans of many runs, so a jitted step reuses them). */
const runTables = new WeakMap<Plan, { pairs: boolean; table: Int32Array }>();

/**
 * The plan's innermost runs as runsLoop's table: every stream's run start offsets, run-major.
 * `pairs`: the innermost [W, 2] axes are one run (pairRuns).
 */
export function runTable(plan: Plan, pairs: boolean): Int32Array {
  const known = runTables.get(plan);
  if (known && known.pairs === pairs) return known.table;
  const runs = pairs ? pairRuns(plan) : plan;
  const starts = plan.starts.map((_, k) => runStarts(runs, k));
  const S = starts.length;
  const count = starts[0].length;
  const table = new Int32Array(count * S);
  for (let k = 0; k < S; k++) {
    const s = starts[k];
    for (let r = 0, p = k; r < count; r++, p += S) table[p] = s[r];
  }
  runTables.set(plan, { pairs, table });
  return table;
}

/** Copies a run table into the heap at `at`. */
export function writeRunTable(heap: WasmHeap, at: number, table: Int32Array): void {
  new Int32Array(heap.memory.buffer, at, table.length).set(table);
}

/** Runs shorter than this stay on the JavaScript loops: copies and a call cost ~1 µs. */
export const MIN_SIMD_ELEMENTS = 2048;
/**
 * Temporary copies stop here: a single run (the usual case: a whole tensor) is copied in chunks
 * of CHUNK elements, and a map of several runs (broadcasts) that needs more uses the
 * JavaScript loops.
 */
const MAX_TEMP_BYTES = 64 << 20;
const CHUNK = 1 << 20;
/** Compiled kernels kept at most (each a small module); past this the cache starts over. */
const MAX_KERNELS = 512;
const PAGE = 65536;

/** Maps run in SIMD and compiled so far (counters, tests). */
export const simdStats = { runs: 0, compiled: 0 };

let enabled = typeof process === "undefined" || process.env?.TSDL_CPU_SIMD_MAP !== "0";
/** Turns the SIMD maps and folds on or off (tests compare both paths); returns the previous setting. */
export function setSimdMaps(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}

export const simdEnabled = (): boolean => enabled;

type Kernel = (...args: number[]) => void;
/** A kernel's one-run entry and its many-runs entry (runsLoop), and what workers need to make their own. */
type Kernels = ParallelKernel;
const kernels = new Map<string, Kernels | null>();
let nextId = 1;

/** Drops the compiled kernels and their module bytes on the heap. */
function clearKernels(heap: WasmHeap): void {
  for (const k of kernels.values()) if (k && k.code >= 0) heap.free(k.code);
  kernels.clear();
}

/** The heap's address of `a` if the kernel may read it in place, else -1. */
function inPlace(heap: WasmHeap, a: Arr): number {
  return a instanceof Float32Array ? heap.addressOf(a) : -1;
}

/**
 * The heap's address of `y` if the kernel may write it in place: a whole block with room for
 * the last vector's spill (heap blocks are 64-byte multiples, so any placed array has it).
 */
function outPlace(heap: WasmHeap, y: Float32Array): number {
  const at = heap.addressOf(y);
  return at >= 0 && heap.blockBytes(at) >= Math.ceil(y.length / 4) * 16 ? at : -1;
}

/**
 * How the kernel reads each leaf along a run: "1" contiguously, "0" one value splatted before
 * the loop, "p" one value per pair of lanes (a pooling window's broadcast: v0 v0 v1 v1).
 */
type LeafKinds = string;

/**
 * run(p0, .., p{L-1}, py, bytes): y = ops over the leaves for `bytes` / 4 elements (a multiple
 * of 4; the caller does the rest). Leaf k is read at pk + i, splatted from pk once, or read at
 * pk + i / 2 two lanes per value, as `kinds[k]` says.
 */
function emitKernel(ops: readonly SimdOp[], kinds: LeafKinds, heap: WasmHeap): Uint8Array | null {
  if (!kindsOf(ops)) return null;
  const L = kinds.length;
  const f = new Body(Array.from({ length: L + 2 }, () => i32));
  const py = L;
  const bytes = L + 1;
  const i = f.local(i32);
  const leaves = [...kinds].map((kind, k) => {
    if (kind !== "0") return -1;
    const v = f.local(v128);
    f.get(k).v128Load32Splat(0).set(v);
    return v;
  });
  const pair = f.local(v128);
  const body = bodyEmitter(f, ops);
  const push = (arg: number) => {
    if (kinds[arg] === "0") f.get(leaves[arg]);
    else if (kinds[arg] === "p") f.get(arg).get(i).i32c(1).shrU().add().v128Load64Zero(0).tee(pair).get(pair).shuffleF32([0, 0, 1, 1]);
    else f.get(arg).get(i).add().v128Load(0);
  };
  f.i32c(0).set(i);
  f.forLoop(i, bytes, 16, () => {
    const result = body(push);
    f.get(py).get(i).add().get(result).v128Store(0);
  });
  return encodeModule({
    memory: { initialPages: 1, maximumPages: heap.maxBytes / PAGE, shared: heap.shared },
    functions: [{ name: "run", body: f }, { name: "runs", body: runsLoop(new Array<number>(L + 1).fill(2)) }],
  });
}

/** `full`: the body's key and its leaves' kinds. */
function kernelFor(full: string, ops: readonly SimdOp[], kinds: LeafKinds, heap: WasmHeap): Kernels | null {
  let k = kernels.get(full);
  if (k === undefined) {
    if (kernels.size >= MAX_KERNELS) clearKernels(heap);
    const bytes = emitKernel(ops, kinds, heap);
    k = null;
    if (bytes) {
      const ex = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: heap.memory } }).exports as unknown as Kernels;
      k = { run: ex.run, runs: ex.runs, id: nextId++, bytes, code: -1 };
      simdStats.compiled += 1;
    }
    kernels.set(full, k);
  }
  return k;
}

/** The plan's runs: its axes but the last, which the kernel walks, of `inner` elements. */
interface RunLayout {
  kinds: LeafKinds;
  inner: number;
  runs: Plan;
}

/**
 * How a plan's innermost axes become runs for the kernel: the innermost axis when it reads
 * every leaf with step 0 or 1 and is long enough; or its last two axes [W, 2] as runs of 2W
 * when each leaf is read with steps (2, 1), (1, 0) or (0, 0) there (a 2x2 pooling window's
 * gradient: the input whole, the pooled values and their gradient once per pair). Else null.
 */
function runLayout(plan: Plan, L: number): RunLayout | null {
  const K = plan.dims.length;
  const last = plan.dims[K - 1];
  if (last >= 16) {
    let kinds = "";
    for (let k = 0; k < L; k++) {
      const step = plan.strides[k][K - 1];
      if (step !== 0 && step !== 1) return null;
      kinds += step === 0 ? "0" : "1";
    }
    return { kinds, inner: last, runs: plan };
  }
  // Short runs: the per-run call costs more than it saves, unless pairs make a longer run (the
  // JavaScript loop over pairs runs at 8-10 ns a value, so even runs of 8 pay for the call).
  if (last !== 2 || K < 2 || 2 * plan.dims[K - 2] < 8) return null;
  const kinds = pairKinds(plan, L);
  if (kinds === null) return null;
  const runs = pairRuns(plan);
  return { kinds, inner: 2 * plan.dims[K - 2], runs };
}

/**
 * Each leaf's kind over a plan's innermost axes [W, 2] of pairs: read whole (steps 2, 1), once
 * per pair (1, 0) or as one value (0, 0); null if a leaf is read otherwise.
 */
export function pairKinds(plan: Plan, L: number): LeafKinds | null {
  const K = plan.dims.length;
  let kinds = "";
  for (let k = 0; k < L; k++) {
    const [outer, step] = [plan.strides[k][K - 2], plan.strides[k][K - 1]];
    if (outer === 2 && step === 1) kinds += "1";
    else if (outer === 1 && step === 0) kinds += "p";
    else if (outer === 0 && step === 0) kinds += "0";
    else return null;
  }
  return kinds;
}

/** The plan with its innermost [W, 2] merged into runs of 2W (for runStarts over its other axes). */
export function pairRuns(plan: Plan): Plan {
  const keep = plan.dims.length - 2;
  return {
    blocks: plan.blocks,
    dims: [...plan.dims.slice(0, keep), 2 * plan.dims[keep]],
    starts: plan.starts,
    strides: plan.strides.map((s) => [...s.slice(0, keep), 1]),
  };
}

/**
 * y = the body over `xs` as `plan` lays them out (its last stream is y's, dense), in SIMD.
 * Returns false, having done nothing, when the body or layout is not one it handles.
 */
export function simdMap(key: string, ops: readonly SimdOp[], y: Float32Array, plan: Plan, xs: readonly Arr[]): boolean {
  if (!enabled || y.length < MIN_SIMD_ELEMENTS) return false;
  const K = plan.dims.length;
  const L = xs.length;
  for (let k = 0; k < L; k++) if (!(xs[k] instanceof Float32Array)) return false;
  const runLayoutOf = runLayout(plan, L);
  if (!runLayoutOf) return false;
  const { kinds, inner, runs } = runLayoutOf;
  // y must be written densely, run after run, so that a run's vector tail spilling into the
  // next run is overwritten by it, and the whole of y comes back (no padded copies).
  let size = 1;
  for (let d = K - 1; d >= 0; d--) {
    if (plan.strides[L][d] !== size && plan.dims[d] > 1) return false;
    size *= plan.dims[d];
  }
  if (size * plan.blocks !== y.length) return false;
  for (let r = 0; r < plan.blocks; r++) if (plan.starts[L][r] !== r * size) return false;
  const full = `${key}|${kinds}`;
  if (kernels.get(full) === null) return false; // a body already found unsupported

  const heap = tensorHeap();
  if (!heap) return false;
  const kernel = kernelFor(full, ops, kinds, heap);
  if (!kernel) return false;
  if (K === 1 && plan.blocks === 1) return chunked(heap, kernel, y, plan, xs, kinds);

  // Operands not on the heap are copied whole into one temporary block (each 16-byte aligned,
  // with a vector of slack), and y too unless it is written in place.
  const at = xs.map((x) => inPlace(heap, x));
  const yAt = outPlace(heap, y);
  const lengths = [...xs.map((x, k) => (at[k] >= 0 ? 0 : x.length)), yAt >= 0 ? 0 : y.length];
  const offsets = layout(lengths);
  const runTab = runTable(plan, runs !== plan);
  const count = runTab.length / (L + 1);
  const tableBytes = 4 * runTab.length;
  if (offsets[L + 1] + tableBytes > MAX_TEMP_BYTES) return false;
  const temp = takeTemp(heap, offsets[L + 1] + tableBytes);
  if (temp < 0) return false;
  try {
    const base = [...at, yAt].map((a, k) => (a >= 0 ? a : temp + offsets[k]));
    for (let k = 0; k < L; k++) if (at[k] < 0) heap.f32(base[k], xs[k].length).set(xs[k] as Float32Array);
    // One kernel call per innermost run, all from one wasm call; the run's last len % 4
    // elements are done a vector at a time too, reading past the run (inside the padded copies
    // or the placed array's block) and writing past it into y's slack, which the next run then
    // overwrites, or which lies past y's end inside its block.
    const table = temp + offsets[L + 1];
    writeRunTable(heap, table, runTab);
    const extra = Math.ceil(inner / 4) * 16;
    // Threads take whole runs; a run's spill past its end would race with the next run's
    // thread, so only runs of whole vectors.
    const parallel = y.length >= MIN_PARALLEL_ELEMENTS && inner % 4 === 0;
    if (!parallel || !parallelRuns(heap, kernel, base, extra, table, count, [...(xs as Float32Array[]), y])) {
      kernel.runs(...base, extra, table, count);
    }
    if (yAt < 0) y.set(heap.f32(base[L], y.length));
  } finally {
    giveTemp(heap, temp);
  }
  simdStats.runs += 1;
  return true;
}

/** Byte offsets of arrays of these lengths laid out one after another, 16-byte aligned with a
 * vector of slack each (none for length 0); the last entry is the end. */
function layout(lengths: readonly number[]): number[] {
  const offsets = [0];
  for (const n of lengths) offsets.push(offsets[offsets.length - 1] + (n > 0 ? Math.ceil(n / 4) * 16 + 16 : 0));
  return offsets;
}

/**
 * A map of one contiguous run. With every operand on the heap it is one call; otherwise the
 * operands that are not go through temporary blocks CHUNK elements at a time (scalar leaves
 * copied once).
 */
function chunked(heap: WasmHeap, kernel: Kernels, y: Float32Array, plan: Plan, xs: readonly Arr[], kinds: LeafKinds): boolean {
  const run = kernel.run;
  const L = xs.length;
  const n = y.length;
  const at = xs.map((x) => inPlace(heap, x));
  const yAt = outPlace(heap, y);
  const copied = [...at.map((a, k) => a < 0 && kinds[k] !== "0"), yAt < 0];
  const chunk = copied.some((c) => c) ? Math.min(CHUNK, n) : n;
  const offsets = layout([...at.map((a, k) => (a >= 0 ? 0 : kinds[k] === "0" ? 1 : chunk)), yAt >= 0 ? 0 : chunk]);
  const temp = offsets[L + 1] > 0 ? takeTemp(heap, offsets[L + 1]) : 0;
  if (temp < 0) return false;
  try {
    const base = [...at, yAt].map((a, k) => (a >= 0 ? a : temp + offsets[k]));
    const args = new Array<number>(L + 2);
    for (let k = 0; k < L; k++) {
      if (kinds[k] !== "0") continue;
      if (at[k] >= 0) args[k] = at[k] + 4 * plan.starts[k][0];
      else {
        heap.f32(base[k], 1)[0] = xs[k][plan.starts[k][0]];
        args[k] = base[k];
      }
    }
    if (chunk === n && n >= MIN_PARALLEL_ELEMENTS) {
      // Every operand in place: one run, which threads can share.
      let splat = 0;
      for (let k = 0; k < L; k++) {
        if (kinds[k] === "0") splat |= 1 << k;
        else args[k] = at[k] + 4 * plan.starts[k][0];
      }
      args[L] = yAt;
      const bytes = Math.ceil(n / 4) * 16;
      if (parallelRun(heap, kernel, args.slice(0, L + 1), splat, bytes, [...(xs as Float32Array[]), y])) {
        simdStats.runs += 1;
        return true;
      }
    }
    for (let s = 0; s < n; s += chunk) {
      const len = Math.min(chunk, n - s);
      for (let k = 0; k < L; k++) {
        if (kinds[k] === "0") continue;
        const from = plan.starts[k][0] + s;
        if (at[k] >= 0) args[k] = at[k] + 4 * from;
        else {
          heap.f32(base[k], len).set((xs[k] as Float32Array).subarray(from, from + len));
          args[k] = base[k];
        }
      }
      args[L] = yAt >= 0 ? yAt + 4 * s : base[L];
      // The last vector may run past len: it reads the slack and writes y's slack (a copy's,
      // not copied back, or the next chunk's first values, written again by that chunk).
      args[L + 1] = Math.ceil(len / 4) * 16;
      run(...args);
      if (yAt < 0) y.set(heap.f32(base[L], len), s);
    }
  } finally {
    if (offsets[L + 1] > 0) giveTemp(heap, temp);
  }
  simdStats.runs += 1;
  return true;
}
