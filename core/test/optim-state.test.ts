// Optimizer state dicts: PyTorch's keys and shapes for every optimizer; a run stopped, saved
// into a fresh model and optimizer and continued gives the losses of the uninterrupted run,
// eagerly and under jit (also when the jitted step captured the state before the load); and
// the errors for a state dict that does not fit.

import { t, assert, assertClose, eachBackend, classifierStep } from "./helpers";
import type { Tensor } from "../src/index";

const { optim, nn } = t;
type Make = (ps: Tensor[]) => t.optim.Optimizer;

/** Each optimizer with options that use all of its state, and the state keys PyTorch uses. */
const kinds: [string, Make, string[]][] = [
  ["SGD (momentum, dampening)", (ps) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9, dampening: 0.2, weightDecay: 0.01 }), ["momentum_buffer"]],
  ["SGD (nesterov)", (ps) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true }), ["momentum_buffer"]],
  ["Adam", (ps) => new optim.Adam(ps, { lr: 0.01 }), ["step", "exp_avg", "exp_avg_sq"]],
  ["AdamW (amsgrad)", (ps) => new optim.AdamW(ps, { lr: 0.01, amsgrad: true }), ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"]],
  ["RMSprop (centered, momentum)", (ps) => new optim.RMSprop(ps, { lr: 0.01, centered: true, momentum: 0.5 }), ["step", "square_avg", "momentum_buffer", "grad_avg"]],
  ["Adagrad", (ps) => new optim.Adagrad(ps, { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 }), ["step", "sum"]],
  ["NAdam", (ps) => new optim.NAdam(ps, { lr: 0.01 }), ["step", "mu_product", "exp_avg", "exp_avg_sq"]],
  ["RAdam", (ps) => new optim.RAdam(ps, { lr: 0.01 }), ["step", "exp_avg", "exp_avg_sq"]],
  ["Adamax", (ps) => new optim.Adamax(ps, { lr: 0.01 }), ["step", "exp_avg", "exp_inf"]],
];

/** A small MLP; `seed` sets its initial weights (a resumed run must not depend on them). */
function mlp(seed: number) {
  t.manualSeed(seed);
  return new nn.Sequential(new nn.Linear(6, 16), new nn.ReLU(), new nn.Linear(16, 3));
}

function batch() {
  t.manualSeed(11);
  return { x: t.randn([8, 6]), y: t.tensor([0, 1, 2, 1, 0, 2, 2, 1]) };
}

/** A copy of a state dict whose tensors no longer change with training. */
function snapshot<T>(v: T): T {
  if (t.isTensor(v)) return v.clone() as T;
  if (Array.isArray(v)) return v.map(snapshot) as T;
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, snapshot(x)])) as T;
  return v;
}

async function losses(step: (x: Tensor, y: Tensor) => Tensor, n: number, x: Tensor, y: Tensor): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(Number(await t.tidy(() => step(x, y)).item()));
  return out;
}

eachBackend("optimizer state dicts", () => {
  for (const [name, make, keys] of kinds) {
    it(`${name}: PyTorch's keys and shapes, and a resumed run equals the uninterrupted one`, async () => {
      const { x, y } = batch();
      const model = mlp(1);
      const opt = make(model.parameters());
      const before = await losses(classifierStep(model, opt), 3, x, y);
      const sd = opt.stateDict();
      assert.deepEqual(Object.keys(sd.state).map(Number), [0, 1, 2, 3]);
      model.parameters().forEach((p, i) => {
        assert.deepEqual(Object.keys(sd.state[i]), keys);
        for (const k of keys) {
          const v = sd.state[i][k];
          if (k === "step") assert.equal(v, 3);
          else if (k === "mu_product") assert.equal(typeof v, "number");
          else assert.deepEqual((v as Tensor).shape, p.shape, k);
        }
      });
      assert.equal(sd.param_groups.length, 1);
      assert.deepEqual(sd.param_groups[0].params, [0, 1, 2, 3]);
      assert.equal(sd.param_groups[0].lr, opt.lr);
      const saved = { model: snapshot(model.stateDict()), opt: snapshot(sd) };
      const after = await losses(classifierStep(model, opt), 3, x, y);

      const model2 = mlp(2);
      const opt2 = make(model2.parameters());
      model2.loadStateDict(saved.model);
      opt2.loadStateDict(saved.opt);
      assert.equal(opt2.stepCount, name.startsWith("SGD") ? 1 : 3);
      const resumed = await losses(classifierStep(model2, opt2), 3, x, y);
      assertClose(resumed, after, 1e-6, 1e-7);
      assert.ok(after[2] < before[0], "the loss falls");
      // Without the optimizer's state the continuation differs: the test can tell.
      const model3 = mlp(2);
      model3.loadStateDict(saved.model);
      const fresh = await losses(classifierStep(model3, make(model3.parameters())), 3, x, y);
      assert.ok(fresh.some((l, i) => Math.abs(l - after[i]) > 1e-5), "a fresh optimizer continues differently");
    });
  }

  it("a jitted step resumes: fresh model and optimizer, loaded, jitted again; also loaded after tracing", async () => {
    const { x, y } = batch();
    const make: Make = (ps) => new optim.Adam(ps, { lr: 0.02 });
    const model = mlp(1);
    const opt = make(model.parameters());
    const step = t.jit(classifierStep(model, opt));
    await losses(step, 3, x, y);
    const saved = { model: snapshot(model.stateDict()), opt: snapshot(opt.stateDict()) };
    const after = await losses(step, 3, x, y);

    // Loaded before the new jitted step is traced.
    const model2 = mlp(2);
    const opt2 = make(model2.parameters());
    model2.loadStateDict(saved.model);
    opt2.loadStateDict(saved.opt);
    const step2 = t.jit(classifierStep(model2, opt2));
    assertClose(await losses(step2, 3, x, y), after, 1e-6, 1e-7);

    // Loaded after it was traced (the trace holds the state tensors): copied in place, it is seen.
    const model3 = mlp(3);
    const opt3 = make(model3.parameters());
    const step3 = t.jit(classifierStep(model3, opt3));
    await losses(step3, 2, x, y);
    model3.loadStateDict(saved.model);
    opt3.loadStateDict(saved.opt);
    assertClose(await losses(step3, 3, x, y), after, 1e-6, 1e-7);
    assert.equal(step3.traces, 1);
  });

  it("state the loaded dict lacks goes back to its start, in place", async () => {
    const { x, y } = batch();
    const model = mlp(1);
    const opt = new optim.Adagrad(model.parameters(), { lr: 0.1, initialAccumulatorValue: 0.5 });
    const empty = snapshot(opt.stateDict()); // before any step: no state
    assert.deepEqual(empty.state, {});
    await losses(classifierStep(model, opt), 2, x, y);
    const sum = opt.stateDict().state[0].sum as Tensor;
    opt.loadStateDict(empty);
    assert.equal(opt.stepCount, 0);
    assert.ok((Array.from(await sum.data()) as number[]).every((v) => v === 0.5));
  });

  it("rejects a state dict for other parameters, shapes, types or settings, changing nothing", async () => {
    const { x, y } = batch();
    const model = mlp(1);
    const adam = new optim.Adam(model.parameters(), { lr: 0.01 });
    await losses(classifierStep(model, adam), 1, x, y);
    const sd = adam.stateDict();
    const fewer = new optim.Adam(model.parameters().slice(0, 3), { lr: 0.01 });
    assert.throws(() => fewer.loadStateDict(sd), /Adam.loadStateDict: the state dict is for 4 parameters but this optimizer has 3/);
    const other = new nn.Sequential(new nn.Linear(6, 5), new nn.ReLU(), new nn.Linear(5, 3));
    assert.throws(
      () => new optim.Adam(other.parameters(), { lr: 0.01 }).loadStateDict(sd),
      /state\[0\]\.exp_avg has shape \[16, 6\] but parameter 0 has shape \[5, 6\]/,
    );
    const sgd = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    assert.throws(() => sgd.loadStateDict(sd), /SGD.loadStateDict: param_groups\[0\] has .*betas.*another optimizer type/);
    assert.throws(() => new optim.Adam(model.parameters(), { betas: [0.8, 0.999] }).loadStateDict(sd), /betas is \[0.9,0.999\] but this one's is \[0.8,0.999\]/);
    assert.throws(() => new optim.Adam(model.parameters(), { amsgrad: true }).loadStateDict(sd), /amsgrad is false but this one's is true/);
    const broken = { ...sd, state: { ...sd.state, 1: { ...sd.state[1], momentum_buffer: sd.state[1].exp_avg } } };
    assert.throws(() => adam.loadStateDict(broken), /state\[1\] holds momentum_buffer, which a Adam with these options does not keep/);
    assert.throws(() => adam.loadStateDict({ state: {}, param_groups: [] }), /has 0 parameter groups/);
    // A failed load changed nothing: the optimizer goes on from where it was.
    assert.equal(adam.stepCount, 1);
    assert.equal(fewer.stepCount, 0);
  });
});
