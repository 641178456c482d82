// BatchNorm1d / BatchNorm2d: values against per-channel statistics computed here in plain
// JavaScript, the running estimates (PyTorch's update, unbiased variance), eval mode, options,
// errors, buffers in the state dict and safetensors, gradients by finite differences, and a
// jitted training step that must match the eager one, running statistics included.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { t, assert, assertClose, gradCheck, eachBackend } from "./helpers";
import type { Tensor } from "../src/index";

const { nn } = t;

/** Per-channel mean and biased variance of x [N, C, ...] given as flat values. */
function channelStats(values: ArrayLike<number>, shape: number[]): { mean: number[]; variance: number[]; count: number } {
  const [n, c] = shape;
  const inner = shape.slice(2).reduce((a, b) => a * b, 1);
  const mean = new Array<number>(c).fill(0);
  const variance = new Array<number>(c).fill(0);
  for (let ch = 0; ch < c; ch++) {
    for (let i = 0; i < n; i++) for (let j = 0; j < inner; j++) mean[ch] += values[(i * c + ch) * inner + j];
    mean[ch] /= n * inner;
    for (let i = 0; i < n; i++) for (let j = 0; j < inner; j++) variance[ch] += (values[(i * c + ch) * inner + j] - mean[ch]) ** 2;
    variance[ch] /= n * inner;
  }
  return { mean, variance, count: n * inner };
}

/** (x - mean) / sqrt(variance + eps) * w + b per channel, in float64. */
function normalized(values: ArrayLike<number>, shape: number[], mean: number[], variance: number[], w: number[], b: number[], eps = 1e-5): number[] {
  const c = shape[1];
  const inner = shape.slice(2).reduce((a, b) => a * b, 1);
  return Array.from(values, (v, i) => {
    const ch = Math.floor(i / inner) % c;
    return ((v - mean[ch]) / Math.sqrt(variance[ch] + eps)) * w[ch] + b[ch];
  });
}

eachBackend("BatchNorm", () => {
  it("training mode normalizes each channel by the batch's statistics and updates the running ones", async () => {
    t.manualSeed(11);
    const shape = [4, 3, 5, 2];
    const x = t.randn(shape).mul(3).add(t.tensor([[[[1]], [[-2]], [[0.5]]]]));
    const bn = new nn.BatchNorm2d(3);
    bn.weight!.assign(t.tensor([1.5, -0.5, 2], { dtype: "float32" }));
    bn.bias!.assign(t.tensor([0.25, 1, -3], { dtype: "float32" }));
    const y = bn.forward(x);
    const xs = await x.data();
    const { mean, variance, count } = channelStats(xs, shape);
    assert.deepEqual(y.shape, shape);
    assertClose(await y.data(), normalized(xs, shape, mean, variance, [1.5, -0.5, 2], [0.25, 1, -3]), 1e-4, 1e-4);
    assertClose(await bn.runningMean!.data(), mean.map((m) => 0.1 * m), 1e-5, 1e-6);
    assertClose(await bn.runningVar!.data(), variance.map((v) => 0.9 + (0.1 * v * count) / (count - 1)), 1e-5, 1e-6);
    // A second batch moves the estimates again: 0.9 of the old plus 0.1 of the new.
    const x2 = t.randn(shape);
    bn.forward(x2);
    const s2 = channelStats(await x2.data(), shape);
    assertClose(await bn.runningMean!.data(), mean.map((m, i) => 0.9 * 0.1 * m + 0.1 * s2.mean[i]), 1e-5, 1e-6);
    const var1 = variance.map((v) => 0.9 + (0.1 * v * count) / (count - 1));
    assertClose(await bn.runningVar!.data(), var1.map((v, i) => 0.9 * v + (0.1 * s2.variance[i] * count) / (count - 1)), 1e-5, 1e-6);
  });

  it("eval mode uses the running statistics, and does not change them", async () => {
    const bn = new nn.BatchNorm2d(2);
    bn.runningMean!.assign(t.tensor([1, -1], { dtype: "float32" }));
    bn.runningVar!.assign(t.tensor([4, 0.25], { dtype: "float32" }));
    bn.eval();
    const x = t.tensor([[[[3, 5]], [[0, -1]]]], { dtype: "float32" }); // [1, 2, 1, 2]: one image is fine in eval mode
    const y = bn.forward(x);
    assertClose(await y.data(), [2 / Math.sqrt(4 + 1e-5), 4 / Math.sqrt(4 + 1e-5), 1 / Math.sqrt(0.25 + 1e-5), 0], 1e-5, 1e-6);
    assertClose(await bn.runningMean!.data(), [1, -1]);
    assertClose(await bn.runningVar!.data(), [4, 0.25]);
  });

  it("BatchNorm1d takes [N, C] and [N, C, L]", async () => {
    t.manualSeed(12);
    for (const shape of [[6, 4], [3, 4, 5]]) {
      const bn = new nn.BatchNorm1d(4, { momentum: 0.3 });
      const x = t.randn(shape).mul(2);
      const y = bn.forward(x);
      const xs = await x.data();
      const { mean, variance } = channelStats(xs, shape);
      assertClose(await y.data(), normalized(xs, shape, mean, variance, [1, 1, 1, 1], [0, 0, 0, 0]), 1e-4, 1e-4);
      assertClose(await bn.runningMean!.data(), mean.map((m) => 0.3 * m), 1e-5, 1e-6);
    }
  });

  it("without affine or running statistics: no parameters, no buffers, batch statistics in eval mode", async () => {
    const bn = new nn.BatchNorm2d(2, { affine: false, trackRunningStats: false });
    assert.equal(bn.parameters().length, 0);
    assert.deepEqual(Object.keys(bn.stateDict()), []);
    bn.eval();
    const x = t.tensor([[[[1, 3]], [[10, 20]]], [[[5, 7]], [[30, 40]]]], { dtype: "float32" });
    const { mean, variance } = channelStats(await x.data(), x.shape);
    assertClose(await bn.forward(x).data(), normalized(await x.data(), x.shape, mean, variance, [1, 1], [0, 0]), 1e-4, 1e-4);
  });

  it("gradients match finite differences in training and in eval mode", async () => {
    t.manualSeed(13);
    const bn = new nn.BatchNorm2d(2);
    const mix = t.randn([3, 2, 2, 2]); // weights the outputs: the plain sum of a normalized batch does not depend on x
    const f = (x: Tensor, w: Tensor, b: Tensor) => {
      bn.weight = w;
      bn.bias = b;
      return bn.forward(x).mul(mix).sum();
    };
    const inputs = () => [t.randn([3, 2, 2, 2]), t.tensor([1.2, -0.7], { dtype: "float32" }), t.tensor([0.1, 0.3], { dtype: "float32" })];
    await gradCheck(f, inputs());
    bn.eval();
    await gradCheck(f, inputs());
  });

  it("says which channel count it wanted, and refuses one value per channel in training mode", () => {
    const bn = new nn.BatchNorm2d(3);
    assert.throws(() => bn.forward(t.zeros([2, 4, 5, 5])), /BatchNorm2d\(3\) expects input \[N, C, H, W\] with C = 3, got shape \[2, 4, 5, 5\]/);
    assert.throws(() => bn.forward(t.zeros([3, 5, 5])), /BatchNorm2d\(3\) expects input \[N, C, H, W\] with C = 3, got shape \[3, 5, 5\]/);
    assert.throws(() => new nn.BatchNorm1d(3).forward(t.zeros([2, 3, 4, 4])), /BatchNorm1d\(3\) expects input \[N, C\] or \[N, C, L\]/);
    assert.throws(() => new nn.BatchNorm1d(3).forward(t.zeros([1, 3])), /expected more than 1 value per channel when training, got input of shape \[1, 3\]/);
    assert.throws(() => new nn.BatchNorm1d(0), /numFeatures must be a positive integer, got 0/);
    assert.throws(() => new nn.BatchNorm1d(2, { momentum: 2 }), /momentum must be in \[0, 1\], got 2/);
  });

  it("keeps its running statistics as buffers: in stateDict, loadStateDict and safetensors, not in parameters()", async () => {
    t.manualSeed(14);
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4));
    model.forward(t.randn([8, 3]));
    assert.deepEqual(model.namedParameters().map(([k]) => k), ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"]);
    assert.deepEqual(model.namedBuffers().map(([k]) => k), ["layers.1.runningMean", "layers.1.runningVar"]);
    assert.deepEqual(Object.keys(model.stateDict()), [
      "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.1.runningMean", "layers.1.runningVar",
    ]);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tsdl-bn-")), "model.safetensors");
    await t.safetensors.save(model, file);
    const copy = new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4));
    copy.loadStateDict(t.safetensors.load(file));
    const bn = model.layers[1] as InstanceType<typeof nn.BatchNorm1d>;
    const bnCopy = copy.layers[1] as InstanceType<typeof nn.BatchNorm1d>;
    assertClose(await bnCopy.runningMean!.data(), await bn.runningMean!.data(), 0, 0);
    assertClose(await bnCopy.runningVar!.data(), await bn.runningVar!.data(), 0, 0);
    model.eval();
    copy.eval();
    const x = t.randn([5, 3]);
    assertClose(await copy.forward(x).data(), await model.forward(x).data(), 0, 0);
    assert.throws(() => copy.loadStateDict({ ...model.stateDict(), "layers.1.runningVar": t.ones([3]) }), /layers\.1\.runningVar has shape \[3\] but the module's is \[4\]/);
  });

  it("a jitted training step matches the eager one, running statistics included, and eval retraces", async () => {
    const build = () => {
      t.manualSeed(15);
      const model = new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.AdaptiveAvgPool2d(1), new nn.Flatten(), new nn.Linear(4, 2));
      return { model, opt: new t.optim.SGD(model.parameters(), { lr: 0.2, momentum: 0.9 }) };
    };
    const a = build();
    const b = build();
    t.manualSeed(16);
    const xb = t.randn([8, 1, 6, 6]);
    const yb = t.tensor([0, 1, 0, 1, 1, 0, 0, 1]);
    const step = ({ model, opt }: ReturnType<typeof build>) => () => {
      const loss = nn.crossEntropy(model.forward(xb), yb);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      return loss;
    };
    const jitted = t.jit(step(a));
    const eager = step(b);
    for (let i = 0; i < 4; i++) {
      const lj = (await jitted().item()) as number;
      const le = (await eager().item()) as number;
      assert.ok(Math.abs(lj - le) <= 1e-5, `step ${i}: jit ${lj}, eager ${le}`);
    }
    const bnA = a.model.layers[1] as InstanceType<typeof nn.BatchNorm2d>;
    const bnB = b.model.layers[1] as InstanceType<typeof nn.BatchNorm2d>;
    assertClose(await bnA.runningMean!.data(), await bnB.runningMean!.data(), 1e-5, 1e-6);
    assertClose(await bnA.runningVar!.data(), await bnB.runningVar!.data(), 1e-5, 1e-6);
    const forward = t.jit((x: Tensor) => a.model.forward(x));
    const train = await forward(xb).data();
    b.model.forward(xb); // the training-mode forward moved a's running statistics: move b's too
    a.model.eval();
    b.model.eval();
    const evalOut = await forward(xb).data();
    assertClose(evalOut, await b.model.forward(xb).data(), 1e-5, 1e-5);
    assert.ok(Array.from(evalOut).some((v, i) => Math.abs(v - train[i]) > 1e-3), "eval mode gives other outputs than training mode");
  });
});
