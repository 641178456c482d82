// Running sums and products along an axis (cumsum, cumprod) as a log-depth scan: step d adds
// the values d places back (a shifted copy, padded with the identity), for d = 1, 2, 4, ...
// ceil(log2 n) steps of slice + pad + add, each a primitive with its own gradient, so the
// scan is differentiable and jit-able with no kernel of its own, and costs O(n log n) rather
// than the O(n^2) of a product with a triangular matrix.

import type { Tensor } from "../tensor";
import { oneAxis } from "../ops/axes";
import { internal } from "../scope";

function scan(x: Tensor, axis: number | undefined, op: "add" | "mul", name: string): Tensor {
  const src = axis === undefined ? x.flatten() : x;
  const a = axis === undefined ? 0 : oneAxis(name, x, axis);
  return internal(() => {
    // bool counts as int32, as NumPy's cumsum of a mask counts.
    let y = src.dtype === "bool" ? src.astype("int32") : src.add(0);
    const n = y.shape[a];
    const identity = op === "add" ? 0 : 1;
    for (let d = 1; d < n; d *= 2) {
      const widths = y.shape.map((): [number, number] => [0, 0]);
      widths[a] = [d, 0];
      const shifted = y.slice(a, 0, n - d).pad(widths, identity);
      y = op === "add" ? y.add(shifted) : y.mul(shifted);
    }
    return y;
  });
}

/** Running sum along axis (all values, flattened, without one), as numpy.cumsum. */
export const cumsum = (x: Tensor, axis?: number) => scan(x, axis, "add", "cumsum");
/** Running product along axis (flattened without one), as numpy.cumprod. */
export const cumprod = (x: Tensor, axis?: number) => scan(x, axis, "mul", "cumprod");
