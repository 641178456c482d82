// linalg.cholesky, qr and lstsq: the factors rebuild A, have their shapes (triangular,
// orthonormal), match float64 references, batch, handle n = 1 and n = 64, signal invalid input
// with NaN, have gradients that match finite differences, and run under jit and vmap.
// Tolerances as in linalg.test.ts: float32 rounding grows with n, on both backends alike.

import { t, assert, assertClose, eachBackend, gradCheck, uniform } from "./helpers";
import type { Tensor } from "../src/index";
import * as ref from "./linalg-reference";

const { linalg } = t;

/** Symmetric positive definite: M Mᵀ / n + I. */
function spd(batch: number[], n: number): Tensor {
  const M = uniform([...batch, n, n]);
  return M.matmul(M.mT).div(n).add(t.eye(n));
}

/** Max |x - y| over all elements. */
async function maxDiff(x: Tensor, y: Tensor): Promise<number> {
  return (await x.sub(y).abs().max().item()) as number;
}

/** Asserts that the columns of Q [..., m, k] are orthonormal: QᵀQ = I. */
async function expectOrthonormal(Q: Tensor, tol: number): Promise<void> {
  const k = Q.shape[Q.ndim - 1];
  const d = await maxDiff(Q.mT.matmul(Q), t.eye(k));
  assert.ok(d < tol, `QᵀQ differs from I by ${d}`);
}

eachBackend("linalg.cholesky", () => {
  it("L Lᵀ = A with L lower triangular, against float64, batched; n = 1", async () => {
    t.manualSeed(20);
    const A = spd([2, 3], 5);
    const L = linalg.cholesky(A);
    assert.deepEqual(L.shape, [2, 3, 5, 5]);
    assertClose(await L.data(), ref.flat((await ref.matrices(A)).map(ref.cholesky)), 1e-4, 1e-5);
    assert.equal(await L.triu(1).abs().max().item(), 0);
    assert.ok((await maxDiff(L.matmul(L.mT), A)) < 1e-5);
    assertClose(await linalg.cholesky(t.tensor([[9]], { dtype: "float32" })).data(), [3]);
    assertClose(await linalg.cholesky(t.tensor([[4, 2], [2, 5]])).data(), [2, 0, 1, 2]);
  });

  it("n = 64 against float64", async () => {
    t.manualSeed(21);
    const A = spd([], 64);
    const L = linalg.cholesky(A);
    assertClose(await L.data(), ref.flat([ref.cholesky((await ref.matrices(A))[0])]), 1e-3, 1e-4);
  });

  it("a matrix that is not positive definite gives NaN (as in JAX), not an error", async () => {
    const L = Array.from(await linalg.cholesky(t.tensor([[1, 2], [2, 1]], { dtype: "float32" })).data());
    assert.ok(Number.isNaN(L[3]), `got ${L}`);
    assert.equal(L[0], 1);
  });

  it("gradient matches finite differences (the input is read as (A + Aᵀ) / 2)", async () => {
    t.manualSeed(22);
    const W = uniform([3, 3]);
    await gradCheck((a) => linalg.cholesky(a).mul(W).sum(), [spd([], 3)]);
    // A Gaussian's log density needs log det Σ = 2 Σ log L_ii, and L⁻¹ (x - μ).
    const x = uniform([3, 1]);
    const logdens = (s: Tensor) => {
      const L = linalg.cholesky(s);
      const z = linalg.solveTriangular(L, x, { upper: false });
      const logdet = L.mul(t.eye(3)).sum(-1).log().sum().mul(2);
      return z.square().sum().add(logdet).mul(-0.5);
    };
    await gradCheck(logdens, [spd([], 3)]);
  });
});

eachBackend("linalg.qr", () => {
  it("Q R = A, Q orthonormal, R upper triangular, for tall, square and wide A, batched", async () => {
    t.manualSeed(23);
    for (const [m, n] of [[6, 4], [4, 4], [3, 5], [1, 3], [3, 1]]) {
      const A = uniform([2, m, n]);
      const { Q, R } = linalg.qr(A);
      const k = Math.min(m, n);
      assert.deepEqual(Q.shape, [2, m, k]);
      assert.deepEqual(R.shape, [2, k, n]);
      assert.ok((await maxDiff(Q.matmul(R), A)) < 1e-5, `QR = A for ${m} x ${n}`);
      await expectOrthonormal(Q, 1e-5);
      assert.equal(await R.tril(-1).abs().max().item(), 0);
    }
  });

  it("a known decomposition (LAPACK's signs), and n = 64", async () => {
    const { Q, R } = linalg.qr(t.tensor([[3, 1], [4, 2]], { dtype: "float32" }));
    assertClose(await Q.data(), [-0.6, -0.8, -0.8, 0.6], 1e-5, 1e-6);
    assertClose(await R.data(), [-5, -2.2, 0, 0.4], 1e-5, 1e-6);
    t.manualSeed(24);
    const A = uniform([64, 64]);
    const f = linalg.qr(A);
    assert.ok((await maxDiff(f.Q.matmul(f.R), A)) < 1e-4);
    await expectOrthonormal(f.Q, 1e-4);
    // |det A| = prod |R_ii|.
    const logdet = f.R.mul(t.eye(64)).sum(-1).abs().log().sum();
    assertClose([(await logdet.item()) as number], [ref.slogdet((await ref.matrices(A))[0]).logabsdet], 1e-4, 1e-3);
  });

  it("a zero column needs no reflection: no NaN", async () => {
    const { Q, R } = linalg.qr(t.tensor([[0, 1], [0, 2], [0, 3]], { dtype: "float32" }));
    const all = [...(await Q.data()), ...(await R.data())];
    assert.ok(all.every(Number.isFinite), `got ${all}`);
    assertClose(await Q.matmul(R).data(), [0, 1, 0, 2, 0, 3], 1e-5, 1e-6);
  });

  it("gradient matches finite differences (a function of both Q and R)", async () => {
    t.manualSeed(25);
    const W = uniform([4, 3]);
    const V = uniform([3, 3]);
    await gradCheck((a) => {
      const { Q, R } = linalg.qr(a);
      return Q.matmul(R.mul(V)).mul(W).sum().add(R.square().mul(V).sum());
    }, [uniform([4, 3])]);
  });
});

eachBackend("linalg.lstsq", () => {
  it("an overdetermined system against the float64 normal equations, batched; residuals", async () => {
    t.manualSeed(26);
    const A = uniform([2, 10, 3]);
    const B = uniform([2, 10, 2]);
    const { solution, residuals } = linalg.lstsq(A, B);
    assert.deepEqual(solution.shape, [2, 3, 2]);
    const [As, Bs] = [await ref.matrices(A), await ref.matrices(B)];
    const want = As.map((a, i) => ref.lstsq(a, Bs[i]));
    assertClose(await solution.data(), ref.flat(want), 1e-4, 1e-5);
    const wantRes = As.flatMap((a, i) => {
      const r = ref.matmul(a, want[i]).map((row, p) => row.map((v, c) => (v - Bs[i][p][c]) ** 2));
      return [0, 1].map((c) => r.reduce((s, row) => s + row[c], 0));
    });
    assertClose(await residuals.data(), wantRes, 1e-4, 1e-5);
  });

  it("a line fit (vector B); an underdetermined system gets the minimum-norm solution", async () => {
    const fit = linalg.lstsq(t.tensor([[1, 0], [1, 1], [1, 2]]), t.tensor([1, 3, 4]));
    assertClose(await fit.solution.data(), [7 / 6, 1.5], 1e-5, 1e-6);
    assertClose(await fit.residuals.data(), [1 / 6], 1e-4, 1e-6);
    const wide = linalg.lstsq(t.tensor([[1, 1, 0], [0, 1, 1]]), t.tensor([1, 2]));
    assertClose(await wide.solution.data(), [0, 1, 1], 1e-5, 1e-6);
    assert.deepEqual(wide.residuals.shape, [0]);
  });

  it("gradients match finite differences, for tall and wide A", async () => {
    t.manualSeed(27);
    const W = uniform([3, 2]);
    await gradCheck((a, b) => linalg.lstsq(a, b).solution.mul(W).sum(), [uniform([5, 3]), uniform([5, 2])]);
    await gradCheck((a, b) => linalg.lstsq(a, b).solution.mul(W).sum(), [uniform([2, 3]), uniform([2, 2])]);
  });

  it("under jit and vmap", async () => {
    t.manualSeed(28);
    const A = uniform([4, 6, 2]);
    const b = uniform([4, 6]);
    const want = await linalg.lstsq(A, b).solution.data();
    assertClose(await t.vmap((a: Tensor, v: Tensor) => linalg.lstsq(a, v).solution)(A, b).data(), want, 1e-5, 1e-6);
    assertClose(await t.jit((a: Tensor, v: Tensor) => linalg.lstsq(a, v).solution)(A, b).data(), want, 1e-6, 1e-6);
    const S = spd([], 3);
    assertClose(await t.jit((a: Tensor) => linalg.cholesky(a))(S).data(), await linalg.cholesky(S).data(), 1e-6, 1e-6);
  });
});

describe("linalg.cholesky / qr / lstsq errors", () => {
  it("name the function, the shapes and what to do", () => {
    assert.throws(() => linalg.cholesky(t.zeros([2, 3])), /linalg.cholesky: A must be square in its last two axes, got shape \[2, 3\]/);
    assert.throws(() => linalg.qr(t.zeros([3])), /linalg.qr: A must be a matrix/);
    assert.throws(() => linalg.lstsq(t.zeros([5, 2]), t.zeros([4, 1])), /linalg.lstsq: A has shape \[5, 2\] but B has shape \[4, 1\]; B must be \[..., 5\] \(vectors\) or \[..., 5, k\] \(columns\), one row per row of A/);
  });
});
