// linalg.svd / svdvals by one-sided Jacobi (Hestenes): rotate pairs of A's columns until all
// are orthogonal; then the column norms are the singular values, the normalized columns U, and
// the product of the rotations V. It never forms AᵀA, so small singular values keep their
// relative accuracy. Gradients are the closed forms (customVjp).

import type { Tensor } from "../tensor";
import { customVjp } from "../autodiff/custom";
import { isGradEnabled } from "../autodiff/mode";
import { where } from "../ops/elementwise";
import { argsort, takeAlongAxis } from "../ops/sort";
import { InputError } from "../errors";
import { internal } from "../scope";
import { checkMatrix, floatMatrix } from "./checks";
import { diagMatrix, identity } from "./parts";
import { defaultSweeps, rotate, rotation, schedule, swapped } from "./jacobi";
import { customVjpMany } from "./multi";
import { loop, range } from "./loop";

interface Factors {
  U: Tensor; // [..., m, k]
  S: Tensor; // [..., k], descending
  V: Tensor; // [..., n, k]
}

/** The reduced SVD of A [..., m, n] with m >= n. */
function tallSvd(A: Tensor): Factors {
  const n = A.shape[A.ndim - 1];
  const p = n + (n % 2); // pairs need an even count; a zero column never rotates
  const backend = A.backend;
  const big = A.abs().max([-2, -1], { keepdims: true });
  const scale = where(big.eq(0), 1, big); // max |a_ij| = 1: no overflow in the squares
  let W0 = A.div(scale);
  if (p > n) W0 = W0.pad([...W0.shape.slice(0, -1).map((): [number, number] => [0, 0]), [0, 1]]);
  const cols = W0.ndim - 1;
  const rounds = schedule(p, backend);
  const steps = range(defaultSweeps(p) * rounds.length);
  let [W, V] = loop([W0, identity(p, backend)], steps, ([W, V], k) => {
    const round = rounds[k % rounds.length];
    // The Gram matrix entries of each pair: |a_i|², |a_π(i)|² and a_i · a_π(i).
    const norms = W.square().sum(-2);
    const other = swapped(norms, round, norms.ndim - 1);
    const cross = W.mul(swapped(W, round, cols)).sum(-2);
    const rot = rotation(norms, other, cross, round);
    return [rotate(W, rot, cols), rotate(V, rot, V.ndim - 1)];
  });
  if (p > n) {
    W = W.slice(-1, 0, n);
    V = V.slice(-2, 0, n).slice(-1, 0, n);
  }
  const S = W.square().sum(-2).sqrt();
  // A zero singular value has no direction to normalize: its column of U stays zero.
  const U = W.div(where(S.eq(0), 1, S).unsqueeze(-2));
  const order = argsort(S, -1, { descending: true });
  const byColumn = order.unsqueeze(-2);
  return {
    U: takeAlongAxis(U, byColumn, -1),
    S: takeAlongAxis(S, order, -1).mul(scale.squeeze(-1)),
    V: takeAlongAxis(V.broadcastTo([...S.shape.slice(0, -1), n, n]), byColumn, -1),
  };
}

function factors(A: Tensor): Factors {
  const [m, n] = A.shape.slice(-2);
  if (m >= n) return tallSvd(A);
  // A = V' S U'ᵀ from the SVD of Aᵀ.
  const f = tallSvd(A.mT);
  return { U: f.V, S: f.S, V: f.U };
}

/** U, S and Vh as recorded ops of A (for the gradient of a gradient). */
function recorded(A: Tensor): Factors {
  const [U, S, Vh] = svdOf(A);
  return { U, S, V: Vh.mT };
}

/** [U, S, Vh] with the closed-form gradient. */
export function svdOf(A: Tensor): Tensor[] {
  let saved: Factors | null = null;
  return customVjpMany(
    [A],
    A.ndim - 2,
    () => {
      saved = factors(A);
      return [saved.U, saved.S, saved.V.mT];
    },
    ([gU, gS, gVh]) => {
      const { U, S, V } = isGradEnabled() ? recorded(A) : (saved as Factors);
      const gV = gVh.mT;
      const [m, n] = A.shape.slice(-2);
      const k = Math.min(m, n);
      // Townsend, "Differentiating the singular value decomposition" (2016):
      // Ā = U [(F ∘ (UᵀŪ - ŪᵀU)) S + S (F ∘ (VᵀV̄ - V̄ᵀV)) + diag(S̄)] Vᵀ
      //     + (I - UUᵀ) Ū S⁻¹ Vᵀ + U S⁻¹ V̄ᵀ (I - VVᵀ),  F_ij = 1 / (s_j² - s_i²), 0 where equal.
      const s2 = S.square();
      const diff = s2.unsqueeze(-2).sub(s2.unsqueeze(-1));
      const same = diff.eq(0);
      const F = where(same, 0, where(same, 1, diff).reciprocal());
      const UtgU = U.mT.matmul(gU);
      const VtgV = V.mT.matmul(gV);
      const J = F.mul(UtgU.sub(UtgU.mT)).mul(S.unsqueeze(-2));
      const K = F.mul(VtgV.sub(VtgV.mT)).mul(S.unsqueeze(-1));
      let gA = U.matmul(J.add(K).add(diagMatrix(gS))).matmul(V.mT);
      const invS = S.reciprocal().unsqueeze(-2);
      if (m > k) gA = gA.add(gU.sub(U.matmul(UtgU)).mul(invS).matmul(V.mT));
      if (n > k) gA = gA.add(U.matmul(gV.sub(V.matmul(VtgV)).mul(invS).mT));
      return [gA];
    },
  );
}

function svdvalsOf(A: Tensor): Tensor {
  let saved: Factors | null = null;
  return customVjp(
    [A],
    () => (saved = factors(A)).S,
    (g) => {
      const { U, V } = isGradEnabled() ? recorded(A) : (saved as Factors);
      return [U.mul(g.unsqueeze(-2)).matmul(V.mT)]; // U diag(S̄) Vᵀ
    },
  );
}

export interface SvdOptions {
  /** Only false (the reduced SVD) is supported; see svd(). */
  fullMatrices?: boolean;
}

/**
 * The reduced singular value decomposition A = U diag(S) Vh of A [..., m, n]: U [..., m, k]
 * and Vh [..., k, n] with orthonormal columns and rows, S [..., k] descending, k = min(m, n),
 * as torch.linalg.svd(A, full_matrices=False). Unlike torch, whose default is
 * full_matrices=True, the reduced form is the default and the only one: the extra columns
 * of a full U or V span A's null spaces, which PCA, pinv and least squares never use. One-sided
 * Jacobi in float32. Signs of matching columns of U and rows of Vh are arbitrary; for a zero
 * singular value the column of U is zero. Differentiable where the singular values are
 * distinct and nonzero (as in torch).
 *
 *   const { U, S, Vh } = linalg.svd(X.sub(X.mean(0)));  // PCA: the rows of Vh are the principal axes
 */
export function svd(A: Tensor, options: SvdOptions = {}): { U: Tensor; S: Tensor; Vh: Tensor } {
  const name = "linalg.svd";
  if (options.fullMatrices) {
    throw new InputError(`${name}: fullMatrices: true is not supported; use the reduced SVD (the default), which PCA, pinv and least squares need`);
  }
  const a = floatMatrix(name, "A", A);
  checkMatrix(name, a);
  const [U, S, Vh] = svdOf(a);
  return { U, S, Vh };
}

/** The singular values of A [..., m, n], descending, [..., min(m, n)], as torch.linalg.svdvals.
 * Its gradient U diag(S̄) Vᵀ is defined also where singular values repeat. */
export function svdvals(A: Tensor): Tensor {
  const name = "linalg.svdvals";
  const a = floatMatrix(name, "A", A);
  checkMatrix(name, a);
  return internal(() => svdvalsOf(a));
}
