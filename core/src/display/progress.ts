// A progress bar like tqdm: wrap an iterable, see count, rate, time left and live metrics.
// In Jupyter it is one output updated in place (HTML with a text/plain twin); in a terminal
// it redraws one line on stderr. Redraws are throttled to ~10 per second.

import { type DisplayHandle, displaySink, escapeHtml, type MimeBundle } from "./sink";

export interface ProgressOptions {
  total?: number;
  desc?: string;
  /** Width of the text bar in characters. */
  width?: number;
}

function formatTime(s: number): string {
  if (!Number.isFinite(s)) return "?";
  const m = Math.floor(s / 60);
  const sec = Math.floor(s % 60);
  return `${String(m).padStart(2, "0")}:${String(sec).padStart(2, "0")}`;
}

function formatMetric(v: number): string {
  return Math.abs(v) >= 1000 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : v.toFixed(4);
}

export class Progress<T> implements Iterable<T> {
  count = 0;
  readonly total: number | undefined;
  readonly desc: string;
  metrics: Record<string, number> = {};
  private readonly start = performance.now();
  private lastDraw = -Infinity;
  private handle: DisplayHandle | null = null;
  private closed = false;

  constructor(private readonly items: Iterable<T> | null, private readonly options: ProgressOptions = {}) {
    const known = items && "length" in (items as object) ? Number((items as unknown as { length: number }).length) : undefined;
    const batches = items && "batches" in (items as object) ? Number((items as unknown as { batches: number }).batches) : undefined;
    this.total = options.total ?? batches ?? known;
    this.desc = options.desc ?? "";
  }

  *[Symbol.iterator](): Iterator<T> {
    if (!this.items) throw new Error("progress(): nothing to iterate; use update() for a manual bar");
    this.draw(true);
    try {
      for (const item of this.items) {
        yield item;
        this.update(1);
      }
    } finally {
      this.close();
    }
  }

  /** Sets metrics shown after the bar, e.g. bar.set({ loss: 0.23 }). */
  set(metrics: Record<string, number>): void {
    Object.assign(this.metrics, metrics);
    this.draw(false);
  }

  update(n = 1): void {
    this.count += n;
    this.draw(false);
  }

  close(): void {
    if (this.closed) return;
    this.draw(true);
    this.closed = true;
    if (!displaySink()) process.stderr.write("\n");
  }

  /** The bar as text: "desc  45% |█████     | 56/125 [00:03<00:04, 17.2 it/s, loss=0.2341]". */
  text(): string {
    const elapsed = (performance.now() - this.start) / 1000;
    const rate = elapsed > 0 ? this.count / elapsed : 0;
    const metrics = Object.entries(this.metrics).map(([k, v]) => `${k}=${formatMetric(v)}`);
    const stats = [`${rate.toFixed(1)} it/s`, ...metrics].join(", ");
    const desc = this.desc ? `${this.desc} ` : "";
    if (!this.total) return `${desc}${this.count} it [${formatTime(elapsed)}, ${stats}]`;
    const frac = Math.min(1, this.count / this.total);
    const width = this.options.width ?? 24;
    const cells = frac * width;
    const full = Math.floor(cells);
    const partial = " ▏▎▍▌▋▊▉"[Math.floor((cells - full) * 8)];
    const bar = "█".repeat(full) + (full < width ? partial + " ".repeat(width - full - 1) : "");
    const left = rate > 0 ? (this.total - this.count) / rate : Infinity;
    const pct = `${Math.round(frac * 100)}`.padStart(3);
    return `${desc}${pct}% |${bar}| ${this.count}/${this.total} [${formatTime(elapsed)}<${formatTime(left)}, ${stats}]`;
  }

  bundle(): MimeBundle {
    const text = this.text();
    const pct = this.total ? Math.min(100, (100 * this.count) / this.total) : 100;
    const html =
      `<div class="tsdl-progress" style="font-family: var(--jp-code-font-family, monospace); font-size: 12px">` +
      `<progress value="${pct.toFixed(1)}" max="100" style="width: 240px; vertical-align: middle"></progress> ` +
      `<span>${escapeHtml(text.replace(/\|.*\|/, ""))}</span></div>`;
    return { "text/plain": text, "text/html": html };
  }

  private draw(force: boolean): void {
    if (this.closed) return;
    const now = performance.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const sink = displaySink();
    if (sink) {
      if (this.handle) this.handle.update(this.bundle());
      else this.handle = sink.display(this.bundle());
    } else if (process.stderr.isTTY || force) {
      process.stderr.write(`\r${this.text()}`);
    }
  }
}

/** Wraps an iterable (array, DataLoader, range) in a progress bar. */
export function progress<T>(items: Iterable<T>, options: ProgressOptions = {}): Progress<T> {
  return new Progress(items, options);
}

/** A bar advanced by hand: bar.update(1), bar.set({loss}), bar.close(). */
export function progressBar(total: number, options: Omit<ProgressOptions, "total"> = {}): Progress<never> {
  return new Progress<never>(null, { ...options, total });
}

/** 0, 1, ..., n-1, for `for (const epoch of progress(range(10)))`. */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
