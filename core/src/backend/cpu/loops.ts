// Generated loops for the CPU's elementwise kernels and reductions. A loop shared by every
// operation that calls the operation's scalar function per element is megamorphic: V8 cannot
// inline the call, and a relu or comparison over 32K elements took ~1 ms instead of ~30 µs.
// Instead each (operation, dtypes, layout) gets its own loop, compiled once with `new Function`
// from the operation's expression (expressions.ts) and cached, so every load, call and store
// in it sees one type and V8 optimises it like a hand-written loop.
//
// Loops walk a block plan (below): nested loops over the innermost axes with per-input strides.
// The innermost step of 0 (a broadcast or scalar operand) or 1 (contiguous) is baked in.

import { allocHost, type DType } from "../../dtype";
import type { ReduceFn } from "../../ops/primitives";
import { helpers } from "./expressions";
import { collapseAxes } from "./rows";
import { offsets } from "./strided";
import { runTable, simdMap, type SimdOp } from "./wasm/simdmap";

/** A plain leaf as a SIMD body (a reduction of an array that is not a fused chain). */
const LEAF_OPS: SimdOp[] = [{ key: "copy", args: [0] }];

/** The body as SIMD ops, if it has them (a float32 leaf is a copy). */
export function simdOpsOf(body: Body): readonly SimdOp[] | undefined {
  return body.ops ?? (body.key === "leaf" && body.dtypes[0] === "float32" ? LEAF_OPS : undefined);
}
import { runCopier } from "./wasm/tensorheap";

type Arr = { [i: number]: number; length: number };

/**
 * The value of one output element from the leaves' loaded values `l0`, `l1`, ...: `prelude`
 * statements (const declarations, for fused chains) then `expr`.
 */
export interface Body {
  /** Identifies the computation: the same key means the same code. */
  key: string;
  /** The leaves' dtypes (each gets its own loop, so array accesses stay monomorphic). */
  dtypes: readonly DType[];
  /** The code, asked for only when the loop is not compiled yet. */
  code: () => { prelude: string; expr: string };
  /** The operations, for the SIMD maps (wasm/simdmap.ts), where the body has them in that form. */
  ops?: readonly SimdOp[];
}

type MapLoop = (y: Arr, blocks: number, dims: number[], starts: Int32Array[], strides: number[][], xs: Arr[]) => void;
type FoldLoop = (acc: Float64Array, blocks: number, dims: number[], starts: Int32Array[], strides: number[][], xs: Arr[]) => void;

const cache = new Map<string, MapLoop | FoldLoop>();
/** Loops run and compiled so far (the backend's counters()). */
export const loopStats = { runs: 0, compiled: 0 };
/** Fused chains can make many distinct bodies; past this many loops the cache starts over. */
const MAX_CACHED = 2000;

function compile<T>(key: string, source: () => string, warm: (f: T) => void): T {
  let f = cache.get(key) as T | undefined;
  if (!f) {
    if (cache.size >= MAX_CACHED) cache.clear();
    const names = Object.keys(helpers);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the point of this module
    f = new Function(...names, source())(...names.map((k) => helpers[k as keyof typeof helpers])) as T;
    // V8 collects type feedback only once a function has run a few times. A loop that runs
    // once per training step is optimised mid-loop (on-stack replacement) while the code around
    // the loop has never recorded feedback, and deoptimises on leaving it, at every call for a
    // while. A few calls on tiny inputs of the real types (fractional floats, so the arithmetic
    // is not assumed to stay integral) give every statement its feedback first.
    for (let i = 0; i < WARM_CALLS; i++) warm(f);
    loopStats.compiled += 1;
    cache.set(key, f as MapLoop);
  }
  loopStats.runs += 1;
  return f;
}

const WARM_CALLS = 12;
/** Elements per trip of a generated innermost loop (see nest). */
const UNROLL = 4;
/** Elements of warm-up arrays: past any index a warm-up plan reaches ((UNROLL + 2) x step 2). */
const WARM_SIZE = 16;

/** A tiny array of `dtype` for warm-up calls, fractional where floats. */
function warmArray(dtype: DType, n = WARM_SIZE): Arr {
  const a = allocHost(dtype, n);
  const values = dtype === "float32" ? [0.75, -1.5, 2.25, -0.25] : dtype === "int32" ? [3, -2, 1, 5] : [1, 0, 1, 1];
  for (let i = 0; i < n; i++) a[i] = values[i % 4];
  return a;
}

/**
 * Streams (inputs, and a reduction's accumulator) walked together over a shape: its innermost
 * (up to MAX_INNER) axes become nested loops in the generated code, with per-stream strides;
 * the axes outside them are enumerated once into per-stream block start offsets. A pooling
 * window's [.., 14, 2, 14, 2] read is blocks of 56 elements, not 14,336 rows of 2.
 */
export interface BlockPlan {
  blocks: number;
  /** Sizes of the inner axes, outermost first. */
  dims: number[];
  /** Per stream: the flat offset where each block starts. */
  starts: Int32Array[];
  /** Per stream: its strides along the inner axes. */
  strides: number[][];
}

const MAX_INNER = 4;

/**
 * Plans of many blocks, by layout. A jitted step asks for the same plans on every replay, and
 * enumerating their block starts, with the SIMD loops' run tables kept with them
 * (wasm/simdmap.ts runTable), took about 15% of a convnet step. Plans are never modified.
 */
const plans = new Map<string, BlockPlan>();
const MAX_PLANS = 256;
/** Plans of fewer innermost runs are cheaper to enumerate than to look up. */
const MIN_KEPT_RUNS = 64;

/** Plans reading streams with `strides` (as seen from `shape`), offset by `bases`. */
export function blockPlan(shape0: readonly number[], strides0: readonly (readonly number[])[], bases: readonly number[] = []): BlockPlan {
  let [shape, strides] = collapseAxes(shape0, strides0);
  if (shape.length === 0) [shape, strides] = [[1], strides.map(() => [0])];
  const k = Math.min(MAX_INNER, shape.length);
  const cut = shape.length - k;
  const outer = shape.slice(0, cut);
  const blocks = outer.reduce((a, b) => a * b, 1);
  const runs = shape.slice(0, -1).reduce((a, b) => a * b, 1); // innermost runs: blocks x inner axes but the last
  const key = runs >= MIN_KEPT_RUNS ? `${shape}|${strides.join(";")}|${bases}` : "";
  const known = key ? plans.get(key) : undefined;
  if (known) return known;
  const starts = strides.map((s, i) => offsets(outer, s.slice(0, cut), bases[i] ?? 0));
  const plan = { blocks, dims: shape.slice(cut), starts, strides: strides.map((s) => s.slice(cut)) };
  if (key) {
    if (plans.size >= MAX_PLANS) plans.clear();
    plans.set(key, plan);
  }
  return plan;
}

function stepKind(step: number): string {
  return step === 0 ? "0" : step === 1 ? "1" : "s";
}

/**
 * The innermost axis's size when it is tiny (a 2x2 pooling window's 2): its loop is unrolled,
 * as the loop's own bookkeeping would cost as much as the elements. 0: a loop.
 */
function unrolled(plan: BlockPlan): number {
  const n = plan.dims[plan.dims.length - 1];
  return plan.dims.length > 1 && n <= 4 ? n : 0;
}

/** What the generated code depends on: inner rank, each stream's innermost step kind, unrolling. */
function layoutKey(plan: BlockPlan): string {
  return `${plan.dims.length}:${plan.strides.map((s) => stepKind(s[s.length - 1])).join("")}:${unrolled(plan)}`;
}

/**
 * The loop nest over a plan's blocks and inner axes. `c${k}` is stream k's offset at the start
 * of the innermost axis; `before` runs there (hoisted loads), `element` once per element with
 * `i` the innermost index, `after` after the innermost loop.
 */
function nest(plan: BlockPlan, streams: number, code: { before: string; element: string; after: string }): string {
  const K = plan.dims.length;
  const lines: string[] = [];
  lines.push(plan.dims.map((_, j) => `const n${j} = dims[${j}];`).join(" "));
  for (let k = 0; k < streams; k++) {
    lines.push(`const st${k} = starts[${k}], S${k} = strides[${k}];`);
    lines.push(plan.dims.map((_, j) => `const k${k}_${j} = S${k}[${j}];`).join(" "));
  }
  lines.push("for (let r = 0; r < blocks; r++) {");
  for (let k = 0; k < streams; k++) lines.push(`const c${k}_0 = st${k}[r];`);
  for (let j = 0; j < K - 1; j++) {
    lines.push(`for (let j${j} = 0; j${j} < n${j}; j${j}++) {`);
    for (let k = 0; k < streams; k++) lines.push(`const c${k}_${j + 1} = c${k}_${j} + j${j} * k${k}_${j};`);
  }
  for (let k = 0; k < streams; k++) lines.push(`const c${k} = c${k}_${K - 1};`);
  lines.push(code.before);
  const u = unrolled(plan);
  if (u > 0) for (let i = 0; i < u; i++) lines.push(`{ const i = ${i};`, code.element, "}");
  else {
    // Four elements per trip, then the rest one at a time: V8 spends about as much on a
    // trip's bookkeeping (bounds, interrupt check) as on a simple element (an SGD update
    // p - lr * g ran ~25% faster so). Elements still run in index order: sums fold as before.
    lines.push(`let i4 = 0;`, `for (; i4 + ${UNROLL - 1} < n${K - 1}; i4 += ${UNROLL}) {`);
    for (let x = 0; x < UNROLL; x++) lines.push(`{ const i = i4${x ? ` + ${x}` : ""};`, code.element, "}");
    lines.push("}", `for (let i = i4; i < n${K - 1}; i++) {`, code.element, "}");
  }
  lines.push(code.after);
  for (let j = 0; j < K; j++) lines.push("}");
  return lines.join("\n");
}

/** The offset of stream k's element i along the innermost axis. */
function at(plan: BlockPlan, k: number): string {
  const s = plan.strides[k];
  const kind = stepKind(s[s.length - 1]);
  return kind === "0" ? `c${k}` : kind === "1" ? `c${k} + i` : `c${k} + i * k${k}_${s.length - 1}`;
}

/** Loads of the leaves: hoisted out of the innermost loop where their step there is 0. */
function loads(plan: BlockPlan, n: number): { before: string; element: string } {
  const before: string[] = [];
  const element: string[] = [];
  for (let k = 0; k < n; k++) {
    before.push(`const x${k} = xs[${k}];`);
    const s = plan.strides[k];
    (s[s.length - 1] === 0 ? before : element).push(`const l${k} = x${k}[${at(plan, k)}];`);
  }
  return { before: before.join(" "), element: element.join(" ") };
}

/**
 * A plan of the same structure on tiny arrays (2 per outer axis, strides 0 but the innermost;
 * an innermost loop long enough to run both its unrolled and its one-at-a-time part).
 */
function warmPlan(plan: BlockPlan): BlockPlan {
  const K = plan.dims.length;
  const u = unrolled(plan);
  return {
    blocks: 2,
    dims: plan.dims.map((_, j) => (j < K - 1 ? 2 : u > 0 ? u : UNROLL + 2)),
    starts: plan.starts.map(() => new Int32Array(2)),
    strides: plan.strides.map((s) => s.map((v, j) => (j < K - 1 ? 0 : v === 0 || v === 1 ? v : 2))),
  };
}

/**
 * y = body over the leaves read as `plan` says; the plan's last stream is y's (dense strides
 * for a plain result, other strides for a copy into a padded output).
 */
export function runMap(body: Body, y: Arr, plan: BlockPlan, xs: Arr[], out: DType): void {
  if (body.ops && y instanceof Float32Array && simdMap(body.key, body.ops, y, plan, xs)) return;
  const n = xs.length;
  const key = `map|${body.key}|${body.dtypes.join(",")}>${out}|${layoutKey(plan)}`;
  const loop = compile<MapLoop>(key, () => {
    const l = loads(plan, n);
    const b = body.code();
    const code = nest(plan, n + 1, { before: l.before, element: `${l.element}\n${b.prelude}\ny[${at(plan, n)}] = ${b.expr};`, after: "" });
    return `return function map(y, blocks, dims, starts, strides, xs) {
${code}
};`;
  }, (f) => {
    const w = warmPlan(plan);
    f(allocHost(out, WARM_SIZE), w.blocks, w.dims, w.starts, w.strides, body.dtypes.map((d) => warmArray(d)));
  });
  loop(y, plan.blocks, plan.dims, plan.starts, plan.strides, xs);
}

/** The code of a body that is its only leaf's value. */
export const leafCode = () => ({ prelude: "", expr: "l0" });

/** The dtype a CPU host array stores. */
export function dtypeOfHost(a: Arr): DType {
  return a instanceof Float32Array ? "float32" : a instanceof Int32Array ? "int32" : "bool";
}

/**
 * dst (at `dstStrides` from `dstBase`) = src (at `srcStrides` from `srcBase`), over `shape`:
 * strided reads (permute, slice) and writes (pad) as one generated copy loop per dtype.
 */
export function copyStrided(src: Arr, srcStrides: readonly number[], srcBase: number, dst: Arr, dstStrides: readonly number[], dstBase: number, shape: readonly number[]): void {
  const dtype = dtypeOfHost(dst);
  const plan = blockPlan(shape, [srcStrides, dstStrides], [srcBase, dstBase]);
  const K = plan.dims.length;
  if (plan.dims[K - 1] >= MIN_RUN && plan.strides[0][K - 1] === 1 && plan.strides[1][K - 1] === 1 && dtypeOfHost(src) === dtype) {
    copyRuns(src as TypedArr, dst as TypedArr, plan);
    return;
  }
  // Float32 runs too short for a memcpy each but contiguous on both sides (conv2d's windows of
  // 16 channels: 48 values) go through the SIMD map's run table: 0.44 ms against 2.2 for the
  // generated loop on [64, 14, 14, 3, 3, 16].
  const ops = dtype === "float32" && plan.strides[0][K - 1] === 1 ? COPY_OPS : undefined;
  runMap({ key: "copy", dtypes: [dtype], code: leafCode, ops }, dst, plan, [src], dtype);
}

const COPY_OPS = [{ key: "copy", args: [0] }];

type TypedArr = Float32Array | Int32Array | Uint8Array;
/** Contiguous runs at least this long are copied with memcpy, not element by element. */
const MIN_RUN = 64;

/**
 * A copy whose innermost axis is contiguous on both sides, one memcpy per run: a convolution's
 * shifted views (a [64, 14, 14, 16] slice of [64, 16, 16, 16] is runs of 224 values) took
 * ~2-3 ns a value in the generated loop.
 */
function copyRuns(src: TypedArr, dst: TypedArr, plan: BlockPlan): void {
  const inner = plan.dims[plan.dims.length - 1];
  // (source, destination) start of every run, kept with the plan (blockPlan keeps plans of many runs).
  const runs = runTable(plan, false);
  const copy = runCopier(dst, src);
  for (let r = 0; r < runs.length; r += 2) copy(runs[r + 1], runs[r], inner);
}

/** How each reduction folds a value `v` into the accumulator `a`. NaN wins in max and min. */
function foldStatement(fn: ReduceFn, int: boolean, a: string): string {
  switch (fn) {
    case "sum":
      return `${a} += v;`;
    case "prod":
      // int32 products wrap at every step: a float64 product loses the low bits past 2^53.
      return int ? `${a} = Math.imul(${a}, v);` : `${a} *= v;`;
    case "max":
      return `if (v > ${a} || v !== v) ${a} = ${a} !== ${a} ? ${a} : v;`;
    case "min":
      return `if (v < ${a} || v !== v) ${a} = ${a} !== ${a} ? ${a} : v;`;
  }
}

/**
 * Folds body's values into acc. The plan's last stream is the accumulator's: along the
 * innermost axis either one slot (step 0: the whole run reduces into it, in a local) or
 * consecutive slots.
 */
export function runFold(fn: ReduceFn, int: boolean, body: Body, acc: Float64Array, plan: BlockPlan, xs: Arr[]): void {
  const n = xs.length;
  const key = `fold|${fn}|${int}|${body.key}|${body.dtypes.join(",")}|${layoutKey(plan)}`;
  const loop = compile<FoldLoop>(key, () => {
    const l = loads(plan, n);
    const ts = plan.strides[n];
    const local = ts[ts.length - 1] === 0;
    const b = body.code();
    const code = nest(plan, n + 1, local
      ? {
          before: `${l.before}\nlet a = acc[c${n}];`,
          element: `${l.element}\n${b.prelude}\nconst v = ${b.expr};\n${foldStatement(fn, int, "a")}`,
          after: `acc[c${n}] = a;`,
        }
      : {
          before: l.before,
          element: `${l.element}\n${b.prelude}\nconst v = ${b.expr};\nconst j = ${at(plan, n)};\nlet a = acc[j];\n${foldStatement(fn, int, "a")}\nacc[j] = a;`,
          after: "",
        });
    return `return function fold(acc, blocks, dims, starts, strides, xs) {
${code}
};`;
  }, (f) => {
    const w = warmPlan(plan);
    f(new Float64Array(WARM_SIZE), w.blocks, w.dims, w.starts, w.strides, body.dtypes.map((d) => warmArray(d)));
  });
  loop(acc, plan.blocks, plan.dims, plan.starts, plan.strides, xs);
}
