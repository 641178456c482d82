// Turning a tensor's nested `values` into things to show: formatted numbers, 2-D slices,
// value tables (optionally coloured as a heatmap), and flat numbers for pictures. Pure DOM, so
// the tensor renderer and the inspector's preview share it and jsdom can test it.

import type { NestedValues, Scalar } from '../tokens';

/** Marks values the kernel left out; shown as an ellipsis. */
export const ELIDED = Symbol('elided');
export type Cell = Scalar | typeof ELIDED;

export interface ISlice {
  /** The leading indices of this 2-D slice, e.g. "[0, :, :]"; empty for tensors up to 2-D. */
  label: string;
  rows: Cell[][];
}

/** The kernel marks an elided run with null or "..." (either spelling of the ellipsis). */
export function isElided(v: unknown): boolean {
  return v === null || v === '...' || v === '\u2026';
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Bytes as a short human size: 1536 -> "1.5 KiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** Numbers short enough for a table cell, integers exact, floats to 4 significant digits. */
export function formatScalar(v: Cell, dtype: string): string {
  if (v === ELIDED || isElided(v)) {
    return '\u2026';
  }
  if (typeof v === 'boolean' || typeof v === 'string') {
    return String(v);
  }
  if (typeof v !== 'number') {
    return String(v);
  }
  if (!dtype.startsWith('float') || Number.isInteger(v)) {
    return Number.isInteger(v) && dtype.startsWith('float') ? `${v}.` : String(v);
  }
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e6)) {
    return v.toExponential(3);
  }
  return String(Number(v.toPrecision(4)));
}

/**
 * One axis of values. When the kernel sent fewer than `dim` without marking where it cut
 * (head only), an ellipsis is added at the end; a marked cut (head, null, tail) stays as sent.
 */
function axisItems(values: NestedValues, dim: number): (NestedValues | typeof ELIDED)[] {
  const items: (NestedValues | typeof ELIDED)[] = Array.isArray(values)
    ? values.map(v => (isElided(v) ? ELIDED : v))
    : [values];
  if (items.length < dim && !items.includes(ELIDED)) {
    items.push(ELIDED);
  }
  return items;
}

function row(values: NestedValues, dim: number): Cell[] {
  return axisItems(values, dim).map(v => (Array.isArray(v) ? ELIDED : (v as Cell)));
}

/** Splits a tensor of any rank into labelled 2-D slices (a 1-D tensor is one row). */
export function toSlices(shape: readonly number[], values: NestedValues): ISlice[] {
  if (shape.length === 0) {
    return [{ label: '', rows: [[Array.isArray(values) ? ELIDED : values]] }];
  }
  if (shape.length === 1) {
    return [{ label: '', rows: [row(values, shape[0])] }];
  }
  if (shape.length === 2) {
    const rows = axisItems(values, shape[0]).map(r =>
      r === ELIDED ? [ELIDED as Cell] : row(r, shape[1])
    );
    return [{ label: '', rows }];
  }
  const out: ISlice[] = [];
  const rest = shape.slice(1);
  axisItems(values, shape[0]).forEach((sub, i) => {
    if (sub === ELIDED) {
      out.push({ label: '\u2026', rows: [] });
      return;
    }
    for (const s of toSlices(rest, sub)) {
      // A nested label "[j, :, :]" loses its brackets; a nested gap stays a gap.
      const inner = s.label === '\u2026' ? '\u2026' : s.label ? s.label.slice(1, -1) : ':, :';
      out.push({ label: `[${i}, ${inner}]`, rows: s.rows });
    }
  });
  return out;
}

/** Every finite number among the values (numeric strings included), in order. */
export function flatNumbers(values: NestedValues): number[] {
  const out: number[] = [];
  const walk = (v: NestedValues): void => {
    if (Array.isArray(v)) {
      v.forEach(walk);
    } else if (typeof v === 'number' || typeof v === 'boolean') {
      out.push(Number(v));
    } else if (typeof v === 'string' && !isElided(v) && Number.isFinite(Number(v))) {
      out.push(Number(v));
    }
  };
  walk(values);
  return out;
}

export function range(nums: readonly number[]): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const n of nums) {
    min = Math.min(min, n);
    max = Math.max(max, n);
  }
  return { min, max };
}

/** Where a value sits between min and max, 0..1 (0.5 when all values are equal). */
export function heatLevel(v: number, min: number, max: number): number {
  return max > min ? Math.min(1, Math.max(0, (v - min) / (max - min))) : 0.5;
}

/**
 * A table of one 2-D slice. With `heat`, each numeric cell gets a `--tsdl-heat` percentage that
 * the stylesheet mixes into a theme colour, so the text stays readable in both themes.
 */
export function valueTable(
  rows: Cell[][],
  dtype: string,
  heat?: { min: number; max: number }
): HTMLTableElement {
  const table = document.createElement('table');
  table.className = 'tsdl-values';
  const body = table.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    for (const v of r) {
      const td = tr.insertCell();
      td.textContent = formatScalar(v, dtype);
      if (v === ELIDED) {
        td.classList.add('tsdl-elided');
        td.setAttribute('aria-label', 'values left out');
      } else if (heat && (typeof v === 'number' || typeof v === 'boolean')) {
        const level = heatLevel(Number(v), heat.min, heat.max);
        td.dataset.heat = level.toFixed(3);
        td.style.setProperty('--tsdl-heat', `${Math.round(level * 100)}%`);
      }
    }
  }
  return table;
}
