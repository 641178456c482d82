// linalg.eigh, eigvalsh, svd, svdvals, pinv, matrixRank, cond and the norms: the defining
// identities (A V = V diag(λ), U diag(S) Vh = A, orthonormal factors, order), values against
// float64 references, repeated and zero eigen/singular values, gradients against finite
// differences (with losses that do not depend on the arbitrary sign of each vector), jit, vmap.
// Tolerances: Jacobi in float32 gets eigen/singular values to ~1e-6 of the largest; the
// identities at n = 32 hold to ~1e-5 relative, lavapipe as the cpu backend.

import { t, assert, assertClose, eachBackend, gradCheck, uniform, assertNoBufferGrowth } from "./helpers";
import type { Tensor } from "../src/index";
import * as ref from "./linalg-reference";

const { linalg } = t;

function symmetric(batch: number[], n: number): Tensor {
  const M = uniform([...batch, n, n]);
  return M.add(M.mT);
}

async function maxAbs(x: Tensor): Promise<number> {
  return (await x.abs().max().item()) as number;
}

/** A V = V diag(λ), VᵀV = I, λ ascending, and λ equal to the float64 reference. */
async function expectEigh(A: Tensor, tol: number): Promise<void> {
  const { eigenvalues: w, eigenvectors: V } = linalg.eigh(A);
  const n = A.shape[A.ndim - 1];
  assert.deepEqual(w.shape, A.shape.slice(0, -1));
  assert.deepEqual(V.shape, A.shape);
  const scale = Math.max(1, await maxAbs(w));
  const resid = await maxAbs(A.matmul(V).sub(V.mul(w.unsqueeze(-2))));
  assert.ok(resid < tol * scale, `|AV - VΛ| = ${resid}`);
  const orth = await maxAbs(V.mT.matmul(V).sub(t.eye(n)));
  assert.ok(orth < tol, `|VᵀV - I| = ${orth}`);
  const want = (await ref.matrices(A)).flatMap(ref.eigvalsh);
  const got = Array.from(await w.data());
  assertClose(got, want, 0, tol * scale);
  for (let i = 1; i < got.length; i++) if (i % n) assert.ok(got[i - 1] <= got[i], "ascending");
}

/** U diag(S) Vh = A, orthonormal U and Vh, S descending, S equal to the float64 reference. */
async function expectSvd(A: Tensor, tol: number): Promise<void> {
  const { U, S, Vh } = linalg.svd(A);
  const [m, n] = A.shape.slice(-2);
  const k = Math.min(m, n);
  const batch = A.shape.slice(0, -2);
  assert.deepEqual([U.shape, S.shape, Vh.shape], [[...batch, m, k], [...batch, k], [...batch, k, n]]);
  const scale = Math.max(1, await maxAbs(S));
  assert.ok((await maxAbs(U.mul(S.unsqueeze(-2)).matmul(Vh).sub(A))) < tol * scale, "U diag(S) Vh = A");
  assert.ok((await maxAbs(U.mT.matmul(U).sub(t.eye(k)))) < tol, "UᵀU = I");
  assert.ok((await maxAbs(Vh.matmul(Vh.mT).sub(t.eye(k)))) < tol, "Vh Vhᵀ = I");
  const got = Array.from(await S.data());
  assertClose(got, (await ref.matrices(A)).flatMap(ref.svdvals), 0, tol * scale);
  for (let i = 1; i < got.length; i++) if (i % k) assert.ok(got[i - 1] >= got[i], "descending");
}

eachBackend("linalg.eigh / eigvalsh", () => {
  it("a known matrix: [[2, 1], [1, 2]] has eigenvalues 1 and 3, and a 3 x 3 one", async () => {
    const { eigenvalues, eigenvectors } = linalg.eigh(t.tensor([[2, 1], [1, 2]]));
    assertClose(await eigenvalues.data(), [1, 3], 1e-6, 1e-6);
    // Up to sign, (1, -1)/√2 and (1, 1)/√2.
    assertClose(await eigenvectors.abs().data(), new Array(4).fill(Math.SQRT1_2), 1e-6, 1e-6);
    await expectEigh(t.tensor([[1, 2, 3], [2, 4, 5], [3, 5, 6]], { dtype: "float32" }), 1e-5);
  });

  it("batched [2, 3, 5, 5] (odd n), n = 1, and n = 32 against float64", async () => {
    t.manualSeed(30);
    await expectEigh(symmetric([2, 3], 5), 1e-5);
    await expectEigh(t.tensor([[[-4]]], { dtype: "float32" }), 1e-6);
    await expectEigh(symmetric([], 32), 1e-5);
  });

  it("repeated eigenvalues still give an orthonormal basis; a zero matrix gives zeros", async () => {
    await expectEigh(t.eye(4), 1e-6);
    await expectEigh(t.tensor([[2, 0, 0], [0, 1, 0], [0, 0, 2]], { dtype: "float32" }), 1e-6);
    // Rank one: eigenvalues 0, 0, 0, 4.
    await expectEigh(t.ones([4, 4]), 1e-5);
    const z = linalg.eigh(t.zeros([3, 3]));
    assertClose(await z.eigenvalues.data(), [0, 0, 0]);
    assert.ok((await z.eigenvectors.data()).every(Number.isFinite));
  });

  it("A is read as (A + Aᵀ) / 2; eigvalsh equals eigh's values", async () => {
    t.manualSeed(31);
    const A = uniform([3, 4, 4]);
    const sym = A.add(A.mT).mul(0.5);
    assertClose(await linalg.eigvalsh(A).data(), await linalg.eigh(sym).eigenvalues.data(), 1e-6, 1e-6);
    assertClose(await linalg.eigvalsh(sym).data(), await linalg.eigh(sym).eigenvalues.data(), 0, 0);
  });

  it("gradients match finite differences: eigvalsh, and eigh with a sign-invariant loss", async () => {
    t.manualSeed(32);
    const c = uniform([4]);
    const W = uniform([4, 4]);
    await gradCheck((a) => linalg.eigvalsh(a).mul(c).sum(), [symmetric([], 4)]);
    // The brief's form: symmetrize inside the function, as for any symmetric-input op.
    await gradCheck((a) => {
      const { eigenvalues, eigenvectors } = linalg.eigh(a.add(a.mT).mul(0.5));
      return eigenvalues.mul(c).sum().add(eigenvectors.square().mul(W).sum());
    }, [symmetric([], 4)]);
    // eigvalsh's gradient is defined at repeated eigenvalues: the identity's is V diag(c) Vᵀ.
    const g = t.grad((a: Tensor) => linalg.eigvalsh(a).sum())(t.eye(3));
    assertClose(await g.data(), ref.flat([ref.eye(3)]), 1e-5, 1e-6);
  });

  it("under vmap and jit; repeated gradient calls keep the live buffer count flat", async () => {
    t.manualSeed(33);
    const A = symmetric([3], 4);
    const want = await linalg.eigvalsh(A).data();
    assertClose(await t.vmap((a: Tensor) => linalg.eigvalsh(a))(A).data(), want, 1e-6, 1e-6);
    assertClose(await t.jit((a: Tensor) => linalg.eigh(a).eigenvalues)(A).data(), want, 1e-6, 1e-6);
    // What a call makes (schedules, rotations, saved factors) is freed: the live buffer count is flat.
    await assertNoBufferGrowth(() => t.tidy(() => t.grad((a: Tensor) => linalg.eigh(a).eigenvectors.square().sum().add(linalg.svdvals(a).sum()))(A)).dispose());
  });
});

eachBackend("linalg.svd / svdvals", () => {
  it("tall, wide and square, batched, against float64; a known matrix; n = 1", async () => {
    t.manualSeed(34);
    for (const [m, n] of [[6, 3], [3, 5], [4, 4]]) await expectSvd(uniform([2, m, n]), 1e-5);
    assertClose(await linalg.svdvals(t.tensor([[3, 0], [4, 5]])).data(), [Math.sqrt(45), Math.sqrt(5)], 1e-6, 1e-6);
    const one = linalg.svd(t.tensor([[-2]], { dtype: "float32" }));
    assertClose(await one.S.data(), [2]);
    assertClose(await one.U.mul(one.Vh).data(), [-1]);
  });

  it("32 x 32 against float64", async () => {
    t.manualSeed(35);
    await expectSvd(uniform([32, 32]), 1e-5);
  });

  it("rank-deficient input: zero singular values, matrixRank, pinv", async () => {
    const A = t.tensor([[1, 2], [2, 4]], { dtype: "float32" });
    assertClose(await linalg.svdvals(A).data(), [5, 0], 1e-6, 1e-6);
    assert.deepEqual(Array.from(await linalg.matrixRank(A).data()), [1]);
    assert.equal(linalg.matrixRank(A).dtype, "int32");
    // pinv of u uᵀ with |u|² = 5 is u uᵀ / 25.
    assertClose(await linalg.pinv(A).data(), [0.04, 0.08, 0.08, 0.16], 1e-5, 1e-6);
    t.manualSeed(36);
    const B = uniform([3, 5, 3]);
    assert.deepEqual(Array.from(await linalg.matrixRank(B).data()), [3, 3, 3]);
    // pinv of a tall full-rank matrix is (AᵀA)⁻¹Aᵀ.
    const want = (await ref.matrices(B)).map((b) => ref.solve(ref.matmul(ref.transpose(b), b), ref.transpose(b)));
    assertClose(await linalg.pinv(B).data(), ref.flat(want), 1e-4, 1e-5);
    // A cutoff: atol above the second singular value drops it.
    assert.deepEqual(Array.from(await linalg.matrixRank(t.tensor([[3, 0], [0, 0.5]]), { atol: 1 }).data()), [1]);
  });

  it("gradients match finite differences: svdvals, svd (sign-invariant loss) tall and wide, pinv", async () => {
    t.manualSeed(37);
    const c = uniform([3]);
    await gradCheck((a) => linalg.svdvals(a).mul(c).sum(), [uniform([4, 3])]);
    for (const [m, n] of [[4, 3], [3, 4]]) {
      const W1 = uniform([m, 3]);
      const W2 = uniform([3, n]);
      await gradCheck((a) => {
        const { U, S, Vh } = linalg.svd(a);
        return S.mul(c).sum().add(U.square().mul(W1).sum()).add(Vh.square().mul(W2).sum());
      }, [uniform([m, n])]);
    }
    const P = uniform([3, 4]);
    await gradCheck((a) => linalg.pinv(a).mul(P).sum(), [uniform([4, 3])]);
  });

  it("cond is σ_max / σ_min; under vmap", async () => {
    t.manualSeed(38);
    const A = uniform([2, 4, 4]);
    const S = (await ref.matrices(A)).map(ref.svdvals);
    assertClose(await linalg.cond(A).data(), S.map((s) => s[0] / s[3]), 1e-3, 1e-4);
    const tall = uniform([5, 3]); // rectangular: σ_max / σ_min, as torch's 2-norm cond
    const St = ref.svdvals((await ref.matrices(tall))[0]);
    assertClose(await linalg.cond(tall).data(), [St[0] / St[2]], 1e-3, 1e-4);
    assertClose(await t.vmap((a: Tensor) => linalg.svdvals(a))(A).data(), await linalg.svdvals(A).data(), 1e-6, 1e-6);
  });
});

eachBackend("linalg norms", () => {
  it("vectorNorm: p = 2, 1, ±inf, 0, 3, over dims, keepdim; a zero vector has gradient 0", async () => {
    const x = t.tensor([[3, -4, 0], [1, 2, -2]], { dtype: "float32" });
    assertClose(await linalg.vectorNorm(x).data(), [Math.sqrt(34)], 1e-6);
    assertClose(await linalg.vectorNorm(x, 2, { dim: 1 }).data(), [5, 3]);
    assertClose(await linalg.vectorNorm(x, 1, { dim: -1 }).data(), [7, 5]);
    assertClose(await linalg.vectorNorm(x, Infinity, { dim: 1 }).data(), [4, 2]);
    assertClose(await linalg.vectorNorm(x, -Infinity, { dim: 1 }).data(), [0, 1]);
    assertClose(await linalg.vectorNorm(x, 0, { dim: 1 }).data(), [2, 3]);
    assertClose(await linalg.vectorNorm(x, 3, { dim: 0 }).data(), [Math.cbrt(28), Math.cbrt(72), 2], 1e-5);
    assert.deepEqual(linalg.vectorNorm(x, 2, { dim: 1, keepdim: true }).shape, [2, 1]);
    assertClose(await t.grad((v: Tensor) => linalg.vectorNorm(v))(t.zeros([3])).data(), [0, 0, 0], 0, 0);
  });

  it("matrixNorm: fro, nuc, ±2, ±1, ±inf against float64; norm picks vector or matrix as torch", async () => {
    const A = t.tensor([[1, -2], [3, 4], [0, 5]], { dtype: "float32" });
    const S = ref.svdvals([[1, -2], [3, 4], [0, 5]]);
    const cases: [t.linalg.MatrixOrd, number][] = [
      ["fro", Math.sqrt(55)], ["nuc", S[0] + S[1]], [2, S[0]], [-2, S[1]],
      [1, 11], [-1, 4], [Infinity, 7], [-Infinity, 3],
    ];
    for (const [ord, want] of cases) assertClose(await linalg.matrixNorm(A, ord).data(), [want], 1e-5, 1e-5);
    // Batched over a leading axis, with dim and keepdim.
    const B = t.stack([A, A.mul(2)]);
    assertClose(await linalg.matrixNorm(B, 1).data(), [11, 22], 1e-6);
    assert.deepEqual(linalg.matrixNorm(B, "nuc", { keepdim: true }).shape, [2, 1, 1]);
    assertClose(await linalg.matrixNorm(B.permute(1, 0, 2), Infinity, { dim: [0, 2] }).data(), [7, 14], 1e-6);
    assertClose(await linalg.norm(A).data(), [Math.sqrt(55)], 1e-6);
    assertClose(await linalg.norm(A, 2).data(), [S[0]], 1e-5);
    assertClose(await linalg.norm(t.tensor([3, 4], { dtype: "float32" }), 1).data(), [7]);
    assertClose(await linalg.norm(B, undefined, { dim: 2 }).data(), [Math.sqrt(5), 5, 5, Math.sqrt(20), 10, 10], 1e-6);
  });

  it("gradients of the Frobenius and nuclear norms match finite differences", async () => {
    t.manualSeed(39);
    await gradCheck((a) => linalg.matrixNorm(a), [uniform([3, 3])]);
    await gradCheck((a) => linalg.matrixNorm(a, "nuc"), [uniform([3, 2])]);
  });
});

describe("linalg.eigh / svd / norm errors", () => {
  it("name the function, the shapes and what to do", () => {
    assert.throws(() => linalg.eigh(t.zeros([2, 3])), /linalg.eigh: A must be square in its last two axes, got shape \[2, 3\]; eigh is for symmetric matrices; for singular values of a rectangular matrix use linalg.svd\(A\)/);
    assert.throws(() => linalg.svd(t.zeros([2, 3]), { fullMatrices: true }), /linalg.svd: fullMatrices: true is not supported/);
    assert.throws(() => linalg.matrixNorm(t.zeros([2, 2]), "max" as "fro"), /linalg.matrixNorm: ord must be one of "fro", "nuc", 1, -1, 2, -2, Infinity, -Infinity; got "max"/);
    assert.throws(() => linalg.norm(t.zeros([2, 2, 2]), 2), /linalg.norm: with ord and no dim, x must be 1-D or 2-D, got 3-D/);
    assert.throws(() => linalg.norm(t.zeros([4]), "fro"), /linalg.norm: ord "fro" is a matrix norm/);
    assert.throws(() => linalg.pinv(t.zeros([2, 2]), { rtol: -1 }), /linalg.pinv: rtol must be a number >= 0, got -1/);
  });
});
