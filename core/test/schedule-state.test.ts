// Scheduler state dicts: PyTorch's keys; a scheduler stopped, loaded into a fresh optimizer and
// scheduler and continued gives the lrs of the uninterrupted one, for every scheduler; and the
// errors for a state dict of another type or settings.

import { t, assert, assertClose, eachBackend } from "./helpers";

const { optim } = t;
type Sched = { step(metric?: number): number; getLastLr(): number[]; stateDict(): t.optim.SchedulerStateDict; loadStateDict(sd: t.optim.SchedulerStateDict): void };

const sgd = () => new optim.SGD([t.tensor([1], { dtype: "float32" }).requiresGrad_()], { lr: 0.5, momentum: 0.9 });

/** Each scheduler, built on a fresh optimizer; metrics drive ReduceLROnPlateau. */
const kinds: [string, (opt: t.optim.Optimizer) => Sched][] = [
  ["StepLR", (o) => new optim.StepLR(o, 2, 0.5)],
  ["MultiStepLR", (o) => new optim.MultiStepLR(o, [2, 5], 0.5)],
  ["ExponentialLR", (o) => new optim.ExponentialLR(o, 0.8)],
  ["CosineAnnealingLR", (o) => new optim.CosineAnnealingLR(o, 6, 0.01)],
  ["LinearLR", (o) => new optim.LinearLR(o, { startFactor: 0.25, totalIters: 6 })],
  ["LambdaLR", (o) => new optim.LambdaLR(o, (e) => 1 / (1 + e))],
  ["OneCycleLR", (o) => new optim.OneCycleLR(o, { maxLr: 1, totalSteps: 10 })],
  ["ConstantLR", (o) => new optim.ConstantLR(o, { factor: 0.5, totalIters: 5 })],
  ["PolynomialLR", (o) => new optim.PolynomialLR(o, { totalIters: 8, power: 2 })],
  ["CosineAnnealingWarmRestarts", (o) => new optim.CosineAnnealingWarmRestarts(o, 2, { tMult: 2 })],
  ["CyclicLR", (o) => new optim.CyclicLR(o, { baseLr: 0.1, maxLr: 1, stepSizeUp: 3, mode: "triangular2" })],
  ["SequentialLR", (o) => new optim.SequentialLR(o, [new optim.LinearLR(o, { totalIters: 3 }), new optim.ExponentialLR(o, 0.7)], [3])],
  // Saved in cooldown (the cooldown counter matters), and saved after two bad epochs (the best
  // metric and the count of bad epochs matter); see the metrics below.
  ["ReduceLROnPlateau (cooldown)", (o) => new optim.ReduceLROnPlateau(o, { patience: 1, cooldown: 1, factor: 0.5 })],
  ["ReduceLROnPlateau (patience 2)", (o) => new optim.ReduceLROnPlateau(o, { patience: 2, factor: 0.5 })],
];

const metrics = [1, 0.9, 0.95, 0.96, 0.97, 0.98, 0.99, 0.8, 0.85, 0.7];
const stepOf = (s: Sched, i: number) => s.step(metrics[i]);

eachBackend("scheduler state dicts", () => {
  for (const [name, make] of kinds) {
    it(`${name}: a resumed scheduler continues with the uninterrupted lrs`, () => {
      const opt = sgd();
      const s = make(opt);
      for (let i = 0; i < 4; i++) stepOf(s, i);
      const sd = s.stateDict();
      assert.equal(sd.last_epoch, 4);
      assert.deepEqual(sd._last_lr, [opt.lr]);
      const rest = [4, 5, 6, 7, 8].map((i) => stepOf(s, i));

      const opt2 = sgd();
      const s2 = make(opt2);
      s2.loadStateDict(sd);
      assert.equal(opt2.lr, sd._last_lr && (sd._last_lr as number[])[0]);
      const resumed = [4, 5, 6, 7, 8].map((i) => stepOf(s2, i));
      assertClose(resumed, rest, 1e-12, 1e-15);
      // Not stopping at all would differ from restarting at epoch 0: the comparison can tell.
      const fresh = make(sgd());
      assert.ok([4, 5, 6, 7, 8].map((i) => stepOf(fresh, i - 4)).some((lr, i) => lr !== rest[i]), "a fresh scheduler differs");
    });
  }

  it("uses PyTorch's keys", () => {
    const opt = sgd();
    assert.deepEqual(Object.keys(new optim.StepLR(opt, 3).stateDict()), ["step_size", "gamma", "base_lrs", "last_epoch", "_last_lr"]);
    assert.deepEqual(new optim.CosineAnnealingLR(opt, 5).stateDict(), { T_max: 5, eta_min: 0, base_lrs: [0.5], last_epoch: 0, _last_lr: [0.5] });
    const plateau = new optim.ReduceLROnPlateau(opt).stateDict();
    for (const k of ["best", "num_bad_epochs", "cooldown_counter", "last_epoch", "_last_lr", "min_lrs", "threshold_mode"]) assert.ok(k in plateau, k);
    assert.equal(plateau.best, Infinity);
    const seq = new optim.SequentialLR(opt, [new optim.ConstantLR(opt), new optim.StepLR(opt, 2)], [4]).stateDict();
    assert.deepEqual(Object.keys(seq), ["_milestones", "last_epoch", "_last_lr", "_schedulers"]);
    assert.equal((seq._schedulers as t.optim.SchedulerStateDict[])[1].step_size, 2);
  });

  it("rejects a state dict of another type or other settings, changing nothing", () => {
    const opt = sgd();
    const step = new optim.StepLR(opt, 2, 0.5);
    step.step();
    const sd = step.stateDict();
    const expo = new optim.ExponentialLR(sgd(), 0.5);
    assert.throws(() => expo.loadStateDict(sd), /ExponentialLR.loadStateDict: the state dict has .*step_size.*was it saved from another scheduler type\?/);
    assert.throws(() => new optim.StepLR(sgd(), 2, 0.1).loadStateDict(sd), /StepLR.loadStateDict: the state dict's gamma is 0.5 but this one's is 0.1/);
    assert.throws(() => new optim.StepLR(sgd(), 2, 0.5).loadStateDict({ ...sd, last_epoch: -1 }), /last_epoch must be an integer >= 0, got -1/);
    assert.throws(() => new optim.ReduceLROnPlateau(sgd()).loadStateDict(sd), /another scheduler type/);
    // SequentialLR: the second child refuses; the first, already loaded, goes back.
    const o2 = sgd();
    const a = new optim.LinearLR(o2, { totalIters: 3 });
    const seq = new optim.SequentialLR(o2, [a, new optim.StepLR(o2, 2, 0.5)], [3]);
    const other = sgd();
    const saved = new optim.SequentialLR(other, [new optim.LinearLR(other, { totalIters: 3 }), new optim.StepLR(other, 2, 0.9)], [3]);
    for (let i = 0; i < 2; i++) saved.step();
    assert.throws(() => seq.loadStateDict(saved.stateDict()), /StepLR.loadStateDict: the state dict's gamma is 0.9/);
    assert.equal(a.lastEpoch, 0);
    assert.equal(seq.lastEpoch, 0);
  });
});
