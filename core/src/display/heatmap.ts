// heatmap(matrix): a 2-D tensor as a grid of coloured cells, as SVG (attention weights,
// confusion matrices, correlation matrices). Colours run from dark blue-purple (low) through
// teal to yellow (high), a perceptually ordered scale in the spirit of matplotlib's viridis;
// small matrices also print each value in its cell.

import type { Tensor } from "../tensor";
import { displaySymbol, escapeHtml, type MimeBundle } from "./sink";
import { isTensor } from "../creation";
import { InputError, ShapeError } from "../errors";
import { formatShape } from "../shape";

export interface HeatmapOptions {
  title?: string;
  /** Names of the columns and rows (default: their indices). */
  xLabels?: (string | number)[];
  yLabels?: (string | number)[];
  /** Axis titles. */
  xTitle?: string;
  yTitle?: string;
  /** The value range the colours span (default: the data's own). */
  vmin?: number;
  vmax?: number;
  /** Cell size in pixels (default 28, smaller for big matrices). */
  cell?: number;
}

/** Colour stops from low to high: dark purple, blue, teal, green, yellow. */
const stops: [number, number, number][] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

/** The colour of t in [0, 1], interpolated between the stops. */
export function colorAt(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const c = stops[i].map((v, k) => Math.round(v + f * (stops[i + 1][k] - v)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** At most 4 characters or so, to fit a cell: 0.73, -0.5, 12.3, 1e+3. */
function cellText(v: number): string {
  const a = Math.abs(v);
  if (!Number.isFinite(v)) return String(v);
  if (a < 10) return v.toFixed(2).replace(/^(-?)0\./, "$1.").replace(/^-?\.00$/, "0");
  return a < 100 ? v.toFixed(1) : v.toExponential(0);
}

export class Heatmap {
  constructor(
    readonly values: number[][],
    readonly options: HeatmapOptions = {},
  ) {}

  svg(): string {
    const o = this.options;
    const rows = this.values.length;
    const cols = rows ? this.values[0].length : 0;
    const flat = this.values.flat().filter(Number.isFinite);
    const lo = o.vmin ?? (flat.length ? Math.min(...flat) : 0);
    const hi = o.vmax ?? (flat.length ? Math.max(...flat) : 1);
    const span = hi > lo ? hi - lo : 1;
    const cell = o.cell ?? Math.max(6, Math.min(28, Math.floor(480 / Math.max(cols, rows, 1))));
    const left = 40 + (o.yTitle ? 16 : 0);
    const top = 12 + (o.title ? 20 : 0);
    const W = left + cols * cell + 70;
    const H = top + rows * cell + 30 + (o.xTitle ? 16 : 0);
    const text = cols <= 12 && rows <= 12 && cell >= 24;
    const parts = [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="10">`,
      `<rect width="${W}" height="${H}" fill="white"/>`,
    ];
    if (o.title) parts.push(`<text x="${left + (cols * cell) / 2}" y="16" text-anchor="middle" font-size="13">${escapeHtml(o.title)}</text>`);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const v = this.values[i][j];
        const t = (v - lo) / span;
        const [x, y] = [left + j * cell, top + i * cell];
        parts.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${colorAt(t)}"><title>[${i}, ${j}] ${v}</title></rect>`);
        if (text) parts.push(`<text x="${x + cell / 2}" y="${y + cell / 2 + 3}" text-anchor="middle" font-size="9" fill="${t > 0.6 ? "black" : "white"}">${cellText(v)}</text>`);
      }
    }
    const every = Math.ceil(12 / Math.max(1, Math.floor(cell / 2)));
    const xl = o.xLabels ?? Array.from({ length: cols }, (_, j) => j);
    const yl = o.yLabels ?? Array.from({ length: rows }, (_, i) => i);
    xl.forEach((l, j) => j % every === 0 && parts.push(`<text x="${left + j * cell + cell / 2}" y="${top + rows * cell + 12}" text-anchor="middle">${escapeHtml(String(l))}</text>`));
    yl.forEach((l, i) => i % every === 0 && parts.push(`<text x="${left - 4}" y="${top + i * cell + cell / 2 + 3}" text-anchor="end">${escapeHtml(String(l))}</text>`));
    if (o.xTitle) parts.push(`<text x="${left + (cols * cell) / 2}" y="${H - 4}" text-anchor="middle">${escapeHtml(o.xTitle)}</text>`);
    if (o.yTitle) parts.push(`<text x="12" y="${top + (rows * cell) / 2}" text-anchor="middle" transform="rotate(-90 12 ${top + (rows * cell) / 2})">${escapeHtml(o.yTitle)}</text>`);
    // The colour bar, low at the bottom.
    const bx = left + cols * cell + 14;
    const bh = Math.max(40, rows * cell);
    for (let k = 0; k < 20; k++) parts.push(`<rect x="${bx}" y="${top + (bh * k) / 20}" width="10" height="${bh / 20 + 0.5}" fill="${colorAt(1 - k / 19)}"/>`);
    parts.push(`<text x="${bx + 14}" y="${top + 8}">${Number(hi.toPrecision(3))}</text>`);
    parts.push(`<text x="${bx + 14}" y="${top + bh}">${Number(lo.toPrecision(3))}</text>`);
    parts.push("</svg>");
    return parts.join("");
  }

  [displaySymbol](): MimeBundle {
    const rows = this.values.length;
    const cols = rows ? this.values[0].length : 0;
    return {
      "image/svg+xml": this.svg(),
      "text/plain": `Heatmap(${rows}x${cols}${this.options.title ? `, "${this.options.title}"` : ""})`,
    };
  }
}

/**
 * A 2-D tensor (or nested array) as a heatmap: `heatmap(weights, { xTitle: "key", yTitle:
 * "query" })` as a cell's value or in display(). Reads the tensor back, hence async.
 */
export async function heatmap(matrix: Tensor | number[][], options: HeatmapOptions = {}): Promise<Heatmap> {
  let values: number[][];
  if (isTensor(matrix)) {
    if (matrix.ndim !== 2) {
      throw new ShapeError(`heatmap: needs a 2-D tensor, got shape ${formatShape(matrix.shape)}`, {
        op: "heatmap",
        operands: [{ role: "input", shape: matrix.shape.slice(), dtype: matrix.dtype }],
        conflict: [],
        rule: "a heatmap shows rows and columns: index or reduce the other dims first.",
        suggestions: matrix.ndim > 2 ? [{ code: "{input}.index(0)", resultShape: matrix.shape.slice(1) }] : [],
      });
    }
    const flat = Array.from(await matrix.astype("float32").data());
    const [r, c] = matrix.shape;
    values = Array.from({ length: r }, (_, i) => flat.slice(i * c, (i + 1) * c));
  } else if (Array.isArray(matrix) && matrix.every((row) => Array.isArray(row) && row.length === matrix[0].length)) {
    values = matrix.map((row) => row.map(Number));
  } else {
    throw new InputError("heatmap: expected a 2-D tensor or an array of equal-length rows of numbers");
  }
  const [r, c] = [values.length, values[0]?.length ?? 0];
  for (const [name, labels, n] of [["xLabels", options.xLabels, c], ["yLabels", options.yLabels, r]] as const) {
    if (labels && labels.length !== n) throw new InputError(`heatmap: ${name} has ${labels.length} names for ${n} ${name === "xLabels" ? "columns" : "rows"}`);
  }
  return new Heatmap(values, options);
}
