// Row-wise iteration for the CPU kernels. Materialising one Int32Array offset per element (what
// `offsets` does) costs as much as the copy itself; walking the output row by row along its last
// axis needs one offset per row and lets the inner loop be a plain strided loop V8 optimises.

import { offsets } from "./strided";

export interface RowPlan {
  /** Number of rows: the product of every axis but the last (1 for a scalar). */
  rows: number;
  /** Elements per row: the last axis. */
  len: number;
  /** Per input: the flat offset where each row starts. */
  starts: Int32Array[];
  /** Per input: the step between neighbours along the row (0 when broadcast). */
  steps: number[];
}

/** Plans reading inputs with the given strides (as seen from `shape`, the output's). */
export function rowPlan(shape: readonly number[], strides: readonly (readonly number[])[], bases: readonly number[] = []): RowPlan {
  const rank = shape.length;
  const len = rank === 0 ? 1 : shape[rank - 1];
  const outer = shape.slice(0, Math.max(0, rank - 1));
  const starts = strides.map((s, k) => offsets(outer, s.slice(0, Math.max(0, rank - 1)), bases[k] ?? 0));
  return { rows: starts[0]?.length ?? 1, len, starts, steps: strides.map((s) => (rank === 0 ? 0 : s[rank - 1])) };
}

/** Copies `src` read at `strides` (from `shape`'s view, starting at `base`) into a new dense array. */
export function stridedCopy<T extends { [i: number]: number; length: number }>(src: T, dst: T, shape: readonly number[], strides: readonly number[], base = 0): void {
  const { rows, len, starts, steps } = rowPlan(shape, [strides], [base]);
  const st = starts[0];
  const step = steps[0];
  let p = 0;
  if (step === 1) {
    for (let r = 0; r < rows; r++) {
      const o = st[r];
      for (let i = 0; i < len; i++) dst[p++] = src[o + i];
    }
  } else {
    for (let r = 0; r < rows; r++) {
      const o = st[r];
      for (let i = 0; i < len; i++) dst[p++] = src[o + i * step];
    }
  }
}

/** dst[b, j, i] = src[b, i, j] for `batch` matrices of [m, n]: tiles keep both sides in cache. */
export function transposeLast2<T extends { [i: number]: number }>(src: T, dst: T, batch: number, m: number, n: number): void {
  const tile = 32;
  for (let b = 0; b < batch; b++) {
    const o = b * m * n;
    for (let i0 = 0; i0 < m; i0 += tile) {
      const i1 = Math.min(m, i0 + tile);
      for (let j0 = 0; j0 < n; j0 += tile) {
        const j1 = Math.min(n, j0 + tile);
        for (let i = i0; i < i1; i++) {
          const s = o + i * n;
          for (let j = j0; j < j1; j++) dst[o + j * m + i] = src[s + j];
        }
      }
    }
  }
}
