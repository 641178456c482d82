// Reductions against hand-computed values: over everything, one axis, several axes, negative
// axes, keepdims, empty tensors, int/bool dtypes, NaN, argmax ties, var/std corrections, and
// the numerically delicate logsumexp/softmax/logSoftmax.

import { t, assert, eachBackend, expectTensor, gradCheck } from "./helpers";
import type { Tensor } from "../src/index";

const f32 = (x: t.NestedArray) => t.tensor(x, { dtype: "float32" });

eachBackend("reductions", () => {
  // x[i][j][k] = 12 i + 4 j + k
  const cube = () => t.arange(24).reshape([2, 3, 4]);

  describe("sum, prod, max, min", () => {
    it("sum over everything gives a rank-0 tensor of the input dtype", async () => {
      await expectTensor(cube().sum(), [276], { shape: [], dtype: "int32" });
      await expectTensor(f32([[0.5, 1], [2, 4]]).sum(), [7.5], { shape: [], dtype: "float32" });
      await expectTensor(t.tensor(5).sum(), [5], { shape: [] });
    });

    it("sum along one axis, negative axes too", async () => {
      await expectTensor(cube().sum(0), [12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34], { shape: [3, 4] });
      await expectTensor(cube().sum(-1), [[6, 22, 38], [54, 70, 86]], { shape: [2, 3] });
      await expectTensor(t.sum(cube(), 1), [12, 15, 18, 21, 48, 51, 54, 57], { shape: [2, 4] });
    });

    it("sum over several axes, with keepdims", async () => {
      await expectTensor(cube().sum([0, 2]), [60, 92, 124], { shape: [3] });
      await expectTensor(cube().sum([0, -1], { keepdims: true }), [60, 92, 124], { shape: [1, 3, 1] });
      await expectTensor(cube().sum([2, 0, 1], { keepdims: true }), [276], { shape: [1, 1, 1] });
      await expectTensor(cube().sum(undefined, { keepdims: true }), [276], { shape: [1, 1, 1] });
    });

    it("max and min along axes", async () => {
      await expectTensor(cube().max(1), [8, 9, 10, 11, 20, 21, 22, 23], { shape: [2, 4], dtype: "int32" });
      await expectTensor(cube().min(-1), [0, 4, 8, 12, 16, 20], { shape: [2, 3] });
      await expectTensor(cube().max(), [23], { shape: [] });
      await expectTensor(f32([[-1, -5], [-3, -2]]).max(0, { keepdims: true }), [-1, -2], { shape: [1, 2] });
      await expectTensor(f32([-Infinity, -Infinity]).max(), [-Infinity]);
    });

    it("prod", async () => {
      await expectTensor(t.tensor([[1, 2], [3, 4]]).prod(0), [3, 8], { shape: [2], dtype: "int32" });
      await expectTensor(t.tensor([[1, 2], [3, 4]]).prod(), [24], { shape: [] });
      await expectTensor(f32([0.5, -4, 3]).prod(), [-6]);
    });

    it("max and min propagate NaN; sum too", async () => {
      await expectTensor(f32([1, NaN, 3]).max(), [NaN]);
      await expectTensor(f32([1, NaN, 3]).min(), [NaN]);
      await expectTensor(f32([[1, NaN], [2, 3]]).max(1), [NaN, 3]);
      await expectTensor(f32([[NaN, 1], [2, 3]]).min(0), [NaN, 1]);
      await expectTensor(f32([1, NaN]).sum(), [NaN]);
    });

    it("int32 sums and products wrap around; bool sums count", async () => {
      await expectTensor(t.tensor([2147483647, 1]).sum(), [-2147483648], { dtype: "int32" });
      await expectTensor(t.tensor([true, false, true]).sum(), [2], { shape: [], dtype: "int32" });
      await expectTensor(t.tensor([[true, true], [false, true]]).sum(0), [1, 2], { dtype: "int32" });
      await expectTensor(t.tensor([true, false]).max(), [1], { dtype: "bool" });
      await expectTensor(t.full([2, 40], 3).prod(1), [689956897, 689956897], { dtype: "int32", rtol: 0, atol: 0 });
      await expectTensor(t.full([21], -3).prod(), [-1870418611], { dtype: "int32", rtol: 0, atol: 0 });
    });

    it("empty tensors: sum is 0, prod is 1, max of a non-empty axis is empty", async () => {
      await expectTensor(t.zeros([0]).sum(), [0], { shape: [] });
      await expectTensor(t.zeros([0]).prod(), [1], { shape: [] });
      await expectTensor(t.zeros([2, 0]).sum(1), [0, 0], { shape: [2] });
      await expectTensor(t.zeros([2, 0]).sum(0), [], { shape: [0] });
      await expectTensor(t.zeros([2, 0]).max(0), [], { shape: [0] });
      await expectTensor(t.zeros([0, 3]).mean(), [NaN], { shape: [] });
    });

    it("max over an empty axis and bad axes are ShapeErrors", () => {
      assert.throws(() => t.zeros([0]).max(), { name: "ShapeError", message: "max: cannot take the max over an empty axis of shape [0]" });
      assert.throws(() => t.zeros([2, 0]).min(1), { name: "ShapeError", message: /^min: cannot take the min over an empty axis of shape \[2, 0\]/ });
      assert.throws(() => t.zeros([2, 2]).sum(2), {
        name: "ShapeError",
        message: "sum: axis 2 is out of range for shape [2, 2]; valid axes are -2..1",
      });
      assert.throws(() => t.zeros([2, 2]).sum(-3), { name: "ShapeError", message: /axis -3 is out of range/ });
      assert.throws(() => t.zeros([2, 2]).sum([0, -2]), { name: "ShapeError", message: "sum: axis list [0,-2] names the same axis twice" });
      assert.throws(() => t.tensor(1).sum(0), { name: "ShapeError", message: /a 0-d tensor has no axes/ });
    });
  });

  describe("all, any", () => {
    it("reduce truthiness to bool", async () => {
      const m = t.tensor([[true, false], [true, true]]);
      await expectTensor(m.all(1), [0, 1], { dtype: "bool" });
      await expectTensor(m.any(0), [1, 1], { dtype: "bool" });
      await expectTensor(t.tensor([0, 2, 0]).any(), [1], { shape: [], dtype: "bool" });
      await expectTensor(f32([0.5, 0]).all(), [0], { dtype: "bool" });
    });

    it("of an empty tensor: all is true, any is false (NumPy)", async () => {
      await expectTensor(t.zeros([0]).all(), [1], { shape: [], dtype: "bool" });
      await expectTensor(t.zeros([0]).any(), [0], { shape: [], dtype: "bool" });
    });
  });

  describe("argmax, argmin", () => {
    it("return the first occurrence of ties, as int32", async () => {
      await expectTensor(t.tensor([1, 3, 3, 2]).argmax(), [1], { shape: [], dtype: "int32" });
      await expectTensor(t.tensor([2, 1, 1, 5]).argmin(), [1], { shape: [], dtype: "int32" });
      await expectTensor(f32([7, 7, 7]).argmax(), [0]);
      await expectTensor(t.tensor([false, true, true]).argmax(), [1]);
    });

    it("without an axis use the flattened index; with one, per row/column", async () => {
      const x = t.tensor([[1, 5, 2], [5, 0, 9]]);
      await expectTensor(x.argmax(), [5], { shape: [] });
      await expectTensor(x.argmax(0), [1, 0, 1], { shape: [3] });
      await expectTensor(x.argmax(-1), [1, 2], { shape: [2] });
      await expectTensor(x.argmin(1, { keepdims: true }), [0, 1], { shape: [2, 1] });
      await expectTensor(t.argmin(x, 0), [0, 1, 0]);
    });

    it("pick the first NaN, like NumPy", async () => {
      await expectTensor(f32([1, NaN, 3, NaN]).argmax(), [1]);
      await expectTensor(f32([1, NaN, -3]).argmin(), [1]);
      await expectTensor(f32([[NaN, 1], [0, NaN]]).argmax(1), [0, 1]);
    });

    it("of an empty axis is a ShapeError", () => {
      assert.throws(() => t.zeros([0]).argmax(), { name: "ShapeError", message: "argmax: the tensor is empty" });
      assert.throws(() => t.zeros([2, 0]).argmin(1), { name: "ShapeError", message: "argmin: axis 1 of shape [2, 0] is empty" });
    });
  });

  describe("mean, var, std", () => {
    it("mean of an int tensor is float32: [[1,2],[3,4]].mean() == 2.5", async () => {
      await expectTensor(t.tensor([[1, 2], [3, 4]]).mean(), [2.5], { shape: [], dtype: "float32" });
      await expectTensor(cube().mean(1), [4, 5, 6, 7, 16, 17, 18, 19], { shape: [2, 4], dtype: "float32" });
      await expectTensor(t.mean(cube(), [0, -1], { keepdims: true }), [7.5, 11.5, 15.5], { shape: [1, 3, 1] });
    });

    it("var uses correction 0 by default and 1 on request", async () => {
      const x = t.tensor([1, 2, 3, 4]);
      await expectTensor(x.var(), [1.25], { shape: [], dtype: "float32" });
      await expectTensor(x.var(undefined, { correction: 1 }), [5 / 3]);
      await expectTensor(x.std(), [1.118033988749895]);
      await expectTensor(t.std(x, 0, { correction: 1 }), [1.2909944487358056]);
      await expectTensor(t.variance(x, -1), [1.25]);
    });

    it("var and std along axes, with keepdims", async () => {
      const x = f32([[1, 2], [3, 5]]);
      await expectTensor(x.var(1), [0.25, 1], { shape: [2] });
      await expectTensor(x.var(0, { keepdims: true }), [1, 2.25], { shape: [1, 2] });
      await expectTensor(x.std(0, { correction: 1 }), [Math.SQRT2, 3 / Math.SQRT2], { shape: [2] });
      await expectTensor(f32([5]).var(undefined, { correction: 1 }), [NaN]);
    });
  });

  describe("norm", () => {
    it("2-norm (the default), 1-norm and infinity norm, over all axes or some, with keepdims", async () => {
      const x = f32([[3, -4], [0, 12]]);
      await expectTensor(x.norm(), [13], { shape: [], dtype: "float32" }); // sqrt(9 + 16 + 144)
      await expectTensor(t.norm(x, 1), [5, 12], { shape: [2] });
      await expectTensor(x.norm(0, { keepdims: true }), [3, Math.sqrt(160)], { shape: [1, 2] });
      await expectTensor(x.norm(undefined, { ord: 1 }), [19]);
      await expectTensor(x.norm(1, { ord: Infinity }), [4, 12]);
      await expectTensor(t.tensor([[1, 2], [2, 1]]).norm(1), [Math.sqrt(5), Math.sqrt(5)], { dtype: "float32" });
      await expectTensor(t.zeros([3]).norm(), [0]);
      assert.throws(() => x.norm(undefined, { ord: 3 }), /norm: ord must be 1, 2 or Infinity, got 3/);
    });

    it("gradients: x / |x| away from zero, 0 (not NaN) at a zero vector", async () => {
      await gradCheck((v: Tensor) => v.norm(1).mul(f32([1, -2])).sum(), [f32([[0.5, -1.5, 2], [1, 0.25, -0.75]])]);
      await gradCheck((v: Tensor) => v.norm(undefined, { ord: 1 }), [f32([0.5, -1.5, 2])]);
      const g = t.grad((v: Tensor) => v.norm(1).sum())(f32([[0, 0], [3, 4]]));
      await expectTensor(g, [0, 0, 0.6, 0.8]);
    });
  });

  describe("logsumexp, softmax, logSoftmax", () => {
    it("logsumexp of small and large values", async () => {
      await expectTensor(f32([1, 2, 3]).logsumexp(), [3.40760596444438], { shape: [] });
      await expectTensor(f32([1000, 1000]).logsumexp(), [1000.6931471805599]);
      await expectTensor(f32([-1000, -1000]).logsumexp(), [-999.3068528194401]);
      await expectTensor(t.zeros([2, 3]).logsumexp([0, 1]), [Math.log(6)], { shape: [] });
      await expectTensor(t.tensor([0, 0]).logsumexp(), [Math.LN2], { dtype: "float32" });
    });

    it("logsumexp of -Infinity rows is -Infinity, of an Infinity row Infinity", async () => {
      const x = f32([[-Infinity, -Infinity], [0, 0], [Infinity, 1], [-Infinity, 2]]);
      await expectTensor(x.logsumexp(1), [-Infinity, Math.LN2, Infinity, 2], { shape: [4] });
      await expectTensor(x.logsumexp(-1, { keepdims: true }), [-Infinity, Math.LN2, Infinity, 2], { shape: [4, 1] });
      await expectTensor(t.zeros([0]).logsumexp(), [-Infinity], { shape: [] });
    });

    it("softmax: known values, stable for large inputs, rows sum to 1", async () => {
      await expectTensor(f32([1, 2, 3]).softmax(), [0.09003057317038046, 0.24472847105479767, 0.6652409557748219]);
      await expectTensor(f32([[1000, 1000], [-1000, -1000]]).softmax(), [0.5, 0.5, 0.5, 0.5], { shape: [2, 2] });
      await expectTensor(f32([0, -Infinity]).softmax(), [1, 0]);
      await expectTensor(
        t.tensor([[1, 1], [2, 2]]).softmax(0),
        [0.2689414213699951, 0.2689414213699951, 0.7310585786300049, 0.7310585786300049],
        { dtype: "float32" },
      );
      const p = t.randn([5, 7]).mul(10).softmax(-1);
      await expectTensor(p.sum(1), [1, 1, 1, 1, 1], { rtol: 1e-5 });
      const v = Array.from(await p.data());
      assert.ok(v.every((u) => u >= 0 && u <= 1));
    });

    it("logSoftmax: known values, stable for large inputs", async () => {
      await expectTensor(f32([1, 2, 3]).logSoftmax(), [-2.40760596444438, -1.4076059644443801, -0.40760596444438013]);
      await expectTensor(f32([1000, 0]).logSoftmax(), [0, -1000]);
      await expectTensor(t.logSoftmax(f32([[0, 0], [5, 5]]), 1), [-Math.LN2, -Math.LN2, -Math.LN2, -Math.LN2], { shape: [2, 2] });
    });
  });
});
