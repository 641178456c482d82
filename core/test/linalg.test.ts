// linalg.solve, inv, det, slogdet and solveTriangular: values against float64 references
// (linalg-reference.ts), batching and broadcasting, pivoting, singular inputs, gradients
// against finite differences, jit and vmap, and the error messages.
//
// Tolerances: results are float32. Elimination on an n x n matrix loses about cond(A) * n *
// 6e-8 relative, so small well-conditioned systems get rtol 1e-4 and the n = 64 ones 1e-3;
// lavapipe (WebGPU on the CPU) rounds like the cpu backend, so both share them.

import { t, assert, assertClose, eachBackend, gradCheck, uniform, assertNoBufferGrowth } from "./helpers";
import type { Tensor } from "../src/index";
import * as ref from "./linalg-reference";

const { linalg } = t;

/** A well-conditioned batch: M Mᵀ / n + I has eigenvalues in [1, ~5]. */
function wellConditioned(batch: number[], n: number): Tensor {
  const M = uniform([...batch, n, n]);
  return M.matmul(M.mT).div(n).add(t.eye(n));
}

/** A general (non-symmetric) batch with a dominant diagonal, far from singular. */
function general(batch: number[], n: number): Tensor {
  return uniform([...batch, n, n]).add(t.eye(n).mul(2));
}

eachBackend("linalg.solve / inv", () => {
  it("solves a small system: vector and matrix right-hand sides", async () => {
    const A = t.tensor([[3, 1], [1, 2]], { dtype: "float32" });
    assertClose(await linalg.solve(A, t.tensor([9, 8], { dtype: "float32" })).data(), [2, 3], 1e-5, 1e-5);
    const X = linalg.solve(A, t.tensor([[9, 1], [8, 2]], { dtype: "float32" }));
    assert.deepEqual(X.shape, [2, 2]);
    assertClose(await X.data(), ref.flat([ref.solve([[3, 1], [1, 2]], [[9, 1], [8, 2]])]), 1e-5, 1e-5);
  });

  it("pivots: zeros on the diagonal, a permutation matrix, and rows that need reordering", async () => {
    const cases: ref.Mat[] = [
      [[0, 1, 2], [1, 0, 3], [4, 5, 0]],
      [[0, 0, 1], [1, 0, 0], [0, 1, 0]],
      // Without row swaps the first pivot 1e-6 would amplify rounding by 1e6.
      [[1e-6, 1, 1], [1, 1, 2], [2, 1, 1]],
    ];
    for (const A of cases) {
      const B = [[1, 2], [3, 4], [5, 6]];
      const X = linalg.solve(t.tensor(A, { dtype: "float32" }), t.tensor(B, { dtype: "float32" }));
      assertClose(await X.data(), ref.flat([ref.solve(A, B)]), 1e-4, 1e-5);
    }
  });

  it("batches and broadcasts: A [2, 1, 4, 4] with B [3, 4, 2] gives X [2, 3, 4, 2]; B [..., n] is a batch of vectors", async () => {
    t.manualSeed(1);
    const A = general([2, 1], 4);
    const B = uniform([3, 4, 2]);
    const X = linalg.solve(A, B);
    assert.deepEqual(X.shape, [2, 3, 4, 2]);
    const [As, Bs] = [await ref.matrices(A), await ref.matrices(B)];
    const want = As.flatMap((a) => Bs.map((b) => ref.solve(a, b)));
    assertClose(await X.data(), ref.flat(want), 1e-4, 1e-5);
    // B with A's shape minus the last axis: vectors, one per matrix.
    const v = uniform([2, 1, 4]);
    const x = linalg.solve(A, v);
    assert.deepEqual(x.shape, [2, 1, 4]);
    const vs = Array.from(await v.data());
    const wantV = As.flatMap((a, i) => ref.solve(a, vs.slice(4 * i, 4 * i + 4).map((e) => [e])).flat());
    assertClose(await x.data(), wantV, 1e-4, 1e-5);
  });

  it("n = 1 and n = 64 against float64", async () => {
    assertClose(await linalg.solve(t.tensor([[4]], { dtype: "float32" }), t.tensor([[2, 8]], { dtype: "float32" })).data(), [0.5, 2]);
    t.manualSeed(2);
    const A = general([], 64);
    const B = uniform([64, 3]);
    const X = linalg.solve(A, B);
    const want = ref.solve((await ref.matrices(A))[0], (await ref.matrices(B))[0]);
    assertClose(await X.data(), ref.flat([want]), 1e-3, 1e-4);
    // And the residual is at rounding level: backward stable, |A X - B| <~ n eps |A| |X|.
    const resid = (await A.matmul(X).sub(B).abs().max().item()) as number;
    const scale = ((await A.abs().sum(-1).max().item()) as number) * ((await X.abs().max().item()) as number);
    assert.ok(resid < 1e-6 * scale, `residual ${resid}, |A| |X| = ${scale}`);
  });

  it("inv: inv(A) A = I, against float64, batched, with pivoting", async () => {
    t.manualSeed(3);
    const A = general([2, 3], 5);
    const Ai = linalg.inv(A);
    assert.deepEqual(Ai.shape, [2, 3, 5, 5]);
    const want = (await ref.matrices(A)).map((a) => ref.solve(a, ref.eye(5)));
    assertClose(await Ai.data(), ref.flat(want), 1e-4, 1e-5);
    assertClose(await Ai.matmul(A).data(), ref.flat(want.map(() => ref.eye(5))), 1e-4, 1e-5);
    const P = t.tensor([[0, 1], [1, 0]], { dtype: "float32" });
    assertClose(await linalg.inv(P).data(), [0, 1, 1, 0]);
  });

  it("a singular matrix gives inf/NaN, not an error (as in JAX)", async () => {
    const S = t.tensor([[1, 2], [2, 4]], { dtype: "float32" });
    const x = Array.from(await linalg.solve(S, t.tensor([1, 1], { dtype: "float32" })).data());
    assert.ok(x.some((v) => !Number.isFinite(v)), `got ${x}`);
    const Si = Array.from(await linalg.inv(S).data());
    assert.ok(Si.some((v) => !Number.isFinite(v)), `got ${Si}`);
    // A zero column: elimination skips it instead of dividing 0 by 0 everywhere.
    const Z = t.tensor([[0, 0], [0, 1]], { dtype: "float32" });
    const z = Array.from(await linalg.solve(Z, t.tensor([1, 1], { dtype: "float32" })).data());
    assert.ok(!Number.isFinite(z[0]) && z[1] === 1, `got ${z}`);
  });

  it("gradients of solve (A and B) and inv match finite differences", async () => {
    t.manualSeed(4);
    const A = wellConditioned([], 3);
    const B = uniform([3, 2]);
    const W = uniform([3, 2]);
    await gradCheck((a, b) => linalg.solve(a, b).mul(W).sum(), [A, B]);
    const w = uniform([2, 3]);
    // A batch of vectors (B's shape is A's without the last axis).
    await gradCheck((a, b) => linalg.solve(a, b).mul(w).sum(), [wellConditioned([2], 3), uniform([2, 3])]);
    // One A broadcast against a batch of B: A's gradient sums over the batch.
    await gradCheck((a, b) => linalg.solve(a, b).mul(W).sum(), [A, uniform([2, 3, 2])]);
    const V = uniform([3, 3]);
    await gradCheck((a) => linalg.inv(a).mul(V).sum(), [A]);
  });

  it("second derivatives: the gradient of solve is itself differentiable", async () => {
    t.manualSeed(5);
    const A = wellConditioned([], 3);
    const b = uniform([3]);
    // g(A) = sum(d/db sum(solve(A, b)²)), a function of A through solve's backward pass.
    const inner = t.grad((a: Tensor, v: Tensor) => linalg.solve(a, v).square().sum(), { argnums: 1 });
    await gradCheck((a) => (inner(a, b) as Tensor).sum(), [A]);
  });
});

eachBackend("linalg.det / slogdet", () => {
  it("det against cofactor expansion, batched; n = 1; a permutation has det -1", async () => {
    t.manualSeed(6);
    const A = uniform([2, 3, 4, 4], -2, 2);
    const d = linalg.det(A);
    assert.deepEqual(d.shape, [2, 3]);
    assertClose(await d.data(), (await ref.matrices(A)).map(ref.detCofactor), 1e-4, 1e-4);
    assertClose(await linalg.det(t.tensor([[[-3]]], { dtype: "float32" })).data(), [-3]);
    assertClose(await linalg.det(t.tensor([[0, 0, 1], [1, 0, 0], [0, 1, 0]], { dtype: "float32" })).data(), [1]);
    assertClose(await linalg.det(t.tensor([[0, 1, 0], [1, 0, 0], [0, 0, 1]], { dtype: "float32" })).data(), [-1]);
  });

  it("slogdet of a 32 x 32 matrix against float64; its sign and log rebuild det", async () => {
    t.manualSeed(7);
    const A = uniform([2, 32, 32], -2, 2);
    const { sign, logabsdet } = linalg.slogdet(A);
    assert.deepEqual(sign.shape, [2]);
    const want = (await ref.matrices(A)).map(ref.slogdet);
    assertClose(await sign.data(), want.map((w) => w.sign));
    assertClose(await logabsdet.data(), want.map((w) => w.logabsdet), 1e-4, 1e-3);
    const B = general([3], 6);
    const s = linalg.slogdet(B);
    assertClose(await s.sign.mul(s.logabsdet.exp()).data(), await linalg.det(B).data(), 1e-4, 1e-5);
  });

  it("a singular matrix: det 0, slogdet sign 0 and logabsdet -inf", async () => {
    const S = t.tensor([[[1, 2], [2, 4]], [[0, 0], [0, 1]]], { dtype: "float32" });
    assertClose(await linalg.det(S).abs().data(), [0, 0], 0, 0);
    const { sign, logabsdet } = linalg.slogdet(S);
    assertClose(await sign.abs().data(), [0, 0], 0, 0);
    assertClose(await logabsdet.data(), [-Infinity, -Infinity]);
  });

  it("integer matrices are converted to float32", async () => {
    const d = linalg.det(t.tensor([[1, 2], [3, 4]]));
    assert.equal(d.dtype, "float32");
    assertClose(await d.data(), [-2]);
    assertClose(await linalg.solve(t.tensor([[2, 0], [0, 4]]), t.tensor([1, 1])).data(), [0.5, 0.25]);
  });

  it("gradients of det and logabsdet match finite differences", async () => {
    t.manualSeed(8);
    await gradCheck((a) => linalg.det(a).mul(t.tensor([1, -2], { dtype: "float32" })).sum(), [general([2], 3)]);
    await gradCheck((a) => linalg.slogdet(a).logabsdet.sum(), [general([2], 3)]);
  });
});

eachBackend("linalg.solveTriangular", () => {
  it("lower, upper, unitriangular and left: false against float64; only the named triangle is read", async () => {
    t.manualSeed(9);
    const full = general([], 4);
    const B = uniform([4, 3]);
    const Bs = (await ref.matrices(B))[0];
    const lower = (await ref.matrices(full.tril()))[0];
    const upper = (await ref.matrices(full.triu()))[0];
    // The full matrix goes in: the other triangle must be ignored.
    assertClose(await linalg.solveTriangular(full, B, { upper: false }).data(), ref.flat([ref.solve(lower, Bs)]), 1e-4, 1e-5);
    assertClose(await linalg.solveTriangular(full, B, { upper: true }).data(), ref.flat([ref.solve(upper, Bs)]), 1e-4, 1e-5);
    const unit = lower.map((row, i) => row.map((v, j) => (i === j ? 1 : v)));
    assertClose(await linalg.solveTriangular(full, B, { upper: false, unitriangular: true }).data(), ref.flat([ref.solve(unit, Bs)]), 1e-4, 1e-5);
    // X A = B: Xᵀ = A⁻ᵀ Bᵀ.
    const C = uniform([3, 4]);
    const X = linalg.solveTriangular(full, C, { upper: true, left: false });
    assert.deepEqual(X.shape, [3, 4]);
    const want = ref.transpose(ref.solve(ref.transpose(upper), ref.transpose((await ref.matrices(C))[0])));
    assertClose(await X.data(), ref.flat([want]), 1e-4, 1e-5);
  });

  it("gradients match finite differences (upper, lower, left: false)", async () => {
    t.manualSeed(10);
    const A = general([], 3);
    const B = uniform([3, 2]);
    const W = uniform([3, 2]);
    await gradCheck((a, b) => linalg.solveTriangular(a, b, { upper: false }).mul(W).sum(), [A, B]);
    await gradCheck((a, b) => linalg.solveTriangular(a, b, { upper: true }).mul(W).sum(), [A, B]);
    await gradCheck((a, b) => linalg.solveTriangular(a, b, { upper: true, left: false }).mul(W.mT).sum(), [A, B.mT]);
  });
});

eachBackend("linalg under jit and vmap", () => {
  it("jit(solve) and jit(det) give the eager values", async () => {
    t.manualSeed(11);
    const f = t.jit((a: Tensor, b: Tensor) => linalg.solve(a, b).add(linalg.det(a).reshape([1, 1])));
    for (let k = 0; k < 2; k++) {
      const A = general([], 4);
      const B = uniform([4, 2]);
      assertClose(await f(A, B).data(), await linalg.solve(A, B).add(linalg.det(A).reshape([1, 1])).data(), 1e-6, 1e-6);
    }
  });

  it("vmap(det) and vmap(solve) equal the batched calls; repeated calls keep the live buffer count flat", async () => {
    t.manualSeed(12);
    const A = general([5], 3);
    const b = uniform([5, 3]);
    assertClose(await t.vmap((a: Tensor) => linalg.det(a))(A).data(), await linalg.det(A).data(), 1e-6, 1e-6);
    assertClose(await t.vmap((a: Tensor, v: Tensor) => linalg.solve(a, v))(A, b).data(), await linalg.solve(A, b).data(), 1e-6, 1e-6);
    await assertNoBufferGrowth(() => t.tidy(() => t.grad((a: Tensor) => linalg.slogdet(a).logabsdet.sum())(A)).dispose());
  });
});

describe("linalg errors", () => {
  it("name the function, the shapes and what to do", () => {
    const A = t.zeros([3, 4]);
    assert.throws(() => linalg.solve(A, t.zeros([3])), /linalg.solve: A must be square in its last two axes, got shape \[3, 4\]; for least squares use linalg.lstsq\(A, B\)/);
    assert.throws(() => linalg.inv(A), /linalg.inv: A must be square .*; for a pseudo-inverse use linalg.pinv\(A\)/);
    assert.throws(() => linalg.det(t.zeros([3])), /linalg.det: A must be a matrix \(or a batch of them, \[..., m, n\]\), got shape \[3\]/);
    assert.throws(() => linalg.solve(t.zeros([3, 3]), t.zeros([4, 2])), /linalg.solve: A has shape \[3, 3\] but B has shape \[4, 2\]; B must be \[..., 3\] \(vectors\) or \[..., 3, k\] \(columns\)/);
    assert.throws(() => linalg.solve(t.zeros([2, 3, 3]), t.zeros([4, 3, 1])), /linalg.solve: the batch dims of A \[2, 3, 3\] and B \[4, 3, 1\] do not broadcast: \[2\] against \[4\]/);
    assert.throws(() => linalg.solve([[1]] as unknown as Tensor, t.zeros([1])), /linalg.solve: A must be a tensor, got object/);
    assert.throws(() => linalg.solveTriangular(t.zeros([2, 2]), t.zeros([2, 1]), {} as { upper: boolean }), /linalg.solveTriangular: say which triangle A holds/);
    assert.throws(() => linalg.solveTriangular(t.zeros([2, 2]), t.zeros([3, 1]), { upper: true, left: false }), /B needs 2 columns \(X A = B with left: false\)/);
    try {
      linalg.solve(A, t.zeros([3]));
      assert.fail("no error");
    } catch (e) {
      assert.ok(e instanceof t.ShapeError);
      assert.deepEqual(e.detail.conflict, [{ operand: 0, axis: 1 }]);
    }
  });
});
