// Gaussian elimination with partial pivoting, as tensor ops: step k finds the largest entry
// of column k at or below the diagonal (argmax), swaps that row with row k (two wheres), and
// subtracts multiples of the pivot row from the rows below. Nothing is read back to the host,
// so it runs on every backend and under jit and vmap; the price is n steps of ~20 small ops.
//
// Right-hand sides ride along as extra columns ([A | B]), so a solve needs neither the
// multipliers (L) nor the permutation afterwards: the rows of B are swapped and updated with
// those of A, and what is left is U X = Y.

import type { Tensor } from "../tensor";
import { concat } from "../ops/indexing";
import { where } from "../ops/elementwise";
import { fromHost } from "../creation";
import { sizeOf } from "../shape";
import { mask } from "./parts";
import { loop, range } from "./loop";

export interface Eliminated {
  /** [..., n, n]: upper triangular on and above the diagonal (below it: rounding residue). */
  U: Tensor;
  /** The right-hand sides after the same row operations, [..., n, k], or null. */
  Y: Tensor | null;
  /** +1 or -1 per matrix, [...]: the parity of the row swaps (the sign det picks up). */
  sign: Tensor | null;
}

/**
 * Eliminates below the diagonal of A [..., n, n], applying the same row operations to
 * B [..., n, k] (same batch dims) when given. A column with nothing nonzero at or below the
 * diagonal is skipped, as LAPACK's getrf does, so a singular A leaves a zero on U's diagonal
 * (det 0, and inf/NaN from the substitution) instead of NaN everywhere.
 */
export function eliminate(A: Tensor, B: Tensor | null, withSign: boolean): Eliminated {
  const n = A.shape[A.ndim - 1];
  const backend = A.backend;
  const rows = fromHost(Int32Array.from({ length: n }, (_, i) => i), [n, 1], "int32", backend);
  const batch = A.shape.slice(0, -2);
  // The swap parity starts at +1 per matrix; n = 1 has no steps, hence no swaps.
  const one = fromHost(new Float32Array(sizeOf(batch)).fill(1), [...batch, 1, 1], "float32", backend);
  const [M, sign] = loop([B ? concat([A, B], -1) : A, one], range(n - 1), ([M, sign], k) => {
    const candidates = where(mask(n, (i) => i >= k, backend), M.slice(-1, k, k + 1).abs(), -1);
    const p = candidates.argmax(-2, { keepdims: true }); // [..., 1, 1]
    const isP = rows.eq(p);
    // Row p picked out exactly (a where, not a product, so inf elsewhere cannot leak in).
    const rowP = where(isP, M, 0).sum(-2, { keepdims: true });
    const rowK = M.slice(-2, k, k + 1);
    const swappedM = where(mask(n, (i) => i === k, backend), rowP, where(isP, rowK, M));
    const flipped = withSign ? sign.mul(where(p.eq(k), 1, -1)) : sign;
    const pivot = rowP.slice(-1, k, k + 1);
    const safe = where(pivot.eq(0), 1, pivot);
    const factors = where(mask(n, (i) => i > k, backend), swappedM.slice(-1, k, k + 1).div(safe), 0);
    return [swappedM.sub(factors.mul(rowP)), flipped];
  });
  const U = B ? M.slice(-1, 0, n) : M;
  const Y = B ? M.slice(-1, n) : null;
  return { U, Y, sign: withSign ? sign.reshape(batch) : null };
}
