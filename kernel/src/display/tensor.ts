// A tensor as a MIME bundle: text/plain (the tensor's own toString, PyTorch-like, read back
// first so it shows values), text/html, and application/vnd.tsdl.tensor+json for JupyterLab
// (DESIGN.md "tensor MIME"). The kernel awaits the readback, so users never write `await` to
// see a value.

import type { MimeBundle } from "./ladder";

/** What the kernel needs of a tensor; @tsdl/core's Tensor has it (and so do look-alikes). */
export interface TensorLike {
  shape: readonly number[];
  dtype: string;
  device?: string;
  data(): Promise<ArrayLike<number>>;
  toString(): string;
  /**
   * @tsdl/core's tensors keep a big tensor's values only when told (a read hands them over
   * uncached); the display tells it, so that toString() shows the values just read.
   */
  rememberHost?(data: ArrayLike<number>): void;
}

export const TENSOR_MIME = "application/vnd.tsdl.tensor+json";
/** Elements sent in the JSON bundle at most (PyTorch summarizes printing past 1000 too). */
export const MAX_JSON_VALUES = 1000;
const MAX_TABLE_CELLS = 400;

export function isTensorLike(x: unknown): x is TensorLike {
  const t = x as Partial<TensorLike> | null;
  return (
    typeof t === "object" && t !== null && Array.isArray(t.shape) && typeof t.dtype === "string" && typeof t.data === "function"
  );
}

const shapeText = (s: readonly number[]) => `[${s.join(", ")}]`;

/** The shape shown in JSON: axes halved (largest first) until at most MAX_JSON_VALUES remain. */
export function shownShape(shape: readonly number[]): number[] {
  const s = shape.slice();
  const size = () => s.reduce((a, b) => a * b, 1);
  while (size() > MAX_JSON_VALUES) {
    let axis = 0;
    for (let i = 1; i < s.length; i++) if (s[i] > s[axis]) axis = i;
    s[axis] = Math.max(1, Math.floor(s[axis] / 2));
  }
  return s;
}

/** Nested values of the leading corner `shown` of a row-major array of `shape`. */
export function corner(data: ArrayLike<number>, shape: readonly number[], shown: readonly number[], bool: boolean): unknown {
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const at = (v: number) => (bool ? v !== 0 : v);
  const build = (axis: number, offset: number): unknown => {
    if (axis === shape.length) return at(data[offset]);
    const out: unknown[] = [];
    for (let i = 0; i < shown[axis]; i++) out.push(build(axis + 1, offset + i * strides[axis]));
    return out;
  };
  return build(0, 0);
}

export function stats(data: ArrayLike<number>): { min: number; max: number; mean: number } | undefined {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    n++;
  }
  return n ? { min, max, mean: sum / n } : undefined;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] as string);
}

function html(t: TensorLike, device: string, values: unknown, text: string, size: number): string {
  const meta = `<div class="tsdl-tensor-meta">Tensor · shape ${shapeText(t.shape)} · ${escapeHtml(t.dtype)} · ${escapeHtml(device)}</div>`;
  let body: string;
  if (t.shape.length <= 2 && size <= MAX_TABLE_CELLS && size > 0) {
    const rows = (t.shape.length === 2 ? values : [t.shape.length === 1 ? values : [values]]) as unknown[][];
    const cells = rows.map((r) => `<tr>${r.map((v) => `<td>${escapeHtml(String(v))}</td>`).join("")}</tr>`);
    body = `<table class="tsdl-tensor-values">${cells.join("")}</table>`;
  } else {
    body = `<pre>${escapeHtml(text)}</pre>`;
  }
  return `<div class="tsdl-tensor">${meta}${body}</div>`;
}

export async function tensorBundle(t: TensorLike): Promise<MimeBundle> {
  const device = t.device ?? "unknown";
  let data: ArrayLike<number>;
  try {
    data = await t.data();
    t.rememberHost?.(data);
  } catch (e) {
    // A disposed tensor still prints its shape; say why the values are missing.
    return { data: { "text/plain": `${t.toString()}\n(${(e as Error).message})` }, metadata: {} };
  }
  const bool = t.dtype === "bool";
  const shown = shownShape(t.shape);
  const truncated = shown.some((d, i) => d !== t.shape[i]);
  const values = corner(data, t.shape, shown, bool);
  const text = t.toString();
  const json: Record<string, unknown> = { shape: t.shape.slice(), dtype: t.dtype, device, values, truncated };
  if (truncated) json.shownShape = shown;
  const st = bool ? undefined : stats(data);
  if (st) json.stats = st;
  return {
    data: {
      "text/plain": text,
      "text/html": html(t, device, values, text, data.length),
      [TENSOR_MIME]: json,
    },
    metadata: {},
  };
}
