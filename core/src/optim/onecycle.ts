// OneCycleLR: PyTorch's 1cycle policy (Smith & Topin, "Super-Convergence"), stepped once per
// batch. The lr warms up from maxLr/divFactor to maxLr over the first pctStart of totalSteps,
// then anneals to maxLr/(divFactor*finalDivFactor); with threePhase it first comes back down to
// the start lr and only then anneals to the minimum, as in the paper.
//
// Only the lr cycles. PyTorch's optional momentum cycling (cycle_momentum, base_momentum,
// max_momentum) is left out: our optimizers' momentum and betas are fixed at construction
// rather than read per step.

import type { Optimizer } from "./optimizer";
import { LRScheduler, need, isCount, finite, knownOptions } from "./scheduler";
import { InputError } from "../errors";
import type { Setting } from "./state-dict";

export interface OneCycleLROptions {
  /** The peak lr (required). */
  maxLr: number;
  /** Steps in the cycle; or give epochs and stepsPerEpoch instead. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the steps spent warming up; default 0.3. */
  pctStart?: number;
  /** How the lr moves within a phase; default "cos". */
  annealStrategy?: "cos" | "linear";
  /** The start lr is maxLr / divFactor; default 25. */
  divFactor?: number;
  /** The final lr is the start lr / finalDivFactor; default 1e4. */
  finalDivFactor?: number;
  /** Come back down to the start lr before the final anneal (the paper's schedule); default false. */
  threePhase?: boolean;
}

const OPTIONS = ["maxLr", "totalSteps", "epochs", "stepsPerEpoch", "pctStart", "annealStrategy", "divFactor", "finalDivFactor", "threePhase"];

interface Phase {
  /** The (possibly fractional) step at which the phase ends, as PyTorch computes it. */
  end: number;
  from: number;
  to: number;
}

export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  readonly maxLr: number;
  readonly minLr: number;
  readonly annealStrategy: "cos" | "linear";
  private readonly phases: Phase[];

  constructor(optimizer: Optimizer, o: OneCycleLROptions) {
    const c = settings(o); // all checks before super(), which records the initial lr
    // PyTorch replaces the optimizer's initial lr with maxLr / divFactor.
    super(optimizer, "OneCycleLR", c.maxLr / c.divFactor);
    const [start, max, n, p] = [this.baseLr, c.maxLr, c.totalSteps, c.pctStart];
    const min = start / c.finalDivFactor;
    this.maxLr = max;
    this.minLr = min;
    this.totalSteps = n;
    this.annealStrategy = c.annealStrategy;
    const [e1, e2] = c.ends;
    this.phases = c.threePhase
      ? [{ end: e1, from: start, to: max }, { end: e2, from: max, to: start }, { end: n - 1, from: start, to: min }]
      : [{ end: e1, from: start, to: max }, { end: n - 1, from: max, to: min }];
    this.stepTo(0);
  }

  protected override settings(): Record<string, Setting> {
    const phases = this.phases.map((p) => ({ end_step: p.end, start_lr: p.from, end_lr: p.to }));
    return { total_steps: this.totalSteps, anneal_strategy: this.annealStrategy, _schedule_phases: phases };
  }

  protected lrAt(step: number): number {
    if (step > this.totalSteps) {
      throw new InputError(
        `OneCycleLR: tried to step ${step} times; the specified number of total steps is ${this.totalSteps} ` +
          "(make totalSteps, or epochs * stepsPerEpoch, the number of sched.step() calls)",
      );
    }
    let begin = 0;
    for (let i = 0; i < this.phases.length; i++) {
      const { end, from, to } = this.phases[i];
      // The last phase also covers step totalSteps, which PyTorch allows (one past its end).
      if (step <= end || i === this.phases.length - 1) {
        const pct = (step - begin) / (end - begin);
        return this.annealStrategy === "cos" ? to + ((from - to) * (1 + Math.cos(Math.PI * pct))) / 2 : from + (to - from) * pct;
      }
      begin = end;
    }
    throw new Error("unreachable");
  }
}

/** The options with defaults filled in, each checked, and where the phases end. */
function settings(o: OneCycleLROptions) {
  const w = "OneCycleLR";
  knownOptions(w, o, OPTIONS);
  const c = {
    maxLr: o.maxLr,
    totalSteps: stepsOf(o),
    pctStart: o.pctStart ?? 0.3,
    annealStrategy: o.annealStrategy ?? "cos",
    divFactor: o.divFactor ?? 25,
    finalDivFactor: o.finalDivFactor ?? 1e4,
    threePhase: o.threePhase ?? false,
  };
  need(w, "maxLr", c.maxLr, finite(c.maxLr) && c.maxLr > 0, "a finite number > 0 (the peak lr; it is required)");
  need(w, "pctStart", c.pctStart, finite(c.pctStart) && c.pctStart >= 0 && c.pctStart <= 1, "a number in [0, 1] (the fraction of steps spent warming up)");
  need(w, "annealStrategy", c.annealStrategy, c.annealStrategy === "cos" || c.annealStrategy === "linear", '"cos" or "linear"');
  need(w, "divFactor", c.divFactor, finite(c.divFactor) && c.divFactor > 0, "a finite number > 0 (the start lr is maxLr / divFactor)");
  const finalOk = finite(c.finalDivFactor) && c.finalDivFactor > 0;
  need(w, "finalDivFactor", c.finalDivFactor, finalOk, "a finite number > 0 (the final lr is the start lr / finalDivFactor)");
  // Phase ends exactly as PyTorch computes them (fractional when pctStart * totalSteps is), so
  // the sequence matches step for step.
  const [n, p] = [c.totalSteps, c.pctStart];
  const ends = c.threePhase ? [p * n - 1, 2 * p * n - 2, n - 1] : [p * n - 1, n - 1];
  ends.forEach((end, i) => {
    const begin = i ? ends[i - 1] : 0;
    if (end === begin) {
      // PyTorch divides by zero here.
      throw new InputError(
        `${w}: pctStart ${p} with totalSteps ${n} makes phase ${i + 1} of ${ends.length} empty ` +
          `(it starts and ends at step ${begin}); choose another pctStart`,
      );
    }
  });
  return { ...c, ends };
}

/** totalSteps, else epochs * stepsPerEpoch (PyTorch's precedence). */
function stepsOf(o: OneCycleLROptions): number {
  const w = "OneCycleLR";
  if (o.totalSteps !== undefined) {
    need(w, "totalSteps", o.totalSteps, isCount(o.totalSteps, 1), "a positive integer");
    return o.totalSteps;
  }
  if (o.epochs === undefined || o.stepsPerEpoch === undefined) {
    throw new InputError(`${w}: give totalSteps, or both epochs and stepsPerEpoch (the cycle's length in sched.step() calls)`);
  }
  need(w, "epochs", o.epochs, isCount(o.epochs, 1), "a positive integer");
  need(w, "stepsPerEpoch", o.stepsPerEpoch, isCount(o.stepsPerEpoch, 1), "a positive integer");
  return o.epochs * o.stepsPerEpoch;
}
