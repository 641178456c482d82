// scatter(x, y): points in the plane, coloured by a label (digits after PCA, embeddings, two
// features of a dataset), as plt.scatter(x, y, c=labels). A Vega-Lite chart in JupyterLab
// (hover shows each point), an SVG picture elsewhere, and a text line naming the groups.

import type { Tensor } from "../tensor";
import { displaySymbol, escapeHtml, type MimeBundle } from "./sink";
import { colors, label, niceTicks } from "./svg";
import { isTensor } from "../creation";
import { InputError } from "../errors";
import { formatShape } from "../shape";

export interface ScatterOptions {
  title?: string;
  xTitle?: string;
  yTitle?: string;
  /** A group per point (class labels), which picks its colour and legend entry. */
  labels?: Tensor | ArrayLike<number | string>;
  /** Point radius in pixels (default 3, 2 past 1,000 points). */
  size?: number;
}

export class Scatter {
  constructor(
    readonly xs: number[],
    readonly ys: number[],
    /** Each point's group, or null for one group. */
    readonly groups: string[] | null,
    readonly options: ScatterOptions = {},
  ) {}

  /** The groups in order of first appearance, numbers in numeric order. */
  groupNames(): string[] {
    if (!this.groups) return [];
    const names = [...new Set(this.groups)];
    return names.every((n) => n !== "" && Number.isFinite(Number(n))) ? names.sort((a, b) => Number(a) - Number(b)) : names;
  }

  vegaLite(): Record<string, unknown> {
    const o = this.options;
    const values = this.xs.map((x, i) => ({ x, y: this.ys[i], ...(this.groups ? { group: this.groups[i] } : {}) }));
    return {
      $schema: "https://vega.github.io/schema/vega-lite/v5.json",
      title: o.title ?? "",
      width: 400,
      height: 320,
      data: { values },
      mark: { type: "circle", size: this.radius() ** 2 * 3, opacity: 0.7 },
      encoding: {
        x: { field: "x", type: "quantitative", title: o.xTitle ?? "x", scale: { zero: false } },
        y: { field: "y", type: "quantitative", title: o.yTitle ?? "y", scale: { zero: false } },
        ...(this.groups ? { color: { field: "group", type: "nominal", sort: this.groupNames(), title: "label" } } : {}),
        tooltip: [{ field: "x", type: "quantitative" }, { field: "y", type: "quantitative" }, ...(this.groups ? [{ field: "group", type: "nominal" }] : [])],
      },
    };
  }

  private radius(): number {
    return this.options.size ?? (this.xs.length > 1000 ? 2 : 3);
  }

  svg(): string {
    const o = this.options;
    const [W, H] = [480, 360];
    const m = { l: 56, r: this.groups ? 90 : 16, t: o.title ? 28 : 12, b: 40 };
    const finite = this.xs.map((x, i) => [x, this.ys[i]]).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    // A margin of 4% of the span, so no point sits on the frame.
    const range = (vs: number[]) => {
      let [lo, hi] = vs.length ? [vs.reduce((a, b) => Math.min(a, b)), vs.reduce((a, b) => Math.max(a, b))] : [0, 1];
      if (lo === hi) [lo, hi] = [lo - 1, hi + 1];
      const pad = 0.04 * (hi - lo);
      return [lo - pad, hi + pad];
    };
    const [x0, x1] = range(finite.map((p) => p[0]));
    const [y0, y1] = range(finite.map((p) => p[1]));
    const sx = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
    const sy = (y: number) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
    const parts = [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
      `<rect width="${W}" height="${H}" fill="white"/>`,
    ];
    if (o.title) parts.push(`<text x="${W / 2}" y="18" text-anchor="middle" font-size="13">${escapeHtml(o.title)}</text>`);
    for (const t of niceTicks(y0, y1)) parts.push(`<text x="${m.l - 6}" y="${sy(t) + 4}" text-anchor="end">${label(t)}</text>`);
    for (const t of niceTicks(x0, x1)) parts.push(`<text x="${sx(t)}" y="${H - m.b + 16}" text-anchor="middle">${label(t)}</text>`);
    parts.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#888"/>`);
    if (o.xTitle) parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 6}" text-anchor="middle">${escapeHtml(o.xTitle)}</text>`);
    if (o.yTitle) parts.push(`<text x="12" y="${(m.t + H - m.b) / 2}" text-anchor="middle" transform="rotate(-90 12 ${(m.t + H - m.b) / 2})">${escapeHtml(o.yTitle)}</text>`);
    const names = this.groupNames();
    const colorOf = new Map(names.map((n, i) => [n, colors[i % colors.length]]));
    const r = this.radius();
    this.xs.forEach((x, i) => {
      const y = this.ys[i];
      if (!Number.isFinite(x) || !Number.isFinite(y)) return;
      const c = this.groups ? colorOf.get(this.groups[i]) : colors[0];
      parts.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="${r}" fill="${c}" fill-opacity="0.7"/>`);
    });
    names.forEach((n, i) => {
      const y = m.t + 10 + i * 16;
      parts.push(`<circle cx="${W - m.r + 16}" cy="${y}" r="4" fill="${colorOf.get(n)}"/>`);
      parts.push(`<text x="${W - m.r + 26}" y="${y + 4}">${escapeHtml(n)}</text>`);
    });
    parts.push("</svg>");
    return parts.join("");
  }

  text(): string {
    const names = this.groupNames();
    const groups = names.length ? `, ${names.length} groups: ${names.join(", ")}` : "";
    return `Scatter(${this.options.title ? `"${this.options.title}", ` : ""}${this.xs.length} points${groups})`;
  }

  [displaySymbol](): MimeBundle {
    return { "application/vnd.vegalite.v5+json": this.vegaLite(), "image/svg+xml": this.svg(), "text/plain": this.text() };
  }
}

type Values = Tensor | ArrayLike<number>;

async function column(name: string, v: Values): Promise<number[]> {
  if (isTensor(v)) {
    if (v.ndim > 1 && v.size !== v.shape[0]) throw new InputError(`scatter: ${name} must be 1-D, got shape ${formatShape(v.shape)}`);
    return Array.from(await v.astype("float32").data());
  }
  if (v && typeof v === "object" && typeof (v as ArrayLike<number>).length === "number") return Array.from(v as ArrayLike<number>, Number);
  throw new InputError(`scatter: ${name} must be a tensor or an array of numbers, got ${v === null ? "null" : typeof v}`);
}

/**
 * scatter(x, y, options) or scatter(points) for points of shape [N, 2]: a scatter plot, with
 * `labels` colouring the points by group. Reads tensors back, hence async.
 */
export async function scatter(x: Values, y?: Values | ScatterOptions, options: ScatterOptions = {}): Promise<Scatter> {
  let xs: number[];
  let ys: number[];
  const isValues = (v: unknown): v is Values => isTensor(v) || Array.isArray(v) || ArrayBuffer.isView(v);
  if (isValues(y)) {
    [xs, ys] = [await column("x", x), await column("y", y)];
  } else {
    if (y) options = y;
    if (!isTensor(x) || x.ndim !== 2 || x.shape[1] !== 2) {
      throw new InputError(`scatter: give x and y, or one [N, 2] tensor of points; got ${isTensor(x) ? `shape ${formatShape(x.shape)}` : "one array"}`);
    }
    const flat = Array.from(await x.astype("float32").data());
    xs = flat.filter((_, i) => i % 2 === 0);
    ys = flat.filter((_, i) => i % 2 === 1);
  }
  if (xs.length !== ys.length) throw new InputError(`scatter: x has ${xs.length} values but y has ${ys.length}`);
  let groups: string[] | null = null;
  if (options.labels !== undefined) {
    const l = options.labels;
    groups = isTensor(l) ? Array.from(await l.data(), String) : Array.from(l as ArrayLike<number | string>, String);
    if (groups.length !== xs.length) throw new InputError(`scatter: ${groups.length} labels for ${xs.length} points`);
  }
  return new Scatter(xs, ys, groups, options);
}
