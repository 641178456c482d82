// Shape arithmetic on the host: contiguous strides, broadcast strides and dimension collapsing.
// Kernels hand shaders the smallest equivalent iteration space, because every dimension costs
// a division per element in a rank-generic shader.

/** Number of elements of a shape (1 for rank 0). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides in elements. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** Strides that read `inShape` as if broadcast (NumPy rules) to `outShape`: 0 on stretched axes. */
export function broadcastStrides(inShape: readonly number[], outShape: readonly number[]): number[] {
  const inStrides = contiguousStrides(inShape);
  const lead = outShape.length - inShape.length;
  return outShape.map((d, i) => {
    const j = i - lead;
    if (j < 0) return 0;
    return inShape[j] === 1 && d !== 1 ? 0 : inStrides[j];
  });
}

export interface Collapsed {
  shape: number[];
  /** One stride list per operand, each as long as `shape`. */
  strides: number[][];
}

/**
 * Drops size-1 axes and merges neighbours that every operand walks contiguously
 * (stride[i] == stride[i+1] * shape[i+1]), e.g. a plain add of two [64, 32, 8] tensors becomes
 * one axis of 16384. An empty shape means a single element.
 */
export function collapse(shape: readonly number[], strides: readonly (readonly number[])[]): Collapsed {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let i = 0; i < shape.length; i++) {
    const n = shape[i];
    if (n === 1) continue;
    const last = outShape.length - 1;
    const mergeable =
      last >= 0 && strides.every((s, k) => outStrides[k][last] === s[i] * n);
    if (mergeable) {
      outShape[last] *= n;
      strides.forEach((s, k) => (outStrides[k][last] = s[i]));
    } else {
      outShape.push(n);
      strides.forEach((s, k) => outStrides[k].push(s[i]));
    }
  }
  return { shape: outShape, strides: outStrides };
}

/** True when every operand is read in plain row-major order over `c.shape`. */
export function isContiguous(c: Collapsed): boolean {
  const want = contiguousStrides(c.shape);
  return c.strides.every((s) => s.every((v, i) => v === want[i]));
}
