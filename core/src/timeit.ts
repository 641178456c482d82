// timeit(fn): how long fn takes, as IPython's %timeit reports it ("1.23 ms ± 45.6 µs per loop
// (mean ± std. dev. of 7 runs, 100 loops each)"), so students can compare a loop with its
// vectorized form. Each run calls fn `number` times and then waits for the device to finish
// (sync), since WebGPU ops only queue work: without the wait a GPU op would look free.

import { displaySymbol, type MimeBundle } from "./display/sink";
import { sync } from "./backend/registry";
import { closeScope, openScope } from "./scope";
import { InputError } from "./errors";

export interface TimeitOptions {
  /** Calls per run (default: 1, 10, 100, ... until a run takes at least 0.2 s, as IPython). */
  number?: number;
  /** Runs (default 7); the result is their mean and standard deviation per call. */
  repeat?: number;
}

/** IPython's unit choice: three significant digits in s, ms, µs or ns. */
export function formatTime(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  const units: [string, number][] = [["s", 1], ["ms", 1e-3], ["µs", 1e-6], ["ns", 1e-9]];
  const [unit, scale] = units.find(([, s]) => seconds >= s) ?? units[units.length - 1];
  return `${Number((seconds / scale).toPrecision(3))} ${unit}`;
}

export class TimeitResult {
  constructor(
    /** Calls per run. */
    readonly loops: number,
    /** Seconds per call of each run. */
    readonly allRuns: number[],
  ) {}
  get average(): number {
    return this.allRuns.reduce((a, b) => a + b, 0) / this.allRuns.length;
  }
  get stdev(): number {
    const m = this.average;
    return Math.sqrt(this.allRuns.reduce((s, x) => s + (x - m) ** 2, 0) / this.allRuns.length);
  }
  get best(): number {
    return Math.min(...this.allRuns);
  }
  get worst(): number {
    return Math.max(...this.allRuns);
  }
  toString(): string {
    const runs = this.allRuns.length;
    const each = `${this.loops.toLocaleString("en-US")} loop${this.loops === 1 ? "" : "s"} each`;
    const line = `${formatTime(this.average)} ± ${formatTime(this.stdev)} per loop (mean ± std. dev. of ${runs} run${runs === 1 ? "" : "s"}, ${each})`;
    // IPython's warning: the first run often pays for compiling (jit, WebGPU shaders).
    if (this.worst > 4 * this.best && this.worst > 1e-6) {
      return `The slowest run took ${(this.worst / this.best).toFixed(2)} times longer than the fastest. This could mean that an intermediate result is being cached (a first call compiles).\n${line}`;
    }
    return line;
  }
  [displaySymbol](): MimeBundle {
    return { "text/plain": this.toString() };
  }
}

/** `number` calls of fn, then a wait for the device; seconds for all of them. */
async function timeRun(fn: () => unknown, number: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < number; i++) {
    // What a call makes is freed after it (as tidy() would), so thousands of calls do not pile
    // up buffers; a call that returns a promise (x.data(), an async function) is awaited first.
    const scope = openScope();
    try {
      const out = fn();
      if (out instanceof Promise) await out;
    } finally {
      closeScope(scope, new Set());
    }
  }
  await sync();
  return (performance.now() - start) / 1000;
}

/**
 * Times fn like IPython's %timeit: `await timeit(() => x.matmul(w))` as a cell's value prints
 * "1.23 ms ± 45.6 µs per loop (...)". The result also holds the numbers (average, stdev, best,
 * allRuns in seconds per call). In the tsdl kernel, `%timeit x.matmul(w)` does the same.
 */
export async function timeit(fn: () => unknown, options: TimeitOptions = {}): Promise<TimeitResult> {
  if (typeof fn !== "function") throw new InputError(`timeit: expected a function to time, e.g. timeit(() => x.matmul(w)); got ${typeof fn}`);
  const repeat = options.repeat ?? 7;
  for (const [name, v] of [["repeat", repeat], ["number", options.number]] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new InputError(`timeit: ${name} must be a positive integer, got ${v}`);
  }
  let number = options.number;
  if (number === undefined) {
    for (number = 1; ; number *= 10) {
      if ((await timeRun(fn, number)) >= 0.2 || number >= 1e7) break;
    }
  }
  const runs: number[] = [];
  for (let r = 0; r < repeat; r++) runs.push((await timeRun(fn, number)) / number);
  return new TimeitResult(number, runs);
}
