// Adagrad with PyTorch's update rule and defaults (torch.optim.Adagrad): each parameter's step
// is its gradient divided by the root of the sum of all its squared gradients so far, so often
// updated parameters slow down; the learning rate may also decay with the step count.

import type { Tensor } from "../tensor";
import { Optimizer, nonNegative, type Slot } from "./optimizer";
import type { Setting } from "./state-dict";

export interface AdagradOptions {
  /** Learning rate; default 0.01. */
  lr?: number;
  /** The lr at step t is lr / (1 + (t - 1) * lrDecay); default 0. */
  lrDecay?: number;
  /** L2 penalty added to the gradient; default 0. */
  weightDecay?: number;
  /** Where the sum of squared gradients starts; default 0. */
  initialAccumulatorValue?: number;
  /** Added to the root of the sum so the division stays finite; default 1e-10. */
  eps?: number;
}

export class Adagrad extends Optimizer {
  readonly lrDecay: number;
  readonly weightDecay: number;
  readonly initialAccumulatorValue: number;
  readonly eps: number;
  private readonly sum: Slot;
  constructor(params: Iterable<Tensor>, o: AdagradOptions = {}) {
    super(params, o.lr ?? 0.01);
    this.lrDecay = nonNegative("Adagrad", "lrDecay", o.lrDecay, 0);
    this.weightDecay = nonNegative("Adagrad", "weightDecay", o.weightDecay, 0);
    this.initialAccumulatorValue = nonNegative("Adagrad", "initialAccumulatorValue", o.initialAccumulatorValue, 0);
    this.eps = nonNegative("Adagrad", "eps", o.eps, 1e-10);
    this.sum = this.slot("sum", this.initialAccumulatorValue);
  }
  protected settings(): Record<string, Setting> {
    return { lr_decay: this.lrDecay, weight_decay: this.weightDecay, initial_accumulator_value: this.initialAccumulatorValue, eps: this.eps };
  }
  protected update(p: Tensor, g0: Tensor, i: number): Tensor {
    const g = this.weightDecay ? g0.add(p.mul(this.weightDecay)) : g0;
    const s = this.state(this.sum, i, p);
    s.assign(s.add(g.square()));
    // Through scalar(): lr and the step count change between steps, also under jit replays.
    const lr = this.scalar("clr", () => this.lr / (1 + (this.stepCount - 1) * this.lrDecay), p);
    return p.sub(g.div(s.sqrt().add(this.eps)).mul(lr));
  }
}
