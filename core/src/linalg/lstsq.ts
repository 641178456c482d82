// linalg.lstsq: least squares through QR, which is as accurate as the problem allows (the
// normal equations AᵀA x = Aᵀb square A's condition number). Tall A (m >= n): A = QR,
// x = R⁻¹ Qᵀ b. Wide A (m < n), the minimum-norm solution: Aᵀ = QR, x = Q R⁻ᵀ b.

import type { Tensor } from "../tensor";
import { internalAll } from "../scope";
import { fromHost } from "../creation";
import { batchShape, checkMatrix, floatMatrix, rowsMismatch } from "./checks";
import { householderQr } from "./qr";
import { solveLeft } from "./triangular";

export interface LstsqResult {
  /** X [..., n, k] (or [..., n] for vector B) minimizing |A X - B|. */
  solution: Tensor;
  /** For m > n, the squared residual |A X - B|² of each column, [..., k] (or [...] for vector
   * B); otherwise an empty tensor, as in torch. */
  residuals: Tensor;
}

/**
 * The least-squares solution of A X ≈ B for A [..., m, n] and B [..., m, k] (or [..., m], a
 * batch of vectors, when B's shape is A's without the last axis), batch dims broadcast, as
 * torch.linalg.lstsq: X minimizes |A X - B| for tall A, and among exact solutions has the least
 * norm for wide A. A must have full rank (otherwise inf/NaN); for rank-deficient problems use
 * linalg.pinv(A).matmul(B). Differentiable.
 *
 *   // fit y = a + b t to three points
 *   linalg.lstsq(tensor([[1, 0], [1, 1], [1, 2]]), tensor([1, 3, 4])).solution  // [1.17, 1.5]
 */
export function lstsq(A: Tensor, B: Tensor): LstsqResult {
  const name = "linalg.lstsq";
  const a = floatMatrix(name, "A", A);
  const b = floatMatrix(name, "B", B);
  checkMatrix(name, a);
  const [m, n] = a.shape.slice(-2);
  const vector = b.ndim === 1 || (b.ndim === a.ndim - 1 && b.shape.every((d, i) => d === a.shape[i]));
  const rhs = vector ? b.unsqueeze(-1) : b;
  if (rhs.ndim < 2 || rhs.shape[rhs.ndim - 2] !== m) {
    throw rowsMismatch(name, a, b, Math.max(0, vector ? b.ndim - 1 : b.ndim - 2), `B must be [..., ${m}] (vectors) or [..., ${m}, k] (columns), one row per row of A`);
  }
  batchShape(name, a, rhs, 2, 2);
  const [solution, residuals] = internalAll(() => {
    let X: Tensor;
    if (m >= n) {
      const { Q, R } = householderQr(a);
      X = solveLeft(R, Q.mT.matmul(rhs), true, false);
    } else {
      const { Q, R } = householderQr(a.mT);
      X = Q.matmul(solveLeft(R.mT, rhs, false, false));
    }
    const res = m > n ? a.matmul(X).sub(rhs).square().sum(-2) : fromHost(new Float32Array(0), [0], "float32", a.backend);
    return vector ? [X.squeeze(-1), m > n ? res.squeeze(-1) : res] : [X, res];
  });
  return { solution, residuals };
}
