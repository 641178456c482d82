// linalg.qr: reduced QR by Householder reflections. Step j reflects column j's part at and
// below the diagonal onto the diagonal (H = I - β v vᵀ, applied as R -= β v (vᵀ R): a
// matrix-vector product and a rank-1 update, never an m x m matrix); Q is the product of the
// reflections applied to the first k columns of the identity. Composed of ordinary ops, so
// autodiff differentiates it as it stands.

import type { Tensor } from "../tensor";
import { where } from "../ops/elementwise";
import { fromHost } from "../creation";
import { internalAll } from "../scope";
import { checkMatrix, floatMatrix } from "./checks";
import { mask } from "./parts";
import { loop, range } from "./loop";

/** Q [..., m, k] and R [..., k, n] with k = min(m, n), no checks. */
export function householderQr(A: Tensor): { Q: Tensor; R: Tensor } {
  const [m, n] = A.shape.slice(-2);
  const k = Math.min(m, n);
  const backend = A.backend;
  const reflections: { v: Tensor; bv: Tensor }[] = [];
  // The last row has nothing below it to zero (m <= n): it takes no reflection.
  const [R] = loop([A], range(Math.min(k, m - 1)), ([R], j, keep) => {
    const x = where(mask(m, (i) => i >= j, backend), R.slice(-1, j, j + 1), 0); // [..., m, 1]
    const xj = x.slice(-2, j, j + 1);
    const norm = x.square().sum(-2, { keepdims: true }).sqrt();
    // alpha = -sign(x_j) |x|: adding |x| to x_j's own sign avoids cancellation in v.
    const alpha = where(xj.ge(0), norm.neg(), norm);
    const v = where(mask(m, (i) => i === j, backend), x.sub(alpha), x);
    const vv = v.square().sum(-2, { keepdims: true });
    // A zero column needs no reflection: β = 0 instead of 2 / 0.
    const zero = vv.eq(0);
    const bv = v.mul(where(zero, 0, where(zero, 1, vv).reciprocal().mul(2)));
    reflections.push({ v: keep(v), bv: keep(bv) });
    return [R.sub(bv.mul(v.mul(R).sum(-2, { keepdims: true })))];
  });
  const eyeMK = new Float32Array(m * k);
  for (let i = 0; i < k; i++) eyeMK[i * k + i] = 1;
  const [Q] = loop([fromHost(eyeMK, [m, k], "float32", backend)], range(reflections.length, true), ([Q], j) => {
    const { v, bv } = reflections[j];
    return [Q.sub(bv.mul(v.mul(Q).sum(-2, { keepdims: true })))];
  });
  // Below the diagonal only rounding residue is left: make it exactly zero.
  return { Q: Q.broadcastTo([...A.shape.slice(0, -2), m, k]), R: R.slice(-2, 0, k).triu() };
}

/**
 * The reduced QR decomposition of A [..., m, n]: Q [..., m, k] with orthonormal columns and
 * upper triangular R [..., k, n], k = min(m, n), A = Q R, as torch.linalg.qr(A) (mode
 * "reduced"). Householder reflections, with LAPACK's signs (R's diagonal may be negative).
 * Differentiable; the gradient is unique only where R's diagonal has no zeros.
 *
 *   const { Q, R } = linalg.qr(tensor([[3, 1], [4, 2]]))  // R = [[-5, -2.2], [0, 0.4]]
 */
export function qr(A: Tensor): { Q: Tensor; R: Tensor } {
  const name = "linalg.qr";
  const a = floatMatrix(name, "A", A);
  checkMatrix(name, a);
  const [Q, R] = internalAll(() => {
    const f = householderQr(a);
    return [f.Q, f.R];
  });
  return { Q, R };
}
