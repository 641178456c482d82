// Shape arithmetic shared by ops and backends: sizes, strides, broadcasting, axis handling.

import { InputError } from "./errors";

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides, in elements. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

/** Checks a user-given shape: every entry a non-negative integer. */
export function checkShape(shape: unknown, where: string): number[] {
  if (!Array.isArray(shape)) {
    throw new InputError(`${where}: shape must be an array of sizes, got ${describe(shape)}`);
  }
  shape.forEach((d, i) => {
    if (typeof d !== "number" || !Number.isInteger(d) || d < 0) {
      throw new InputError(
        `${where}: shape ${formatList(shape)} has an invalid size at axis ${i} (${describe(d)}); ` +
          `sizes must be non-negative integers`,
      );
    }
  });
  return shape.slice() as number[];
}

function formatList(xs: unknown[]): string {
  return `[${xs.map((x) => describe(x)).join(", ")}]`;
}

export function describe(x: unknown): string {
  if (typeof x === "number") return String(x);
  if (typeof x === "string") return JSON.stringify(x);
  if (x === null || x === undefined) return String(x);
  if (Array.isArray(x)) return "an array";
  return typeof x;
}

/** Strides that read `inShape` as if broadcast to `outShape` (0 on broadcast axes). */
export function broadcastStrides(inShape: Shape, outShape: Shape): number[] {
  const strides = stridesOf(inShape);
  const out = new Array<number>(outShape.length).fill(0);
  const offset = outShape.length - inShape.length;
  for (let i = 0; i < inShape.length; i++) {
    out[i + offset] = inShape[i] === 1 && outShape[i + offset] !== 1 ? 0 : strides[i];
  }
  return out;
}

/** Normalizes one axis (negative counts from the end); null if out of range. */
export function normalizeAxis(axis: number, ndim: number): number | null {
  if (!Number.isInteger(axis)) return null;
  const a = axis < 0 ? axis + ndim : axis;
  return a >= 0 && a < ndim ? a : null;
}
