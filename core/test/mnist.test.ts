// The proof of training: a 784-128-10 MLP on the real MNIST digits (8,000 training,
// 2,000 held out) reaches at least 94% held-out accuracy, on the WebGPU backend (lavapipe here).
// Accuracy is asserted, not time.

import { t, assert } from "./helpers";

describe("MNIST MLP on webgpu", () => {
  before(async () => {
    await t.setBackend("webgpu"); // fails (never skips) without an adapter
  });
  after(async () => {
    await t.setBackend("cpu");
  });

  it("reaches at least 94% held-out accuracy", async function () {
    this.timeout(900_000);
    t.manualSeed(0);
    const raw = t.data.mnist({ flat: true });
    // Standardize with MNIST's usual mean and std, as the PyTorch examples do.
    const norm = (x: typeof raw.xTrain) => x.sub(0.1307).div(0.3081);
    const [xTrain, xTest] = [norm(raw.xTrain), norm(raw.xTest)];
    assert.equal(xTrain.device, "webgpu");
    const { nn, optim } = t;
    const model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10));
    const opt = new optim.Adam(model.parameters(), { lr: 2e-3 });
    const accuracies: number[] = [];
    for (let epoch = 0; epoch < 8; epoch++) {
      for (const [xb, yb] of new t.data.DataLoader([xTrain, raw.yTrain], { batchSize: 64, shuffle: true, seed: epoch })) {
        const loss = nn.crossEntropy(model.forward(xb), yb);
        opt.zeroGrad();
        loss.backward();
        opt.step();
      }
      const acc = await t.noGrad(() => model.forward(xTest).argmax(1).eq(raw.yTest).astype("float32").mean()).item();
      accuracies.push(acc as number);
    }
    const best = accuracies[accuracies.length - 1];
    assert.ok(best >= 0.94, `held-out accuracy per epoch: ${accuracies.map((a) => a.toFixed(4)).join(", ")}`);
  });
});
