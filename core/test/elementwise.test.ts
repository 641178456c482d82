// Elementwise math against hand-computed values (or Python's math module to double precision,
// then float32 tolerances): broadcasting edge cases, weak typing of JS scalars, int and bool
// dtypes, NaN rules, floored mod, round half-to-even, int32 wraparound, where, clip and astype.

import { t, assert, eachBackend, expectTensor } from "./helpers";

const f32 = (x: t.NestedArray) => t.tensor(x, { dtype: "float32" });

eachBackend("elementwise", () => {
  describe("broadcasting", () => {
    it("[3,1] + [1,4] -> [3,4]", async () => {
      const y = t.tensor([[0], [10], [20]]).add(t.tensor([[1, 2, 3, 4]]));
      await expectTensor(y, [[1, 2, 3, 4], [11, 12, 13, 14], [21, 22, 23, 24]], { shape: [3, 4], dtype: "int32" });
    });

    it("[2,3] + [3] -> [2,3], and the other way round", async () => {
      const a = t.tensor([[1, 2, 3], [4, 5, 6]]);
      const b = t.tensor([10, 20, 30]);
      await expectTensor(a.add(b), [11, 22, 33, 14, 25, 36], { shape: [2, 3] });
      await expectTensor(b.sub(a), [9, 18, 27, 6, 15, 24], { shape: [2, 3] });
    });

    it("rank-0 tensors broadcast against anything, and [] + [] is []", async () => {
      const s = t.tensor(2);
      await expectTensor(s.mul(t.tensor([[1, 2], [3, 4]])), [2, 4, 6, 8], { shape: [2, 2] });
      await expectTensor(t.tensor([[1], [2]]).mul(s), [2, 4], { shape: [2, 1] });
      await expectTensor(s.add(t.tensor(3)), [5], { shape: [] });
      await expectTensor(t.tensor([]).add(s), [], { shape: [0] });
    });

    it("size-0 dims broadcast with 1 and stay 0", async () => {
      await expectTensor(t.zeros([0, 3]).add(t.ones([3])), [], { shape: [0, 3] });
      await expectTensor(t.zeros([1, 0]).add(t.ones([3, 1])), [], { shape: [3, 0] });
      await expectTensor(t.zeros([2, 0]).mul(t.zeros([2, 1])), [], { shape: [2, 0] });
      await expectTensor(t.zeros([0]).lt(t.ones([1])), [], { shape: [0], dtype: "bool" });
    });

    it("a failing broadcast throws a ShapeError naming the axis from the right", () => {
      const a = t.zeros([2, 3]);
      const b = t.zeros([2]);
      assert.throws(() => a.add(b), (e: unknown) => {
        assert.ok(e instanceof t.ShapeError);
        assert.equal(
          e.message,
          "add: shapes [2, 3] and [2] do not broadcast: at axis -1 (counting from the right) the sizes 3 and 2 differ and neither is 1",
        );
        assert.equal(e.detail.op, "add");
        assert.deepEqual(e.detail.operands, [
          { role: "left", shape: [2, 3], dtype: "float32" },
          { role: "right", shape: [2], dtype: "float32" },
        ]);
        assert.deepEqual(e.detail.conflict, [{ operand: 0, axis: 1 }, { operand: 1, axis: 0 }]);
        assert.deepEqual(e.detail.suggestions[0], { code: "{left}.add({right}.reshape([2, 1]))", resultShape: [2, 3] });
        return true;
      });
      assert.throws(() => t.zeros([4, 2, 3]).mul(t.zeros([5, 1, 3])), { name: "ShapeError", message: /^mul: .* at axis -3 .* sizes 4 and 5 differ/ });
      assert.throws(() => t.zeros([0]).add(t.zeros([2])), { name: "ShapeError", message: /sizes 0 and 2 differ/ });
    });
  });

  describe("dtypes and scalars", () => {
    it("tensor-and-number ops keep each scalar's own value, -0 apart from 0", async () => {
      // Scalars are cached per device and dtype; a cache that confused -0 with 0 would flip the
      // sign of these zeros (1 / -0 is -Infinity).
      const x = f32([1, -2]);
      await expectTensor(x.mul(0).reciprocal(), [Infinity, -Infinity]);
      await expectTensor(x.mul(-0).reciprocal(), [-Infinity, Infinity]);
      await expectTensor(x.mul(0).reciprocal(), [Infinity, -Infinity]);
      await expectTensor(t.tensor([3, -4]).mul(-0), [0, 0], { dtype: "int32" });
      await expectTensor(x.add(1), [2, -1], { dtype: "float32" });
      await expectTensor(t.tensor([3, -4]).add(1), [4, -3], { dtype: "int32" });
    });

    it("tensor-and-number results take the promoted dtype", async () => {
      const i = t.tensor([3, -4]);
      await expectTensor(i.add(2 ** 40), [2 ** 40 + 3, 2 ** 40 - 4], { dtype: "float32" });
      await expectTensor(i.add(0.5), [3.5, -3.5], { dtype: "float32" });
      await expectTensor(i.div(2), [1.5, -2], { dtype: "float32" });
      await expectTensor(i.gt(0), [true, false], { dtype: "bool" });
      await expectTensor(f32([0.5, 0]).logicalAnd(2), [true, false], { dtype: "bool" });
      await expectTensor(f32([0.5, 2]).lt(1), [true, false], { dtype: "bool" });
      await expectTensor(t.tensor([true, false]).add(1), [2, 1], { dtype: "int32" });
    });

    it("int32 tensor + 2 stays int32; + 0.5 becomes float32", async () => {
      const x = t.tensor([1, 2]);
      await expectTensor(x.add(2), [3, 4], { dtype: "int32" });
      await expectTensor(x.add(0.5), [1.5, 2.5], { dtype: "float32" });
      await expectTensor(x.mul(-3), [-3, -6], { dtype: "int32" });
      await expectTensor(t.add(10, x), [11, 12], { dtype: "int32" });
      await expectTensor(t.sub(1, x), [0, -1], { dtype: "int32" });
    });

    it("float32 tensors stay float32 with integer scalars; int32 and float32 tensors give float32", async () => {
      await expectTensor(f32([1, 2]).add(1), [2, 3], { dtype: "float32" });
      await expectTensor(t.tensor([1, 2]).add(f32([0.5, 0.25])), [1.5, 2.25], { dtype: "float32" });
    });

    it("an integer scalar outside the int32 range does not wrap", async () => {
      await expectTensor(t.tensor([1]).add(3e9), [3e9 + 1], { dtype: "float32" });
    });

    it("dividing ints gives float32", async () => {
      await expectTensor(t.tensor([1, 2, -3]).div(2), [0.5, 1, -1.5], { dtype: "float32" });
      await expectTensor(t.tensor([1, -1, 0]).div(t.tensor([0, 0, 0])), [Infinity, -Infinity, NaN], { dtype: "float32" });
    });

    it("bools count as 0 and 1 in arithmetic", async () => {
      await expectTensor(t.tensor([true, false]).add(1), [2, 1], { dtype: "int32" });
      await expectTensor(t.tensor([true, false]).mul(0.5), [0.5, 0], { dtype: "float32" });
    });

    it("arithmetic between two bools stays bool, as in NumPy and PyTorch", async () => {
      const a = t.tensor([true, true, false, false]);
      const b = t.tensor([true, false, true, false]);
      await expectTensor(a.add(b), [1, 1, 1, 0], { dtype: "bool" });
      await expectTensor(a.mul(b), [1, 0, 0, 0], { dtype: "bool" });
      await expectTensor(t.maximum(a, b), [1, 1, 1, 0], { dtype: "bool" });
      await expectTensor(t.minimum(a, b), [1, 0, 0, 0], { dtype: "bool" });
      await expectTensor(a.add(true), [1, 1, 1, 1], { dtype: "bool" });
      await expectTensor(a.sum(), 2, { dtype: "int32" });
      assert.throws(() => a.sub(b), /subtracting two bool tensors is not supported .*logicalXor/);
    });

    it("int32 arithmetic wraps around", async () => {
      await expectTensor(t.tensor([2147483647]).add(1), [-2147483648], { dtype: "int32" });
      await expectTensor(t.tensor([-2147483648]).sub(1), [2147483647], { dtype: "int32" });
      await expectTensor(t.tensor([65536, 46341]).mul(t.tensor([65536, 46341])), [0, -2147479015], { dtype: "int32" });
    });

    it("comparisons give bool, after promotion", async () => {
      const x = t.tensor([1, 2, 3]);
      await expectTensor(x.lt(2), [1, 0, 0], { dtype: "bool" });
      await expectTensor(x.le(2), [1, 1, 0], { dtype: "bool" });
      await expectTensor(x.gt(1.5), [0, 1, 1], { dtype: "bool" });
      await expectTensor(x.ge(t.tensor([[3], [1]])), [[0, 0, 1], [1, 1, 1]], { shape: [2, 3], dtype: "bool" });
      await expectTensor(x.eq(2), [0, 1, 0], { dtype: "bool" });
      await expectTensor(x.ne(2), [1, 0, 1], { dtype: "bool" });
      await expectTensor(f32([NaN, 1]).eq(f32([NaN, 1])), [0, 1], { dtype: "bool" });
      await expectTensor(f32([NaN, 1]).ne(f32([NaN, 1])), [1, 0], { dtype: "bool" });
    });

    it("logical ops treat nonzero as true", async () => {
      const a = t.tensor([0, 1, 2, 0]);
      const b = t.tensor([0, 0, -3, 5]);
      await expectTensor(a.logicalAnd(b), [0, 0, 1, 0], { dtype: "bool" });
      await expectTensor(a.logicalOr(b), [0, 1, 1, 1], { dtype: "bool" });
      await expectTensor(a.logicalXor(b), [0, 1, 0, 1], { dtype: "bool" });
      await expectTensor(f32([0, 0.5, NaN]).logicalNot(), [1, 0, 0], { dtype: "bool" });
      await expectTensor(t.tensor([true, false]).logicalAnd(true), [1, 0], { dtype: "bool" });
    });
  });

  describe("binary math", () => {
    it("mod is floored: the result takes the divisor's sign", async () => {
      const a = t.tensor([7, -7, 7, -7, 6]);
      const b = t.tensor([3, 3, -3, -3, 3]);
      await expectTensor(a.mod(b), [1, 2, -2, -1, 0], { dtype: "int32" });
      await expectTensor(f32([7.5, -7.5, 7.5, -7.5]).mod(f32([2, 2, -2, -2])), [1.5, 0.5, -0.5, -1.5], { dtype: "float32" });
      await expectTensor(f32([5.25, -0.75]).mod(0.5), [0.25, 0.25]);
      await expectTensor(f32([1]).mod(0), [NaN]);
    });

    it("pow: int ** int stays int, negative bases with integer exponents work", async () => {
      await expectTensor(t.tensor([2, 3, -2]).pow(t.tensor([10, 2, 3])), [1024, 9, -8], { dtype: "int32" });
      await expectTensor(f32([-2.5, 3, 0]).pow(2), [6.25, 9, 0], { dtype: "float32" });
      await expectTensor(f32([-2, 4]).pow(3), [-8, 64]);
      await expectTensor(f32([4, 2, -8]).pow(0.5), [2, Math.SQRT2, NaN]);
      await expectTensor(f32([2, 0]).pow(-1), [0.5, Infinity]);
      await expectTensor(f32([NaN, 5]).pow(0), [1, 1]);
    });

    it("maximum and minimum propagate NaN", async () => {
      const a = f32([1, NaN, 3, -1]);
      const b = f32([2, 0, NaN, -2]);
      await expectTensor(a.maximum(b), [2, NaN, NaN, -1]);
      await expectTensor(a.minimum(b), [1, NaN, NaN, -2]);
      await expectTensor(t.tensor([1, 5]).maximum(3), [3, 5], { dtype: "int32" });
      await expectTensor(t.maximum(t.tensor([1, 5]), 2.5), [2.5, 5], { dtype: "float32" });
    });
  });

  describe("unary math", () => {
    it("neg, abs and sign keep ints int", async () => {
      await expectTensor(t.tensor([-3, 0, 2]).neg(), [3, 0, -2], { dtype: "int32" });
      await expectTensor(t.tensor([-3, 0, 2]).abs(), [3, 0, 2], { dtype: "int32" });
      await expectTensor(t.tensor([-3, 0, 2]).sign(), [-1, 0, 1], { dtype: "int32" });
      await expectTensor(f32([-0.5, 0, 2, NaN]).sign(), [-1, 0, 1, NaN], { dtype: "float32" });
      await expectTensor(f32([-1.5, NaN, -Infinity]).abs(), [1.5, NaN, Infinity]);
    });

    it("exp, log, sqrt, rsqrt, reciprocal (ints become float32)", async () => {
      await expectTensor(t.tensor([-1, 0, 1, 2]).exp(), [0.36787944117144233, 1, 2.718281828459045, 7.38905609893065], { dtype: "float32" });
      await expectTensor(f32([100, -100]).exp(), [Infinity, 0]);
      await expectTensor(f32([1, Math.E, 0, -1]).log(), [0, 1, -Infinity, NaN]);
      await expectTensor(t.tensor([4, 2, 0]).sqrt(), [2, Math.SQRT2, 0], { dtype: "float32" });
      await expectTensor(f32([-1]).sqrt(), [NaN]);
      await expectTensor(f32([4, 0.25, 0]).rsqrt(), [0.5, 2, Infinity]);
      await expectTensor(t.tensor([2, -4, 0]).reciprocal(), [0.5, -0.25, Infinity], { dtype: "float32" });
    });

    it("sin, cos, tanh, sigmoid, erf", async () => {
      await expectTensor(f32([-1, 0, 1, 2]).sin(), [-0.8414709848078965, 0, 0.8414709848078965, 0.9092974268256817]);
      await expectTensor(f32([-1, 0, 1, 2]).cos(), [0.5403023058681398, 1, 0.5403023058681398, -0.4161468365471424]);
      await expectTensor(
        f32([-2, -0.3, 0, 0.3, 2, 50]).tanh(),
        [-0.9640275800758169, -0.2913126124515909, 0, 0.2913126124515909, 0.9640275800758169, 1],
      );
      await expectTensor(
        f32([-20, -1, 0, 1, 20, -100, 100]).sigmoid(),
        [2.0611536181902037e-9, 0.2689414213699951, 0.5, 0.7310585786300049, 0.9999999979388463, 0, 1],
      );
      await expectTensor(
        f32([-2, -0.5, 0, 0.1, 1, 3]).erf(),
        [-0.9953222650189527, -0.5204998778130465, 0, 0.1124629160182849, 0.8427007929497149, 0.9999779095030014],
      );
    });

    it("relu, gelu (exact, erf-based), softplus, log1p", async () => {
      await expectTensor(t.tensor([-2, 0, 3]).relu(), [0, 0, 3], { dtype: "int32" });
      await expectTensor(f32([-1.5, 0.5]).relu(), [0, 0.5]);
      await expectTensor(f32([-3, -1, -0.5, 0, 0.5, 1, 2]).gelu(), [
        -0.00404969409489031, -0.15865525393145707, -0.15426876936299344, 0, 0.34573123063700656, 0.8413447460685429, 1.9544997361036416,
      ]);
      await expectTensor(f32([-2, 0, 2, 100]).softplus(), [0.1269280110429725, 0.6931471805599453, 2.1269280110429727, 100]);
      await expectTensor(f32([0, Math.E - 1]).log1p(), [0, 1], { rtol: 1e-5 });
    });

    it("floor, ceil, round (half to even); identity on ints", async () => {
      const x = f32([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6]);
      await expectTensor(x.round(), [0, 2, 2, 0, -2, -2, 2, -3], { dtype: "float32" });
      await expectTensor(x.floor(), [0, 1, 2, -1, -2, -3, 2, -3]);
      await expectTensor(x.ceil(), [1, 2, 3, 0, -1, -2, 3, -2]);
      await expectTensor(t.tensor([3, -4]).round(), [3, -4], { dtype: "int32" });
    });

    it("isnan gives bool and is false for ints", async () => {
      await expectTensor(f32([NaN, 1, Infinity]).isnan(), [1, 0, 0], { dtype: "bool" });
      await expectTensor(t.tensor([1, 2]).isnan(), [0, 0], { dtype: "bool" });
    });
  });

  describe("where, clip, astype", () => {
    it("where broadcasts cond, values and scalars", async () => {
      const cond = t.tensor([[true], [false], [true]]);
      const a = t.tensor([[1, 2, 3, 4]]);
      await expectTensor(t.where(cond, a, 0), [[1, 2, 3, 4], [0, 0, 0, 0], [1, 2, 3, 4]], { shape: [3, 4], dtype: "int32" });
      await expectTensor(t.where(t.tensor([true, false]), t.tensor([1, 2]), 0.5), [1, 0.5], { dtype: "float32" });
      await expectTensor(t.where(f32([1, 0, -2]).gt(0), f32([1, 1, 1]), f32([-1, -1, -1])), [1, -1, -1]);
      await expectTensor(t.where(t.tensor(true), t.tensor([1, 2]), t.tensor([[5], [6]])), [1, 2, 1, 2], { shape: [2, 2] });
      await expectTensor(t.where(t.tensor([true, false]), t.tensor([true, true]), false), [1, 0], { dtype: "bool" });
    });

    it("where with scalar values, or a JS boolean cond, still broadcasts and promotes", async () => {
      const c = t.tensor([[true, false], [false, true]]);
      await expectTensor(t.where(c, 1, 0), [1, 0, 0, 1], { shape: [2, 2], dtype: "int32" });
      await expectTensor(t.where(c, 1, 0.5), [1, 0.5, 0.5, 1], { dtype: "float32" });
      await expectTensor(t.where(c, true, false), [1, 0, 0, 1], { dtype: "bool" });
      await expectTensor(t.where(true, t.tensor([1, 2]), t.tensor([[5], [6]])), [1, 2, 1, 2], { shape: [2, 2], dtype: "int32" });
      await expectTensor(t.where(false, t.tensor([1, 2]), 0.5), [0.5, 0.5], { shape: [2], dtype: "float32" });
    });

    it("where's shape error names cond, ifTrue and ifFalse", () => {
      assert.throws(() => t.where(t.tensor([true, false, true]), t.zeros([2]), 0), {
        name: "ShapeError",
        message: "where: shapes [3] (cond), [2] and [] do not broadcast",
      });
    });

    it("clip limits values; null leaves a side open; ints stay ints", async () => {
      await expectTensor(f32([-2, 0.5, 3]).clip(-1, 1), [-1, 0.5, 1], { dtype: "float32" });
      await expectTensor(f32([-2, 0.5, 3]).clip(null, 0), [-2, 0, 0]);
      await expectTensor(f32([-2, 0.5, 3]).clip(0, null), [0, 0.5, 3]);
      await expectTensor(t.tensor([-5, 1, 9]).clip(0, 4), [0, 1, 4], { dtype: "int32" });
      await expectTensor(t.clip(f32([NaN]), 0, 1), [NaN]);
      assert.throws(() => f32([1]).clip(2, 1), { name: "InputError", message: "clip: min (2) is greater than max (1)" });
    });

    it("astype: float -> int truncates toward zero and saturates", async () => {
      const x = f32([-1.7, -0.5, 0.5, 1.7, 2.9, 3e9, -3e9]);
      await expectTensor(x.astype("int32"), [-1, 0, 0, 1, 2, 2147483647, -2147483648], { dtype: "int32" });
    });

    it("PyTorch's shortcuts: float(), int(), long() (int32), bool(), clamp()", async () => {
      const x = t.tensor([-1.5, 0, 2.7]);
      await expectTensor(x.int(), [-1, 0, 2], { dtype: "int32" });
      await expectTensor(x.long(), [-1, 0, 2], { dtype: "int32" });
      await expectTensor(x.bool(), [1, 0, 1], { dtype: "bool" });
      await expectTensor(t.tensor([1, 2]).float(), [1, 2], { dtype: "float32" });
      await expectTensor(x.clamp(-1, 1), [-1, 0, 1]);
      await expectTensor(x.clamp(0), [0, 0, 2.7]);
    });

    it("astype: -> bool is != 0 (NaN is true); bool -> numbers is 0/1", async () => {
      await expectTensor(f32([0, -0, 0.5, NaN, -2]).astype("bool"), [0, 0, 1, 1, 1], { dtype: "bool" });
      await expectTensor(t.tensor([0, 3, -1]).astype("bool"), [0, 1, 1], { dtype: "bool" });
      await expectTensor(t.tensor([true, false]).astype("float32"), [1, 0], { dtype: "float32" });
      await expectTensor(t.tensor([true, false]).astype("int32"), [1, 0], { dtype: "int32" });
      await expectTensor(t.tensor([16777217, -5]).astype("float32"), [16777216, -5], { dtype: "float32" });
    });
  });
});
