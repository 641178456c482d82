// Binary ops whose operands broadcast against each other, row by row (see rows.ts). The hottest
// float ops get their own row loops: one shared loop calling `f` per element is megamorphic,
// and V8 cannot inline it (a bias add went from 1.5 ms to a few hundred µs per step this way).

import type { BinaryFn } from "../../ops/primitives";
import type { RowPlan } from "./rows";

type Arr = { [i: number]: number };
type RowOp = (a: Arr, ao: number, as: number, b: Arr, bo: number, bs: number, y: Arr, yo: number, n: number) => void;

const floatRows: Partial<Record<BinaryFn, RowOp>> = {
  add: (a, ao, as, b, bo, bs, y, yo, n) => { for (let i = 0; i < n; i++) y[yo + i] = a[ao + i * as] + b[bo + i * bs]; },
  sub: (a, ao, as, b, bo, bs, y, yo, n) => { for (let i = 0; i < n; i++) y[yo + i] = a[ao + i * as] - b[bo + i * bs]; },
  mul: (a, ao, as, b, bo, bs, y, yo, n) => { for (let i = 0; i < n; i++) y[yo + i] = a[ao + i * as] * b[bo + i * bs]; },
  div: (a, ao, as, b, bo, bs, y, yo, n) => { for (let i = 0; i < n; i++) y[yo + i] = a[ao + i * as] / b[bo + i * bs]; },
};

/** y = f(a, b) over a row plan of two inputs; `float` picks the specialised loops. */
export function binaryRows(fn: BinaryFn, f: (x: number, y: number) => number, float: boolean, a: Arr, b: Arr, y: Arr, plan: RowPlan): void {
  const { rows, len, starts, steps } = plan;
  const [sa, sb] = starts;
  const [ka, kb] = steps;
  const op = float ? floatRows[fn] : undefined;
  for (let r = 0; r < rows; r++) {
    const ao = sa[r];
    const bo = sb[r];
    const yo = r * len;
    if (op) op(a, ao, ka, b, bo, kb, y, yo, len);
    else for (let i = 0; i < len; i++) y[yo + i] = f(a[ao + i * ka], b[bo + i * kb]);
  }
}
