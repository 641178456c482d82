// Determinants from elimination: det A = (sign of the row swaps) × the product of U's
// diagonal; slogdet sums the logs instead, which neither overflows nor underflows for large n.
// Gradients are the closed forms d det = det · A⁻ᵀ and d log|det| = A⁻ᵀ (one inverse).

import type { Tensor } from "../tensor";
import { customVjp } from "../autodiff/custom";
import { isGradEnabled } from "../autodiff/mode";
import { internal } from "../scope";
import { checkSquare, floatMatrix } from "./checks";
import { eliminate } from "./eliminate";
import { diagonal } from "./parts";
import { customVjpMany } from "./multi";
import { inv } from "./solve";

function detOf(A: Tensor): Tensor {
  let saved: Tensor | null = null;
  return customVjp(
    [A],
    () => {
      const { U, sign } = eliminate(A, null, true);
      return (saved = diagonal(U).prod(-1).mul(sign as Tensor));
    },
    (g) => {
      const d = isGradEnabled() ? detOf(A) : (saved as Tensor);
      return [inv(A).mT.mul(g.mul(d).unsqueeze(-1).unsqueeze(-1))];
    },
  );
}

/**
 * The determinant of square A [..., n, n]: a tensor of shape [...], as torch.linalg.det. A
 * singular matrix gives 0 (or a tiny number, from rounding); its gradient is then inf/NaN.
 * For large n the product can overflow to ±inf: use slogdet.
 *
 *   linalg.det(tensor([[1, 2], [3, 4]]))  // -2
 */
export function det(A: Tensor): Tensor {
  const name = "linalg.det";
  const a = floatMatrix(name, "A", A);
  checkSquare(name, a, "only square matrices have determinants");
  return internal(() => detOf(a));
}

/**
 * The sign (+1, -1, or 0 for a singular matrix) and the log of the absolute value of the
 * determinant, each of shape [...], as torch.linalg.slogdet: det = sign · exp(logabsdet),
 * without overflow. A singular matrix gives sign 0 and logabsdet -inf. Only logabsdet has a
 * gradient (A⁻ᵀ); the sign is piecewise constant.
 *
 *   linalg.slogdet(tensor([[1, 2], [3, 4]]))  // { sign: -1, logabsdet: log 2 }
 */
export function slogdet(A: Tensor): { sign: Tensor; logabsdet: Tensor } {
  const name = "linalg.slogdet";
  const a = floatMatrix(name, "A", A);
  checkSquare(name, a, "only square matrices have determinants");
  const batchRank = a.ndim - 2;
  const [sign, logabsdet] = customVjpMany(
    [a],
    batchRank,
    () => {
      const { U, sign: swaps } = eliminate(a, null, true);
      const d = diagonal(U);
      return [d.sign().prod(-1).mul(swaps as Tensor), d.abs().log().sum(-1)];
    },
    ([, g]) => [inv(a).mT.mul(g.unsqueeze(-1).unsqueeze(-1))],
  );
  return { sign, logabsdet };
}
