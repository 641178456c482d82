// Adam and AdamW with PyTorch's update rules and defaults (torch.optim.Adam, AdamW), including
// the amsgrad variant.

import type { Tensor } from "../tensor";
import { Optimizer, nonNegative, type Slot } from "./optimizer";
import type { Setting } from "./state-dict";

export interface AdamOptions {
  /** Learning rate; default 1e-3. */
  lr?: number;
  /** Decay of the running averages of the gradient and its square; default [0.9, 0.999]. */
  betas?: [number, number];
  /** Added to the denominator so the division stays finite; default 1e-8. */
  eps?: number;
  /** L2 penalty (Adam) or decoupled decay (AdamW); default 0 (Adam), 0.01 (AdamW). */
  weightDecay?: number;
  /** Divide by the largest second moment so far (Reddi et al.); default false. */
  amsgrad?: boolean;
}

export class Adam extends Optimizer {
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly amsgrad: boolean;
  /** AdamW decays weights directly instead of adding to the gradient. */
  protected decoupled = false;
  private readonly m: Slot;
  private readonly v: Slot;
  private readonly vMax: Slot | null;
  constructor(params: Iterable<Tensor>, o: AdamOptions = {}) {
    super(params, o.lr ?? 1e-3);
    this.betas = o.betas ?? [0.9, 0.999];
    this.eps = nonNegative(this.constructor.name, "eps", o.eps, 1e-8);
    this.weightDecay = nonNegative(this.constructor.name, "weightDecay", o.weightDecay, 0);
    this.amsgrad = o.amsgrad ?? false;
    this.m = this.slot("exp_avg");
    this.v = this.slot("exp_avg_sq");
    this.vMax = this.amsgrad ? this.slot("max_exp_avg_sq") : null;
  }
  protected settings(): Record<string, Setting> {
    return { betas: [...this.betas], eps: this.eps, weight_decay: this.weightDecay, amsgrad: this.amsgrad };
  }
  protected update(p: Tensor, g0: Tensor, i: number): Tensor {
    const [b1, b2] = this.betas;
    const g = this.weightDecay && !this.decoupled ? g0.add(p.mul(this.weightDecay)) : g0;
    // m and v start at zeros: 0 * beta + x is exactly x, PyTorch's first step.
    const m = this.state(this.m, i, p);
    const v = this.state(this.v, i, p);
    m.assign(m.mul(b1).add(g.mul(1 - b1)));
    v.assign(v.mul(b2).add(g.square().mul(1 - b2)));
    let second = v;
    if (this.vMax) {
      const vMax = this.state(this.vMax, i, p);
      second = vMax.assign(vMax.maximum(v));
    }
    const mHat = m.div(this.scalar("c1", () => 1 - b1 ** this.stepCount, p));
    const vHat = second.div(this.scalar("c2", () => 1 - b2 ** this.stepCount, p));
    const base = this.decoupled && this.weightDecay ? p.mul(this.scalar("decay", () => 1 - this.lr * this.weightDecay, p)) : p;
    return base.sub(mHat.div(vHat.sqrt().add(this.eps)).mul(this.scalar("lr", () => this.lr, p)));
  }
}

export class AdamW extends Adam {
  constructor(params: Iterable<Tensor>, o: AdamOptions = {}) {
    super(params, { ...o, weightDecay: o.weightDecay ?? 0.01 });
    this.decoupled = true;
  }
}
