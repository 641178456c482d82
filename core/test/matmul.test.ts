// matmul with NumPy semantics: 2-D products, the 1-D cases (vec.vec is a scalar, mat.vec,
// vec.mat), batched broadcasting, dtypes, empty dims, sizes that do not fit a kernel's tiles,
// dot/outer, and the shape errors. Batched results are checked against a plain triple loop.

import { t, assert, eachBackend, expectTensor } from "./helpers";

/** Reference [m,k] x [k,n] on flat row-major arrays, in double precision. */
function mm(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number, ao = 0, bo = 0): number[] {
  const out: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ao + i * k + p] * b[bo + p * n + j];
      out.push(s);
    }
  }
  return out;
}

const seq = (n: number, scale = 0.25, shift = -2) => Array.from({ length: n }, (_, i) => ((i * 7) % 13) * scale + shift);

eachBackend("matmul", () => {
  describe("2-D", () => {
    it("int32 matrices stay int32", async () => {
      const y = t.tensor([[1, 2], [3, 4]]).matmul(t.tensor([[5, 6], [7, 8]]));
      await expectTensor(y, [[19, 22], [43, 50]], { shape: [2, 2], dtype: "int32" });
      const z = t.matmul(t.tensor([[1, 2, 3], [4, 5, 6]]), t.tensor([[7, 8], [9, 10], [11, 12]]));
      await expectTensor(z, [[58, 64], [139, 154]], { shape: [2, 2], dtype: "int32" });
    });

    it("int32 x float32 is float32; bool x bool counts (int32)", async () => {
      const y = t.tensor([[1, 2]]).matmul(t.tensor([[0.5], [0.25]]));
      await expectTensor(y, [[1]], { shape: [1, 1], dtype: "float32" });
      const b = t.tensor([[true, true, false]]).matmul(t.tensor([[true], [true], [true]]));
      await expectTensor(b, [[2]], { shape: [1, 1], dtype: "int32" });
    });

    it("sizes that are not multiples of a tile", async () => {
      for (const [m, k, n] of [[1, 1, 1], [3, 5, 7], [17, 33, 9], [65, 31, 66]]) {
        const a = seq(m * k);
        const b = seq(k * n, 0.5, -3);
        const y = t.tensor(a, { dtype: "float32" }).reshape([m, k]).matmul(t.tensor(b, { dtype: "float32" }).reshape([k, n]));
        await expectTensor(y, mm(a, b, m, k, n), { shape: [m, n], rtol: 1e-5, atol: 1e-4 });
      }
    });

    it("works on transposed (permuted) operands", async () => {
      const a = t.tensor([[1, 4], [2, 5], [3, 6]]).T; // [[1,2,3],[4,5,6]]
      await expectTensor(a.matmul(a.T), [[14, 32], [32, 77]], { shape: [2, 2] });
    });

    it("empty dims: k = 0 gives zeros, m = 0 or n = 0 gives empty results", async () => {
      await expectTensor(t.zeros([2, 0]).matmul(t.zeros([0, 3])), [0, 0, 0, 0, 0, 0], { shape: [2, 3] });
      await expectTensor(t.zeros([0, 3]).matmul(t.zeros([3, 2])), [], { shape: [0, 2] });
      await expectTensor(t.zeros([3]).matmul(t.zeros([3, 0])), [], { shape: [0] });
      await expectTensor(t.zeros([0]).matmul(t.zeros([0])), [0], { shape: [] });
    });
  });

  describe("1-D operands", () => {
    it("vec . vec is a scalar of shape []", async () => {
      await expectTensor(t.tensor([1, 2, 3]).matmul(t.tensor([4, 5, 6])), [32], { shape: [], dtype: "int32" });
      await expectTensor(t.tensor([0.5, 2]).dot(t.tensor([4, -1])), [0], { shape: [], dtype: "float32" });
    });

    it("mat . vec and vec . mat drop the added axis", async () => {
      const m = t.tensor([[1, 2, 3], [4, 5, 6]]);
      await expectTensor(m.matmul(t.tensor([1, 0, -1])), [-2, -2], { shape: [2] });
      await expectTensor(t.tensor([1, 2]).matmul(m), [9, 12, 15], { shape: [3] });
    });

    it("a vector against a batch of matrices", async () => {
      const b = t.arange(24).reshape([2, 4, 3]);
      const v = t.tensor([1, 0, 2, -1]);
      const bv = Array.from(await b.data());
      const left = [...mm([1, 0, 2, -1], bv, 1, 4, 3, 0, 0), ...mm([1, 0, 2, -1], bv, 1, 4, 3, 0, 12)];
      await expectTensor(v.matmul(b), left, { shape: [2, 3], dtype: "int32" });
      const a = t.arange(24).reshape([2, 3, 4]);
      const av = Array.from(await a.data());
      const right = [...mm(av, [1, 0, 2, -1], 3, 4, 1, 0), ...mm(av, [1, 0, 2, -1], 3, 4, 1, 12)];
      await expectTensor(a.matmul(v), right, { shape: [2, 3] });
    });
  });

  describe("batched", () => {
    it("[2,1,3,4] x [5,4,2] -> [2,5,3,2] with broadcast batch dims", async () => {
      const a = seq(2 * 3 * 4);
      const b = seq(5 * 4 * 2, 0.5, -1);
      const y = t.tensor(a, { dtype: "float32" }).reshape([2, 1, 3, 4]).matmul(t.tensor(b, { dtype: "float32" }).reshape([5, 4, 2]));
      const want: number[] = [];
      for (let i = 0; i < 2; i++) for (let j = 0; j < 5; j++) want.push(...mm(a, b, 3, 4, 2, i * 12, j * 8));
      await expectTensor(y, want, { shape: [2, 5, 3, 2], dtype: "float32" });
    });

    it("equal batch dims, and a batch of 1 against a matrix", async () => {
      const a = t.arange(12).reshape([3, 2, 2]);
      const b = t.tensor([[[1, 0], [0, 1]], [[0, 1], [1, 0]], [[2, 0], [0, 2]]]);
      await expectTensor(a.matmul(b), [[[0, 1], [2, 3]], [[5, 4], [7, 6]], [[16, 18], [20, 22]]], { shape: [3, 2, 2] });
      const c = t.arange(6).reshape([1, 2, 3]).matmul(t.tensor([[1], [1], [1]]));
      await expectTensor(c, [3, 12], { shape: [1, 2, 1] });
    });
  });

  describe("dot and outer", () => {
    it("outer(u, v)[i, j] = u[i] v[j]", async () => {
      await expectTensor(t.outer(t.tensor([1, 2]), t.tensor([3, 4, 5])), [[3, 4, 5], [6, 8, 10]], { shape: [2, 3], dtype: "int32" });
      await expectTensor(t.tensor([1, -1]).outer(t.tensor([0.5])), [0.5, -0.5], { shape: [2, 1], dtype: "float32" });
    });

    it("dot of matrices is matmul", async () => {
      await expectTensor(t.dot(t.tensor([[1, 2], [3, 4]]), t.tensor([[1], [1]])), [3, 7], { shape: [2, 1] });
    });
  });

  describe("shape errors", () => {
    it("[1,2] x [1,2] names both dims in plain words and suggests the transposes", () => {
      assert.throws(() => t.tensor([[1, 2]]).matmul(t.tensor([[3, 4]])), (e: unknown) => {
        assert.ok(e instanceof t.ShapeError);
        assert.equal(e.message, "matmul: left's last dim (2) must equal right's second-to-last dim (1); cannot matmul shapes [1, 2] and [1, 2]");
        assert.equal(e.detail.op, "matmul");
        assert.deepEqual(e.detail.conflict, [{ operand: 0, axis: 1 }, { operand: 1, axis: 0 }]);
        assert.deepEqual(e.detail.suggestions.slice(0, 2), [
          { code: "{left}.matmul({right}.T)", resultShape: [1, 1] },
          { code: "{left}.T.matmul({right})", resultShape: [2, 2] },
        ]);
        return true;
      });
    });

    it("vectors of different lengths, scalars and batch dims", () => {
      assert.throws(() => t.zeros([3]).matmul(t.zeros([2])), {
        name: "ShapeError",
        message: "matmul: left's only dim (3) must equal right's only dim (2); cannot matmul shapes [3] and [2]",
      });
      assert.throws(() => t.zeros([2, 3]).matmul(t.zeros([2])), {
        name: "ShapeError",
        message: /^matmul: left's last dim \(3\) must equal right's only dim \(2\)/,
      });
      assert.throws(() => t.tensor(2).matmul(t.zeros([2])), {
        name: "ShapeError",
        message: "matmul: operands must have at least 1 dim; got shapes [] and [2]",
      });
      assert.throws(() => t.zeros([2, 3, 4]).matmul(t.zeros([3, 4, 5])), {
        name: "ShapeError",
        message: "matmul: batch dims [2] and [3] do not broadcast (shapes [2, 3, 4] and [3, 4, 5])",
      });
    });
  });
});
