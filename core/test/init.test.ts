// nn.init against PyTorch's formulas: statistics of large draws (bounds, mean, std), fans of
// Linear- and conv-shaped weights, calculateGain, in-place fills that keep the tensor and its
// requiresGrad and add no autodiff history, reproducibility under manualSeed, and the errors.

import { t, assert, assertClose, eachBackend, expectTensor } from "./helpers";
import type { Tensor } from "../src/index";

const { init } = t.nn;

/** Mean, standard deviation (population), min and max of a tensor's values. */
async function stats(x: Tensor) {
  const v = await x.data();
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const a of v) {
    sum += a;
    min = Math.min(min, a);
    max = Math.max(max, a);
  }
  const mean = sum / v.length;
  let sq = 0;
  for (const a of v) sq += (a - mean) ** 2;
  return { mean, std: Math.sqrt(sq / v.length), min, max };
}

/** Asserts a uniform draw on [-bound, bound): inside it, reaching near both ends, mean 0 and
 * std bound / sqrt(3). 2^17 draws: the mean's own std is ~0.0016 bound, the std's ~0.2%. */
async function expectUniform(x: Tensor, bound: number) {
  const s = await stats(x);
  assert.ok(s.min >= -bound && s.max <= bound, `inside +-${bound}: [${s.min}, ${s.max}]`);
  assert.ok(s.min < -0.99 * bound && s.max > 0.99 * bound, `reaches near +-${bound}: [${s.min}, ${s.max}]`);
  assert.ok(Math.abs(s.mean) < 0.01 * bound, `mean ${s.mean}`);
  assert.ok(Math.abs(s.std / (bound / Math.sqrt(3)) - 1) < 0.01, `std ${s.std}, want ${bound / Math.sqrt(3)}`);
}

async function expectNormal(x: Tensor, mean: number, std: number) {
  const s = await stats(x);
  assert.ok(Math.abs(s.mean - mean) < 0.01 * std, `mean ${s.mean}, want ${mean}`);
  assert.ok(Math.abs(s.std / std - 1) < 0.01, `std ${s.std}, want ${std}`);
  // 2^17 normal draws reach beyond 3.5 std on both sides (the chance they do not is ~1e-13).
  assert.ok(s.min < mean - 3.5 * std && s.max > mean + 3.5 * std, `range [${s.min}, ${s.max}]`);
}

describe("nn.init.calculateGain and fans", () => {
  it("gives PyTorch's gains, in camelCase and snake_case", () => {
    for (const name of ["linear", "conv1d", "conv2d", "conv3d", "convTranspose2d", "conv_transpose3d", "sigmoid"]) {
      assert.equal(init.calculateGain(name), 1, name);
    }
    assert.equal(init.calculateGain("tanh"), 5 / 3);
    assert.equal(init.calculateGain("relu"), Math.SQRT2);
    assert.equal(init.calculateGain("selu"), 3 / 4);
    assert.equal(init.calculateGain("leakyRelu"), Math.sqrt(2 / (1 + 0.01 ** 2)), "default slope 0.01");
    assert.equal(init.calculateGain("leaky_relu", 0.2), Math.sqrt(2 / 1.04));
    assert.equal(init.calculateGain("leakyRelu", 0), Math.SQRT2, "slope 0 is relu");
    assert.equal(init.calculateGain("leakyRelu", Math.sqrt(5)), Math.sqrt(1 / 3), "nn.Linear's default init");
  });

  it("computes fans like PyTorch: dim 1 in, dim 0 out, times the receptive field", () => {
    assert.deepEqual(init.calculateFanInAndFanOut(t.zeros([3, 5])), [5, 3], "Linear weight [out, in]");
    assert.deepEqual(init.calculateFanInAndFanOut(t.zeros([8, 4, 3, 3])), [36, 72], "Conv2d weight [o, c, kh, kw]");
    assert.deepEqual(init.calculateFanInAndFanOut([6, 2, 5]), [10, 30], "Conv1d shape");
  });

  it("rejects what PyTorch rejects, saying what was received and what to use", () => {
    assert.throws(() => init.calculateFanInAndFanOut(t.zeros([4])), /at least 2 dims.*got shape \[4\].*uniform_/);
    assert.throws(() => init.xavierUniform_(t.zeros([])), /at least 2 dims.*got shape \[\]/);
    assert.throws(() => init.calculateGain("swish"), /unknown nonlinearity "swish".*linear.*tanh.*relu, leakyRelu, selu/);
    assert.throws(() => init.calculateGain("leakyRelu", NaN), /negative slope.*finite number, got NaN/);
    assert.throws(() => init.kaimingUniform_(t.zeros([2, 3]), { mode: "fan" as never }), /unknown mode "fan".*"fanIn".*"fanOut"/);
    assert.throws(() => init.kaimingNormal_(t.zeros([2, 3]), { nonlinearity: "gelu" }), /unknown nonlinearity "gelu"/);
    assert.throws(() => init.normal_(t.zeros([2]), 0, -1), /std must be >= 0, got -1/);
    assert.throws(() => init.uniform_(t.zeros([2]), 1, 0), /a <= b.*got a=1, b=0/);
    assert.throws(() => init.uniform_(t.zeros([2], { dtype: "int32" })), /needs a float32 tensor, got int32.*astype/);
    assert.throws(() => init.zeros_([1, 2] as never), /expected a tensor to fill, got an array/);
    assert.throws(() => init.xavierNormal_(t.zeros([2, 2]), { gain: Infinity }), /gain must be a finite number, got Infinity/);
  });

  it("fills a tensor on its own device when another backend is current", async () => {
    await t.setBackend("cpu");
    const w = t.zeros([64, 32]);
    await t.setBackend("webgpu");
    try {
      const out = init.kaimingUniform_(w);
      assert.equal(out, w);
      assert.equal(w.device, "cpu");
      const s = await stats(w);
      assert.ok(s.max > 0 && s.max <= Math.sqrt(6 / 32), `bound: ${s.max}`);
    } finally {
      await t.setBackend("cpu");
    }
  });
});

eachBackend("nn.init", () => {
  it("uniform_ and normal_ draw with the given range, mean and std", async () => {
    const w = init.uniform_(t.zeros([256, 512]), -2, 3);
    const s = await stats(w);
    assert.ok(s.min >= -2 && s.max < 3 && s.min < -1.99 && s.max > 2.99, `[${s.min}, ${s.max}]`);
    assert.ok(Math.abs(s.mean - 0.5) < 0.02, `mean ${s.mean}`);
    await expectUniform(init.uniform_(t.zeros([512, 256]), -0.5, 0.5), 0.5);
    await expectNormal(init.normal_(t.zeros([256, 512]), 1.5, 0.2), 1.5, 0.2);
    await expectNormal(init.normal_(t.zeros([256, 512])), 0, 1);
  });

  it("constant_, zeros_ and ones_ set every element (any dtype)", async () => {
    await expectTensor(init.constant_(t.zeros([2, 3]), 0.25), [0.25, 0.25, 0.25, 0.25, 0.25, 0.25]);
    await expectTensor(init.ones_(t.zeros([3])), [1, 1, 1]);
    await expectTensor(init.zeros_(t.ones([2, 2])), [0, 0, 0, 0]);
    await expectTensor(init.constant_(t.zeros([2], { dtype: "int32" }), 7), [7, 7], { dtype: "int32" });
  });

  it("xavierUniform_ and xavierNormal_ follow gain * sqrt(2 / (fanIn + fanOut))", async () => {
    // Linear-shaped [out, in]: fanIn 512, fanOut 256.
    await expectUniform(init.xavierUniform_(t.zeros([256, 512])), Math.sqrt(6 / 768));
    const gain = init.calculateGain("tanh");
    await expectUniform(init.xavierUniform_(t.zeros([256, 512]), { gain }), gain * Math.sqrt(6 / 768));
    // Conv-shaped [o, c, kh, kw] = [64, 32, 8, 8]: fanIn 2048, fanOut 4096.
    await expectNormal(init.xavierNormal_(t.zeros([64, 32, 8, 8]), { gain: 2 }), 0, 2 * Math.sqrt(2 / 6144));
  });

  it("kaimingUniform_ and kaimingNormal_ follow gain / sqrt(fan)", async () => {
    // Defaults: leakyRelu with a = 0 (relu's gain sqrt(2)), fanIn.
    await expectUniform(init.kaimingUniform_(t.zeros([256, 512])), Math.SQRT2 * Math.sqrt(3 / 512));
    await expectUniform(init.kaimingUniform_(t.zeros([256, 512]), { mode: "fanOut" }), Math.SQRT2 * Math.sqrt(3 / 256));
    // a = sqrt(5) is nn.Linear's own default: bound 1 / sqrt(fanIn).
    await expectUniform(init.kaimingUniform_(t.zeros([256, 512]), { a: Math.sqrt(5) }), 1 / Math.sqrt(512));
    // Conv-shaped [64, 32, 8, 8], PyTorch's snake_case spellings: fanOut = 64 * 64.
    const w = init.kaimingNormal_(t.zeros([64, 32, 8, 8]), { mode: "fan_out", nonlinearity: "relu" });
    await expectNormal(w, 0, Math.SQRT2 / Math.sqrt(4096));
    const gain = init.calculateGain("leakyRelu", 0.2);
    await expectNormal(init.kaimingNormal_(t.zeros([128, 1024]), { a: 0.2 }), 0, gain / Math.sqrt(1024));
    await expectNormal(init.kaimingNormal_(t.zeros([128, 1024]), { nonlinearity: "tanh" }), 0, 5 / 3 / Math.sqrt(1024));
  });

  it("fills in place: the same tensor, requiresGrad kept, no autodiff history", async () => {
    const model = new t.nn.Linear(4, 3);
    const w = model.weight;
    assert.equal(init.kaimingNormal_(w), w);
    assert.equal(init.zeros_(model.bias!), model.bias);
    assert.equal(model.parameters()[0], w);
    assert.ok(w.requiresGrad && model.bias!.requiresGrad);
    assert.equal(w.node, null, "no graph node");
    await expectTensor(model.bias!, [0, 0, 0]);
    // Gradients still reach the parameter as a leaf.
    const x = t.tensor([[1, 2, 3, 4]], { dtype: "float32" });
    model.forward(x).sum().backward();
    await expectTensor(w.grad!, [1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]);
    await expectTensor(model.bias!.grad!, [1, 1, 1]);
    // A fill inside a graph-recording context is not recorded either.
    const y = t.tensor([1, 2], { dtype: "float32" }).requiresGrad_();
    init.uniform_(y);
    assert.equal(y.node, null);
    assert.ok(y.requiresGrad);
  });

  it("draws from the seeded generator: manualSeed makes fills reproducible", async () => {
    const draw = async (seed: number) => {
      t.manualSeed(seed);
      return Array.from(await init.kaimingUniform_(t.zeros([4, 5])).data());
    };
    const a = await draw(11);
    assert.deepEqual(await draw(11), a);
    assert.notDeepEqual(await draw(12), a);
    // The same numbers as rand() scaled to the bound: one generator for everything.
    t.manualSeed(11);
    const bound = Math.SQRT2 * Math.sqrt(3 / 5);
    assertClose(a, Array.from(await t.rand([4, 5]).mul(2 * bound).sub(bound).data()), 0, 0);
    t.manualSeed(3);
    const n = Array.from(await init.normal_(t.zeros([7]), 1, 2).data());
    t.manualSeed(3);
    assertClose(n, Array.from(await t.randn([7]).mul(2).add(1).data()), 0, 0);
  });

  it("leaves empty tensors as they are", async () => {
    const e = t.zeros([0, 3]);
    assert.equal(init.kaimingUniform_(e), e);
    assert.equal(init.normal_(e), e);
    assert.deepEqual(e.shape, [0, 3]);
  });
});
