// A training loop that never awaits cannot count on the FinalizationRegistry (its callbacks
// only run between tasks), so backward() frees what it made and what layers and losses kept
// for the gradient, as PyTorch frees its saved tensors. These tests count live buffers around
// loops with no await inside, and check the PyTorch-like rules that come with it.

import { t, assert, expectTensor, eachBackend } from "./helpers";

const liveBytes = (name: string) => t.memory().byBackend[name]?.bytes ?? 0;
const liveBuffers = (name: string) => t.memory().byBackend[name]?.buffers ?? 0;

function convnet() {
  const { nn } = t;
  return new nn.Sequential(
    new nn.Conv2d(1, 4, 3), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(4 * 5 * 5, 10), new nn.LayerNorm(10), new nn.GELU(), new nn.Dropout(0.1),
  );
}

eachBackend("backward frees", (name) => {
  it("a convnet training loop that never awaits keeps live memory flat", async () => {
    t.manualSeed(1);
    const model = convnet();
    const opt = new t.optim.Adam(model.parameters(), { lr: 1e-3 });
    const x = t.randn([8, 1, 12, 12]);
    const y = t.tensor([0, 1, 2, 3, 4, 5, 6, 7], { dtype: "int32" });
    const step = () => {
      const loss = t.nn.crossEntropy(model.forward(x), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      return loss;
    };
    step(); // Adam's state and the gradients exist from here on
    const before = liveBytes(name);
    let loss = step();
    const perStep = liveBytes(name) - before; // what one step leaves: its loss and logits
    for (let i = 0; i < 40; i++) loss = step();
    const grown = liveBytes(name) - before;
    // Without the freeing, each step kept every activation and cotangent: over 200 KB here.
    assert.ok(perStep < 2048, `one step left ${perStep} bytes`);
    assert.ok(grown < 41 * 2048, `40 more steps left ${grown} bytes`);
    assert.ok(Number.isFinite(await loss.item()));
  });

  it("the values are the same as with retainGraph (nothing freed early)", async () => {
    const run = async (retainGraph: boolean) => {
      t.manualSeed(2);
      const model = convnet();
      model.eval();
      const opt = new t.optim.SGD(model.parameters(), { lr: 0.1 });
      const x = t.randn([4, 1, 12, 12]);
      const y = t.tensor([1, 2, 3, 4], { dtype: "int32" });
      for (let i = 0; i < 3; i++) {
        const loss = t.nn.crossEntropy(model.forward(x), y);
        opt.zeroGrad();
        loss.backward({ retainGraph });
        opt.step();
      }
      return Array.from(await model.parameters()[0].data());
    };
    const freed = await run(false);
    const kept = await run(true);
    assert.deepEqual(freed, kept);
  });

  it("a second backward() through a freed graph says what to do; retainGraph allows it", async () => {
    const w = t.tensor([[0.5, -1], [2, 0.25]]).requiresGrad_();
    const x = t.tensor([[1, 2], [3, 4]]);
    const loss = t.nn.crossEntropy(x.matmul(w), t.tensor([0, 1], { dtype: "int32" }));
    loss.backward({ retainGraph: true });
    const first = Array.from(await w.grad!.data());
    loss.backward();
    const twice = Array.from(await w.grad!.data());
    twice.forEach((v, i) => assert.ok(Math.abs(v - 2 * first[i]) < 1e-6, `accumulated gradient ${twice} vs 2 x ${first}`));
    assert.throws(
      () => loss.backward(),
      /backward\(\): part of this graph was already differentiated by a backward\(\) that freed what it kept for the gradient \(as PyTorch does\); compute the forward again, or pass \{ retainGraph: true \} to the first backward\(\)/,
    );
  });

  it("a graph of plain ops (no layer or loss) can still be differentiated twice", async () => {
    const w = t.tensor([1, 2, 3], { dtype: "float32" }).requiresGrad_();
    const y = w.mul(w).sum();
    y.backward();
    y.backward();
    await expectTensor(w.grad!, [4, 8, 12]);
  });

  it("backward(gradient, options) and backward(options) both take the options", async () => {
    const w = t.tensor([1, 2], { dtype: "float32" }).requiresGrad_();
    const y = t.softmax(w.mul(3));
    y.backward(t.tensor([1, 0], { dtype: "float32" }), { retainGraph: true });
    y.backward(t.tensor([1, 0], { dtype: "float32" }));
    assert.throws(() => y.backward(t.tensor([1, 0], { dtype: "float32" })), /already differentiated/);
    const w2 = t.tensor([1, 2], { dtype: "float32" }).requiresGrad_();
    const z = t.logsumexp(w2);
    z.backward({ retainGraph: true });
    z.backward();
    const g = Array.from(await w2.grad!.data());
    const e = [Math.exp(1), Math.exp(2)];
    g.forEach((v, i) => assert.ok(Math.abs(v - (2 * e[i]) / (e[0] + e[1])) < 1e-5));
  });

  it("without autodiff a layer's intermediates are freed at once", () => {
    t.manualSeed(3);
    const model = convnet();
    const x = t.randn([2, 1, 12, 12]);
    const before = liveBuffers(name);
    const out = t.noGrad(() => model.forward(x));
    assert.equal(liveBuffers(name), before + 1, "only the output is left");
    out.dispose();
  });

  it("grad(f) frees the forward's and the backward's intermediates, returning only the gradients", async () => {
    const w = t.tensor([[0.5, -1, 0.25], [2, 0.25, -0.5]]);
    const x = t.tensor([[1, 2], [3, 4], [-1, 0.5]]);
    const labels = t.tensor([0, 2, 1], { dtype: "int32" });
    const f = (w: typeof x) => t.nn.crossEntropy(t.softmax(x.matmul(w)), labels);
    const df = t.grad(f);
    df(w).dispose(); // kernels and scalar constants exist from here on
    const before = liveBuffers(name);
    const g = df(w);
    // Left: the gradient, and what f itself returned or made by plain calls (x.matmul(w), the
    // softmax, the loss), which are the user's and go when GC finds them unreachable.
    assert.equal(liveBuffers(name) - before, 4);
    const h = 1e-3;
    const fd = await (async () => {
      const base = Array.from(await w.data());
      const out: number[] = [];
      for (let i = 0; i < base.length; i++) {
        const plus = base.slice(), minus = base.slice();
        plus[i] += h;
        minus[i] -= h;
        const fp = (await f(t.tensor(plus).reshape([2, 3])).item()) as number;
        const fm = (await f(t.tensor(minus).reshape([2, 3])).item()) as number;
        out.push((fp - fm) / (2 * h));
      }
      return out;
    })();
    Array.from(await g.data(), Number).forEach((v, i) => assert.ok(Math.abs(v - fd[i]) < 2e-3, `grad ${v} vs finite difference ${fd[i]}`));
  });

  it("a Sequential with a layer of the user's leaves its intermediates alone (the layer may keep one)", async () => {
    class Keeper extends t.nn.Module {
      last: InstanceType<typeof t.Tensor> | null = null;
      forward(x: InstanceType<typeof t.Tensor>) {
        this.last = x;
        return x.mul(2);
      }
    }
    const keeper = new Keeper();
    const model = new t.nn.Sequential(new t.nn.Linear(2, 3), new t.nn.ReLU(), keeper, new t.nn.Linear(3, 1));
    const loss = model.forward(t.tensor([[1, 2]])).sum();
    loss.backward();
    t.noGrad(() => model.forward(t.tensor([[3, 4]])));
    assert.equal(keeper.last!.shape.join(), "1,3");
    assert.equal((await keeper.last!.data()).length, 3, "the kept activation is still readable");
  });

  it("tidy() around a step still frees everything but what it returns", () => {
    t.manualSeed(4);
    const model = convnet();
    const opt = new t.optim.SGD(model.parameters(), { lr: 0.01 });
    const x = t.randn([2, 1, 12, 12]);
    const y = t.tensor([3, 7], { dtype: "int32" });
    const step = () =>
      t.tidy(() => {
        const loss = t.nn.crossEntropy(model.forward(x), y);
        opt.zeroGrad();
        loss.backward();
        opt.step();
      });
    step();
    const before = liveBuffers(name);
    step();
    assert.equal(liveBuffers(name), before);
  });
});
