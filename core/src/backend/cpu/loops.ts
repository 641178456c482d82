// Generated loops for the CPU's elementwise kernels and reductions. A loop shared by every
// operation that calls the operation's scalar function per element is megamorphic: V8 cannot
// inline the call, and a relu or comparison over 32K elements took ~1 ms instead of ~30 µs.
// Instead each (operation, dtypes, layout) gets its own loop, compiled once with `new Function`
// from the operation's expression (expressions.ts) and cached, so every load, call and store
// in it sees one type and V8 optimises it like a hand-written loop.
//
// Loops walk a row plan (rows.ts): per input a start offset per row and a step along the row.
// A step of 0 (a broadcast or scalar operand) or 1 (contiguous) is baked into the code.

import { allocHost, type DType } from "../../dtype";
import type { ReduceFn } from "../../ops/primitives";
import { helpers } from "./expressions";
import type { RowPlan } from "./rows";

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
  prelude: string;
  expr: string;
}

type MapLoop = (y: Arr, rows: number, len: number, starts: Int32Array[], steps: number[], ...xs: Arr[]) => void;
type FoldLoop = (acc: Float64Array, rows: number, len: number, starts: Int32Array[], steps: number[], ...xs: Arr[]) => void;

const cache = new Map<string, MapLoop | FoldLoop>();
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
    cache.set(key, f as MapLoop);
  }
  return f;
}

const WARM_CALLS = 12;

/** A tiny array of `dtype` for warm-up calls: 4 elements, fractional where floats. */
function warmArray(dtype: DType): Arr {
  const a = allocHost(dtype, 4);
  a.set(dtype === "float32" ? [0.75, -1.5, 2.25, -0.25] : dtype === "int32" ? [3, -2, 1, 5] : [1, 0, 1, 1]);
  return a;
}

/** Warm-up arguments for a loop over leaves of `dtypes` with `steps`: 2 rows of 2. */
function warmPlan(steps: readonly number[]): { starts: Int32Array[]; steps: number[] } {
  return { starts: steps.map(() => new Int32Array(2)), steps: steps.map((s) => (s === 0 || s === 1 ? s : 2)) };
}

function stepKind(step: number): string {
  return step === 0 ? "0" : step === 1 ? "1" : "s";
}

/** Per leaf: row-start and step locals, the per-row offset, and the per-element load. */
function leafCode(n: number, steps: readonly number[]) {
  const setup: string[] = [];
  const row: string[] = [];
  const elem: string[] = [];
  for (let k = 0; k < n; k++) {
    setup.push(`const s${k} = starts[${k}], k${k} = steps[${k}], x${k} = xs[${k}];`);
    const kind = stepKind(steps[k]);
    if (kind === "0") row.push(`const l${k} = x${k}[s${k}[r]];`);
    else {
      row.push(`const o${k} = s${k}[r];`);
      elem.push(`const l${k} = x${k}[o${k} + ${kind === "1" ? "i" : `i * k${k}`}];`);
    }
  }
  return { setup: setup.join("\n"), row: row.join("\n"), elem: elem.join("\n") };
}

/** y (dense, in row order) = body over the leaves read as `plan` says. */
export function runMap(body: Body, y: Arr, plan: RowPlan, xs: Arr[], out: DType): void {
  const kinds = plan.steps.map(stepKind).join("");
  const key = `map|${body.key}|${body.dtypes.join(",")}>${out}|${kinds}`;
  const loop = compile<MapLoop>(key, () => {
    const c = leafCode(xs.length, plan.steps);
    return `return function map(y, rows, len, starts, steps, ...xs) {
${c.setup}
for (let r = 0, yo = 0; r < rows; r++, yo += len) {
${c.row}
for (let i = 0; i < len; i++) {
${c.elem}
${body.prelude}
y[yo + i] = ${body.expr};
}
}
};`;
  }, (f) => {
    const w = warmPlan(plan.steps);
    f(allocHost(out, 4), 2, 2, w.starts, w.steps, ...body.dtypes.map(warmArray));
  });
  loop(y, plan.rows, plan.len, plan.starts, plan.steps, ...xs);
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
 * Folds body's values into acc. The plan's last stream is the accumulator's: per row the slot
 * (step 0: the whole row reduces into it) or first slot (step 1: element i into slot + i).
 */
export function runFold(fn: ReduceFn, int: boolean, body: Body, acc: Float64Array, plan: RowPlan, xs: Arr[]): void {
  const n = xs.length;
  const target = plan.steps[n];
  const kinds = plan.steps.slice(0, n).map(stepKind).join("");
  const key = `fold|${fn}|${int}|${body.key}|${body.dtypes.join(",")}|${kinds}|${stepKind(target)}`;
  const loop = compile<FoldLoop>(key, () => {
    const c = leafCode(n, plan.steps);
    const inner = (fold: string) => `for (let i = 0; i < len; i++) {
${c.elem}
${body.prelude}
const v = ${body.expr};
${fold}
}`;
    const perRow =
      target === 0
        ? `let a = acc[t[r]];
${inner(foldStatement(fn, int, "a"))}
acc[t[r]] = a;`
        : `const to = t[r];
${inner(`{ const j = to + ${target === 1 ? "i" : "i * tk"}; let a = acc[j]; ${foldStatement(fn, int, "a")} acc[j] = a; }`)}`;
    return `return function fold(acc, rows, len, starts, steps, ...xs) {
${c.setup}
const t = starts[${n}], tk = steps[${n}];
for (let r = 0; r < rows; r++) {
${c.row}
${perRow}
}
};`;
  }, (f) => {
    const w = warmPlan(plan.steps);
    f(new Float64Array(4), 2, 2, w.starts, w.steps, ...body.dtypes.map(warmArray));
  });
  loop(acc, plan.rows, plan.len, plan.starts, plan.steps, ...xs);
}
