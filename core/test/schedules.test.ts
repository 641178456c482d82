// Learning-rate schedulers against sequences worked out by hand from PyTorch's documented
// formulas. PyTorch's convention throughout: the scheduler is built at epoch 0 (getLastLr() is
// the epoch-0 lr) and each step() moves to the next epoch. Also: ReduceLROnPlateau's patience,
// cooldown and thresholds, OneCycleLR's shape and step limit, SequentialLR's hand-over, the
// argument errors, and a schedule honoured by a jitted training step.

import { t, assert, assertClose, classifierStep } from "./helpers";
import type { Tensor } from "../src/index";

const { optim } = t;

const sgd = (lr = 1) => new optim.SGD([t.tensor([1], { dtype: "float32" }).requiresGrad_()], { lr });

/** The epoch-0 lr followed by the lr after each of n steps. */
function lrs(s: { step(): number; getLastLr(): number[] }, n: number): number[] {
  const out = [s.getLastLr()[0]];
  for (let i = 0; i < n; i++) out.push(s.step());
  return out;
}

const close = (got: number[], want: number[]) => assertClose(got, want, 1e-12, 1e-15);
const cosine = (from: number, to: number, pct: number) => to + ((from - to) * (1 + Math.cos(Math.PI * pct))) / 2;

describe("epoch schedules", () => {
  it("StepLR decays every stepSize epochs and reports getLastLr", () => {
    const opt = sgd();
    const s = new optim.StepLR(opt, 2, 0.5);
    assert.deepEqual(lrs(s, 5), [1, 1, 0.5, 0.5, 0.25, 0.25]);
    assert.deepEqual(s.getLastLr(), [0.25]);
    assert.equal(opt.lr, 0.25);
    assert.equal(s.lastEpoch, 5);
  });

  it("MultiStepLR decays at each milestone, in any order, repeats counting twice", () => {
    assert.deepEqual(lrs(new optim.MultiStepLR(sgd(), [4, 2], 0.5), 6), [1, 1, 0.5, 0.5, 0.25, 0.25, 0.25]);
    assert.deepEqual(lrs(new optim.MultiStepLR(sgd(), [2, 2], 0.5), 3), [1, 1, 0.25, 0.25]);
    close(lrs(new optim.MultiStepLR(sgd(), [1]), 2), [1, 0.1, 0.1]); // gamma defaults to 0.1
  });

  it("ExponentialLR multiplies by gamma every epoch", () => {
    close(lrs(new optim.ExponentialLR(sgd(0.1), 0.9), 4), [0.1, 0.09, 0.081, 0.0729, 0.06561]);
  });

  it("CosineAnnealingLR follows the cosine to etaMin at tMax, and on past it as PyTorch's does", () => {
    const got = lrs(new optim.CosineAnnealingLR(sgd(), 4, 0.1), 8);
    const [hi, lo] = [0.1 + 0.45 * (1 + Math.SQRT1_2), 0.1 + 0.45 * (1 - Math.SQRT1_2)];
    // PyTorch 2.x, CosineAnnealingLR(opt, T_max=4, eta_min=0.1) from lr 1: 1, 0.868, 0.55, 0.232, 0.1, 0.232, ...
    close(got, [1, hi, 0.55, lo, 0.1, lo, 0.55, hi, 1]);
  });

  it("LinearLR moves the factor from startFactor to endFactor, applied at construction", () => {
    const opt = sgd(0.3);
    const s = new optim.LinearLR(opt); // defaults 1/3 -> 1 over 5 epochs
    assert.ok(Math.abs(opt.lr - 0.1) < 1e-15, "epoch 0's lr is set when the scheduler is built");
    close(lrs(s, 6), [0.1, 0.14, 0.18, 0.22, 0.26, 0.3, 0.3]);
    close(lrs(new optim.LinearLR(sgd(), { startFactor: 1, endFactor: 0.5, totalIters: 2 }), 3), [1, 0.75, 0.5, 0.5]);
  });

  it("LambdaLR sets the initial lr times lrLambda(epoch), from construction on", () => {
    const opt = sgd(2);
    const s = new optim.LambdaLR(opt, (e) => (e + 1) / 4);
    assert.equal(opt.lr, 0.5);
    close(lrs(s, 3), [0.5, 1, 1.5, 2]);
  });

  it("a second scheduler on an optimizer scales the initial lr, as PyTorch's initial_lr", () => {
    const opt = sgd();
    new optim.LinearLR(opt, { startFactor: 0.1 });
    const c = new optim.CosineAnnealingLR(opt, 2);
    assert.equal(c.baseLr, 1);
    close([c.step(), c.step()], [0.5, 0]);
  });

  it("stepTo jumps to an epoch", () => {
    const s = new optim.StepLR(sgd(), 2, 0.5);
    assert.equal(s.stepTo(5), 0.25);
    assert.equal(s.step(), 0.125);
    assert.equal(s.stepTo(0), 1);
  });

  it("rejects bad arguments, naming the value and what is allowed", () => {
    const opt = sgd();
    const cases: [() => unknown, RegExp][] = [
      [() => new optim.StepLR(opt, 0), /StepLR: stepSize must be a positive integer .*got 0/],
      [() => new optim.StepLR(opt, 2, -1), /StepLR: gamma must be a finite number > 0 .*got -1/],
      [() => new optim.StepLR({} as never, 2), /StepLR: the first argument must be an optimizer .*got object/],
      [() => new optim.MultiStepLR(opt, [2, 0]), /MultiStepLR: milestones\[1\] must be a positive integer epoch, got 0/],
      [() => new optim.MultiStepLR(opt, 3 as never), /MultiStepLR: milestones must be an array/],
      [() => new optim.ExponentialLR(opt, NaN), /ExponentialLR: gamma must be a finite number > 0 .*got NaN/],
      [() => new optim.CosineAnnealingLR(opt, 2.5), /CosineAnnealingLR: tMax must be a positive integer .*got 2.5/],
      [() => new optim.CosineAnnealingLR(opt, 4, -0.1), /CosineAnnealingLR: etaMin must be a finite number >= 0 .*got -0.1/],
      [() => new optim.LinearLR(opt, { startFactor: 0 }), /LinearLR: startFactor must be a number in \(0, 1\] .*got 0/],
      [() => new optim.LinearLR(opt, { endFactor: 2 }), /LinearLR: endFactor must be a number in \[0, 1\] .*got 2/],
      [() => new optim.LinearLR(opt, { totalIters: 0 }), /LinearLR: totalIters must be a positive integer, got 0/],
      [() => new optim.LinearLR(opt, { start_factor: 0.1 } as never), /LinearLR: unknown option "start_factor" \(did you mean startFactor\?\)/],
      [() => new optim.LinearLR(opt, 0.1 as never), /LinearLR: options must be an object such as \{ startFactor: \.\.\. \}, got 0.1/],
      [() => new optim.LambdaLR(opt, 0.5 as never), /LambdaLR: lrLambda must be a function .*got 0.5/],
      [() => new optim.LambdaLR(opt, () => NaN), /LambdaLR: lrLambda\(0\) returned NaN; it must return a finite number/],
      [() => new optim.StepLR(opt, 2).stepTo(-1), /StepLR.stepTo: epoch must be an integer >= 0, got -1/],
    ];
    for (const [fn, re] of cases) assert.throws(fn, (e: Error) => e.name === "InputError" && re.test(e.message), String(re));
  });
});

describe("OneCycleLR", () => {
  it("warms up from maxLr/divFactor to maxLr at step pctStart*totalSteps-1, then anneals to the minimum", () => {
    const opt = sgd(123); // the optimizer's own lr is replaced, as in PyTorch
    const s = new optim.OneCycleLR(opt, { maxLr: 1, totalSteps: 10 });
    assert.ok(Math.abs(opt.lr - 0.04) < 1e-15, "the lr starts at maxLr / divFactor");
    const got = lrs(s, 10);
    const min = 1 / (25 * 1e4);
    // Phase 1 ends at 0.3 * 10 - 1 = 2; phase 2 runs from step 2 to step 9 (and on to 10).
    const want = [0.04, 0.52, 1, ...[3, 4, 5, 6, 7, 8, 9, 10].map((k) => cosine(1, min, (k - 2) / 7))];
    close(got, want);
    assert.equal(Math.max(...got), got[2]);
    assert.ok(Math.abs(got[9] - min) < 1e-15, "the last planned step reaches maxLr/(divFactor*finalDivFactor)");
    assert.throws(() => s.step(), /OneCycleLR: tried to step 11 times; the specified number of total steps is 10/);
    assert.equal(s.lastEpoch, 10);
  });

  it("linear annealing, threePhase and epochs * stepsPerEpoch", () => {
    const lin = lrs(new optim.OneCycleLR(sgd(), { maxLr: 1, totalSteps: 10, annealStrategy: "linear" }), 9);
    const min = 4e-6;
    close(lin, [0.04, 0.52, 1, ...[3, 4, 5, 6, 7, 8, 9].map((k) => 1 + ((min - 1) * (k - 2)) / 7)]);
    // Three phases end at steps 2 (peak), 4 (back to the start lr) and 9 (minimum).
    const three = lrs(new optim.OneCycleLR(sgd(), { maxLr: 1, epochs: 2, stepsPerEpoch: 5, threePhase: true, divFactor: 10, finalDivFactor: 100 }), 9);
    close(three, [0.1, 0.55, 1, 0.55, 0.1, ...[5, 6, 7, 8, 9].map((k) => cosine(0.1, 1e-3, (k - 4) / 5))]);
    // A fractional phase end, as PyTorch computes it: 0.25 * 10 - 1 = 1.5.
    const frac = lrs(new optim.OneCycleLR(sgd(), { maxLr: 1, totalSteps: 10, pctStart: 0.25 }), 2);
    close(frac, [0.04, cosine(0.04, 1, 1 / 1.5), cosine(1, min, 0.5 / 7.5)]);
  });

  it("rejects bad options", () => {
    const opt = sgd();
    const cases: [() => unknown, RegExp][] = [
      [() => new optim.OneCycleLR(opt, { maxLr: 1 }), /OneCycleLR: give totalSteps, or both epochs and stepsPerEpoch/],
      [() => new optim.OneCycleLR(opt, { maxLr: 1, epochs: 2 }), /give totalSteps, or both epochs and stepsPerEpoch/],
      [() => new optim.OneCycleLR(opt, { maxLr: 1, totalSteps: 0 }), /OneCycleLR: totalSteps must be a positive integer, got 0/],
      [() => new optim.OneCycleLR(opt, { maxLr: 0, totalSteps: 5 }), /OneCycleLR: maxLr must be a finite number > 0 .*got 0/],
      [() => new optim.OneCycleLR(opt, { maxLr: 1, totalSteps: 5, pctStart: 1.5 }), /pctStart must be a number in \[0, 1\] .*got 1.5/],
      [() => new optim.OneCycleLR(opt, { maxLr: 1, totalSteps: 5, annealStrategy: "exp" as never }), /annealStrategy must be "cos" or "linear", got "exp"/],
      [() => new optim.OneCycleLR(opt, { maxLr: 1, totalSteps: 5, divFactor: 0 }), /divFactor must be a finite number > 0 .*got 0/],
      [() => new optim.OneCycleLR(opt, { max_lr: 1, totalSteps: 5 } as never), /unknown option "max_lr" \(did you mean maxLr\?\)/],
      [() => new optim.OneCycleLR(opt, { maxLr: 1, totalSteps: 4, pctStart: 0.25 }), /pctStart 0.25 with totalSteps 4 makes phase 1 of 2 empty/],
    ];
    for (const [fn, re] of cases) assert.throws(fn, (e: Error) => e.name === "InputError" && re.test(e.message), String(re));
  });
});

describe("ReduceLROnPlateau", () => {
  const run = (o: ConstructorParameters<typeof optim.ReduceLROnPlateau>[1], metrics: number[], lr = 1) => {
    const s = new optim.ReduceLROnPlateau(sgd(lr), o);
    return { lrs: metrics.map((m) => s.step(m)), s };
  };

  it("reduces after more than patience epochs without improvement", () => {
    close(run({ patience: 2, factor: 0.5 }, [1, 1, 1, 1, 1, 1, 1]).lrs, [1, 1, 1, 0.5, 0.5, 0.5, 0.25]);
    // An improvement resets the count; the default factor is 0.1.
    close(run({ patience: 1 }, [5, 4, 4, 3, 3, 3]).lrs, [1, 1, 1, 1, 1, 0.1]);
  });

  it("ignores bad epochs during cooldown", () => {
    close(run({ patience: 0, cooldown: 2, factor: 0.5 }, [1, 1, 1, 1, 1, 1, 1, 1]).lrs, [1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125]);
  });

  it("threshold modes: rel needs best*(1-threshold), abs needs best-threshold", () => {
    const rel = run({ patience: 0, factor: 0.5, threshold: 0.1 }, [10, 9.5]);
    close(rel.lrs, [1, 0.5]); // 9.5 is not below 9
    assert.equal(rel.s.best, 10);
    const abs = run({ patience: 0, factor: 0.5, threshold: 0.1, thresholdMode: "abs" }, [10, 9.5]);
    close(abs.lrs, [1, 1]); // 9.5 is below 9.9
    assert.equal(abs.s.best, 9.5);
  });

  it("mode max looks for increases, with either threshold mode", () => {
    close(run({ mode: "max", patience: 1, threshold: 0 }, [0.5, 0.6, 0.6, 0.6]).lrs, [1, 1, 1, 0.1]);
    close(run({ mode: "max", patience: 0, threshold: 0.1 }, [1, 1.05]).lrs, [1, 0.1]); // not above 1.1
    close(run({ mode: "max", patience: 0, threshold: 0.01, thresholdMode: "abs" }, [1, 1.05]).lrs, [1, 1]);
  });

  it("stops at minLr and skips reductions smaller than eps", () => {
    close(run({ patience: 0, minLr: 0.05 }, [1, 1, 1, 1]).lrs, [1, 0.1, 0.05, 0.05]);
    close(run({ patience: 0, factor: 0.5, eps: 0.3 }, [1, 1, 1, 1]).lrs, [1, 0.5, 0.5, 0.5]);
    // The default eps 1e-8: 1.25e-8 -> 6.25e-9 is a change below it.
    close(run({ patience: 0, factor: 0.5 }, [1, 1, 1, 1, 1], 1e-7).lrs, [1e-7, 5e-8, 2.5e-8, 1.25e-8, 1.25e-8]);
  });

  it("getLastLr, and errors for bad options and a non-number metric", () => {
    const { s } = run({ patience: 0 }, [1, 1]);
    assert.deepEqual(s.getLastLr(), [0.1]);
    assert.equal(s.lastEpoch, 2);
    const cases: [() => unknown, RegExp][] = [
      [() => s.step(t.tensor(1) as never), /ReduceLROnPlateau.step: metric must be a number \(for a tensor, pass await x.item\(\)\), got object/],
      [() => new optim.ReduceLROnPlateau(sgd(), { factor: 1 }), /ReduceLROnPlateau: factor must be a number in \[0, 1\) .*got 1/],
      [() => new optim.ReduceLROnPlateau(sgd(), { mode: "mn" as never }), /mode must be "min" \(a loss\) or "max" \(an accuracy\), got "mn"/],
      [() => new optim.ReduceLROnPlateau(sgd(), { thresholdMode: "pct" as never }), /thresholdMode must be "rel" or "abs", got "pct"/],
      [() => new optim.ReduceLROnPlateau(sgd(), { patience: -1 }), /patience must be an integer >= 0 .*got -1/],
      [() => new optim.ReduceLROnPlateau(sgd(), { min_lr: 0.1 } as never), /unknown option "min_lr" \(did you mean minLr\?\)/],
    ];
    for (const [fn, re] of cases) assert.throws(fn, (e: Error) => e.name === "InputError" && re.test(e.message), String(re));
  });
});

describe("SequentialLR", () => {
  it("a LinearLR warmup then CosineAnnealingLR, each counting from its own epoch 0", () => {
    const opt = sgd();
    const warm = new optim.LinearLR(opt, { startFactor: 0.1, totalIters: 3 });
    const decay = new optim.CosineAnnealingLR(opt, 4);
    const s = new optim.SequentialLR(opt, [warm, decay], [3]);
    assert.ok(Math.abs(opt.lr - 0.1) < 1e-15);
    // Epochs 0-2 warm up (the switch comes before LinearLR's own epoch 3); from epoch 3 the
    // cosine starts at its epoch 0, i.e. the initial lr.
    close(lrs(s, 7), [0.1, 0.4, 0.7, 1, cosine(1, 0, 1 / 4), 0.5, cosine(1, 0, 3 / 4), 0]);
    assert.deepEqual(s.getLastLr(), [0]);
  });

  it("restores what building a later scheduler changed", () => {
    const opt = sgd();
    const first = new optim.ExponentialLR(opt, 0.5);
    const then = new optim.LinearLR(opt); // lowers the lr to 1/3 on construction
    const s = new optim.SequentialLR(opt, [first, then], [2]);
    assert.equal(opt.lr, 1);
    close(lrs(s, 3), [1, 0.5, 1 / 3, 1 / 3 + 2 / 15]);
  });

  it("rejects mismatched milestones, other optimizers and ReduceLROnPlateau", () => {
    const opt = sgd();
    const a = new optim.StepLR(opt, 2);
    const b = new optim.ExponentialLR(opt, 0.9);
    const cases: [() => unknown, RegExp][] = [
      [() => new optim.SequentialLR(opt, [a, b], []), /got 2 schedulers and 0 milestones; give one milestone fewer than schedulers/],
      [() => new optim.SequentialLR(opt, [], []), /schedulers must be a non-empty array of schedulers/],
      [() => new optim.SequentialLR(opt, [a, b, a], [3, 3]), /milestones\[1\] must be an integer > milestones\[0\] \(3\), got 3/],
      [() => new optim.SequentialLR(opt, [a, new optim.StepLR(sgd(), 2)], [3]), /schedulers\[1\] \(StepLR\) drives a different optimizer/],
      [() => new optim.SequentialLR(opt, [a, new optim.ReduceLROnPlateau(opt) as never], [3]), /schedulers\[1\] is a ReduceLROnPlateau, which needs a metric/],
    ];
    for (const [fn, re] of cases) assert.throws(fn, (e: Error) => e.name === "InputError" && re.test(e.message), String(re));
  });
});

describe("schedules under jit", () => {
  const values = async (x: Tensor) => Array.from(await x.data());

  it("a jitted training step follows OneCycleLR's lr like the eager step", async () => {
    const run = async (useJit: boolean, schedule = true) => {
      t.manualSeed(5);
      const model = new t.nn.Sequential(new t.nn.Linear(4, 8), new t.nn.Tanh(), new t.nn.Linear(8, 2));
      const x = t.randn([6, 4]);
      const y = t.tensor([0, 1, 1, 0, 1, 0]);
      const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
      const sched = new optim.OneCycleLR(opt, { maxLr: 0.5, totalSteps: 5 });
      const body = classifierStep(model, opt);
      const step = useJit ? t.jit(body) : body;
      const seen: number[] = [];
      for (let i = 0; i < 5; i++) {
        seen.push(opt.lr);
        await t.tidy(() => step(x, y)).item();
        if (schedule) sched.step();
      }
      const params = await Promise.all(model.parameters().map(values));
      return { seen, params, traces: useJit ? (step as ReturnType<typeof t.jit>).traces : 0 };
    };
    const eager = await run(false);
    const jitted = await run(true);
    assert.equal(jitted.traces, 1);
    assert.equal(new Set(eager.seen).size, 5, "the lr changes at every step");
    jitted.params.forEach((p, i) => assertClose(p, eager.params[i], 1e-6, 1e-6));
    // The comparison can tell: staying at the start lr ends somewhere else.
    const constant = await run(true, false);
    assert.ok(constant.params[0].some((v, i) => Math.abs(v - eager.params[0][i]) > 1e-3));
  });
});
