// nn.clipGradNorm: the total norm it returns, gradients scaled to maxNorm when above it and
// left alone below, the infinity norm, parameters without gradients, and use under jit.

import { t, assert, assertClose, eachBackend } from "./helpers";

const { nn } = t;

eachBackend("clipGradNorm", () => {
  const withGrads = (g1: number[], g2: number[]) => {
    const a = nn.parameter(t.zeros([g1.length]));
    const b = nn.parameter(t.zeros([g2.length]));
    a.grad = t.tensor(g1, { dtype: "float32" });
    b.grad = t.tensor(g2, { dtype: "float32" });
    return [a, b];
  };

  it("scales all gradients by one factor so that their joint norm is maxNorm", async () => {
    const [a, b] = withGrads([3, 0], [0, 4]); // joint norm 5
    const total = nn.clipGradNorm([a, b], 1);
    assertClose(await total.data(), [5]);
    const f = 1 / (5 + 1e-6);
    assertClose(await a.grad!.data(), [3 * f, 0], 1e-6, 1e-7);
    assertClose(await b.grad!.data(), [0, 4 * f], 1e-6, 1e-7);
  });

  it("leaves gradients under maxNorm as they are, and skips parameters without one", async () => {
    const [a, b] = withGrads([0.3, 0], [0, 0.4]);
    const c = nn.parameter(t.zeros([2]));
    assertClose(await nn.clipGradNorm([a, b, c], 1).data(), [0.5]);
    assertClose(await a.grad!.data(), [0.3, 0]);
    assertClose(await b.grad!.data(), [0, 0.4]);
    assert.equal(c.grad, null);
    assertClose(await nn.clipGradNorm([c], 1).data(), [0]);
  });

  it("the infinity norm is the largest absolute value", async () => {
    const [a, b] = withGrads([1, -6], [2, 3]);
    assertClose(await nn.clipGradNorm([a, b], 3, { normType: Infinity }).data(), [6]);
    const f = 3 / (6 + 1e-6);
    assertClose(await a.grad!.data(), [f, -6 * f], 1e-6, 1e-7);
    assertClose(await b.grad!.data(), [2 * f, 3 * f], 1e-6, 1e-7);
    assert.throws(() => nn.clipGradNorm([a], 1, { normType: 1 }), /clipGradNorm: normType must be 2 or Infinity, got 1/);
    assert.throws(() => nn.clipGradNorm([a], -1), /clipGradNorm: maxNorm must be a number >= 0, got -1/);
  });

  it("clips inside a jitted training step as it does eagerly", async () => {
    const build = () => {
      t.manualSeed(21);
      const model = new nn.Linear(3, 2);
      return { model, opt: new t.optim.SGD(model.parameters(), { lr: 1 }) };
    };
    const x = t.tensor([[10, -20, 30], [5, 5, 5]], { dtype: "float32" });
    const y = t.tensor([0, 1]);
    const step = ({ model, opt }: ReturnType<typeof build>) => () => {
      const loss = nn.crossEntropy(model.forward(x), y);
      opt.zeroGrad();
      loss.backward();
      const norm = nn.clipGradNorm(model.parameters(), 0.1);
      opt.step();
      return norm;
    };
    const a = build();
    const b = build();
    const jitted = t.jit(step(a));
    const eager = step(b);
    for (let i = 0; i < 3; i++) assertClose(await jitted().data(), await eager().data(), 1e-5, 1e-6);
    assertClose(await a.model.weight.data(), await b.model.weight.data(), 1e-5, 1e-6);
    // The clip took effect: with lr 1 each step moved the weights by at most 0.1 in norm.
    const w0 = await build().model.weight.data();
    const moved = Math.hypot(...Array.from(await a.model.weight.data(), (v, i) => v - w0[i]));
    assert.ok(moved <= 0.3 + 1e-5, `moved ${moved}`);
  });
});
