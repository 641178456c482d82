// Elementwise composites: log2, log10, hypot, logaddexp, lerp, xlogy, the isinf family,
// isclose/allclose, nanToNum and maskedFill: values against plain JavaScript (and PyTorch's
// documented edge cases), gradients against finite differences, error messages.

import { t, assert, assertClose, eachBackend, expectTensor, gradCheck, uniform } from "./helpers";

const inf = Infinity;
const f32 = (x: t.NestedArray) => t.tensor(x, { dtype: "float32" });

eachBackend("math composites", () => {
  describe("logarithms, hypot, logaddexp, lerp, xlogy", () => {
    it("log2 and log10 against Math, with ints promoted", async () => {
      const xs = [0.001, 0.5, 1, 2, 8, 10, 1000, 3e20];
      await expectTensor(t.log2(t.tensor(xs)), xs.map(Math.log2), { rtol: 2e-7, atol: 0 });
      await expectTensor(t.tensor(xs).log10(), xs.map(Math.log10), { rtol: 2e-7, atol: 0 });
      await expectTensor(t.tensor([1, 8, 1024]).log2(), [0, 3, 10], { dtype: "float32", rtol: 1e-7 });
      await expectTensor(t.tensor([0, -1, inf, NaN]).log10(), [-inf, NaN, inf, NaN]);
      await gradCheck((x) => x.log2().add(x.log10()).sum(), [uniform([5], 0.5, 3)]);
    });

    it("hypot: no overflow past 1e19, infinities win, and its gradient", async () => {
      const a = [3, 1e20, -5, 0, 0, inf, -inf, NaN, 1e-30];
      const b = [4, 1e20, 12, 0, -2, NaN, 1, 1, 1e-30];
      await expectTensor(t.hypot(t.tensor(a), t.tensor(b)), a.map((v, i) => Math.hypot(v, b[i])), { rtol: 2e-7, atol: 0 });
      await expectTensor(t.tensor([[3], [6]]).hypot(t.tensor([4, 8])), [5, Math.hypot(3, 8), Math.hypot(6, 4), 10], { shape: [2, 2] });
      await expectTensor(t.tensor([5]).hypot(12), [13]);
      await gradCheck((x, y) => t.hypot(x, y).sum(), [t.tensor([3, -1, 0.5, 2]), t.tensor([4, 2, -1.5, 2])]);
      assert.throws(() => t.hypot(t.zeros([2]), t.zeros([3])), { name: "ShapeError", message: /^hypot: shapes \[2\] and \[3\] do not broadcast/ });
    });

    it("logaddexp: stable for large values, equal infinities, and its gradient (half each at ties)", async () => {
      const a = [0, 1000, -1000, 2, -inf, inf, -inf, NaN];
      const b = [0, 1000, -1001, -3, -inf, inf, 5, 1];
      const ref = (x: number, y: number) => {
        if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
        const m = Math.max(x, y);
        return x === y ? x + Math.LN2 : m + Math.log1p(Math.exp(-Math.abs(x - y)));
      };
      await expectTensor(t.logaddexp(t.tensor(a), t.tensor(b)), a.map((x, i) => ref(x, b[i])), { rtol: 1e-6 });
      await gradCheck((x, y) => t.logaddexp(x, y).mul(t.tensor([1, 2, -1])).sum(), [t.tensor([0.3, -1, 2]), t.tensor([0.3, 0.5, -2])], { eps: 1e-3 });
    });

    it("lerp with a number and with a tensor weight; weight 1 gives end exactly", async () => {
      const a = t.tensor([1, -2, 1e8]);
      const b = t.tensor([3, 6, 1]);
      await expectTensor(a.lerp(b, 0.25), [1.5, 0, 1e8 * 0.75 + 0.25], { rtol: 1e-6 });
      await expectTensor(a.lerp(b, 1), [3, 6, 1], { rtol: 0, atol: 0 });
      await expectTensor(t.lerp(a, b, t.tensor([0, 0.5, 1])), [1, 2, 1], { rtol: 0, atol: 0 });
      await expectTensor(t.lerp(t.tensor([0, 0]), 10, t.tensor([[0.1], [0.9]])), [1, 1, 9, 9], { shape: [2, 2] });
      await gradCheck((x, y, w) => t.lerp(x, y, w).mul(t.tensor([1, -2, 3])).sum(), [f32([1, -2, 0.5]), f32([3, 6, -1]), f32([0.2, 0.7, 0.45])]);
    });

    it("xlogy: 0 where x is 0 (even at y = 0), NaN where y is NaN, and its gradient", async () => {
      const x = [0, 0, 2, 3, 0, 1];
      const y = [0, inf, 3, 0, NaN, -1];
      await expectTensor(t.xlogy(t.tensor(x), t.tensor(y)), [0, 0, 2 * Math.log(3), -inf, NaN, NaN]);
      await expectTensor(t.tensor([0, 2]).xlogy(4), [0, 2 * Math.log(4)], { dtype: "float32" });
      await gradCheck((a, b) => t.xlogy(a, b).sum(), [t.tensor([0.5, 2, -1]), t.tensor([1.5, 3, 0.7])]);
      // At x = 0 PyTorch's gradients are 0 for both (its d/dx is xlogy(x != 0, y)), even
      // where log y is finite; the finite differences above never touch x = 0.
      const [gx, gy] = t.grad((a: t.Tensor, b: t.Tensor) => t.xlogy(a, b).sum(), { argnums: [0, 1] })(f32([0, 0]), f32([0, 2]));
      await expectTensor(gx, [0, 0]);
      await expectTensor(gy, [0, 0]);
    });
  });

  describe("isinf, isfinite, isclose, allclose", () => {
    it("isinf, isposinf, isneginf and isfinite on floats, ints and bools", async () => {
      const x = t.tensor([1, inf, -inf, NaN, 0, -3e38]);
      await expectTensor(x.isinf(), [false, true, true, false, false, false], { dtype: "bool" });
      await expectTensor(t.isposinf(x), [false, true, false, false, false, false], { dtype: "bool" });
      await expectTensor(t.isneginf(x), [false, false, true, false, false, false], { dtype: "bool" });
      await expectTensor(t.isfinite(x), [true, false, false, false, true, true], { dtype: "bool" });
      await expectTensor(t.tensor([5, -2147483648]).isinf(), [false, false], { dtype: "bool" });
      await expectTensor(t.tensor([5, -7]).isfinite(), [true, true], { dtype: "bool" });
      await expectTensor(t.tensor([true, false]).isfinite(), [true, true], { dtype: "bool" });
    });

    it("isclose as torch.isclose: rtol relative to b, infinities close only to themselves, NaN with equalNan", async () => {
      const a = t.tensor([1, 1, 100, inf, inf, NaN, 0, 1e-9]);
      const b = t.tensor([1 + 1e-6, 1.001, 100.0009, inf, -inf, NaN, 1e-9, 0]);
      await expectTensor(t.isclose(a, b), [true, false, true, true, false, false, true, true], { dtype: "bool" });
      await expectTensor(a.isclose(b, { equalNan: true }), [true, false, true, true, false, true, true, true]);
      await expectTensor(a.isclose(b, { rtol: 0, atol: 0 }), [false, false, false, true, false, false, false, false]);
      await expectTensor(t.isclose(t.tensor([1, 2]), 1.000001), [true, false]);
      // inf against a finite number: the error is inf, never within tolerance.
      await expectTensor(t.isclose(t.tensor([1e30]), t.tensor([inf]), { rtol: 1 }), [false]);
      assert.throws(() => t.isclose(a, b, { rtol: -1 }), { name: "InputError", message: /^isclose: rtol and atol must be non-negative/ });
      assert.throws(() => t.isclose(t.zeros([2]), t.zeros([3])), { name: "ShapeError", message: /^isclose: shapes \[2\] and \[3\]/ });
    });

    it("allclose is a 0-d bool tensor: every element close", async () => {
      const a = t.tensor([[1, 2], [3, 4]]);
      const r = t.allclose(a, a.add(1e-7));
      assert.deepEqual(r.shape, []);
      assert.equal(r.dtype, "bool");
      assert.equal(await r.item(), true);
      assert.equal(await a.allclose(a.add(t.tensor([0, 1e-3]))).item(), false);
      assert.equal(await t.allclose(t.tensor([NaN]), t.tensor([NaN]), { equalNan: true }).item(), true);
      assert.equal(await t.allclose(t.tensor([NaN]), t.tensor([NaN])).item(), false);
    });
  });

  describe("nanToNum and maskedFill", () => {
    it("nanToNum: defaults (0 and the float32 extremes), numbers given positionally or by name", async () => {
      const x = t.tensor([NaN, inf, -inf, 2.5]);
      await expectTensor(x.nanToNum(), [0, 3.4028234663852886e38, -3.4028234663852886e38, 2.5]);
      await expectTensor(x.nanToNum(1, 100, -100), [1, 100, -100, 2.5]);
      await expectTensor(t.nanToNum(x, { posinf: 7 }), [0, 7, -3.4028234663852886e38, 2.5]);
      await expectTensor(t.tensor([1, 2]).nanToNum(), [1, 2], { dtype: "int32" });
      await gradCheck((a) => a.nanToNum().mul(a).sum(), [uniform([4])]);
    });

    it("maskedFill: broadcast mask, the input's dtype kept, value as number, bool or 0-d tensor", async () => {
      const x = t.tensor([[1, 2, 3], [4, 5, 6]], { dtype: "float32" });
      const mask = t.tensor([true, false, true]);
      await expectTensor(x.maskedFill(mask, -1), [[-1, 2, -1], [-1, 5, -1]], { dtype: "float32" });
      await expectTensor(x.maskedFill(t.tensor([[true], [false]]), -inf), [[-inf, -inf, -inf], [4, 5, 6]]);
      await expectTensor(t.tensor([1, 2, 3]).maskedFill(mask, 9.7), [9, 2, 9], { dtype: "int32" });
      await expectTensor(t.maskedFill(x, mask, t.tensor(0.5)), [0.5, 2, 0.5, 0.5, 5, 0.5]);
      // Gradient: 0 where filled; to the value where it is a tensor.
      await gradCheck((a, v) => a.maskedFill(mask, v).mul(a).sum(), [uniform([2, 3]), t.tensor(0.3)]);
    });

    it("maskedFill errors: non-bool masks, masks that would grow the input, vector values", () => {
      const x = t.zeros([2, 3]);
      assert.throws(() => x.maskedFill(t.tensor([1, 0, 1]), 0), { name: "DTypeError", message: /^maskedFill: mask must be a bool tensor, got int32/ });
      assert.throws(() => x.maskedFill(t.ones([4, 2, 3]).gt(0), 0), {
        name: "ShapeError",
        message: "maskedFill: mask of shape [4, 2, 3] does not broadcast to the input's shape [2, 3]",
      });
      assert.throws(() => x.maskedFill(t.ones([3]).gt(0), t.ones([3])), { name: "InputError", message: /value must be a number or a 0-d tensor/ });
    });
  });
});

describe("math composites: jit and vmap", () => {
  it("a jitted composite gives the eager values", async () => {
    const f = (a: t.Tensor, b: t.Tensor) => t.logaddexp(a, b).add(t.hypot(a, b)).add(a.isclose(b).astype("float32"));
    const a = uniform([3, 4]);
    const b = uniform([3, 4]);
    assertClose(await t.jit(f)(a, b).data(), await f(a, b).data(), 1e-6, 1e-6);
  });

  it("vmap of a new primitive and a composite matches the loop", async () => {
    const f = (x: t.Tensor) => x.atan().add(x.log1p()).nanToNum().sum();
    const xs = uniform([4, 3], 0, 2);
    const batched = await t.vmap(f)(xs).data();
    const loop = await Promise.all([0, 1, 2, 3].map((i) => f(xs.index(i)).item()));
    assertClose(batched, loop as number[], 1e-6, 1e-6);
  });
});
