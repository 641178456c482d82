// How tensors print: values like PyTorch's repr (aligned columns, "..." past 1000 elements),
// then shape, dtype and device. Values still on a GPU and not read yet are not waited for:
// toString() is synchronous, so it says how to get them instead.

import { active as activeTrace } from "./jit/trace";
import type { Tensor } from "./tensor";
import type { DType, HostArray } from "./dtype";

export type Nested = number | boolean | Nested[];

export function toNested(data: HostArray, shape: readonly number[], dtype: DType): Nested {
  const conv = (v: number): number | boolean => (dtype === "bool" ? v !== 0 : v);
  if (shape.length === 0) return conv(data[0]);
  let pos = 0;
  const build = (axis: number): Nested[] => {
    const out: Nested[] = [];
    for (let i = 0; i < shape[axis]; i++) {
      out.push(axis === shape.length - 1 ? conv(data[pos++]) : build(axis + 1));
    }
    return out;
  };
  return build(0);
}

export interface FormatOptions {
  /** Summarize with "..." above this many elements (PyTorch's threshold is 1000). */
  threshold?: number;
  /** Elements shown at each end of a summarized axis. */
  edgeItems?: number;
}

/** Formats numbers of one tensor so that they share a style and width. */
export function numberFormatter(values: ArrayLike<number>, dtype: DType): (v: number) => string {
  if (dtype === "bool") return (v) => (v ? "true" : "false");
  if (dtype === "int32") return (v) => String(v);
  let maxAbs = 0;
  let minAbs = Infinity;
  let allInt = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    const a = Math.abs(v);
    if (a > maxAbs) maxAbs = a;
    if (a > 0 && a < minAbs) minAbs = a;
    if (!Number.isInteger(v)) allInt = false;
  }
  const special = (v: number) => (Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf");
  if (maxAbs >= 1e8 || (minAbs < 1e-4 && !allInt)) {
    return (v) => (Number.isFinite(v) ? v.toExponential(4) : special(v));
  }
  if (allInt) return (v) => (Number.isFinite(v) ? `${v}.` : special(v));
  return (v) => (Number.isFinite(v) ? v.toFixed(4) : special(v));
}

/** The values part, e.g. "[[1, 2],\n [3, 4]]", indented for continuation lines by `indent`. */
export function formatValues(data: HostArray, shape: readonly number[], dtype: DType, indent: number, o: FormatOptions = {}): string {
  const threshold = o.threshold ?? 1000;
  const edge = o.edgeItems ?? 3;
  const size = data.length;
  const summarize = size > threshold;
  const fmt = numberFormatter(data, dtype);
  const strides: number[] = [];
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= shape[i];
  }
  const shown = (n: number) => (summarize && n > 2 * edge ? [...range(0, edge), -1, ...range(n - edge, n)] : range(0, n));
  // First pass: every shown string, to align widths.
  const texts: string[] = [];
  const collect = (axis: number, offset: number) => {
    if (axis === shape.length) return void texts.push(fmt(data[offset]));
    for (const i of shown(shape[axis])) if (i >= 0) collect(axis + 1, offset + i * strides[axis]);
  };
  collect(0, 0);
  const width = Math.max(0, ...texts.map((t) => t.length));
  const pad = (t: string) => t.padStart(width);
  const render = (axis: number, offset: number): string => {
    if (axis === shape.length) return pad(fmt(data[offset]));
    const parts = shown(shape[axis]).map((i) => (i < 0 ? "..." : render(axis + 1, offset + i * strides[axis])));
    if (axis === shape.length - 1) return `[${parts.join(", ")}]`;
    const sep = "," + "\n".repeat(shape.length - 1 - axis) + " ".repeat(indent + axis + 1);
    return `[${parts.join(sep)}]`;
  };
  return render(0, 0);
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i < b; i++) out.push(i);
  return out;
}

export function formatTensor(t: Tensor): string {
  const meta = `shape=[${t.shape.join(", ")}], dtype=${t.dtype}`;
  if (t.isDisposed) return `tensor(<disposed>, ${meta})`;
  if (activeTrace?.isTraced(t)) return `tensor(<traced by jit: values differ on every call; return the tensor and read it after the call>, ${meta})`;
  const data = t.peek();
  const tail = `${meta}, device=${t.device}`;
  if (!data) return `tensor(<on ${t.device}; read with await x.data() or display it>, ${tail})`;
  return `tensor(${formatValues(data, t.shape, t.dtype, "tensor(".length)}, ${tail})`;
}
