// Learning-rate schedules: call sched.step() once per epoch (or per step), like PyTorch.

import type { Optimizer } from "./optimizer";

/** Multiplies the lr by gamma every stepSize steps. */
export class StepLR {
  private count = 0;
  private readonly base: number;
  constructor(readonly optimizer: Optimizer, readonly stepSize: number, readonly gamma = 0.1) {
    this.base = optimizer.lr;
  }
  step(): number {
    this.count += 1;
    this.optimizer.lr = this.base * this.gamma ** Math.floor(this.count / this.stepSize);
    return this.optimizer.lr;
  }
}

/** Cosine from the initial lr down to etaMin over tMax steps. */
export class CosineAnnealingLR {
  private count = 0;
  private readonly base: number;
  constructor(readonly optimizer: Optimizer, readonly tMax: number, readonly etaMin = 0) {
    this.base = optimizer.lr;
  }
  step(): number {
    this.count = Math.min(this.count + 1, this.tMax);
    this.optimizer.lr = this.etaMin + ((this.base - this.etaMin) * (1 + Math.cos((Math.PI * this.count) / this.tMax))) / 2;
    return this.optimizer.lr;
  }
}
