// Optimizers against hand-computed updates, schedules, DataLoader determinism, safetensors
// bytes exactly as the format specifies, and a small real-MNIST training run.

import { t, assert, expectTensor } from "./helpers";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const { nn, optim } = t;

function paramWithGrad(values: number[], grad: number[]) {
  const p = t.tensor(values, { dtype: "float32" }).requiresGrad_();
  p.grad = t.tensor(grad, { dtype: "float32" });
  return p;
}

describe("optimizers", () => {
  it("SGD with momentum and weight decay follows PyTorch's rule", async () => {
    const p = paramWithGrad([1, -2], [0.5, 0.5]);
    const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9, weightDecay: 0.1 });
    opt.step(); // d = g + 0.1 p = [0.6, 0.3]; v = d; p -= 0.1 v
    await expectTensor(p, [0.94, -2.03]);
    p.grad = t.tensor([0.5, 0.5], { dtype: "float32" });
    opt.step(); // d = [0.5 + 0.094, 0.5 - 0.203]; v = 0.9 v + d
    await expectTensor(p, [0.94 - 0.1 * (0.54 + 0.594), -2.03 - 0.1 * (0.27 + 0.297)], { rtol: 1e-5 });
  });

  it("Adam's first step moves each parameter by lr against the gradient's sign", async () => {
    const p = paramWithGrad([1, -2, 3], [0.5, -3, 1e-3]);
    new optim.Adam([p], { lr: 0.01 }).step();
    await expectTensor(p, [0.99, -1.99, 2.99], { rtol: 1e-4 });
  });

  it("Adam's second step matches the bias-corrected formula", async () => {
    const p = paramWithGrad([1], [0.5]);
    const opt = new optim.Adam([p], { lr: 0.1 });
    opt.step();
    p.grad = t.tensor([-1], { dtype: "float32" });
    opt.step();
    const m = 0.9 * 0.05 + 0.1 * -1;
    const v = 0.999 * 0.00025 + 0.001 * 1;
    const want = 0.9 - (0.1 * (m / (1 - 0.81))) / (Math.sqrt(v / (1 - 0.999 ** 2)) + 1e-8);
    await expectTensor(p, [want], { rtol: 1e-5 });
  });

  it("AdamW decays weights directly", async () => {
    const p = paramWithGrad([2], [0]);
    new optim.AdamW([p], { lr: 0.1, weightDecay: 0.5 }).step();
    await expectTensor(p, [2 * (1 - 0.05)], { rtol: 1e-6 });
  });

  it("step and cosine schedules", () => {
    const opt = new optim.SGD([paramWithGrad([1], [1])], { lr: 1 });
    const s = new optim.StepLR(opt, 2, 0.5);
    assert.deepEqual([s.step(), s.step(), s.step(), s.step()], [1, 0.5, 0.5, 0.25]);
    const opt2 = new optim.SGD([paramWithGrad([1], [1])], { lr: 1 });
    const c = new optim.CosineAnnealingLR(opt2, 4);
    const lrs = [c.step(), c.step(), c.step(), c.step()];
    lrs.forEach((v, i) => assert.ok(Math.abs(v - (1 + Math.cos((Math.PI * (i + 1)) / 4)) / 2) < 1e-12));
  });
});

describe("data", () => {
  it("DataLoader shuffles deterministically by seed and covers every row once", async () => {
    const x = t.arange(10);
    const order = async (seed: number) => {
      const out: number[] = [];
      for (const [b] of new t.data.DataLoader([x], { batchSize: 4, shuffle: true, seed })) out.push(...Array.from(await b.data()));
      return out;
    };
    const a = await order(7);
    assert.deepEqual(a, await order(7));
    assert.notDeepEqual(a, await order(8));
    assert.deepEqual([...a].sort((p, q) => p - q), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const dl = new t.data.DataLoader([x], { batchSize: 4, dropLast: true });
    assert.equal([...dl].length, 2);
  });

  it("mnist() loads 8,000/2,000 real digits with every class", async () => {
    const { xTrain, yTrain, xTest, yTest } = t.data.mnist();
    assert.deepEqual(xTrain.shape, [8000, 28, 28]);
    assert.deepEqual(xTest.shape, [2000, 28, 28]);
    assert.deepEqual(yTrain.shape, [8000]);
    const counts = new Array(10).fill(0);
    (await yTest.data()).forEach((v) => counts[v]++);
    assert.ok(counts.every((c) => c > 100), `every digit in the test split: ${counts}`);
    const px = await xTrain.max().item();
    assert.ok(px as number <= 1 && px as number > 0.9);
  });
});

describe("safetensors", () => {
  it("writes the header and bytes exactly as the format specifies, and reads them back", async () => {
    const tensors = { b: t.tensor([1, -2], { dtype: "int32" }), a: t.tensor([[0.5, 1.5]]) };
    const bytes = await t.safetensors.serialize(tensors);
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal(n % 8, 0, "header padded to 8 bytes");
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    assert.deepEqual(header, {
      a: { dtype: "F32", shape: [1, 2], data_offsets: [0, 8] },
      b: { dtype: "I32", shape: [2], data_offsets: [8, 16] },
    });
    const body = bytes.subarray(8 + n);
    assert.deepEqual(Array.from(new Float32Array(body.slice(0, 8).buffer)), [0.5, 1.5]);
    assert.deepEqual(Array.from(new Int32Array(body.slice(8, 16).buffer)), [1, -2]);
    const model = new nn.Linear(3, 2);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tsdl-")), "m.safetensors");
    await t.safetensors.save(model, file);
    const copy = new nn.Linear(3, 2);
    copy.loadStateDict(t.safetensors.load(file));
    await expectTensor(copy.weight, Array.from(await model.weight.data()));
  });
});

describe("training on real MNIST digits (cpu)", () => {
  it("a 784-64-10 MLP with Adam learns held-out digits", async function () {
    this.timeout(300_000);
    t.manualSeed(0);
    const { xTrain, yTrain, xTest, yTest } = t.data.mnist({ train: 3000, test: 1000, flat: true });
    const model = new nn.Sequential(new nn.Linear(784, 64), new nn.ReLU(), new nn.Linear(64, 10));
    const opt = new optim.Adam(model.parameters(), { lr: 2e-3 });
    for (let epoch = 0; epoch < 4; epoch++) {
      for (const [xb, yb] of new t.data.DataLoader([xTrain, yTrain], { batchSize: 64, shuffle: true, seed: epoch })) {
        const loss = nn.crossEntropy(model.forward(xb), yb);
        opt.zeroGrad();
        loss.backward();
        opt.step();
      }
    }
    const acc = (await t.noGrad(() => model.forward(xTest).argmax(1).eq(yTest).astype("float32").mean()).item()) as number;
    assert.ok(acc > 0.88, `held-out accuracy ${acc}`);
  });
});
