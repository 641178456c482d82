// data.iris(): the shipped Iris table has the canonical values (column sums and class counts
// of scikit-learn's corrected copy), splits deterministically by seed, and is learnable: a
// small MLP trained on the cpu backend classifies the held-out rows. Accuracy is asserted,
// not time.

import { t, assert } from "./helpers";
import { IRIS_ROWS } from "../src/data/iris-rows";

const rowsOf = async (x: t.Tensor): Promise<string[]> => {
  const v = await x.data();
  return Array.from({ length: x.shape[0] }, (_, i) => Array.from(v.subarray(i * 4, i * 4 + 4), (f) => f.toFixed(1)).join(","));
};

describe("data.iris", () => {
  before(async () => {
    await t.setBackend("cpu");
  });

  it("splits 120/30 by default into float32 features [N, 4] and int32 labels [N]", () => {
    const d = t.data.iris();
    assert.deepEqual(d.xTrain.shape, [120, 4]);
    assert.deepEqual(d.yTrain.shape, [120]);
    assert.deepEqual(d.xTest.shape, [30, 4]);
    assert.deepEqual(d.yTest.shape, [30]);
    assert.equal(d.xTrain.dtype, "float32");
    assert.equal(d.yTrain.dtype, "int32");
    assert.deepEqual(d.featureNames, ["sepal length", "sepal width", "petal length", "petal width"]);
    assert.deepEqual(d.classNames, ["setosa", "versicolor", "virginica"]);
  });

  it("has the canonical values: 50 rows per class and scikit-learn's column sums", async () => {
    const d = t.data.iris({ train: 150 });
    assert.deepEqual(d.xTest.shape, [0, 4]);
    const labels = Array.from(await d.yTrain.data());
    assert.deepEqual([0, 1, 2].map((c) => labels.filter((l) => l === c).length), [50, 50, 50]);
    const x = await d.xTrain.data();
    const sums = [0, 1, 2, 3].map((j) => labels.reduce((s, _, i) => s + x[i * 4 + j], 0));
    [876.5, 458.6, 563.7, 179.9].forEach((want, j) => assert.ok(Math.abs(sums[j] - want) < 1e-3, `column ${j} sums to ${sums[j]}, want ${want}`));
    // Per-class means as R and scikit-learn report them (setosa's petal width 0.246 is the corrected one).
    const means = [0, 1, 2].map((c) => [0, 1, 2, 3].map((j) => labels.reduce((s, l, i) => (l === c ? s + x[i * 4 + j] : s), 0) / 50));
    const want = [[5.006, 3.428, 1.462, 0.246], [5.936, 2.77, 4.26, 1.326], [6.588, 2.974, 5.552, 2.026]];
    means.forEach((row, c) => row.forEach((m, j) => assert.ok(Math.abs(m - want[c][j]) < 1e-4, `class ${c} feature ${j}: mean ${m}, want ${want[c][j]}`)));
  });

  it("shuffles by seed: the same seed gives the same split, and train plus test hold every row once", async () => {
    const [a, b, c] = [t.data.iris({ seed: 3 }), t.data.iris({ seed: 3 }), t.data.iris({ seed: 4 })];
    assert.deepEqual(await rowsOf(a.xTrain), await rowsOf(b.xTrain));
    assert.deepEqual(Array.from(await a.yTest.data()), Array.from(await b.yTest.data()));
    assert.notDeepEqual(await rowsOf(a.xTrain), await rowsOf(c.xTrain));
    const all = [...(await rowsOf(a.xTrain)), ...(await rowsOf(a.xTest))].sort();
    assert.deepEqual(all, IRIS_ROWS.map((r) => r.map((v) => v.toFixed(1)).join(",")).sort());
  });

  it("rejects a split larger than the table", () => {
    assert.throws(() => t.data.iris({ train: 140, test: 20 }), t.InputError);
    assert.throws(() => t.data.iris({ train: -1 }), t.InputError);
  });

  it("trains a small MLP to at least 90% held-out accuracy on cpu", async () => {
    t.manualSeed(0);
    const d = t.data.iris({ seed: 0 });
    // Standardize with the training split's statistics only.
    const mean = d.xTrain.mean(0);
    const std = d.xTrain.sub(mean).square().mean(0).sqrt();
    const norm = (x: t.Tensor) => x.sub(mean).div(std);
    const [xTrain, xTest] = [norm(d.xTrain), norm(d.xTest)];
    const { nn, optim } = t;
    const model = new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Linear(16, 3));
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    for (let step = 0; step < 300; step++) {
      t.tidy(() => {
        opt.zeroGrad();
        nn.crossEntropy(model.forward(xTrain), d.yTrain).backward();
        opt.step();
      });
    }
    const acc = (await t.noGrad(() => model.forward(xTest).argmax(1).eq(d.yTest).astype("float32").mean()).item()) as number;
    assert.ok(acc >= 0.9, `held-out accuracy ${acc}`);
  });
});
