// linalg.eigh / eigvalsh: eigenvalues and eigenvectors of symmetric matrices by parallel
// Jacobi (jacobi.ts): rotations drive the off-diagonal to zero, the diagonal becomes the
// eigenvalues and the product of the rotations the eigenvectors. Gradients are the closed
// forms (customVjp) rather than autodiff through the sweeps.

import type { Tensor } from "../tensor";
import { customVjp } from "../autodiff/custom";
import { isGradEnabled } from "../autodiff/mode";
import { where } from "../ops/elementwise";
import { argsort, takeAlongAxis } from "../ops/sort";
import { internal } from "../scope";
import { checkSquare, floatMatrix } from "./checks";
import { diagMatrix, diagonal, identity, symmetrize } from "./parts";
import { crossEntries, defaultSweeps, rotate, rotation, schedule, swapped } from "./jacobi";
import { customVjpMany } from "./multi";
import { loop, range } from "./loop";

/** Eigenvalues ascending [..., n] and eigenvectors as columns [..., n, n] of symmetric A. */
export function jacobiEigen(A: Tensor): { values: Tensor; vectors: Tensor } {
  const n = A.shape[A.ndim - 1];
  // Pairs need an even count: a zero row and column added at the end never rotate (their
  // entries are 0, so t = 0) and are cut off again.
  const m = n + (n % 2);
  const backend = A.backend;
  // Scaled to max |a_ij| = 1, so squares in the angle formula cannot overflow.
  const big = A.abs().max([-2, -1], { keepdims: true });
  const scale = where(big.eq(0), 1, big);
  let W0 = A.div(scale);
  if (m > n) W0 = W0.pad([...W0.shape.slice(0, -2).map((): [number, number] => [0, 0]), [0, 1], [0, 1]]);
  const rows = W0.ndim - 2;
  const cols = W0.ndim - 1;
  const rounds = schedule(m, backend);
  const steps = range(defaultSweeps(m) * rounds.length);
  const [W, V] = loop([W0, identity(m, backend)], steps, ([W, V], k) => {
    const round = rounds[k % rounds.length];
    const own = diagonal(W);
    const other = swapped(own, round, own.ndim - 1);
    const rot = rotation(own, other, crossEntries(W, round), round);
    return [rotate(rotate(W, rot, rows), rot, cols), rotate(V, rot, V.ndim - 1)];
  });
  let values = diagonal(W).mul(scale.squeeze(-1));
  let vectors = V;
  if (m > n) {
    values = values.slice(-1, 0, n);
    vectors = vectors.slice(-2, 0, n).slice(-1, 0, n);
  }
  const order = argsort(values, -1);
  vectors = takeAlongAxis(vectors.broadcastTo([...values.shape.slice(0, -1), n, n]), order.unsqueeze(-2), -1);
  return { values: takeAlongAxis(values, order, -1), vectors };
}

function eighOf(A: Tensor): [Tensor, Tensor] {
  let saved: [Tensor, Tensor] | null = null;
  const [w, v] = customVjpMany(
    [A],
    A.ndim - 2,
    () => {
      const { values, vectors } = jacobiEigen(A);
      saved = [values, vectors];
      return saved;
    },
    ([gw, gv]) => {
      const [w, v] = isGradEnabled() ? eighOf(A) : (saved as [Tensor, Tensor]);
      // Ā = V (diag(λ̄) + F ∘ Vᵀ V̄) Vᵀ with F_ij = 1 / (λ_j - λ_i); equal eigenvalues (where
      // the eigenvectors are not unique) get 0 rather than inf.
      const diff = w.unsqueeze(-2).sub(w.unsqueeze(-1));
      const same = diff.eq(0);
      const F = where(same, 0, where(same, 1, diff).reciprocal());
      const inner = F.mul(v.mT.matmul(gv)).add(diagMatrix(gw));
      return [symmetrize(v.matmul(inner).matmul(v.mT))];
    },
  );
  return [w, v];
}

function eigvalshOf(A: Tensor): Tensor {
  let vectors: Tensor | null = null;
  return customVjp(
    [A],
    () => {
      const r = jacobiEigen(A);
      vectors = r.vectors;
      return r.values;
    },
    (g) => {
      const v = isGradEnabled() ? eighOf(A)[1] : (vectors as Tensor);
      return [v.mul(g.unsqueeze(-2)).matmul(v.mT)]; // V diag(λ̄) Vᵀ
    },
  );
}

const hint = "eigh is for symmetric matrices; for singular values of a rectangular matrix use linalg.svd(A)";

/**
 * Eigenvalues (ascending, [..., n]) and orthonormal eigenvectors (the columns of [..., n, n])
 * of symmetric A [..., n, n], so that A V = V diag(λ), as torch.linalg.eigh. A is read as
 * (A + Aᵀ) / 2, as jnp.linalg.eigh does (torch reads the lower triangle). Parallel Jacobi in
 * float32: eigenvalues are accurate to about 1e-6 · max|λ|. Each eigenvector's sign is
 * arbitrary, and for repeated eigenvalues any orthonormal basis of their space may come out;
 * the gradient then treats the vectors as fixed (differentiable functions of them should not
 * depend on that choice). PCA: eigh(cov) gives the principal axes, the last columns first.
 *
 *   linalg.eigh(tensor([[2, 1], [1, 2]]))  // { eigenvalues: [1, 3], eigenvectors: [[-0.71, 0.71], [0.71, 0.71]] }
 */
export function eigh(A: Tensor): { eigenvalues: Tensor; eigenvectors: Tensor } {
  const name = "linalg.eigh";
  const a = floatMatrix(name, "A", A);
  checkSquare(name, a, hint);
  const [eigenvalues, eigenvectors] = eighOf(internal(() => symmetrize(a)));
  return { eigenvalues, eigenvectors };
}

/** The eigenvalues of symmetric A [..., n, n], ascending, as torch.linalg.eigvalsh (see eigh).
 * Its gradient, V diag(λ̄) Vᵀ, is defined also where eigenvalues repeat. */
export function eigvalsh(A: Tensor): Tensor {
  const name = "linalg.eigvalsh";
  const a = floatMatrix(name, "A", A);
  checkSquare(name, a, hint);
  return internal(() => eigvalshOf(symmetrize(a)));
}
