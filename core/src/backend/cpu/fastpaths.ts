// Hand-written float32 loops for the hottest binary ops when operands have the same shape or
// one is a scalar. The generic kernel calls a function from a table per element; that call
// site sees every op and V8 cannot inline it, which made training steps several times slower.

import type { BinaryFn } from "../../ops/primitives";

type Loop = (a: Float32Array, b: Float32Array, y: Float32Array, n: number) => void;

const same: Partial<Record<BinaryFn, Loop>> = {
  add: (a, b, y, n) => { for (let i = 0; i < n; i++) y[i] = a[i] + b[i]; },
  sub: (a, b, y, n) => { for (let i = 0; i < n; i++) y[i] = a[i] - b[i]; },
  mul: (a, b, y, n) => { for (let i = 0; i < n; i++) y[i] = a[i] * b[i]; },
  div: (a, b, y, n) => { for (let i = 0; i < n; i++) y[i] = a[i] / b[i]; },
};

const scalarRight: Partial<Record<BinaryFn, Loop>> = {
  add: (a, b, y, n) => { const s = b[0]; for (let i = 0; i < n; i++) y[i] = a[i] + s; },
  sub: (a, b, y, n) => { const s = b[0]; for (let i = 0; i < n; i++) y[i] = a[i] - s; },
  mul: (a, b, y, n) => { const s = b[0]; for (let i = 0; i < n; i++) y[i] = a[i] * s; },
  div: (a, b, y, n) => { const s = b[0]; for (let i = 0; i < n; i++) y[i] = a[i] / s; },
};

/** Runs a fast loop if there is one for this case; false means use the generic kernel. */
export function tryFastBinary(fn: BinaryFn, a: Float32Array, b: Float32Array, y: Float32Array, sameShape: boolean): boolean {
  const n = y.length;
  if (sameShape && a.length === n && b.length === n) {
    const f = same[fn];
    if (f) return f(a, b, y, n), true;
  } else if (a.length === n && b.length === 1) {
    const f = scalarRight[fn];
    if (f) return f(a, b, y, n), true;
  }
  return false;
}
