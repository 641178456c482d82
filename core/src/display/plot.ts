// Live training plots: add points as training goes, and the plot updates in place in the
// notebook as a Vega-Lite chart (JupyterLab renders application/vnd.vegalite.v5+json itself),
// with an SVG picture and a text summary for frontends that do not.

import { type DisplayHandle, displaySink, displaySymbol, type MimeBundle } from "./sink";
import { lineChartSvg } from "./svg";

export interface PlotOptions {
  title?: string;
  /** Name of the x field in each point (default "step"). */
  x?: string;
  /** Seconds between redraws while adding points. */
  every?: number;
}

export class LivePlot {
  readonly rows: Record<string, number>[] = [];
  private handle: DisplayHandle | null = null;
  private lastDraw = -Infinity;
  constructor(readonly options: PlotOptions = {}) {}

  get xField(): string {
    return this.options.x ?? "step";
  }

  /** Adds a point, e.g. plot.add({ step: 10, loss: 0.5, accuracy: 0.8 }), and redraws. */
  add(point: Record<string, number>): void {
    this.rows.push({ ...point });
    const now = performance.now();
    if (now - this.lastDraw >= 1000 * (this.options.every ?? 0.5)) this.show();
  }

  /** Draws now (the first call creates the output, later ones update it). */
  show(): void {
    this.lastDraw = performance.now();
    const sink = displaySink();
    if (!sink) return;
    if (this.handle) this.handle.update(this.bundle());
    else this.handle = sink.display(this.bundle());
  }

  /** The metric names, in order of first appearance. */
  metrics(): string[] {
    const names: string[] = [];
    for (const r of this.rows) for (const k of Object.keys(r)) if (k !== this.xField && !names.includes(k)) names.push(k);
    return names;
  }

  vegaLite(): Record<string, unknown> {
    const x = this.xField;
    const values = this.rows.flatMap((r) => this.metrics().filter((k) => k in r).map((k) => ({ [x]: r[x], metric: k, value: r[k] })));
    return {
      $schema: "https://vega.github.io/schema/vega-lite/v5.json",
      title: this.options.title ?? "",
      width: 400,
      height: 220,
      data: { values },
      mark: { type: "line", point: values.length < 60 },
      encoding: {
        x: { field: x, type: "quantitative" },
        y: { field: "value", type: "quantitative", scale: { zero: false } },
        color: { field: "metric", type: "nominal" },
      },
    };
  }

  text(): string {
    const last = this.rows[this.rows.length - 1];
    if (!last) return `LivePlot(${this.options.title ?? ""}: no points yet)`;
    const parts = this.metrics().filter((k) => k in last).map((k) => `${k}=${last[k].toPrecision(4)}`);
    return `LivePlot(${this.options.title ? this.options.title + ": " : ""}${this.rows.length} points; last ${this.xField}=${last[this.xField]} ${parts.join(" ")})`;
  }

  bundle(): MimeBundle {
    const x = this.xField;
    const series = this.metrics().map((k) => ({
      name: k,
      points: this.rows.filter((r) => k in r).map((r) => [r[x], r[k]] as [number, number]),
    }));
    return {
      "application/vnd.vegalite.v5+json": this.vegaLite(),
      "image/svg+xml": lineChartSvg(series, { title: this.options.title, xLabel: x }),
      "text/plain": this.text(),
    };
  }

  [displaySymbol](): MimeBundle {
    return this.bundle();
  }
}

/** A static line plot of metric series, e.g. plot({ step: [0, 1, 2], loss: [1, 0.5, 0.3] }). */
export function plot(columns: Record<string, ArrayLike<number>>, options: PlotOptions = {}): LivePlot {
  const p = new LivePlot(options);
  const x = p.xField;
  const n = columns[x]?.length ?? Math.max(0, ...Object.values(columns).map((c) => c.length));
  for (let i = 0; i < n; i++) {
    const row: Record<string, number> = { [x]: columns[x] ? columns[x][i] : i };
    for (const [k, c] of Object.entries(columns)) if (k !== x && i < c.length) row[k] = c[i];
    p.rows.push(row);
  }
  return p;
}
