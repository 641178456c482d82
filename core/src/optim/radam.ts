// RAdam with PyTorch's update rule and defaults (torch.optim.RAdam; Liu et al., "On the
// Variance of the Adaptive Learning Rate and Beyond"): Adam whose adaptive step is rectified
// by how reliable the second moment is; over the first steps, while it is not (rho_t <= 5),
// the step is plain momentum SGD.

import type { Tensor } from "../tensor";
import { Optimizer, nonNegative, type Slot } from "./optimizer";
import type { Setting } from "./state-dict";

export interface RAdamOptions {
  /** Learning rate; default 1e-3. */
  lr?: number;
  /** Decay of the running averages of the gradient and its square; default [0.9, 0.999]. */
  betas?: [number, number];
  /** Added to the denominator so the division stays finite; default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient (or decoupled, as AdamW); default 0. */
  weightDecay?: number;
  /** Decay the weights directly, as AdamW, instead of adding to the gradient; default false. */
  decoupledWeightDecay?: boolean;
}

export class RAdam extends Optimizer {
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly decoupledWeightDecay: boolean;
  private readonly m: Slot;
  private readonly v: Slot;
  constructor(params: Iterable<Tensor>, o: RAdamOptions = {}) {
    super(params, o.lr ?? 1e-3);
    this.betas = o.betas ?? [0.9, 0.999];
    this.eps = nonNegative("RAdam", "eps", o.eps, 1e-8);
    this.weightDecay = nonNegative("RAdam", "weightDecay", o.weightDecay, 0);
    this.decoupledWeightDecay = o.decoupledWeightDecay ?? false;
    this.m = this.slot("exp_avg");
    this.v = this.slot("exp_avg_sq");
  }
  protected settings(): Record<string, Setting> {
    return { betas: [...this.betas], eps: this.eps, weight_decay: this.weightDecay, decoupled_weight_decay: this.decoupledWeightDecay };
  }
  /** The rectification of step t, or null while the variance is intractable (rho_t <= 5). */
  private rectification(t: number): number | null {
    const b2 = this.betas[1];
    const rhoInf = 2 / (1 - b2) - 1;
    const rho = rhoInf - (2 * t * b2 ** t) / (1 - b2 ** t);
    if (rho <= 5) return null;
    return Math.sqrt(((rho - 4) * (rho - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho));
  }
  protected update(p: Tensor, g0: Tensor, i: number): Tensor {
    const [b1, b2] = this.betas;
    const decay = this.weightDecay && !this.decoupledWeightDecay;
    const g = decay ? g0.add(p.mul(this.weightDecay)) : g0;
    const m = this.state(this.m, i, p);
    const v = this.state(this.v, i, p);
    m.assign(m.mul(b1).add(g.mul(1 - b1)));
    v.assign(v.mul(b2).add(g.square().mul(1 - b2)));
    const mHat = m.div(this.scalar("c1", () => 1 - b1 ** this.stepCount, p));
    // Both branches are computed and weighted by host scalars (one of them 0), so that a
    // jitted step, traced once, follows the branch of each replayed step.
    const adaptive = v.sqrt().add(this.eps).reciprocal().mul(this.scalar("sqrtC2", () => Math.sqrt(1 - b2 ** this.stepCount), p));
    const adaptiveLr = this.scalar("adaptiveLr", () => this.lr * (this.rectification(this.stepCount) ?? 0), p);
    const plainLr = this.scalar("plainLr", () => (this.rectification(this.stepCount) === null ? this.lr : 0), p);
    const base = this.decoupledWeightDecay && this.weightDecay ? p.mul(this.scalar("decay", () => 1 - this.lr * this.weightDecay, p)) : p;
    return base.sub(mHat.mul(adaptive.mul(adaptiveLr).add(plainLr)));
  }
}
