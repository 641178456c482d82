// PyTorch's loss options and the losses added after mse and cross entropy, against float64
// transcriptions of PyTorch's formulas written out here: class weights, ignoreIndex, label
// smoothing, probability targets and per-pixel labels in crossEntropy and nllLoss; l1, smooth
// L1 and Huber at their boundaries, klDiv with batchmean, Poisson and Gaussian NLL, BCE with
// posWeight, cosine and pairwise distances; gradients by finite differences; the loss modules.

import { t, assert, assertClose, gradCheck, eachBackend } from "./helpers";
import type { Tensor } from "../src/index";

const { nn } = t;

type Ref = { weight?: number[]; ignoreIndex?: number; smoothing?: number; reduction?: "mean" | "sum" | "none" };

/** PyTorch's cross_entropy with class indices (LossNLL.cpp), row by row in float64. */
function ceRef(logits: number[][], labels: number[], o: Ref = {}): number[] {
  const c = logits[0].length;
  const eps = o.smoothing ?? 0;
  const ignore = o.ignoreIndex ?? -100;
  const w = (k: number) => (o.weight ? o.weight[k] : 1);
  let total = 0;
  let weights = 0;
  const each = logits.map((row, i) => {
    if (labels[i] === ignore) return 0;
    const lse = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
    const logp = row.map((v) => v - lse);
    const nll = -w(labels[i]) * logp[labels[i]];
    const smooth = -logp.reduce((s, v, k) => s + w(k) * v, 0);
    weights += w(labels[i]);
    const loss = (1 - eps) * nll + (eps / c) * smooth;
    total += loss;
    return loss;
  });
  const r = o.reduction ?? "mean";
  return r === "none" ? each : r === "sum" ? [total] : [total / weights];
}

/** PyTorch's cross_entropy with probabilities as targets. */
function ceProbRef(logits: number[][], target: number[][], o: Ref = {}): number[] {
  const c = logits[0].length;
  const eps = o.smoothing ?? 0;
  const each = logits.map((row, i) => {
    const lse = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
    return -row.reduce((s, v, k) => s + (o.weight ? o.weight[k] : 1) * (target[i][k] * (1 - eps) + eps / c) * (v - lse), 0);
  });
  const total = each.reduce((s, v) => s + v, 0);
  return o.reduction === "none" ? each : o.reduction === "sum" ? [total] : [total / each.length];
}

const sum = (xs: number[]) => xs.reduce((s, v) => s + v, 0);
const mean = (xs: number[]) => sum(xs) / xs.length;

eachBackend("crossEntropy and nllLoss options", (backend) => {
  const L = [[1, 2, 3, 0.5], [0, 1, 0, -1], [2, -1, 0.5, 0], [0.3, 0.2, -0.7, 1.5], [-1, 0, 1, 2]];
  const labels = [2, -100, 0, 3, 3];
  const weight = [0.5, 2, 1, 3];

  it("class weights with an ignored target: the mean divides by the weights of the counted targets", async () => {
    const x = t.tensor(L);
    const y = t.tensor(labels);
    const w = t.tensor(weight);
    for (const reduction of ["mean", "sum", "none"] as const) {
      assertClose(await nn.crossEntropy(x, y, { weight: w, reduction }).data(), ceRef(L, labels, { weight, reduction }), 1e-5, 1e-6);
      assertClose(await nn.nllLoss(x.logSoftmax(1), y, { weight: w, reduction }).data(), ceRef(L, labels, { weight, reduction }), 1e-5, 1e-6);
    }
    // Without weights the ignored row leaves the mean: 4 targets, not 5.
    assertClose(await nn.crossEntropy(x, y).data(), ceRef(L, labels), 1e-5, 1e-6);
    assertClose(await nn.crossEntropy(x, y, "none").data(), ceRef(L, labels, { reduction: "none" }), 1e-5, 1e-6);
    // A chosen ignoreIndex inside the classes' range (a background class).
    const y0 = t.tensor([2, 1, 0, 1, 3]);
    assertClose(await nn.crossEntropy(x, y0, { ignoreIndex: 1, weight: w }).data(), ceRef(L, [2, 1, 0, 1, 3], { ignoreIndex: 1, weight }), 1e-5, 1e-6);
  });

  it("label smoothing, with and without weights and ignored targets", async () => {
    const x = t.tensor(L);
    for (const o of [{ smoothing: 0.1 }, { smoothing: 0.25, weight }, { smoothing: 1, weight }]) {
      for (const reduction of ["mean", "sum", "none"] as const) {
        const got = nn.crossEntropy(x, t.tensor(labels), { labelSmoothing: o.smoothing, weight: o.weight && t.tensor(o.weight), reduction });
        assertClose(await got.data(), ceRef(L, labels, { ...o, reduction }), 1e-5, 1e-6);
      }
    }
  });

  it("probabilities as targets, with smoothing and weights: a plain mean over rows", async () => {
    const P = [[0.1, 0.2, 0.3, 0.4], [1, 0, 0, 0], [0.25, 0.25, 0.25, 0.25], [0, 0.5, 0.5, 0], [0.7, 0.1, 0.1, 0.1]];
    for (const o of [{}, { smoothing: 0.2 }, { smoothing: 0.1, weight, reduction: "sum" as const }, { weight, reduction: "none" as const }]) {
      const got = nn.crossEntropy(t.tensor(L), t.tensor(P), { labelSmoothing: o.smoothing, weight: o.weight && t.tensor(o.weight), reduction: o.reduction });
      assertClose(await got.data(), ceProbRef(L, P, o), 1e-5, 1e-6);
    }
  });

  it("per-pixel labels: logits [N, C, H, W] and labels [N, H, W] equal the rows they make", async () => {
    t.manualSeed(5);
    const x = t.randn([2, 3, 2, 3]);
    const y = t.tensor([[[0, 1, 2], [2, -100, 1]], [[1, 1, 0], [0, 2, -100]]]);
    const xs = (await x.array()) as number[][][][];
    const ys = (await y.array()) as number[][][];
    const flatRows: number[][] = [];
    const flatLabels: number[] = [];
    for (let n = 0; n < 2; n++) for (let h = 0; h < 2; h++) for (let w = 0; w < 3; w++) {
      flatRows.push([0, 1, 2].map((c) => xs[n][c][h][w]));
      flatLabels.push(ys[n][h][w]);
    }
    const o = { weight: [1, 2, 0.5], smoothing: 0.1 };
    const opts = { weight: t.tensor(o.weight), labelSmoothing: 0.1 };
    assertClose(await nn.crossEntropy(x, y, opts).data(), ceRef(flatRows, flatLabels, o), 1e-5, 1e-6);
    const none = nn.crossEntropy(x, y, { ...opts, reduction: "none" });
    assert.deepEqual(none.shape, [2, 2, 3]);
    assertClose(await none.data(), ceRef(flatRows, flatLabels, { ...o, reduction: "none" }), 1e-5, 1e-6);
    assertClose(await nn.nllLoss(x.logSoftmax(1), y, "sum").data(), ceRef(flatRows, flatLabels, { reduction: "sum" }), 1e-5, 1e-6);
    // [N, C, L] sequences too; unbatched [C] logits with a 0-d label.
    const seq = nn.crossEntropy(t.tensor([[[1, 2], [0, 0], [3, -1]]]), t.tensor([[2, 0]]), "none");
    assertClose(await seq.data(), [...ceRef([[1, 0, 3]], [2], { reduction: "none" }), ...ceRef([[2, 0, -1]], [0], { reduction: "none" })], 1e-5, 1e-6);
    const one = nn.crossEntropy(t.tensor([1, 2, 3]), t.tensor(1, { dtype: "int32" }), "none");
    assert.deepEqual(one.shape, []);
    assertClose(await one.data(), ceRef([[1, 2, 3]], [1]), 1e-5, 1e-6);
  });

  it("ignored labels are not range errors; other labels still are, and labels off the host give NaN, not a silent drop", async () => {
    const x = t.tensor([[1, 2, 3], [0, 1, 0]]);
    assertClose(await nn.crossEntropy(x, t.tensor([-100, 1])).data(), ceRef([[0, 1, 0]], [1]), 1e-5, 1e-6);
    assertClose(await nn.crossEntropy(x, t.tensor([7, 1]), { ignoreIndex: 7 }).data(), ceRef([[0, 1, 0]], [1]), 1e-5, 1e-6);
    assert.throws(() => nn.crossEntropy(x, t.tensor([3, -100])), /crossEntropy: label 3 is out of range for 3 classes/);
    assert.throws(() => nn.nllLoss(x, t.tensor([-1, 0]), { ignoreIndex: 5 }), /nllLoss: label -1 is out of range for 3 classes/);
    if (backend === "webgpu") {
      // argmax leaves its result on the GPU: the host cannot check these labels.
      const onDevice = (r: number[][]) => t.tensor(r).argmax(1).sub(1); // labels [2, -1]
      const y = onDevice([[0, 0, 0, 9], [9, 0, 0, 0]]);
      assert.equal(y.peek(), null);
      assertClose(await nn.crossEntropy(x, y, { ignoreIndex: -1 }).data(), ceRef([[1, 2, 3]], [2]), 1e-5, 1e-6);
      assert.ok(Number.isNaN(await nn.crossEntropy(x, y).item()), "label -1 not ignored: NaN");
      assert.ok(Number.isNaN(await nn.crossEntropy(x, y, { weight: t.tensor([1, 2, 3]) }).item()), "with weights too");
    }
  });

  it("errors name the option, the value and what is allowed", () => {
    const x = t.tensor([[1, 2, 3], [0, 1, 0]]);
    const y = t.tensor([0, 1]);
    assert.throws(() => nn.crossEntropy(x, y, { weight: t.tensor([1, 2]) }), /crossEntropy: weight must have one entry per class, shape \[3\], got \[2\]/);
    assert.throws(() => nn.crossEntropy(x, y, { labelSmoothing: 1.5 }), /crossEntropy: labelSmoothing must be in \[0, 1\], got 1\.5/);
    assert.throws(() => nn.nllLoss(x, y, { ignoreIndex: 0.5 }), /nllLoss: ignoreIndex must be an integer, got 0\.5/);
    assert.throws(() => nn.crossEntropy(x, y, { reduction: "avg" as any }), /crossEntropy: reduction must be "mean", "sum", "none"; got "avg"/);
    assert.throws(() => nn.crossEntropy(x, y, { smoothing: 0.1 } as any), /crossEntropy: unknown option "smoothing"; the options are reduction, weight, ignoreIndex, labelSmoothing/);
    assert.throws(() => nn.nllLoss(x, y, { labelSmoothing: 0.1 } as any), /nllLoss: unknown option "labelSmoothing"/);
    assert.throws(() => nn.crossEntropy(x, t.tensor([0.5, 0.5])), /crossEntropy: labels must be int32 class indices, or float probabilities of the logits' shape \[2, 3\], got float32 of shape \[2\]/);
    assert.throws(() => nn.crossEntropy(t.zeros([2, 3, 4]), t.tensor([[0, 1, 2], [0, 1, 2]])), /expected logits \[N, C\] and labels \[N\] \(or logits \[N, C, d1, \.\.\.\] and labels \[N, d1, \.\.\.\]\), got \[2, 3, 4\] and \[2, 3\]/);
  });

  it("gradients: weights, smoothing and an ignored target; per-pixel; probabilities", async () => {
    const w = t.tensor(weight);
    await gradCheck((x) => nn.crossEntropy(x, t.tensor(labels), { weight: w, labelSmoothing: 0.2 }), [t.tensor(L)]);
    await gradCheck((x) => nn.nllLoss(x.logSoftmax(1), t.tensor(labels), { weight: w, reduction: "sum" }), [t.tensor(L)]);
    t.manualSeed(2);
    await gradCheck((x) => nn.crossEntropy(x, t.tensor([[[0, 2], [1, -100]]]), { labelSmoothing: 0.1 }), [t.randn([1, 3, 2, 2])]);
    await gradCheck((x) => nn.crossEntropy(x, t.tensor([[0.2, 0.3, 0.1, 0.4], [0, 0, 1, 0]])), [t.tensor([[1, 0, -1, 2], [0.5, 0.2, 0, 1]])]);
  });
});

eachBackend("regression, divergence and distance losses", () => {
  const P = [[0.5, -1.2, 2.0], [0.05, 3.0, -0.3]];
  const T = [[0.0, -1.0, 0.5], [0.0, 1.0, -0.3]];
  const d = P.flat().map((v, i) => v - T.flat()[i]);
  const red = (xs: number[], r: "mean" | "sum" | "none") => (r === "none" ? xs : r === "sum" ? [sum(xs)] : [mean(xs)]);

  it("l1Loss, smoothL1Loss (beta, its boundary, beta 0) and huberLoss (delta)", async () => {
    const p = t.tensor(P);
    const y = t.tensor(T);
    const smooth = (beta: number) => d.map((v) => (Math.abs(v) < beta ? (0.5 * v * v) / beta : Math.abs(v) - 0.5 * beta));
    const huber = (delta: number) => d.map((v) => (Math.abs(v) <= delta ? 0.5 * v * v : delta * (Math.abs(v) - 0.5 * delta)));
    for (const r of ["mean", "sum", "none"] as const) {
      assertClose(await nn.l1Loss(p, y, r).data(), red(d.map(Math.abs), r), 1e-5, 1e-6);
      assertClose(await nn.smoothL1Loss(p, y, { reduction: r }).data(), red(smooth(1), r), 1e-5, 1e-6);
      assertClose(await nn.huberLoss(p, y, { reduction: r, delta: 0.3 }).data(), red(huber(0.3), r), 1e-5, 1e-6);
    }
    // |d| = 1.5 exactly at beta, 0.5 at delta: both branches give the same value there.
    assertClose(await nn.smoothL1Loss(p, y, { beta: 1.5, reduction: "none" }).data(), smooth(1.5), 1e-5, 1e-6);
    assertClose(await nn.huberLoss(p, y, { delta: 0.5, reduction: "none" }).data(), huber(0.5), 1e-5, 1e-6);
    assertClose(await nn.smoothL1Loss(p, y, { beta: 0 }).data(), [mean(d.map(Math.abs))], 1e-5, 1e-6);
    assertClose(await nn.huberLoss(p, y, { delta: 2 }).data(), [mean(huber(2))], 1e-5, 1e-6);
    assert.throws(() => nn.smoothL1Loss(p, y, { beta: -1 }), /smoothL1Loss: beta must be a number >= 0, got -1/);
    assert.throws(() => nn.huberLoss(p, y, { delta: 0 }), /huberLoss: delta must be a number > 0, got 0/);
    assert.throws(() => nn.l1Loss(p, t.zeros([3, 2])), /l1Loss: pred shape \[2, 3\] differs from target shape \[3, 2\]/);
    assert.throws(() => nn.mseLoss(p, y, "average" as any), /mseLoss: reduction must be "mean", "sum", "none"; got "average"/);
    await gradCheck((a) => nn.l1Loss(a, y), [p]);
    await gradCheck((a) => nn.smoothL1Loss(a, y, { beta: 0.8 }), [p]);
    await gradCheck((a) => nn.huberLoss(a, y, { delta: 0.4, reduction: "sum" }), [p]);
  });

  it("klDiv: log-probability input, probabilities or log-probabilities as target, batchmean", async () => {
    const logq = [[-1.2, -0.9, -1.2], [-0.2, -2.5, -2.0]];
    const p = [[0.2, 0.5, 0.3], [0.9, 0, 0.1]];
    const point = logq.flat().map((lq, i) => { const v = p.flat()[i]; return v === 0 ? 0 : v * (Math.log(v) - lq); });
    const x = t.tensor(logq);
    const y = t.tensor(p);
    assertClose(await nn.klDiv(x, y, { reduction: "batchmean" }).data(), [sum(point) / 2], 1e-5, 1e-6);
    assertClose(await nn.klDiv(x, y).data(), [mean(point)], 1e-5, 1e-6);
    assertClose(await nn.klDiv(x, y, { reduction: "none" }).data(), point, 1e-5, 1e-6);
    const logP = [[-1.6, -0.7, -1.2], [-0.1, -5, -2.3]];
    const pointLog = logq.flat().map((lq, i) => Math.exp(logP.flat()[i]) * (logP.flat()[i] - lq));
    assertClose(await nn.klDiv(x, t.tensor(logP), { logTarget: true, reduction: "sum" }).data(), [sum(pointLog)], 1e-5, 1e-6);
    assert.throws(() => nn.klDiv(x, y, { reduction: "batch" as any }), /klDiv: reduction must be "mean", "sum", "none", "batchmean"; got "batch"/);
    assert.throws(() => nn.klDiv(x, y, { log_target: true } as any), /klDiv: unknown option "log_target"; the options are reduction, logTarget/);
    await gradCheck((a) => nn.klDiv(a, y, { reduction: "batchmean" }), [x]);
    await gradCheck((a) => nn.klDiv(a.logSoftmax(1), t.tensor(logP), { logTarget: true }), [x]);
  });

  it("binaryCrossEntropyWithLogits with posWeight and weight; binaryCrossEntropy with weight", async () => {
    const z = [[0.5, -2, 3], [-0.1, 0, 1.5]];
    const y = [[1, 0, 1], [0, 1, 0.3]];
    const pw = [2, 0.5, 3];
    const w = [[1, 0.5, 2], [0, 1, 1]];
    const ref = z.flat().map((v, i) => {
      const tv = y.flat()[i];
      const l = 1 + (pw[i % 3] - 1) * tv;
      const sp = Math.log1p(Math.exp(-v)); // log(1 + exp(-z))
      return w.flat()[i] * ((1 - tv) * v + l * sp);
    });
    const got = nn.binaryCrossEntropyWithLogits(t.tensor(z), t.tensor(y), { posWeight: t.tensor(pw), weight: t.tensor(w), reduction: "none" });
    assertClose(await got.data(), ref, 1e-5, 1e-6);
    assertClose(await nn.binaryCrossEntropyWithLogits(t.tensor(z), t.tensor(y), { posWeight: t.tensor(pw), weight: t.tensor(w) }).data(), [mean(ref)], 1e-5, 1e-6);
    const probs = z.flat().map((v) => 1 / (1 + Math.exp(-v)));
    const bce = probs.map((q, i) => -w.flat()[i] * (y.flat()[i] * Math.log(q) + (1 - y.flat()[i]) * Math.log(1 - q)));
    assertClose(await nn.binaryCrossEntropy(t.tensor(z).sigmoid(), t.tensor(y), { weight: t.tensor(w), reduction: "sum" }).data(), [sum(bce)], 1e-5, 1e-5);
    assert.throws(() => nn.binaryCrossEntropyWithLogits(t.tensor(z), t.tensor(y), { posWeight: t.tensor([1, 2]) }), /binaryCrossEntropyWithLogits: shapes \[2, 3\] and \[2\] do not broadcast/);
    assert.throws(() => nn.binaryCrossEntropyWithLogits(t.tensor(z), t.tensor(y), { posWeight: [1, 2, 3] as any }), /binaryCrossEntropyWithLogits: posWeight must be a Tensor, got object/);
    await gradCheck((a) => nn.binaryCrossEntropyWithLogits(a, t.tensor(y), { posWeight: t.tensor(pw), weight: t.tensor(w) }), [t.tensor(z)]);
  });

  it("poissonNllLoss and gaussianNllLoss", async () => {
    const x = [[0.5, -1, 2], [0.1, 1.2, -0.3]];
    const y = [[1, 0, 5], [2, 3, 0.5]];
    const stirling = (v: number) => (v > 1 ? v * Math.log(v) - v + 0.5 * Math.log(2 * Math.PI * v) : 0);
    const pLog = x.flat().map((v, i) => Math.exp(v) - y.flat()[i] * v + stirling(y.flat()[i]));
    assertClose(await nn.poissonNllLoss(t.tensor(x), t.tensor(y), { full: true, reduction: "none" }).data(), pLog, 1e-5, 1e-5);
    const rate = x.flat().map(Math.exp);
    const pRate = rate.map((r, i) => r - y.flat()[i] * Math.log(r + 1e-8));
    assertClose(await nn.poissonNllLoss(t.tensor(x).exp(), t.tensor(y), { logInput: false }).data(), [mean(pRate)], 1e-5, 1e-6);
    const v = [[0.5], [2]];
    const g = x.flat().map((xi, i) => { const vi = v[Math.floor(i / 3)][0]; return 0.5 * (Math.log(vi) + (xi - y.flat()[i]) ** 2 / vi) + 0.5 * Math.log(2 * Math.PI); });
    assertClose(await nn.gaussianNllLoss(t.tensor(x), t.tensor(y), t.tensor(v), { full: true, reduction: "sum" }).data(), [sum(g)], 1e-5, 1e-5);
    // A variance under eps counts as eps (1e-6), as in PyTorch.
    const clamped = [0.5 * Math.log(1e-6), 0.5 * (Math.log(1e-6) + 0.25 / 1e-6)];
    assertClose(await nn.gaussianNllLoss(t.tensor([1, 2]), t.tensor([1, 2.5]), t.tensor([0, 1e-7]), "none").data(), clamped, 1e-5, 1e-5);
    assert.throws(() => nn.gaussianNllLoss(t.tensor(x), t.tensor(y), t.ones([3, 1])), /gaussianNllLoss: shapes \[2, 3\] and \[3, 1\] do not broadcast/);
    await gradCheck((a) => nn.poissonNllLoss(a, t.tensor(y)), [t.tensor(x)]);
    await gradCheck((a, s) => nn.gaussianNllLoss(a, t.tensor(y), s), [t.tensor(x), t.tensor(v)]);
  });

  it("cosineSimilarity, pairwiseDistance, cosineEmbeddingLoss and marginRankingLoss", async () => {
    const a = [[1, 2, 3], [0, 0, 0], [-1, 0.5, 2]];
    const b = [[2, 0, 1], [1, 1, 1], [1, 1, -1]];
    const dot = (u: number[], v: number[]) => sum(u.map((x, i) => x * v[i]));
    const nrm = (u: number[]) => Math.sqrt(dot(u, u));
    const cos = a.map((u, i) => dot(u, b[i]) / (Math.max(nrm(u), 1e-8) * Math.max(nrm(b[i]), 1e-8)));
    assertClose(await nn.cosineSimilarity(t.tensor(a), t.tensor(b)).data(), cos, 1e-5, 1e-6);
    const colCos = [0, 1, 2].map((j) => { const u = a.map((r) => r[j]); const v = b.map((r) => r[j]); return dot(u, v) / (nrm(u) * nrm(v)); });
    assertClose(await nn.cosineSimilarity(t.tensor(a), t.tensor(b), 0).data(), colCos, 1e-5, 1e-6);
    const pd = a.map((u, i) => nrm(u.map((x, k) => x - b[i][k] + 1e-6)));
    assertClose(await nn.pairwiseDistance(t.tensor(a), t.tensor(b)).data(), pd, 1e-5, 1e-6);
    const pd1 = a.map((u, i) => sum(u.map((x, k) => Math.abs(x - b[i][k] + 1e-6))));
    const got1 = nn.pairwiseDistance(t.tensor(a), t.tensor(b), { p: 1, keepdim: true });
    assert.deepEqual(got1.shape, [3, 1]);
    assertClose(await got1.data(), pd1, 1e-5, 1e-6);
    const y = [1, -1, -1];
    const c12 = a.map((u, i) => dot(u, b[i]) / Math.sqrt((dot(u, u) + 1e-12) * (dot(b[i], b[i]) + 1e-12)));
    const emb = c12.map((c, i) => (y[i] === 1 ? 1 - c : Math.max(0, c - 0.1)));
    // Row 2's cos (-0.2) is below the margin: 0 there, and row 1 is a zero vector: cos 0.
    assertClose(await nn.cosineEmbeddingLoss(t.tensor(a), t.tensor(b), t.tensor(y), { margin: 0.1, reduction: "none" }).data(), emb, 1e-5, 1e-6);
    // A negative margin makes the y = -1 rows count: max(0, cos + 0.5).
    const emb2 = c12.map((c, i) => (y[i] === 1 ? 1 - c : Math.max(0, c + 0.5)));
    assertClose(await nn.cosineEmbeddingLoss(t.tensor(a), t.tensor(b), t.tensor(y), { margin: -0.5, reduction: "sum" }).data(), [sum(emb2)], 1e-5, 1e-6);
    const x1 = [0.5, 2, -1];
    const x2 = [1, 1, -1];
    const rank = x1.map((v, i) => Math.max(0, -y[i] * (v - x2[i]) + 0.5));
    assertClose(await nn.marginRankingLoss(t.tensor(x1), t.tensor(x2), t.tensor(y), { margin: 0.5 }).data(), [mean(rank)], 1e-5, 1e-6);
    assert.throws(() => nn.cosineEmbeddingLoss(t.tensor(a), t.tensor(b), t.tensor([1, 0, 1])), /cosineEmbeddingLoss: target values must be 1 or -1, got 0/);
    assert.throws(() => nn.cosineSimilarity(t.tensor(a), t.tensor(b), 2), /cosineSimilarity: dim 2 is out of range for inputs of 2 dims/);
    assert.throws(() => nn.pairwiseDistance(t.tensor(a), t.tensor(b), { p: -1 }), /pairwiseDistance: p must be a number > 0, got -1/);
    const nz = [[1, 2, 3], [0.5, -1, 1], [-1, 0.5, 2]];
    await gradCheck((u, v) => nn.cosineSimilarity(u, v).sum(), [t.tensor(nz), t.tensor(b, { dtype: "float32" })]);
    await gradCheck((u, v) => nn.pairwiseDistance(u, v).sum(), [t.tensor(nz), t.tensor(b, { dtype: "float32" })]);
    await gradCheck((u, v) => nn.cosineEmbeddingLoss(u, v, t.tensor([1, -1, 1]), { margin: -0.5 }), [t.tensor(nz), t.tensor(b, { dtype: "float32" })]);
    await gradCheck((u) => nn.marginRankingLoss(u, t.tensor(x2), t.tensor(y), { margin: 0.5 }), [t.tensor([0.5, 2.2, -1.3])]);
  });
});

eachBackend("loss modules", () => {
  it("criterion objects call the loss with their options; describe() shows them", async () => {
    const x = t.tensor([[1, 2, 3], [0, 1, 0], [2, 0, 1]]);
    const y = t.tensor([2, -100, 1]);
    const criterion = new nn.CrossEntropyLoss({ labelSmoothing: 0.1, weight: t.tensor([1, 2, 3]) });
    assertClose(await criterion.forward(x, y).data(), ceRef([[1, 2, 3], [0, 1, 0], [2, 0, 1]], [2, -100, 1], { smoothing: 0.1, weight: [1, 2, 3] }), 1e-5, 1e-6);
    assert.equal(criterion.toString(), "CrossEntropyLoss(labelSmoothing=0.1, weight=Tensor[3])");
    assert.deepEqual(criterion.parameters(), []);
    const p = t.tensor([0.5, 2]);
    const q = t.tensor([0, 1]);
    const pairs: [t.nn.Module, Tensor][] = [
      [new nn.MSELoss(), nn.mseLoss(p, q)],
      [new nn.L1Loss({ reduction: "sum" }), nn.l1Loss(p, q, "sum")],
      [new nn.SmoothL1Loss({ beta: 0.5 }), nn.smoothL1Loss(p, q, { beta: 0.5 })],
      [new nn.HuberLoss({ delta: 0.5 }), nn.huberLoss(p, q, { delta: 0.5 })],
      [new nn.BCELoss(), nn.binaryCrossEntropy(p.sigmoid(), q)],
      [new nn.BCEWithLogitsLoss({ posWeight: t.tensor([2, 2]) }), nn.binaryCrossEntropyWithLogits(p, q, { posWeight: t.tensor([2, 2]) })],
      [new nn.NLLLoss({ ignoreIndex: 0 }), nn.nllLoss(x.logSoftmax(1), t.tensor([2, 0, 1]), { ignoreIndex: 0 })],
      [new nn.KLDivLoss({ reduction: "batchmean" }), nn.klDiv(x.logSoftmax(1), x.softmax(0), { reduction: "batchmean" })],
    ];
    const inputs: [Tensor, Tensor][] = [[p, q], [p, q], [p, q], [p, q], [p.sigmoid(), q], [p, q], [x.logSoftmax(1), t.tensor([2, 0, 1])], [x.logSoftmax(1), x.softmax(0)]];
    for (let i = 0; i < pairs.length; i++) {
      assertClose(await pairs[i][0].forward(...inputs[i]).data(), await pairs[i][1].data(), 1e-6, 1e-7);
    }
    assert.equal(new nn.HuberLoss({ delta: 0.5 }).toString(), "HuberLoss(delta=0.5)");
    assert.throws(() => new nn.KLDivLoss({ reduction: "avg" as any }), /KLDivLoss: reduction must be "mean", "sum", "none", "batchmean"; got "avg"/);
    assert.throws(() => new nn.MSELoss({ beta: 1 } as any), /MSELoss: unknown option "beta"; the options are reduction/);
  });

  it("a jitted training step with CrossEntropyLoss(labelSmoothing, weight, ignoreIndex) replays the eager steps", async () => {
    const run = async (useJit: boolean) => {
      t.manualSeed(7);
      const model = new nn.Sequential(new nn.Linear(4, 8), new nn.GELU(), new nn.Linear(8, 3));
      const opt = new t.optim.SGD(model.parameters(), { lr: 0.2 });
      const criterion = new nn.CrossEntropyLoss({ labelSmoothing: 0.1, weight: t.tensor([1, 2, 0.5]) });
      const x = t.randn([6, 4]);
      const y = t.tensor([0, 1, 2, -100, 1, 0]);
      const body = (a: Tensor, b: Tensor) => {
        const loss = criterion.forward(model.forward(a), b);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        return loss;
      };
      const step = useJit ? t.jit(body) : body;
      const losses: number[] = [];
      for (let i = 0; i < 4; i++) losses.push(Number(await t.tidy(() => step(x, y)).item()));
      return { losses, w: Array.from(await model.parameters()[0].data()) };
    };
    const eager = await run(false);
    const jitted = await run(true);
    assertClose(jitted.losses, eager.losses, 1e-6, 1e-6);
    assertClose(jitted.w, eager.w, 1e-6, 1e-6);
    assert.ok(eager.losses[3] < eager.losses[0], "the loss falls");
  });
});
