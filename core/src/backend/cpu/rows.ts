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

/**
 * Merges neighbouring axes that every stride list walks as one (s[i] = s[i+1] * shape[i+1]),
 * so rows get longer: a [64, 16, 14, 2] view read densely is one row of 28,672, not 14,336 rows
 * of 2. Size-1 axes are dropped.
 */
export function collapseAxes(shape: readonly number[], strides: readonly (readonly number[])[]): [number[], number[][]] {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue; // its index is always 0: it moves nothing
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k][last] === s[i] * shape[i])) {
      outShape[last] *= shape[i];
      strides.forEach((s, k) => (outStrides[k][last] = s[i]));
    } else {
      outShape.push(shape[i]);
      strides.forEach((s, k) => outStrides[k].push(s[i]));
    }
  }
  return [outShape, outStrides];
}

/** Plans reading inputs with the given strides (as seen from `shape`, the output's). */
export function rowPlan(shape0: readonly number[], strides0: readonly (readonly number[])[], bases: readonly number[] = []): RowPlan {
  const [shape, strides] = collapseAxes(shape0, strides0);
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
