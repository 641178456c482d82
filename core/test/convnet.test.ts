// The second proof of training: a small convnet on the real MNIST digits (8,000
// training, 2,000 held out) reaches at least 97% held-out accuracy on the WebGPU backend
// (lavapipe here). Evaluation runs in batches: im2col of all 2,000 test images at once would
// exceed the device's 128 MiB storage binding limit. Accuracy is asserted, not time.

import { t, assert } from "./helpers";

describe("MNIST convnet on webgpu", () => {
  before(async () => {
    await t.setBackend("webgpu"); // fails (never skips) without an adapter
  });
  after(async () => {
    await t.setBackend("cpu");
  });

  it("reaches at least 97% held-out accuracy", async function () {
    this.timeout(1_200_000);
    t.manualSeed(0);
    const raw = t.data.mnist();
    const norm = (x: typeof raw.xTrain) => x.sub(0.1307).div(0.3081).reshape([-1, 1, 28, 28]);
    const [xTrain, xTest] = [norm(raw.xTrain), norm(raw.xTest)];
    const { nn, optim } = t;
    const model = new nn.Sequential(
      new nn.Conv2d(1, 16, 3), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Conv2d(16, 32, 3), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Flatten(), new nn.Linear(800, 10),
    );
    const epochs = 6;
    const opt = new optim.Adam(model.parameters(), { lr: 2e-3 });
    const schedule = new optim.CosineAnnealingLR(opt, epochs);
    const accuracies: number[] = [];
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (const [xb, yb] of new t.data.DataLoader([xTrain, raw.yTrain], { batchSize: 64, shuffle: true, seed: epoch })) {
        const loss = nn.crossEntropy(model.forward(xb), yb);
        opt.zeroGrad();
        loss.backward();
        opt.step();
      }
      schedule.step();
      let correct = 0;
      for (const [xb, yb] of new t.data.DataLoader([xTest, raw.yTest], { batchSize: 500 })) {
        correct += (await t.noGrad(() => model.forward(xb).argmax(1).eq(yb).astype("int32").sum()).item()) as number;
      }
      accuracies.push(correct / 2000);
    }
    const last = accuracies[accuracies.length - 1];
    assert.ok(last >= 0.97, `held-out accuracy per epoch: ${accuracies.map((a) => a.toFixed(4)).join(", ")}`);
  });
});
