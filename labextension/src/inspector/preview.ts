// The inspector's preview of one tensor, picked by its shape: a value table for small tensors,
// a heatmap for 2-D, an image grid for image-shaped ones ([N, H, W], [N, C, H, W] with C = 1 or
// 3), and a histogram otherwise. Heatmaps and images are canvases, one pixel per value, scaled
// up by CSS; each has a text label so screen readers get the gist.

import type { ITensorData, NestedValues } from '../tokens';
import { tensorHeader, tensorValues } from '../render/tensor';
import { flatNumbers, formatScalar, heatLevel, isElided, numel, range } from '../render/values';

export type PreviewKind = 'table' | 'heatmap' | 'images' | 'histogram';

/** Tensors up to this many values are shown as a table whatever their rank. */
export const SMALL_TENSOR = 64;
const MAX_IMAGES = 32;
const BINS = 20;

export interface IImageLayout {
  count: number;
  channels: 1 | 3;
  height: number;
  width: number;
}

/** The image layout of [N, H, W] or [N, C, H, W] with C = 1 or 3; null for other shapes. */
export function imageLayout(shape: readonly number[]): IImageLayout | null {
  if (shape.length === 3) {
    return { count: shape[0], channels: 1, height: shape[1], width: shape[2] };
  }
  if (shape.length === 4 && (shape[1] === 1 || shape[1] === 3)) {
    return { count: shape[0], channels: shape[1], height: shape[2], width: shape[3] };
  }
  return null;
}

export function previewKind(shape: readonly number[]): PreviewKind {
  if (numel(shape) <= SMALL_TENSOR) {
    return 'table';
  }
  if (shape.length === 2) {
    return 'heatmap';
  }
  return imageLayout(shape) ? 'images' : 'histogram';
}

/** The number at `index`, or undefined where the kernel left values out. */
export function valueAt(values: NestedValues, index: readonly number[]): number | undefined {
  let v: NestedValues = values;
  for (const i of index) {
    // Past an elision marker the positions no longer line up with the shape.
    if (!Array.isArray(v) || i >= v.length || v.slice(0, i + 1).some(isElided)) {
      return undefined;
    }
    v = v[i];
  }
  const n = typeof v === 'string' ? Number(v) : Number(v as number);
  return v === null || Array.isArray(v) || !Number.isFinite(n) ? undefined : n;
}

/** The theme's brand colour as RGB numbers, for pixels (canvas cannot read CSS variables). */
function brandRgb(host: HTMLElement): [number, number, number] {
  const probe = document.createElement('span');
  probe.style.color = 'var(--jp-brand-color1)';
  host.append(probe);
  const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(getComputedStyle(probe).color);
  probe.remove();
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [25, 118, 210];
}

function canvas(width: number, height: number, label: string): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  c.className = 'tsdl-pixels';
  c.setAttribute('role', 'img');
  c.setAttribute('aria-label', label);
  return c;
}

/** Fills a canvas pixel by pixel; `rgba(x, y)` returns null for a transparent pixel. */
function paint(
  c: HTMLCanvasElement,
  rgba: (x: number, y: number) => [number, number, number, number] | null
): void {
  const ctx = c.getContext('2d');
  if (!ctx) {
    return; // No 2-D context (e.g. a test DOM): the label still describes the picture.
  }
  const img = ctx.createImageData(c.width, c.height);
  for (let y = 0; y < c.height; y++) {
    for (let x = 0; x < c.width; x++) {
      const p = rgba(x, y);
      if (p) {
        img.data.set(p, (y * c.width + x) * 4);
      }
    }
  }
  ctx.putImageData(img, 0, 0);
}

function heatmap(t: ITensorData, host: HTMLElement): HTMLElement {
  const [rows, cols] = t.shape;
  const { min, max } = t.stats ?? range(flatNumbers(t.values));
  const label = `heatmap of ${rows} by ${cols} values from ${formatScalar(min, t.dtype)} to ${formatScalar(max, t.dtype)}`;
  const c = canvas(cols, rows, label);
  const [r, g, b] = brandRgb(host);
  // The brand colour's opacity carries the value, so the theme's background shows through.
  paint(c, (x, y) => {
    const v = valueAt(t.values, [y, x]);
    return v === undefined ? null : [r, g, b, Math.round(40 + 215 * heatLevel(v, min, max))];
  });
  return c;
}

function images(t: ITensorData, layout: IImageLayout): HTMLElement {
  const grid = document.createElement('div');
  grid.className = 'tsdl-image-grid';
  const { min, max } = range(flatNumbers(t.values));
  // Pixels already in [0, 1] or [0, 255] keep their brightness; others are stretched.
  const scale = min >= 0 && max <= 1 ? [0, 1] : min >= 0 && max <= 255 ? [0, 255] : [min, max];
  const level = (v: number): number => Math.round(255 * heatLevel(v, scale[0], scale[1]));
  const shown = Math.min(layout.count, MAX_IMAGES);
  for (let n = 0; n < shown; n++) {
    const label = `image ${n} of ${layout.count}, ${layout.height} by ${layout.width}`;
    const c = canvas(layout.width, layout.height, label);
    paint(c, (x, y) => {
      const at = (ch: number): number | undefined =>
        valueAt(t.values, layout.channels === 3 || t.shape.length === 4 ? [n, ch, y, x] : [n, y, x]);
      const rgb = layout.channels === 3 ? [at(0), at(1), at(2)] : [at(0), at(0), at(0)];
      return rgb.some(v => v === undefined)
        ? null
        : [level(rgb[0]!), level(rgb[1]!), level(rgb[2]!), 255];
    });
    grid.append(c);
  }
  return grid;
}

/** Value counts in equal-width bins between min and max. */
export function histogram(nums: readonly number[], bins = BINS): number[] {
  const counts = new Array<number>(bins).fill(0);
  const { min, max } = range(nums);
  for (const v of nums) {
    const i = max > min ? Math.floor(((v - min) / (max - min)) * bins) : 0;
    counts[Math.min(bins - 1, i)]++;
  }
  return counts;
}

function histogramView(t: ITensorData): HTMLElement {
  const nums = flatNumbers(t.values);
  const counts = histogram(nums);
  const { min, max } = range(nums);
  const top = Math.max(1, ...counts);
  const box = document.createElement('div');
  box.className = 'tsdl-histogram';
  const bars = document.createElement('div');
  bars.className = 'tsdl-histogram-bars';
  bars.setAttribute('role', 'img');
  bars.setAttribute(
    'aria-label',
    `histogram of ${nums.length} values from ${formatScalar(min, t.dtype)} to ${formatScalar(max, t.dtype)}`
  );
  for (const n of counts) {
    const bar = document.createElement('div');
    bar.className = 'tsdl-histogram-bar';
    bar.style.height = `${(100 * n) / top}%`;
    bar.title = String(n);
    bars.append(bar);
  }
  const axis = document.createElement('div');
  axis.className = 'tsdl-histogram-axis';
  const lo = document.createElement('span');
  lo.textContent = formatScalar(min, t.dtype);
  const hi = document.createElement('span');
  hi.textContent = formatScalar(max, t.dtype);
  axis.append(lo, hi);
  box.append(bars, axis);
  return box;
}

/**
 * The preview of one tensor under its name. `host` must be in the document, inside the theme,
 * so the heatmap can read the theme's colour.
 */
export function renderPreview(name: string, t: ITensorData, host: HTMLElement): HTMLElement {
  const box = document.createElement('div');
  box.className = 'tsdl-preview';
  const title = document.createElement('div');
  title.className = 'tsdl-preview-title';
  const code = document.createElement('code');
  code.textContent = name;
  title.append(code, tensorHeader(t));
  box.append(title);
  const kind = previewKind(t.shape);
  box.dataset.kind = kind;
  if (kind === 'table') {
    box.append(tensorValues(t, false));
  } else if (kind === 'heatmap') {
    box.append(heatmap(t, host));
  } else if (kind === 'images') {
    box.append(images(t, imageLayout(t.shape)!));
  } else {
    box.append(histogramView(t));
  }
  return box;
}
