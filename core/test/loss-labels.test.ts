// Class labels outside 0..C-1 in crossEntropy and nllLoss: an error naming the label where the
// host knows the labels, a NaN loss where it does not (labels computed on the GPU, labels
// inside a jitted function), never a loss that silently leaves the sample out. And nn.oneHot.

import { t, assert, assertClose, expectTensor, eachBackend } from "./helpers";

const { nn } = t;

eachBackend("loss labels out of range", (backend) => {
  const logits = () => t.tensor([[1, 2, 3], [0, 1, 0]], { dtype: "float32" });
  const good = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3 + (Math.log(2 + Math.exp(1)) - 1);

  it("labels known on the host: an error that names the label and the range", async () => {
    assert.throws(() => nn.crossEntropy(logits(), t.tensor([3, 1])), /crossEntropy: label 3 is out of range for 3 classes \(logits \[2, 3\]\); labels must be in 0\.\.2\. They look counted from 1: pass labels\.sub\(1\)\./);
    assert.throws(() => nn.crossEntropy(logits(), t.tensor([-1, 1])), /crossEntropy: label -1 is out of range for 3 classes \(logits \[2, 3\]\); labels must be in 0\.\.2\.$/);
    assert.throws(() => nn.nllLoss(logits().logSoftmax(1), t.tensor([0, 7])), /nllLoss: label 7 is out of range for 3 classes/);
    assertClose(await nn.crossEntropy(logits(), t.tensor([2, 1])).data(), [good / 2], 1e-6, 1e-7);
  });

  it("oneHot: float32 rows with a 1 at each label, any label shape; labels out of range", async () => {
    await expectTensor(nn.oneHot(t.tensor([2, 0, 1]), 3), [[0, 0, 1], [1, 0, 0], [0, 1, 0]], { dtype: "float32" });
    await expectTensor(nn.oneHot([[1], [0]], 2, { dtype: "int32" }), [[[0, 1]], [[1, 0]]], { dtype: "int32", shape: [2, 1, 2] });
    assert.throws(() => nn.oneHot([1, 3], 3), /oneHot: label 3 is out of range for 3 classes \(numClasses 3\); labels must be in 0\.\.2\. They look counted from 1/);
    assert.throws(() => nn.oneHot(t.tensor([0.5]), 3), /oneHot: labels must be int32 class indices, got float32/);
    assert.throws(() => nn.oneHot([0], 0), /oneHot: numClasses must be a positive integer, got 0/);
    if (backend === "webgpu") {
      // Labels computed on the GPU are not checked: one out of range gives a row of zeros, as in JAX.
      const onDevice = t.tensor([[0, 0, 0, 9], [0, 1, 0, 0]]).argmax(1);
      await expectTensor(nn.oneHot(onDevice, 3), [[0, 0, 0], [0, 1, 0]]);
    }
  });

  it("labels the host does not know: a NaN loss, and the same loss as before for good labels", async () => {
    // argmax on the GPU leaves its result on the device; on cpu the host sees it and throws.
    const onDevice = (rows: number[][]) => t.tensor(rows).argmax(1);
    const bad = onDevice([[0, 0, 0, 9], [0, 1, 0, 0]]); // labels [3, 1]
    if (backend === "webgpu") {
      assert.equal(bad.peek(), null, "the labels stay on the GPU");
      assert.ok(Number.isNaN(await nn.crossEntropy(logits(), bad).item()));
      assertClose(await nn.crossEntropy(logits(), onDevice([[0, 0, 9], [0, 9, 0]])).data(), [good / 2], 1e-6, 1e-7);
    } else {
      assert.throws(() => nn.crossEntropy(logits(), bad), /label 3 is out of range for 3 classes/);
    }
    const loss = t.jit((l: t.Tensor, y: t.Tensor) => nn.crossEntropy(l, y, "sum"));
    assertClose(await loss(logits(), t.tensor([2, 1])).data(), [good], 1e-6, 1e-7);
    assert.ok(Number.isNaN(await loss(logits(), t.tensor([2, 3])).item()), "a jitted loss replays with new labels unchecked by the host");
    const grads = t.grad((l: t.Tensor) => nn.crossEntropy(l, onDevice([[0, 0, 9], [0, 9, 0]])))(logits());
    const p = [1, 2, 3].map((v) => Math.exp(v) / (Math.exp(1) + Math.exp(2) + Math.exp(3)));
    const q = [0, 1, 0].map((v) => Math.exp(v) / (2 + Math.exp(1)));
    assertClose(await grads.data(), [p[0] / 2, p[1] / 2, (p[2] - 1) / 2, q[0] / 2, (q[1] - 1) / 2, q[2] / 2], 1e-5, 1e-6);
  });
});
