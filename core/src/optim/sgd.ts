// SGD with PyTorch's update rule and defaults (torch.optim.SGD): momentum, dampening, Nesterov
// momentum and L2 weight decay.

import type { Tensor } from "../tensor";
import { InputError } from "../errors";
import { Optimizer, nonNegative, type Slot } from "./optimizer";
import type { Setting } from "./state-dict";

export interface SGDOptions {
  /** Learning rate (required). */
  lr: number;
  /** Momentum factor; default 0 (plain SGD). */
  momentum?: number;
  /** Dampening of the gradient added to the momentum buffer; default 0. */
  dampening?: number;
  /** L2 penalty added to the gradient; default 0. */
  weightDecay?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0); default false. */
  nesterov?: boolean;
}

export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  /** PyTorch's SGD state holds no step count, only momentum buffers. */
  protected override readonly countsSteps = false;
  private readonly buffer: Slot | null;
  constructor(params: Iterable<Tensor>, o: SGDOptions) {
    super(params, o.lr);
    this.momentum = nonNegative("SGD", "momentum", o.momentum, 0);
    this.dampening = nonNegative("SGD", "dampening", o.dampening, 0);
    this.weightDecay = nonNegative("SGD", "weightDecay", o.weightDecay, 0);
    this.nesterov = o.nesterov ?? false;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new InputError(`SGD: nesterov needs momentum > 0 and dampening 0, got momentum ${this.momentum} and dampening ${this.dampening}`);
    }
    this.buffer = this.momentum ? this.slot("momentum_buffer") : null;
  }
  protected settings(): Record<string, Setting> {
    return { momentum: this.momentum, dampening: this.dampening, weight_decay: this.weightDecay, nesterov: this.nesterov };
  }
  protected update(p: Tensor, g: Tensor, i: number): Tensor {
    let d = this.weightDecay ? g.add(p.mul(this.weightDecay)) : g;
    if (this.buffer) {
      // The buffer starts at zeros, and PyTorch's first step sets it to d undamped: the factor
      // of d is 1 on the first step and 1 - dampening after (a scalar, so jit replays follow).
      const v = this.state(this.buffer, i, p);
      const kept = this.dampening ? d.mul(this.scalar("undamped", () => (this.stepCount === 1 ? 1 : 1 - this.dampening), p)) : d;
      v.assign(v.mul(this.momentum).add(kept));
      d = this.nesterov ? d.add(v.mul(this.momentum)) : v;
    }
    return p.sub(d.mul(this.scalar("lr", () => this.lr, p)));
  }
}
