// RMSprop with PyTorch's update rule and defaults (torch.optim.RMSprop): each parameter's step
// is its gradient divided by a running root mean square of past gradients, optionally centered
// (minus the running mean, i.e. an estimate of the variance) and with momentum.

import type { Tensor } from "../tensor";
import { Optimizer, nonNegative, type Slot } from "./optimizer";
import type { Setting } from "./state-dict";

export interface RMSpropOptions {
  /** Learning rate; default 0.01. */
  lr?: number;
  /** Decay of the running average of squared gradients; default 0.99. */
  alpha?: number;
  /** Added to the root mean square so the division stays finite; default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient; default 0. */
  weightDecay?: number;
  /** Momentum of the normalised step; default 0 (none). */
  momentum?: number;
  /** Divide by the gradients' running standard deviation instead of their RMS; default false. */
  centered?: boolean;
}

export class RMSprop extends Optimizer {
  readonly alpha: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly momentum: number;
  readonly centered: boolean;
  private readonly squareAvg: Slot;
  private readonly gradAvg: Slot | null;
  private readonly buffer: Slot | null;
  constructor(params: Iterable<Tensor>, o: RMSpropOptions = {}) {
    super(params, o.lr ?? 0.01);
    this.alpha = nonNegative("RMSprop", "alpha", o.alpha, 0.99);
    this.eps = nonNegative("RMSprop", "eps", o.eps, 1e-8);
    this.weightDecay = nonNegative("RMSprop", "weightDecay", o.weightDecay, 0);
    this.momentum = nonNegative("RMSprop", "momentum", o.momentum, 0);
    this.centered = o.centered ?? false;
    // Only the state these options use, as PyTorch keeps (and names) it.
    this.squareAvg = this.slot("square_avg");
    this.buffer = this.momentum ? this.slot("momentum_buffer") : null;
    this.gradAvg = this.centered ? this.slot("grad_avg") : null;
  }
  protected settings(): Record<string, Setting> {
    return { alpha: this.alpha, eps: this.eps, weight_decay: this.weightDecay, momentum: this.momentum, centered: this.centered };
  }
  protected update(p: Tensor, g0: Tensor, i: number): Tensor {
    const a = this.alpha;
    const g = this.weightDecay ? g0.add(p.mul(this.weightDecay)) : g0;
    // The averages start at zeros, as in PyTorch (no bias correction, unlike Adam).
    const v = this.state(this.squareAvg, i, p);
    v.assign(v.mul(a).add(g.square().mul(1 - a)));
    let meanSquare = v;
    if (this.gradAvg) {
      const m = this.state(this.gradAvg, i, p);
      m.assign(m.mul(a).add(g.mul(1 - a)));
      meanSquare = v.sub(m.square()); // E[g^2] - E[g]^2: the variance
    }
    const step = g.div(meanSquare.sqrt().add(this.eps));
    const lr = this.scalar("lr", () => this.lr, p);
    if (!this.buffer) return p.sub(step.mul(lr));
    // The buffer starts at zeros: the first step is the plain normalised gradient, as PyTorch.
    const b = this.state(this.buffer, i, p);
    b.assign(b.mul(this.momentum).add(step));
    return p.sub(b.mul(lr));
  }
}
