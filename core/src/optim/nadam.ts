// NAdam with PyTorch's update rule and defaults (torch.optim.NAdam; Dozat, "Incorporating
// Nesterov Momentum into Adam"): Adam whose step looks ahead with the next step's momentum,
// the momentum itself warming up over the steps by momentumDecay.

import type { Tensor } from "../tensor";
import { Optimizer, nonNegative, type Slot } from "./optimizer";
import type { Setting } from "./state-dict";

export interface NAdamOptions {
  /** Learning rate; default 2e-3. */
  lr?: number;
  /** Decay of the running averages of the gradient and its square; default [0.9, 0.999]. */
  betas?: [number, number];
  /** Added to the denominator so the division stays finite; default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient (or decoupled, as AdamW); default 0. */
  weightDecay?: number;
  /** How fast the momentum warms up; default 4e-3. */
  momentumDecay?: number;
  /** Decay the weights directly, as AdamW, instead of adding to the gradient; default false. */
  decoupledWeightDecay?: boolean;
}

export class NAdam extends Optimizer {
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly momentumDecay: number;
  readonly decoupledWeightDecay: boolean;
  private readonly m: Slot;
  private readonly v: Slot;
  constructor(params: Iterable<Tensor>, o: NAdamOptions = {}) {
    super(params, o.lr ?? 2e-3);
    this.betas = o.betas ?? [0.9, 0.999];
    this.eps = nonNegative("NAdam", "eps", o.eps, 1e-8);
    this.weightDecay = nonNegative("NAdam", "weightDecay", o.weightDecay, 0);
    this.momentumDecay = nonNegative("NAdam", "momentumDecay", o.momentumDecay, 4e-3);
    this.decoupledWeightDecay = o.decoupledWeightDecay ?? false;
    this.m = this.slot("exp_avg");
    this.v = this.slot("exp_avg_sq");
  }
  protected settings(): Record<string, Setting> {
    return {
      betas: [...this.betas], eps: this.eps, weight_decay: this.weightDecay,
      momentum_decay: this.momentumDecay, decoupled_weight_decay: this.decoupledWeightDecay,
    };
  }
  /** The momentum of step t: beta1 (1 - 0.96^(t momentumDecay) / 2). */
  private mu(t: number): number {
    return this.betas[0] * (1 - 0.5 * 0.96 ** (t * this.momentumDecay));
  }
  /** The product of the momenta of steps 1..t (PyTorch keeps it as state; it follows from t). */
  private muProduct(t: number): number {
    let prod = 1;
    for (let k = 1; k <= t; k++) prod *= this.mu(k);
    return prod;
  }
  protected override derivedState(): Record<string, number> {
    return { mu_product: this.muProduct(this.stepCount) };
  }
  protected update(p: Tensor, g0: Tensor, i: number): Tensor {
    const [b1, b2] = this.betas;
    const decay = this.weightDecay && !this.decoupledWeightDecay;
    const g = decay ? g0.add(p.mul(this.weightDecay)) : g0;
    const m = this.state(this.m, i, p);
    const v = this.state(this.v, i, p);
    m.assign(m.mul(b1).add(g.mul(1 - b1)));
    v.assign(v.mul(b2).add(g.square().mul(1 - b2)));
    const denom = v.div(this.scalar("c2", () => 1 - b2 ** this.stepCount, p)).sqrt().add(this.eps);
    // The two step sizes of PyTorch's update, one for the gradient and one for the momentum.
    const gradStep = this.scalar("gradStep", () => {
      const t = this.stepCount;
      return (this.lr * (1 - this.mu(t))) / (1 - this.muProduct(t));
    }, p);
    const momentumStep = this.scalar("momentumStep", () => {
      const t = this.stepCount;
      const next = this.mu(t + 1);
      return (this.lr * next) / (1 - this.muProduct(t) * next);
    }, p);
    const base = this.decoupledWeightDecay && this.weightDecay ? p.mul(this.scalar("decay", () => 1 - this.lr * this.weightDecay, p)) : p;
    return base.sub(g.div(denom).mul(gradStep)).sub(m.div(denom).mul(momentumStep));
  }
}
