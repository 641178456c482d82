// nn modules and losses: parameter registration, hand-computed loss values, gradient checks
// through Linear, Conv2d, LayerNorm and MaxPool2d.

import { t, assert, assertClose, expectTensor, gradCheck, eachBackend } from "./helpers";
import type { Tensor } from "../src/index";

const { nn, optim } = t;

describe("nn.Module", () => {
  it("registers parameters of nested modules in assignment order with dotted names", () => {
    const model = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(3, 2, { bias: false }));
    const names = model.namedParameters().map(([n, p]) => `${n}:${p.shape.join("x")}`);
    assert.deepEqual(names, ["layers.0.weight:3x4", "layers.0.bias:3", "layers.2.weight:2x3"]);
    assert.equal(model.parameters().length, 3);
    assert.ok(model.parameters().every((p) => p.requiresGrad && p.dtype === "float32"));
  });

  it("uses PyTorch's default init bounds and train/eval switches dropout", async () => {
    t.manualSeed(0);
    const lin = new nn.Linear(100, 50);
    const w = Array.from(await lin.weight.data());
    assert.ok(w.every((v) => Math.abs(v) <= 0.1), "weights within 1/sqrt(100)");
    assert.ok(Math.max(...w) > 0.09 && Math.min(...w) < -0.09, "and spread over the whole range");
    const drop = new nn.Sequential(new nn.Dropout(0.5));
    const x = t.ones([1000]);
    const y = Array.from(await drop.forward(x).data());
    assert.ok(y.every((v) => v === 0 || v === 2), "kept values are scaled by 1/(1-p)");
    const kept = y.filter((v) => v === 2).length;
    assert.ok(kept > 430 && kept < 570, `about half kept, got ${kept}`);
    drop.eval();
    await expectTensor(drop.forward(t.tensor([1.5, 2.5])), [1.5, 2.5]);
  });

  it("explains a wrong input size to Linear", () => {
    const lin = new nn.Linear(784, 10);
    assert.throws(() => lin.forward(t.zeros([2, 28, 28])), /Linear\(784, 10\) expects inputs whose last dim is 784, got shape \[2, 28, 28\]/);
  });

  it("stateDict round trip through loadStateDict", async () => {
    const a = new nn.Linear(2, 2);
    const b = new nn.Linear(2, 2);
    b.loadStateDict(a.stateDict());
    await expectTensor(b.weight, Array.from(await a.weight.data()));
    assert.throws(() => b.loadStateDict({ weight: a.weight }), /missing \["bias"\]/);
  });
});

describe("Unflatten and Identity", () => {
  it("Unflatten splits one axis (Flatten's inverse), Identity passes its input through", async () => {
    const x = t.arange(24).reshape([2, 12]);
    const y = new nn.Unflatten(1, [3, 2, 2]).forward(x);
    assert.deepEqual(y.shape, [2, 3, 2, 2]);
    assert.deepEqual(await new nn.Flatten().forward(y).array(), await x.array());
    assert.deepEqual(new nn.Unflatten(-1, [4, -1]).forward(x).shape, [2, 4, 3]);
    assert.equal(new nn.Identity().forward(x), x);
    assert.throws(() => new nn.Unflatten(1, [0, 3]), /Unflatten: sizes must be positive integers \(one may be -1\), got \[0,3\]/);
  });
});

describe("Module.apply(fn)", () => {
  it("visits every submodule, children before parents, as PyTorch's apply does", async () => {
    const model = new nn.Sequential(new nn.Linear(2, 3), new nn.Sequential(new nn.ReLU(), new nn.Linear(3, 1)));
    const seen: string[] = [];
    assert.equal(model.apply((m) => seen.push(m.constructor.name)), model);
    assert.deepEqual(seen, ["Linear", "ReLU", "Linear", "Sequential", "Sequential"]);
    model.apply((m) => {
      if (m instanceof nn.Linear) nn.init.constant_(m.bias!, 0.5);
    });
    for (const [name, p] of model.namedParameters()) if (name.endsWith("bias")) assert.deepEqual(Array.from(await p.data()).map((v) => v), new Array(p.size).fill(0.5), name);
  });
});

describe("Module.to(device)", () => {
  it("moves parameters, buffers and gradients in place; a model built on the cpu then trains on webgpu", async () => {
    t.manualSeed(5);
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4), new nn.ReLU(), new nn.Linear(4, 2));
    const x = t.randn([8, 3]);
    const before = await model.forward(x).data();
    const weight = model.parameters()[0];
    model.forward(x).sum().backward();
    const grad = await weight.grad!.data();
    await t.setBackend("webgpu");
    try {
      const xg0 = await x.to("webgpu");
      assert.throws(
        () => model.forward(xg0),
        /tensors are on different devices \(webgpu and cpu\); move one to the other's device first: x = await x.to\("cpu"\), or for a model: await model.to\("webgpu"\)/,
      );
      assert.equal(await model.to("webgpu"), model);
      assert.equal(model.parameters()[0], weight, "the same tensor objects");
      for (const [name, p] of [...model.namedParameters(), ...model.namedBuffers()]) assert.equal(p.device, "webgpu", name);
      assert.equal(weight.grad!.device, "webgpu");
      assertClose(await weight.grad!.data(), grad);
      assert.ok(weight.requiresGrad);
      const xg = await x.to("webgpu");
      assertClose(await model.forward(xg).data(), before, 1e-5, 1e-6);
      const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
      opt.zeroGrad();
      nn.mseLoss(model.forward(xg), t.zeros([8, 2])).backward();
      opt.step();
      assert.equal(weight.device, "webgpu");
      await model.to("cpu");
      assert.equal(weight.device, "cpu");
    } finally {
      await t.setBackend("cpu");
    }
  });
});

describe("Module.clone()", () => {
  it("deep-copies parameters, buffers and submodules, keeps tied weights tied, and copies no gradients", async () => {
    class Tied extends nn.Module {
      embed = new nn.Embedding(5, 3);
      body = new nn.Sequential(new nn.Linear(3, 3), new nn.BatchNorm1d(3));
      out = new nn.Linear(3, 5, { bias: false });
      constructor() {
        super();
        this.out.weight = this.embed.weight; // weight tying, as in language models
      }
      forward(i: t.Tensor) {
        return this.out.forward(this.body.forward(this.embed.forward(i)));
      }
    }
    const a = new Tied();
    a.forward(t.tensor([0, 1, 2])).sum().backward();
    const b = a.clone();
    assert.ok(b instanceof Tied);
    assert.equal(b.out.weight, b.embed.weight, "tied in the copy");
    assert.notEqual(b.embed.weight, a.embed.weight);
    assert.deepEqual(Object.keys(b.stateDict()), Object.keys(a.stateDict()));
    for (const [k, v] of Object.entries(a.stateDict())) assertClose(await b.stateDict()[k].data(), await v.data());
    assert.equal(b.namedBuffers().length, 2, "running statistics stay buffers");
    assert.ok(b.parameters().every((p) => p.requiresGrad && p.grad === null));
    assert.equal(a.parameters().length, a.namedParameters().length - 1, "a tied weight is one parameter");
    // Independent: training the copy leaves the original alone.
    const before = await a.embed.weight.data();
    const opt = new optim.SGD(b.parameters(), { lr: 0.5 });
    b.forward(t.tensor([3, 4])).sum().backward();
    opt.step();
    assertClose(await a.embed.weight.data(), before);
    assert.ok(((await b.embed.weight.sub(a.embed.weight).abs().max().item()) as number) > 0);
  });

  it("TransformerEncoder stacks copies of one layer, as PyTorch's, with PyTorch's state-dict names", async () => {
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true });
    const enc = new nn.TransformerEncoder(layer, 3, { norm: new nn.LayerNorm(8) });
    assert.equal(enc.layers.length, 3);
    assert.notEqual(enc.layers[0].linear1.weight, enc.layers[1].linear1.weight);
    assertClose(await enc.layers[2].linear1.weight.data(), await layer.linear1.weight.data());
    const x = t.randn([2, 5, 8]);
    const want = enc.norm!.forward(enc.layers[2].forward(enc.layers[1].forward(enc.layers[0].forward(x, { isCausal: true }), { isCausal: true }), { isCausal: true }));
    assertClose(await enc.forward(x, { isCausal: true }).data(), await want.data(), 1e-5, 1e-6);
    const names = Object.keys(enc.stateDict({ names: "pytorch" }));
    assert.ok(names.includes("layers.2.self_attn.in_proj_weight") && names.includes("norm.weight"), names.join(" "));
    assert.throws(() => new nn.TransformerEncoder(layer, 0), /numLayers must be a positive integer, got 0/);
  });
});

describe("losses against hand-computed values", () => {
  it("mseLoss", async () => {
    await expectTensor(nn.mseLoss(t.tensor([1, 2, 3.5]), t.tensor([1, 0, 0.5])), [(0 + 4 + 9) / 3]);
    await expectTensor(nn.mseLoss(t.tensor([1, 2.5]), t.tensor([0, 0.5]), "sum"), [5]);
  });
  it("crossEntropy and nllLoss", async () => {
    const logits = t.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]]);
    const labels = t.tensor([0, 2]);
    const lse = (r: number[]) => Math.log(r.reduce((s, v) => s + Math.exp(v), 0));
    const want = ((lse([2, 1, 0.1]) - 2) + (lse([0.5, 2.5, 0.3]) - 0.3)) / 2;
    await expectTensor(nn.crossEntropy(logits, labels), [want], { rtol: 1e-5 });
    await expectTensor(nn.nllLoss(logits.logSoftmax(1), labels), [want], { rtol: 1e-5 });
    assert.throws(() => nn.crossEntropy(logits, t.tensor([[0], [2]])), /expected logits \[N, C\] and labels \[N\]/);
  });
  it("binary cross entropy, with probabilities and with logits", async () => {
    const p = t.tensor([0.9, 0.2, 0.6]);
    const y = t.tensor([1, 0, 1]).astype("float32");
    const want = -(Math.log(0.9) + Math.log(0.8) + Math.log(0.6)) / 3;
    await expectTensor(nn.binaryCrossEntropy(p, y), [want], { rtol: 1e-5 });
    const z = t.tensor([2.2, -1.5, 40, -40]);
    const yz = t.tensor([1, 0, 0, 1]).astype("float32");
    const sp = (v: number) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
    const wantZ = (sp(2.2) - 2.2 + sp(-1.5) + sp(40) + sp(-40) + 40) / 4;
    await expectTensor(nn.binaryCrossEntropyWithLogits(z, yz), [wantZ], { rtol: 1e-5 });
  });
});

eachBackend("gradient checks through layers", () => {
  it("Linear", async () => {
    t.manualSeed(1);
    const lin = new nn.Linear(3, 2);
    await gradCheck((x, w, b) => { lin.weight = w; lin.bias = b; return lin.forward(x).tanh().sum(); }, [t.randn([4, 3]), lin.weight.detach(), lin.bias!.detach()]);
  });
  it("Conv2d with stride and padding", async () => {
    t.manualSeed(2);
    const conv = new nn.Conv2d(2, 3, 3, { stride: 2, padding: 1 });
    const x = t.randn([2, 2, 5, 5]);
    const y = conv.forward(x);
    assert.deepEqual(y.shape, [2, 3, 3, 3]);
    await gradCheck((xx, w, b) => nn.conv2d(xx, w, b, [2, 2], [1, 1]).sin().sum(), [x, conv.weight.detach(), conv.bias!.detach()]);
  });
  it("Conv2d equals a direct sum over the window", async () => {
    const x = t.arange(16).astype("float32").reshape([1, 1, 4, 4]);
    const w = t.tensor([[[[1, 0], [0, -1]]]]).astype("float32");
    // out[i, j] = x[i, j] - x[i+1, j+1] = -5 everywhere
    await expectTensor(nn.conv2d(x, w, null, [1, 1], [0, 0]), [[[[-5, -5, -5], [-5, -5, -5], [-5, -5, -5]]]]);
  });
  it("Conv2d equals a direct loop: channels, a 2x3 kernel, strides and padding", async () => {
    const [n, c, h, w, o, kh, kw, sh, sw, ph, pw] = [2, 3, 5, 6, 4, 2, 3, 2, 1, 1, 2];
    const xs = Array.from({ length: n * c * h * w }, (_, i) => ((i * 7) % 11) * 0.25 - 1.25);
    const ws = Array.from({ length: o * c * kh * kw }, (_, i) => ((i * 5) % 13) * 0.125 - 0.75);
    const bs = [0.5, -1, 0.25, 2];
    const ho = Math.floor((h + 2 * ph - kh) / sh) + 1;
    const wo = Math.floor((w + 2 * pw - kw) / sw) + 1;
    const want: number[] = [];
    for (let b = 0; b < n; b++) for (let q = 0; q < o; q++) for (let y = 0; y < ho; y++) for (let x = 0; x < wo; x++) {
      let s = bs[q];
      for (let ch = 0; ch < c; ch++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
        const [r, col] = [y * sh + i - ph, x * sw + j - pw];
        if (r >= 0 && r < h && col >= 0 && col < w) s += xs[((b * c + ch) * h + r) * w + col] * ws[((q * c + ch) * kh + i) * kw + j];
      }
      want.push(s);
    }
    const out = nn.conv2d(t.tensor(xs).reshape([n, c, h, w]), t.tensor(ws).reshape([o, c, kh, kw]), t.tensor(bs), [sh, sw], [ph, pw]);
    await expectTensor(out, want, { shape: [n, o, ho, wo], rtol: 1e-5, atol: 1e-5 });
  });
  it("LayerNorm and MaxPool2d", async () => {
    t.manualSeed(3);
    const ln = new nn.LayerNorm(4);
    await gradCheck((x, g, b) => { ln.weight = g; ln.bias = b; return ln.forward(x).mul(t.tensor([1, 2, 3, 4])).sum(); }, [t.randn([3, 4]), t.randn([4]), t.randn([4])]);
    const pool = new nn.MaxPool2d(2);
    const x = t.tensor([[[[1, 2, 5, 0], [3, 4, 1, 1], [0, 0, 2, 2], [9, 0, 2, 3]]]]).astype("float32");
    await expectTensor(pool.forward(x), [[[[4, 5], [9, 3]]]]);
    await gradCheck((v: Tensor) => pool.forward(v).square().sum(), [t.randn([1, 2, 4, 4])]);
  });
});
