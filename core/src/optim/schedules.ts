// The simple learning-rate schedules, each a closed form of the epoch with PyTorch's semantics
// and defaults: StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, LambdaLR,
// ConstantLR, PolynomialLR.
// Call sched.step() once per epoch (or per batch); see scheduler.ts for the conventions.

import type { Optimizer } from "./optimizer";
import { LRScheduler, need, isCount, finite, knownOptions } from "./scheduler";
import { InputError } from "../errors";
import { describe } from "../shape";
import type { Setting } from "./state-dict";

/** Multiplies the lr by gamma every stepSize epochs. */
export class StepLR extends LRScheduler {
  constructor(optimizer: Optimizer, readonly stepSize: number, readonly gamma = 0.1) {
    super(optimizer, "StepLR");
    need("StepLR", "stepSize", stepSize, isCount(stepSize, 1), "a positive integer (epochs between decays)");
    need("StepLR", "gamma", gamma, finite(gamma) && gamma > 0, "a finite number > 0 (the decay factor)");
  }
  protected override settings(): Record<string, Setting> {
    return { step_size: this.stepSize, gamma: this.gamma };
  }
  protected lrAt(epoch: number): number {
    return this.baseLr * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}

/** Multiplies the lr by gamma at each milestone epoch. */
export class MultiStepLR extends LRScheduler {
  /** Sorted; PyTorch counts a repeated milestone once per repeat (gamma ** 2 there), so do we. */
  readonly milestones: readonly number[];
  constructor(optimizer: Optimizer, milestones: readonly number[], readonly gamma = 0.1) {
    super(optimizer, "MultiStepLR");
    need("MultiStepLR", "milestones", milestones, Array.isArray(milestones), "an array of positive integer epochs");
    milestones.forEach((m, i) => need("MultiStepLR", `milestones[${i}]`, m, isCount(m, 1), "a positive integer epoch"));
    need("MultiStepLR", "gamma", gamma, finite(gamma) && gamma > 0, "a finite number > 0 (the decay factor)");
    this.milestones = [...milestones].sort((a, b) => a - b);
  }
  protected override settings(): Record<string, Setting> {
    return { milestones: [...this.milestones], gamma: this.gamma };
  }
  protected lrAt(epoch: number): number {
    const passed = this.milestones.filter((m) => m <= epoch).length;
    return this.baseLr * this.gamma ** passed;
  }
}

/** Multiplies the lr by gamma every epoch. */
export class ExponentialLR extends LRScheduler {
  constructor(optimizer: Optimizer, readonly gamma: number) {
    super(optimizer, "ExponentialLR");
    need("ExponentialLR", "gamma", gamma, finite(gamma) && gamma > 0, "a finite number > 0 (the factor per epoch)");
  }
  protected override settings(): Record<string, Setting> {
    return { gamma: this.gamma };
  }
  protected lrAt(epoch: number): number {
    return this.baseLr * this.gamma ** epoch;
  }
}

/**
 * Cosine from the initial lr down to etaMin over tMax epochs, then holds etaMin. (PyTorch's
 * formula keeps following the cosine past tMax, back up towards the initial lr; holding the
 * floor is this class's behaviour from before and is kept.)
 */
export class CosineAnnealingLR extends LRScheduler {
  constructor(optimizer: Optimizer, readonly tMax: number, readonly etaMin = 0) {
    super(optimizer, "CosineAnnealingLR");
    need("CosineAnnealingLR", "tMax", tMax, isCount(tMax, 1), "a positive integer (epochs to anneal over)");
    need("CosineAnnealingLR", "etaMin", etaMin, finite(etaMin) && etaMin >= 0, "a finite number >= 0 (the final lr)");
  }
  /** Past tMax the cosine goes on (back up to the base lr at 2 tMax), as PyTorch's does. */
  protected override settings(): Record<string, Setting> {
    return { T_max: this.tMax, eta_min: this.etaMin };
  }
  protected lrAt(epoch: number): number {
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}

export interface LinearLROptions {
  /** The lr factor at epoch 0, in (0, 1]; default 1/3. */
  startFactor?: number;
  /** The factor from totalIters on, in [0, 1]; default 1. */
  endFactor?: number;
  /** Epochs to move from startFactor to endFactor; default 5. */
  totalIters?: number;
}

/** Scales the lr by a factor moving linearly from startFactor to endFactor (a warmup, usually). */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;
  constructor(optimizer: Optimizer, o: LinearLROptions = {}) {
    super(optimizer, "LinearLR");
    knownOptions("LinearLR", o, ["startFactor", "endFactor", "totalIters"]);
    this.startFactor = o.startFactor ?? 1 / 3;
    this.endFactor = o.endFactor ?? 1;
    this.totalIters = o.totalIters ?? 5;
    const { startFactor: s, endFactor: e, totalIters: n } = this;
    need("LinearLR", "startFactor", s, finite(s) && s > 0 && s <= 1, "a number in (0, 1] (PyTorch's range)");
    need("LinearLR", "endFactor", e, finite(e) && e >= 0 && e <= 1, "a number in [0, 1] (PyTorch's range)");
    need("LinearLR", "totalIters", n, isCount(n, 1), "a positive integer");
    this.stepTo(0); // PyTorch applies startFactor at construction
  }
  protected override settings(): Record<string, Setting> {
    return { start_factor: this.startFactor, end_factor: this.endFactor, total_iters: this.totalIters };
  }
  protected lrAt(epoch: number): number {
    const f = this.startFactor + ((this.endFactor - this.startFactor) * Math.min(epoch, this.totalIters)) / this.totalIters;
    return this.baseLr * f;
  }
}

/** Sets the lr to the initial lr times lrLambda(epoch). */
export class LambdaLR extends LRScheduler {
  constructor(optimizer: Optimizer, readonly lrLambda: (epoch: number) => number) {
    super(optimizer, "LambdaLR");
    need("LambdaLR", "lrLambda", lrLambda, typeof lrLambda === "function", "a function from the epoch to a factor of the initial lr");
    this.stepTo(0); // PyTorch applies lrLambda(0) at construction
  }
  protected lrAt(epoch: number): number {
    const f = this.lrLambda(epoch);
    if (!finite(f)) throw new InputError(`LambdaLR: lrLambda(${epoch}) returned ${describe(f)}; it must return a finite number (the factor of the initial lr)`);
    return this.baseLr * f;
  }
}

export interface ConstantLROptions {
  /** The lr factor until totalIters, in (0, 1]; default 1/3. */
  factor?: number;
  /** Epochs the factor lasts; default 5. */
  totalIters?: number;
}

/** Scales the lr by a constant factor for the first totalIters epochs, then restores it. */
export class ConstantLR extends LRScheduler {
  readonly factor: number;
  readonly totalIters: number;
  constructor(optimizer: Optimizer, o: ConstantLROptions = {}) {
    super(optimizer, "ConstantLR");
    knownOptions("ConstantLR", o, ["factor", "totalIters"]);
    this.factor = o.factor ?? 1 / 3;
    this.totalIters = o.totalIters ?? 5;
    need("ConstantLR", "factor", this.factor, finite(this.factor) && this.factor >= 0 && this.factor <= 1, "a number in [0, 1] (PyTorch's range)");
    need("ConstantLR", "totalIters", this.totalIters, isCount(this.totalIters, 0), "an integer >= 0");
    this.stepTo(0); // PyTorch applies the factor at construction
  }
  protected override settings(): Record<string, Setting> {
    return { factor: this.factor, total_iters: this.totalIters };
  }
  protected lrAt(epoch: number): number {
    return epoch < this.totalIters ? this.baseLr * this.factor : this.baseLr;
  }
}

export interface PolynomialLROptions {
  /** Epochs to decay over, after which the lr is 0; default 5. */
  totalIters?: number;
  /** The power of the polynomial; default 1 (linear). */
  power?: number;
}

/** Decays the lr to 0 over totalIters epochs as (1 - epoch / totalIters) ** power. */
export class PolynomialLR extends LRScheduler {
  readonly totalIters: number;
  readonly power: number;
  constructor(optimizer: Optimizer, o: PolynomialLROptions = {}) {
    super(optimizer, "PolynomialLR");
    knownOptions("PolynomialLR", o, ["totalIters", "power"]);
    this.totalIters = o.totalIters ?? 5;
    this.power = o.power ?? 1;
    need("PolynomialLR", "totalIters", this.totalIters, isCount(this.totalIters, 1), "a positive integer");
    need("PolynomialLR", "power", this.power, finite(this.power), "a finite number");
  }
  protected override settings(): Record<string, Setting> {
    return { total_iters: this.totalIters, power: this.power };
  }
  protected lrAt(epoch: number): number {
    return this.baseLr * (1 - Math.min(epoch, this.totalIters) / this.totalIters) ** this.power;
  }
}
