// linalg.solve and linalg.inv: elimination of [A | B] with partial pivoting, then back
// substitution. The gradient is written out (B̄ = A⁻ᵀ X̄, Ā = -B̄ Xᵀ), one more solve, rather
// than autodiff through the n elimination steps, which would keep n copies of [A | B].

import type { Tensor } from "../tensor";
import { customVjp } from "../autodiff/custom";
import { isGradEnabled } from "../autodiff/mode";
import { internal } from "../scope";
import { batchShape, checkSquare, floatMatrix, rowsMismatch } from "./checks";
import { eliminate } from "./eliminate";
import { substitute } from "./triangular";
import { identity } from "./parts";

/** A X = B for A [..., n, n] and B [..., n, k] with equal batch dims; differentiable. */
export function solveSquare(A: Tensor, B: Tensor): Tensor {
  let X: Tensor | null = null;
  return customVjp(
    [A, B],
    () => {
      const { U, Y } = eliminate(A, B, false);
      return (X = substitute(U, Y as Tensor, true));
    },
    (g, needs) => {
      const gB = solveSquare(A.mT, g);
      // Differentiating this backward pass (createGraph) needs X as recorded ops of A and B.
      const x = isGradEnabled() ? solveSquare(A, B) : (X as Tensor);
      return [needs[0] ? gB.matmul(x.mT).neg() : null, needs[1] ? gB : null];
    },
  );
}

/**
 * X with A X = B, for square A [..., n, n] and B [..., n, k] or a batch of vectors B [..., n]
 * (when B's shape is A's without the last axis, or B is 1-D), batch dims broadcast, as
 * torch.linalg.solve. Gaussian elimination with partial pivoting, float32. A singular A gives
 * inf/NaN in X (as in JAX) instead of an error: telling needs the values on the host.
 * Integer inputs are converted to float32.
 *
 *   linalg.solve(tensor([[3, 1], [1, 2]]), tensor([9, 8]))  // [2, 3]
 */
export function solve(A: Tensor, B: Tensor): Tensor {
  const name = "linalg.solve";
  const a = floatMatrix(name, "A", A);
  const b = floatMatrix(name, "B", B);
  const n = checkSquare(name, a, "for least squares use linalg.lstsq(A, B)");
  // torch's rule: B is a batch of vectors if it is 1-D or has A's shape without the last axis.
  const vector = b.ndim === 1 || (b.ndim === a.ndim - 1 && b.shape.every((d, i) => d === a.shape[i]));
  const rhs = vector ? b.unsqueeze(-1) : b;
  if (rhs.ndim < 2 || rhs.shape[rhs.ndim - 2] !== n) {
    throw rowsMismatch(name, a, b, Math.max(0, vector ? b.ndim - 1 : b.ndim - 2), `B must be [..., ${n}] (vectors) or [..., ${n}, k] (columns)`);
  }
  const batch = batchShape(name, a, rhs, 2, 2);
  return internal(() => {
    const k = rhs.shape[rhs.ndim - 1];
    const x = solveSquare(a.broadcastTo([...batch, n, n]), rhs.broadcastTo([...batch, n, k]));
    return vector ? x.squeeze(-1) : x;
  });
}

/**
 * The inverse of square A [..., n, n], as torch.linalg.inv (solve(A, I)). A singular A gives
 * inf/NaN entries instead of an error. Prefer solve(A, B) to inv(A).matmul(B): it is faster
 * and more accurate.
 *
 *   linalg.inv(tensor([[2, 0], [0, 4]]))  // [[0.5, 0], [0, 0.25]]
 */
export function inv(A: Tensor): Tensor {
  const name = "linalg.inv";
  const a = floatMatrix(name, "A", A);
  const n = checkSquare(name, a, "only square matrices have inverses; for a pseudo-inverse use linalg.pinv(A)");
  return internal(() => solveSquare(a, identity(n, a.backend).broadcastTo(a.shape)));
}
