// linalg.cholesky: L lower triangular with L Lᵀ = A, by the outer-product (right-looking)
// algorithm: step k takes column k of what is left, scales it by the square root of its
// diagonal entry, and subtracts its outer product, n steps of a few ops. The gradient is the
// closed form (Murray 2016, as in PyTorch and JAX), two triangular solves.

import type { Tensor } from "../tensor";
import { customVjp } from "../autodiff/custom";
import { isGradEnabled } from "../autodiff/mode";
import { concat } from "../ops/indexing";
import { where } from "../ops/elementwise";
import { internal } from "../scope";
import { checkSquare, floatMatrix } from "./checks";
import { diagMatrix, diagonal, mask, symmetrize } from "./parts";
import { solveLeft } from "./triangular";
import { loop, range } from "./loop";

function factor(A: Tensor): Tensor {
  const n = A.shape[A.ndim - 1];
  const backend = A.backend;
  const columns: Tensor[] = [];
  loop([A], range(n), ([W], k, keep) => {
    const col = W.slice(-1, k, k + 1); // [..., n, 1]
    // A non-positive pivot (A not positive definite) makes sqrt NaN, which spreads onwards.
    const pivot = col.slice(-2, k, k + 1).sqrt();
    const l = keep(where(mask(n, (i) => i >= k, backend), col.div(pivot), 0));
    columns.push(l);
    return [W.sub(l.mul(l.reshape([...l.shape.slice(0, -2), 1, n])))];
  });
  return concat(columns, -1);
}

function choleskyOf(A: Tensor): Tensor {
  let saved: Tensor | null = null;
  return customVjp(
    [A],
    () => (saved = factor(A)),
    (g) => {
      const L = isGradEnabled() ? choleskyOf(A) : (saved as Tensor);
      // P = Φ(Lᵀ L̄): the lower triangle with half the diagonal; then Ā = sym(L⁻ᵀ P L⁻¹).
      const LtG = L.mT.matmul(g.tril());
      const P = LtG.tril(-1).add(diagMatrix(diagonal(LtG).mul(0.5)));
      const PLinv = solveLeft(L.mT, P.mT, true, false).mT; // P L⁻¹ = (L⁻ᵀ Pᵀ)ᵀ
      return [symmetrize(solveLeft(L.mT, PLinv, true, false))];
    },
  );
}

/**
 * The lower triangular L with L Lᵀ = A, for symmetric positive-definite A [..., n, n], as
 * torch.linalg.cholesky. A is read as (A + Aᵀ) / 2, as jax.numpy.linalg.cholesky does, and the
 * gradient is symmetric to match. A matrix that is not positive definite gives NaN (as in
 * JAX; PyTorch raises, which would need a host read).
 *
 *   linalg.cholesky(tensor([[4, 2], [2, 5]]))  // [[2, 0], [1, 2]]
 */
export function cholesky(A: Tensor): Tensor {
  const name = "linalg.cholesky";
  const a = floatMatrix(name, "A", A);
  checkSquare(name, a, "Cholesky needs a symmetric positive-definite matrix");
  return internal(() => choleskyOf(symmetrize(a)));
}
