// WebGPU against the CPU reference on seeded random inputs: every op, with broadcasting,
// non-contiguous operands, reductions over several axes, batched matmul and gathers. Shapes
// are chosen to miss workgroup and tile multiples. Tolerances are float32-honest: 1e-5
// relative for single roundings, looser where an op sums many terms in a different order.

import { t, assert, assertClose } from "./helpers";
import type { Tensor } from "../src/index";

type Op = (...xs: Tensor[]) => Tensor;

/** Runs f on the CPU inputs and on copies of them on WebGPU; results must match. */
async function agree(f: Op, inputs: Tensor[], rtol = 1e-5, atol = 1e-5): Promise<void> {
  await t.setBackend("cpu");
  const want = f(...inputs);
  await t.setBackend("webgpu");
  const onGpu = await Promise.all(inputs.map((x) => x.to("webgpu")));
  const got = f(...onGpu);
  await t.setBackend("cpu");
  assert.equal(got.device, "webgpu");
  assert.deepEqual(got.shape, want.shape, "shape");
  assert.equal(got.dtype, want.dtype, "dtype");
  assertClose(await got.data(), await want.data(), rtol, atol);
}

const uniform = (shape: number[], lo = -3, hi = 3) => t.rand(shape).mul(hi - lo).add(lo);

describe("WebGPU agrees with the CPU reference", function () {
  before(async function () {
    t.manualSeed(1234);
    await t.setBackend("webgpu"); // no adapter: this hook fails, never skips
    await t.setBackend("cpu");
  });

  describe("unary", () => {
    const any: [string, Op][] = [
      ["neg", (x) => x.neg()], ["abs", (x) => x.abs()], ["exp", (x) => x.exp()], ["sin", (x) => x.sin()],
      ["cos", (x) => x.cos()], ["tanh", (x) => x.tanh()], ["sigmoid", (x) => x.sigmoid()], ["relu", (x) => x.relu()],
      ["erf", (x) => x.erf()], ["sign", (x) => x.sign()], ["floor", (x) => x.floor()], ["ceil", (x) => x.ceil()],
      ["round", (x) => x.round()], ["gelu", (x) => x.gelu()], ["softplus", (x) => x.softplus()],
      ["square", (x) => x.square()], ["logicalNot", (x) => x.logicalNot()], ["isnan", (x) => x.isnan()],
    ];
    for (const [name, f] of any) it(name, () => agree(f, [uniform([37, 19])]));
    const positive: [string, Op][] = [
      ["log", (x) => x.log()], ["sqrt", (x) => x.sqrt()], ["rsqrt", (x) => x.rsqrt()],
      ["reciprocal", (x) => x.reciprocal()], ["log1p", (x) => x.log1p()],
    ];
    for (const [name, f] of positive) it(name, () => agree(f, [uniform([37, 19], 0.05, 5)]));
    it("int32 neg, abs, sign", async () => {
      const x = t.randint(-50, 50, [300]);
      for (const f of [(v: Tensor) => v.neg(), (v: Tensor) => v.abs(), (v: Tensor) => v.sign()]) await agree(f, [x], 0, 0);
    });
  });

  describe("binary, with broadcasting", () => {
    const shapes: [number[], number[]][] = [
      [[37, 19], [37, 19]], [[5, 1, 7], [1, 6, 7]], [[6, 7], [7]], [[], [4, 5]], [[3, 1], [1, 4]], [[2, 3, 4], [1]], [[0, 3], [3]],
    ];
    const ops: [string, Op, number?][] = [
      ["add", (a, b) => a.add(b)], ["sub", (a, b) => a.sub(b)], ["mul", (a, b) => a.mul(b)], ["div", (a, b) => a.div(b)],
      ["maximum", (a, b) => a.maximum(b)], ["minimum", (a, b) => a.minimum(b)], ["mod", (a, b) => a.mod(b)],
      ["pow", (a, b) => a.abs().add(0.1).pow(b), 1e-4],
      ["lt", (a, b) => a.lt(b)], ["le", (a, b) => a.round().le(b.round())], ["eq", (a, b) => a.round().eq(b.round())],
      ["ne", (a, b) => a.round().ne(b.round())], ["gt", (a, b) => a.gt(b)], ["ge", (a, b) => a.ge(b)],
      ["logicalAnd", (a, b) => a.round().logicalAnd(b.round())], ["logicalXor", (a, b) => a.round().logicalXor(b.round())],
      ["logicalOr", (a, b) => a.round().logicalOr(b.round())],
    ];
    for (const [name, f, rtol] of ops) {
      it(name, async () => {
        for (const [sa, sb] of shapes) await agree(f, [uniform(sa), uniform(sb)], rtol);
      });
    }
    it("non-contiguous operands (transposed, sliced)", async () => {
      await agree((a, b) => a.T.mul(b), [uniform([19, 37]), uniform([37, 19])]);
      await agree((a, b) => a.slice(1, 1, 30, 3).add(b), [uniform([5, 40]), uniform([5, 10])]);
    });
    it("int32 add, sub, mul, mod, pow, maximum, div, comparisons (wrapping included)", async () => {
      const a = t.randint(-2147483648, 2147483647, [513]);
      const b = t.randint(-1000, 1000, [513]);
      const small = t.randint(-4, 5, [513]);
      const ops2: Op[] = [(x, y) => x.add(y), (x, y) => x.sub(y), (x, y) => x.mul(y), (x, y) => x.maximum(y), (x, y) => x.lt(y), (x, y) => x.eq(y)];
      for (const f of ops2) await agree(f, [a, b], 0, 0);
      await agree((x, y) => x.mod(y.add(y.eq(0))), [a, b], 0, 0);
      await agree((x, y) => x.pow(y.abs()), [small, t.randint(0, 7, [513])], 0, 0);
      await agree((x, y) => x.div(y.add(y.eq(0))), [b, small]);
    });
    it("scalar operands with weak typing", async () => {
      await agree((x) => x.add(2).mul(0.5).sub(1).div(3), [uniform([33])]);
      await agree((x) => x.mul(3).add(1).mod(7), [t.randint(-100, 100, [33])], 0, 0);
    });
  });

  describe("where, clip, cast", () => {
    it("where with broadcasting", async () => {
      await agree((c, a, b) => t.where(c.gt(0), a, b), [uniform([4, 1, 5]), uniform([3, 1]), uniform([5])]);
      await agree((c, a) => t.where(c.gt(0), a, 0.5), [uniform([7, 9]), t.randint(-5, 5, [9])]);
    });
    it("clip", () => agree((x) => x.clip(-1, 0.5), [uniform([77])]));
    it("casts between all dtypes", async () => {
      const x = uniform([201], -100, 100);
      await agree((v) => v.astype("int32"), [x], 0, 0);
      await agree((v) => v.round().astype("bool"), [x.div(50)], 0, 0);
      await agree((v) => v.astype("float32"), [t.randint(-2147483648, 2147483647, [201])], 0, 0);
      await agree((v) => v.astype("bool").astype("int32"), [t.randint(-2, 3, [201])], 0, 0);
      await agree((v) => v.gt(0).astype("float32"), [x], 0, 0);
    });
  });

  describe("reductions", () => {
    const axesList: (number | number[] | undefined)[] = [undefined, 0, 1, 2, -1, [0, 2], [1, 2], [0, 1, 2]];
    const ops: [string, (x: Tensor, ax: number | number[] | undefined, keepdims: boolean) => Tensor, number][] = [
      ["sum", (x, ax, k) => x.sum(ax, { keepdims: k }), 1e-5], ["max", (x, ax, k) => x.max(ax, { keepdims: k }), 0],
      ["min", (x, ax, k) => x.min(ax, { keepdims: k }), 0], ["prod", (x, ax, k) => x.div(2).exp().prod(ax, { keepdims: k }), 1e-4],
      ["mean", (x, ax, k) => x.mean(ax, { keepdims: k }), 1e-5], ["var", (x, ax, k) => x.var(ax, { keepdims: k }), 1e-4],
      ["std", (x, ax, k) => x.std(ax, { keepdims: k, correction: 1 }), 1e-4], ["logsumexp", (x, ax, k) => x.logsumexp(ax, { keepdims: k }), 1e-5],
      ["int sum", (x, ax, k) => x.mul(1000).astype("int32").sum(ax, { keepdims: k }), 0],
      ["int prod (wrapping)", (x, ax, k) => x.mul(3).astype("int32").prod(ax, { keepdims: k }), 0],
      ["int max", (x, ax, k) => x.mul(1000).astype("int32").max(ax, { keepdims: k }), 0],
      ["any", (x, ax, k) => x.gt(2.5).any(ax, { keepdims: k }), 0], ["all", (x, ax, k) => x.gt(-2.5).all(ax, { keepdims: k }), 0],
    ];
    for (const [name, f, rtol] of ops) {
      it(`${name} over every axis combination, with and without keepdims`, async () => {
        const x = uniform([4, 5, 6]);
        for (const ax of axesList) for (const k of [false, true]) await agree((v) => f(v, ax, k), [x], rtol);
      });
    }
    it("argmax and argmin along each axis and flattened", async () => {
      const x = uniform([4, 5, 6]).round(); // many ties: the first occurrence must win on both
      for (const ax of [undefined, 0, 1, 2, -1]) {
        await agree((v) => v.argmax(ax), [x], 0, 0);
        await agree((v) => v.argmin(ax, { keepdims: ax !== undefined }), [x], 0, 0);
      }
    });
    it("long reductions (multi-pass on the GPU)", async () => {
      await agree((v) => v.sum(), [uniform([100003])], 1e-4, 1e-2);
      await agree((v) => v.sum(0), [uniform([5001, 3])], 1e-4, 1e-3);
      await agree((v) => v.max(1), [uniform([3, 70001])], 0, 0);
      await agree((v) => v.argmax(), [uniform([65537])], 0, 0);
      await agree((v) => v.mean(1), [uniform([2, 30000])], 1e-4, 1e-4);
    });
    it("NaN in max/min/argmax", async () => {
      const x = t.tensor([[1, NaN, 3], [4, 5, 6], [NaN, -1, NaN]], { dtype: "float32" });
      const ops: Op[] = [(v) => v.max(1), (v) => v.min(0), (v) => v.argmax(1), (v) => v.argmin(0)];
      for (const f of ops) await agree(f, [x], 0, 0);
    });
    it("softmax and logSoftmax along each axis", async () => {
      const x = uniform([6, 33], -20, 20);
      for (const ax of [0, 1, -1]) {
        await agree((v) => v.softmax(ax), [x], 1e-5, 1e-6);
        await agree((v) => v.logSoftmax(ax), [x], 1e-5, 1e-4);
      }
    });
  });

  describe("matmul", () => {
    const cases: [number[], number[]][] = [
      [[64, 64], [64, 64]], [[1, 300], [300, 1]], [[129, 67], [67, 33]], [[2, 1, 3, 4], [5, 4, 2]],
      [[7, 1, 33, 17], [3, 17, 9]], [[17], [17]], [[5, 17], [17]], [[17], [17, 5]], [[17], [2, 17, 5]], [[3, 0], [0, 4]],
    ];
    for (const [sa, sb] of cases) {
      it(`[${sa}] x [${sb}]`, () => agree((a, b) => a.matmul(b), [uniform(sa, -1, 1), uniform(sb, -1, 1)], 1e-4, 1e-4));
    }
    it("int32, and transposed operands", async () => {
      await agree((a, b) => a.matmul(b), [t.randint(-100, 100, [19, 23]), t.randint(-100, 100, [23, 21])], 0, 0);
      await agree((a, b) => a.T.matmul(b.T), [uniform([40, 30]), uniform([20, 40])], 1e-4, 1e-4);
    });
  });

  describe("layout and indexing", () => {
    const x4 = () => uniform([2, 3, 4, 5]);
    it("permute, transpose, broadcastTo, reshape of a view", async () => {
      await agree((v) => v.permute(3, 1, 0, 2), [x4()], 0, 0);
      await agree((v) => v.transpose(0, 2).reshape([-1]), [x4()], 0, 0);
      await agree((v) => v.broadcastTo([6, 3, 1, 5]).add(0), [uniform([3, 1, 5])], 0, 0);
      await agree((v) => v.permute(2, 0, 1).astype("int32"), [t.randint(0, 9, [3, 4, 5]).astype("float32")], 0, 0);
    });
    it("slices with steps and index()", async () => {
      await agree((v) => v.index("1:", ":", "::3", "-4:-1"), [x4()], 0, 0);
      await agree((v) => v.index(1, null, "...", 2), [x4()], 0, 0);
    });
    it("pad, concat, stack, split", async () => {
      await agree((v) => v.pad([[1, 2], [0, 0], [3, 0], [0, 1]], -7), [x4()], 0, 0);
      await agree((a, b) => t.concat([a, b, a], 1), [uniform([3, 2, 5]), uniform([3, 7, 5])], 0, 0);
      await agree((a, b) => t.stack([a, b], -1), [uniform([4, 6]), uniform([4, 6])], 0, 0);
      await agree((v) => v.split(3, 1)[2], [uniform([4, 8])], 0, 0);
    });
    it("gather and take with random indices (negative too)", async () => {
      const idx = t.randint(-5, 5, [4, 7]);
      await agree((v, i) => v.gather(i, 3), [x4(), idx], 0, 0);
      await agree((v, i) => v.take(i), [x4(), t.randint(-120, 120, [50])], 0, 0);
      await agree((v, i) => v.index(":", i), [x4(), t.randint(0, 3, [9])], 0, 0);
    });
  });

  it("the same seed gives the same random numbers on both backends", async () => {
    t.manualSeed(9);
    const a = Array.from(await t.randn([100]).data());
    await t.setBackend("webgpu");
    t.manualSeed(9);
    const b = t.randn([100]);
    await t.setBackend("cpu");
    assert.equal(b.device, "webgpu");
    assert.deepEqual(Array.from(await b.data()), a);
  });
});
