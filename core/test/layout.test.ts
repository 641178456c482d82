// Shape changes: reshape (with -1), flatten, permute/transpose/.T, squeeze, unsqueeze/expandDims,
// broadcastTo, clone. Values are checked through index formulas (x[i][j][k] = 12 i + 4 j + k),
// including ops applied to the result, since a view that forgets its layout shows up there.

import { t, assert, eachBackend, expectTensor } from "./helpers";

const cube = () => t.arange(24).reshape([2, 3, 4]);

/** The values of cube().permute(perm), computed from the index formula. */
function permuted(perm: number[]): number[] {
  const shape = [2, 3, 4];
  const outShape = perm.map((p) => shape[p]);
  const out: number[] = [];
  const idx = [0, 0, 0];
  for (let a = 0; a < outShape[0]; a++) {
    for (let b = 0; b < outShape[1]; b++) {
      for (let c = 0; c < outShape[2]; c++) {
        [a, b, c].forEach((v, k) => (idx[perm[k]] = v));
        out.push(12 * idx[0] + 4 * idx[1] + idx[2]);
      }
    }
  }
  return out;
}

eachBackend("layout", () => {
  describe("reshape", () => {
    it("keeps the row-major order; -1 is inferred", async () => {
      await expectTensor(t.arange(6).reshape([2, 3]), [[0, 1, 2], [3, 4, 5]], { shape: [2, 3], dtype: "int32" });
      await expectTensor(t.arange(6).reshape(3, -1), [0, 1, 2, 3, 4, 5], { shape: [3, 2] });
      await expectTensor(cube().reshape([-1]), permuted([0, 1, 2]), { shape: [24] });
      await expectTensor(t.reshape(cube(), [4, -1, 2]), permuted([0, 1, 2]), { shape: [4, 3, 2] });
      await expectTensor(cube().view(6, 4), permuted([0, 1, 2]), { shape: [6, 4] });
    });

    it("to and from rank 0, and with size-0 dims", async () => {
      await expectTensor(t.tensor([5]).reshape([]), [5], { shape: [] });
      await expectTensor(t.tensor(5).reshape([1, 1]), [5], { shape: [1, 1] });
      await expectTensor(t.zeros([0, 3]).reshape([3, -1]), [], { shape: [3, 0] });
      await expectTensor(t.zeros([0, 3]).reshape([-1]), [], { shape: [0] });
    });

    it("keeps bool and float32 dtypes", async () => {
      await expectTensor(t.tensor([true, false, true, true]).reshape([2, 2]), [1, 0, 1, 1], { shape: [2, 2], dtype: "bool" });
      await expectTensor(t.tensor([0.5, 1.5]).reshape([2, 1]), [0.5, 1.5], { shape: [2, 1], dtype: "float32" });
    });

    it("of a transposed tensor reads it in its new order", async () => {
      const x = t.tensor([[1, 2, 3], [4, 5, 6]]);
      await expectTensor(x.T.reshape([-1]), [1, 4, 2, 5, 3, 6], { shape: [6] });
      await expectTensor(x.T.reshape([2, 3]).add(0), [[1, 4, 2], [5, 3, 6]]);
    });

    it("element-count mismatches are ShapeErrors that name the counts", () => {
      assert.throws(() => t.zeros([2, 3]).reshape([4]), (e: unknown) => {
        assert.ok(e instanceof t.ShapeError);
        assert.equal(e.message, "reshape: cannot reshape [2, 3] (6 elements) into [4] (4 elements)");
        assert.equal(e.detail.op, "reshape");
        assert.deepEqual(e.detail.operands, [{ role: "input", shape: [2, 3], dtype: "float32" }]);
        assert.ok(e.detail.suggestions.some((s) => s.code === "{input}.reshape([-1])" && s.resultShape[0] === 6));
        return true;
      });
      assert.throws(() => t.zeros([2, 3]).reshape([4, -1]), {
        name: "ShapeError",
        message: "reshape: cannot reshape [2, 3] (6 elements) into [4, -1]: 6 is not a multiple of 4",
      });
      assert.throws(() => t.zeros([6]).reshape([-1, -1]), { name: "ShapeError", message: "reshape: only one size may be -1, got [-1, -1]" });
    });

    it("bad sizes are InputErrors", () => {
      assert.throws(() => t.zeros([6]).reshape([1.5, 4]), { name: "InputError", message: /^reshape: size 1\.5 at position 0/ });
      assert.throws(() => t.zeros([6]).reshape([2, NaN]), { name: "InputError", message: /^reshape: size NaN at position 1/ });
      assert.throws(() => t.zeros([6]).reshape([-2, -3]), { name: "InputError", message: /^reshape: size -2 at position 0/ });
    });
  });

  describe("flatten", () => {
    it("flattens all axes or a range of them", async () => {
      await expectTensor(cube().flatten(), permuted([0, 1, 2]), { shape: [24] });
      await expectTensor(cube().flatten(1), permuted([0, 1, 2]), { shape: [2, 12] });
      await expectTensor(t.flatten(cube(), 0, 1), permuted([0, 1, 2]), { shape: [6, 4] });
      await expectTensor(cube().flatten(-2), permuted([0, 1, 2]), { shape: [2, 12] });
      await expectTensor(t.tensor(3).flatten(), [3], { shape: [1] });
    });

    it("a start axis after the end axis is an error", () => {
      assert.throws(() => cube().flatten(2, 0), { name: "InputError", message: "flatten: startAxis 2 comes after endAxis 0 in shape [2, 3, 4]" });
    });
  });

  describe("permute and transpose", () => {
    it("mT swaps the last two axes of a batch of matrices (PyTorch's x.mT); T reverses them all", async () => {
      const x = t.arange(12).reshape([2, 2, 3]);
      await expectTensor(x.mT, [[[0, 3], [1, 4], [2, 5]], [[6, 9], [7, 10], [8, 11]]], { shape: [2, 3, 2] });
      assert.deepEqual(x.T.shape, [3, 2, 2]);
      assert.throws(() => t.arange(3).mT, /transpose: axis -2 is out of range for shape \[3\]/);
    });
    it("permute moves axes and values", async () => {
      await expectTensor(cube().permute(2, 0, 1), permuted([2, 0, 1]), { shape: [4, 2, 3], dtype: "int32" });
      await expectTensor(cube().permute([1, 2, 0]), permuted([1, 2, 0]), { shape: [3, 4, 2] });
      await expectTensor(t.permute(cube(), [0, -1, 1]), permuted([0, 2, 1]), { shape: [2, 4, 3] });
      await expectTensor(cube().permute(0, 1, 2), permuted([0, 1, 2]), { shape: [2, 3, 4] });
    });

    it("transpose() reverses all axes; transpose(a, b) swaps two", async () => {
      await expectTensor(cube().transpose(), permuted([2, 1, 0]), { shape: [4, 3, 2] });
      await expectTensor(cube().transpose(0, -1), permuted([2, 1, 0]), { shape: [4, 3, 2] });
      await expectTensor(t.transpose(cube(), 1, 2), permuted([0, 2, 1]), { shape: [2, 4, 3] });
    });

    it(".T of a matrix, a vector and a scalar", async () => {
      await expectTensor(t.tensor([[1, 2, 3], [4, 5, 6]]).T, [[1, 4], [2, 5], [3, 6]], { shape: [3, 2] });
      await expectTensor(t.tensor([1, 2]).T, [1, 2], { shape: [2] });
      await expectTensor(t.tensor(7).T, [7], { shape: [] });
      await expectTensor(t.tensor([[true, false]]).T, [1, 0], { shape: [2, 1], dtype: "bool" });
    });

    it("ops on permuted tensors use the new layout", async () => {
      const x = t.tensor([[1, 2, 3], [4, 5, 6]], { dtype: "float32" });
      await expectTensor(x.T.mul(t.tensor([10, 100])), [[10, 400], [20, 500], [30, 600]], { shape: [3, 2] });
      await expectTensor(x.T.sum(1), [5, 7, 9], { shape: [3] });
      await expectTensor(cube().permute(2, 0, 1).sum(0), [6, 22, 38, 54, 70, 86], { shape: [2, 3] });
    });

    it("bad permutations are ShapeErrors", () => {
      assert.throws(() => cube().permute(0, 1), { name: "ShapeError", message: "permute: [0,1] is not a permutation of the 3 axes of [2, 3, 4]" });
      assert.throws(() => cube().permute(0, 0, 1), { name: "ShapeError", message: /^permute: \[0,0,1\] is not a permutation/ });
      assert.throws(() => cube().transpose(0, 3), {
        name: "ShapeError",
        message: "transpose: axis 3 is out of range for shape [2, 3, 4]; valid axes are -3..2",
      });
    });
  });

  describe("squeeze and unsqueeze", () => {
    it("squeeze removes size-1 axes: all, one, or a list", async () => {
      const x = t.tensor([[[1], [2], [3]]]); // [1, 3, 1]
      await expectTensor(x.squeeze(), [1, 2, 3], { shape: [3] });
      await expectTensor(x.squeeze(0), [1, 2, 3], { shape: [3, 1] });
      await expectTensor(t.squeeze(x, -1), [1, 2, 3], { shape: [1, 3] });
      await expectTensor(x.squeeze([0, 2]), [1, 2, 3], { shape: [3] });
      await expectTensor(t.tensor([4]).squeeze(), [4], { shape: [] });
      await expectTensor(t.zeros([2, 3]).squeeze(), [0, 0, 0, 0, 0, 0], { shape: [2, 3] });
    });

    it("squeezing an axis that is not 1 is a ShapeError", () => {
      assert.throws(() => t.zeros([1, 3, 1]).squeeze(1), { name: "ShapeError", message: "squeeze: axis 1 of shape [1, 3, 1] has size 3, not 1" });
    });

    it("unsqueeze/expandDims add a size-1 axis, negative axes counting in the result", async () => {
      const x = t.tensor([[1, 2, 3], [4, 5, 6]]);
      await expectTensor(x.unsqueeze(0), [1, 2, 3, 4, 5, 6], { shape: [1, 2, 3] });
      await expectTensor(x.unsqueeze(1), [1, 2, 3, 4, 5, 6], { shape: [2, 1, 3] });
      await expectTensor(x.unsqueeze(-1), [1, 2, 3, 4, 5, 6], { shape: [2, 3, 1] });
      await expectTensor(t.expandDims(x, 2), [1, 2, 3, 4, 5, 6], { shape: [2, 3, 1] });
      await expectTensor(t.tensor(5).unsqueeze(0), [5], { shape: [1] });
    });

    it("an unsqueeze axis out of range names the valid range for the result", () => {
      assert.throws(() => t.zeros([2, 3]).unsqueeze(4), {
        name: "ShapeError",
        message: "unsqueeze: axis 4 is out of range for shape [2, 3]; valid axes are -3..2",
      });
    });
  });

  describe("broadcastTo", () => {
    it("repeats along new and size-1 axes", async () => {
      await expectTensor(t.tensor([1, 2, 3]).broadcastTo([2, 3]), [[1, 2, 3], [1, 2, 3]], { shape: [2, 3], dtype: "int32" });
      await expectTensor(t.tensor([[1], [2]]).broadcastTo([2, 3]), [[1, 1, 1], [2, 2, 2]], { shape: [2, 3] });
      await expectTensor(t.tensor(5).broadcastTo([2, 2]), [5, 5, 5, 5], { shape: [2, 2] });
      await expectTensor(
        t.broadcastTo(t.tensor([[true], [false]]), [3, 2, 2]),
        [1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0],
        { shape: [3, 2, 2], dtype: "bool" },
      );
      await expectTensor(t.tensor([7]).expand([0]), [], { shape: [0] });
      await expectTensor(t.tensor([2, 3]).broadcastTo([2]), [2, 3], { shape: [2] });
    });

    it("its result works as an operand", async () => {
      const b = t.tensor([[1], [2]]).broadcastTo([2, 3]);
      await expectTensor(b.add(t.tensor([0, 10, 20])), [[1, 11, 21], [2, 12, 22]]);
      await expectTensor(b.sum(0), [3, 3, 3]);
    });

    it("impossible targets are ShapeErrors", () => {
      assert.throws(() => t.zeros([3]).broadcastTo([4]), (e: unknown) => {
        assert.ok(e instanceof t.ShapeError);
        assert.equal(e.message, "broadcastTo: cannot broadcast shape [3] to [4]");
        assert.deepEqual(e.detail.conflict, [{ operand: 0, axis: 0 }]);
        return true;
      });
      assert.throws(() => t.zeros([2, 3]).broadcastTo([3]), { name: "ShapeError", message: "broadcastTo: cannot broadcast shape [2, 3] to [3]" });
    });
  });

  describe("clone", () => {
    it("copies values, shape and dtype into a new tensor", async () => {
      const x = t.tensor([[1, 2], [3, 4]]);
      const y = x.clone();
      assert.notEqual(y, x);
      await expectTensor(y, [1, 2, 3, 4], { shape: [2, 2], dtype: "int32" });
      x.dispose();
      await expectTensor(y, [1, 2, 3, 4]);
    });
  });
});
