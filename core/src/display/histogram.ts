// histogram(values): how values are distributed, as SVG outlines over shared bins, several
// series overlaid (activations or gradients layer by layer, the usual way to see saturated
// tanh units or vanishing gradients). The text form lists each series' statistics, so a
// frontend without pictures still says what the picture would.

import type { Tensor } from "../tensor";
import { displaySymbol, type MimeBundle } from "./sink";
import { lineChartSvg } from "./svg";
import { isTensor } from "../creation";
import { InputError } from "../errors";

export interface HistogramOptions {
  title?: string;
  /** Number of equal-width bins (default 50). */
  bins?: number;
  /** [lo, hi] the bins span (default: the data's own range); values outside are not counted. */
  range?: [number, number];
  /** Divide counts so each series' area is 1 (default true when there are several series). */
  density?: boolean;
  xTitle?: string;
}

export interface HistogramSeries {
  name: string;
  /** Counts (or densities) per bin. */
  heights: number[];
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
}

export class Histogram {
  constructor(
    /** The bin edges, bins + 1 of them. */
    readonly edges: number[],
    readonly series: HistogramSeries[],
    readonly options: HistogramOptions = {},
  ) {}

  svg(): string {
    const centres = this.edges.slice(1).map((e, i) => (e + this.edges[i]) / 2);
    return lineChartSvg(
      this.series.map((s) => ({ name: s.name, points: s.heights.map((h, i) => [centres[i], h] as [number, number]) })),
      { title: this.options.title, xLabel: this.options.xTitle },
    );
  }

  text(): string {
    const f = (v: number) => String(Number(v.toPrecision(3)));
    const lines = this.series.map((s) => `${s.name}: n=${s.count} mean ${f(s.mean)} std ${f(s.std)} min ${f(s.min)} max ${f(s.max)}`);
    return [`Histogram${this.options.title ? ` "${this.options.title}"` : ""}, ${this.edges.length - 1} bins`, ...lines].join("\n");
  }

  [displaySymbol](): MimeBundle {
    return { "image/svg+xml": this.svg(), "text/plain": this.text() };
  }
}

type Values = Tensor | ArrayLike<number>;

async function numbers(name: string, v: Values): Promise<number[]> {
  if (isTensor(v)) return Array.from(await v.astype("float32").data());
  if (v && typeof v === "object" && typeof (v as ArrayLike<number>).length === "number") return Array.from(v as ArrayLike<number>, Number);
  throw new InputError(`histogram: ${name} must be a tensor or an array of numbers, got ${v === null ? "null" : typeof v}`);
}

/**
 * A histogram of a tensor's values, or of several ({ "layer 1": a1, "layer 2": a2 }) over the
 * same bins. Reads the tensors back, hence async. NaN and infinite values are left out of the
 * bins and the statistics.
 */
export async function histogram(data: Values | Record<string, Values>, options: HistogramOptions = {}): Promise<Histogram> {
  const named: [string, Values][] =
    isTensor(data) || Array.isArray(data) || ArrayBuffer.isView(data) ? [["values", data as Values]] : Object.entries(data as Record<string, Values>);
  if (!named.length) throw new InputError("histogram: nothing to draw; pass a tensor, an array, or { name: tensor, ... }");
  const bins = options.bins ?? 50;
  if (!Number.isInteger(bins) || bins < 1) throw new InputError(`histogram: bins must be a positive integer, got ${bins}`);
  const all = await Promise.all(named.map(async ([n, v]) => [n, (await numbers(n, v)).filter(Number.isFinite)] as const));
  let [lo, hi] = options.range ?? [Infinity, -Infinity];
  if (!options.range) for (const [, xs] of all) for (const x of xs) [lo, hi] = [Math.min(lo, x), Math.max(hi, x)];
  if (!(hi > lo)) [lo, hi] = Number.isFinite(lo) ? [lo - 0.5, lo + 0.5] : [0, 1];
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  const density = options.density ?? named.length > 1;
  const series = all.map(([name, xs]) => {
    const counts = new Array<number>(bins).fill(0);
    let sum = 0;
    let sq = 0;
    let inRange = 0;
    for (const x of xs) {
      sum += x;
      sq += x * x;
      if (x < lo || x > hi) continue;
      counts[Math.min(bins - 1, Math.floor((x - lo) / width))]++;
      inRange++;
    }
    const n = xs.length;
    const mean = n ? sum / n : NaN;
    return {
      name,
      heights: density ? counts.map((c) => (inRange ? c / (inRange * width) : 0)) : counts,
      count: n,
      mean,
      std: n ? Math.sqrt(Math.max(0, sq / n - mean * mean)) : NaN,
      min: n ? xs.reduce((a, b) => Math.min(a, b)) : NaN,
      max: n ? xs.reduce((a, b) => Math.max(a, b)) : NaN,
    };
  });
  return new Histogram(edges, series, options);
}
