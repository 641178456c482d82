// What the SVD gives cheaply: the pseudo-inverse, the numerical rank and the condition number.
// Small singular values count as zero below max(atol, rtol · σ_max), torch's rule, with rtol
// defaulting to float32's epsilon times max(m, n).

import type { Tensor } from "../tensor";
import { where } from "../ops/elementwise";
import { internal } from "../scope";
import { InputError } from "../errors";
import { checkMatrix, floatMatrix } from "./checks";
import { svdOf, svdvals } from "./svd";

export interface RankTolerance {
  /** Absolute cutoff for singular values; default 0. */
  atol?: number;
  /** Relative cutoff (times the largest singular value); default eps · max(m, n), or 0 when
   * atol is given, as in torch. */
  rtol?: number;
}

const EPS = 2 ** -23; // float32 machine epsilon

/** The cutoff per matrix, [..., 1], from the descending singular values S [..., k]. */
function cutoff(name: string, S: Tensor, m: number, n: number, tol: RankTolerance): Tensor {
  for (const key of ["atol", "rtol"] as const) {
    const v = tol[key];
    if (v !== undefined && !(typeof v === "number" && v >= 0)) throw new InputError(`${name}: ${key} must be a number >= 0, got ${v}`);
  }
  const atol = tol.atol ?? 0;
  const rtol = tol.rtol ?? (tol.atol !== undefined ? 0 : EPS * Math.max(m, n));
  return S.slice(-1, 0, 1).mul(rtol).maximum(atol);
}

/**
 * The Moore–Penrose pseudo-inverse of A [..., m, n]: [..., n, m], V diag(1/σ) Uᵀ over the
 * singular values above the cutoff, as torch.linalg.pinv. pinv(A).matmul(b) is the
 * minimum-norm least-squares solution, also for rank-deficient A. Differentiable where the
 * rank does not change and the singular values are distinct.
 *
 *   linalg.pinv(tensor([[1, 2], [2, 4]]))  // [[0.04, 0.08], [0.08, 0.16]]
 */
export function pinv(A: Tensor, tol: RankTolerance = {}): Tensor {
  const name = "linalg.pinv";
  const a = floatMatrix(name, "A", A);
  checkMatrix(name, a);
  const [m, n] = a.shape.slice(-2);
  return internal(() => {
    const [U, S, Vh] = svdOf(a);
    const keep = S.gt(cutoff(name, S.detach(), m, n, tol));
    // The inner where keeps 1/0 out of the gradient of the dropped values.
    const inverse = where(keep, where(keep, S, 1).reciprocal(), 0);
    return Vh.mT.mul(inverse.unsqueeze(-2)).matmul(U.mT);
  });
}

/** The number of singular values of A [..., m, n] above the cutoff: int32 [...], as
 * torch.linalg.matrix_rank. */
export function matrixRank(A: Tensor, tol: RankTolerance = {}): Tensor {
  const name = "linalg.matrixRank";
  const a = floatMatrix(name, "A", A);
  checkMatrix(name, a);
  const [m, n] = a.shape.slice(-2);
  return internal(() => {
    const S = svdvals(a);
    return S.gt(cutoff(name, S, m, n, tol)).astype("int32").sum(-1);
  });
}

/** The 2-norm condition number σ_max / σ_min of A [..., m, n]: [...], as torch.linalg.cond(A)
 * (rectangular A too, as torch's 2-norm allows). A singular matrix gives inf; the digits lost
 * to rounding in a solve are about log10 of it. */
export function cond(A: Tensor): Tensor {
  const name = "linalg.cond";
  const a = floatMatrix(name, "A", A);
  return internal(() => {
    const S = svdvals(a);
    const k = S.shape[S.ndim - 1];
    return S.slice(-1, 0, 1).div(S.slice(-1, k - 1, k)).squeeze(-1);
  });
}
