// Layout helpers for the CPU kernels: merging axes that move together (for the generated loops'
// block plans, loops.ts) and a cache-tiled transpose of the last two axes.

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
