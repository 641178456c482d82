// Adamax with PyTorch's update rule and defaults (torch.optim.Adamax; Kingma & Ba, section 7):
// Adam with the root mean square replaced by a decaying maximum of the gradient's magnitude.

import type { Tensor } from "../tensor";
import { Optimizer, nonNegative, type Slot } from "./optimizer";
import type { Setting } from "./state-dict";

export interface AdamaxOptions {
  /** Learning rate; default 2e-3. */
  lr?: number;
  /** Decay of the running average of the gradient and of the maximum; default [0.9, 0.999]. */
  betas?: [number, number];
  /** Added to the gradient's magnitude so the division stays finite; default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient; default 0. */
  weightDecay?: number;
}

export class Adamax extends Optimizer {
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  private readonly m: Slot;
  private readonly u: Slot;
  constructor(params: Iterable<Tensor>, o: AdamaxOptions = {}) {
    super(params, o.lr ?? 2e-3);
    this.betas = o.betas ?? [0.9, 0.999];
    this.eps = nonNegative("Adamax", "eps", o.eps, 1e-8);
    this.weightDecay = nonNegative("Adamax", "weightDecay", o.weightDecay, 0);
    this.m = this.slot("exp_avg");
    this.u = this.slot("exp_inf");
  }
  protected settings(): Record<string, Setting> {
    return { betas: [...this.betas], eps: this.eps, weight_decay: this.weightDecay };
  }
  protected update(p: Tensor, g0: Tensor, i: number): Tensor {
    const [b1, b2] = this.betas;
    const g = this.weightDecay ? g0.add(p.mul(this.weightDecay)) : g0;
    const m = this.state(this.m, i, p);
    const u = this.state(this.u, i, p);
    m.assign(m.mul(b1).add(g.mul(1 - b1)));
    u.assign(u.mul(b2).maximum(g.abs().add(this.eps)));
    const clr = this.scalar("clr", () => this.lr / (1 - b1 ** this.stepCount), p);
    return p.sub(m.div(u).mul(clr));
  }
}
