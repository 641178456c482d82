// SGD with momentum and weight decay, Adam and AdamW, with PyTorch's update rules.

import type { Tensor } from "../tensor";
import { Optimizer } from "./optimizer";

export class SGD extends Optimizer {
  private velocity: (Tensor | null)[];
  readonly momentum: number;
  readonly weightDecay: number;
  constructor(params: Iterable<Tensor>, o: { lr: number; momentum?: number; weightDecay?: number }) {
    super(params, o.lr);
    this.momentum = o.momentum ?? 0;
    this.weightDecay = o.weightDecay ?? 0;
    this.velocity = this.params.map(() => null);
  }
  protected update(p: Tensor, g: Tensor, i: number): Tensor {
    let d = this.weightDecay ? g.add(p.mul(this.weightDecay)) : g;
    if (this.momentum) {
      // v starts at zeros: 0 * momentum + d is exactly d, PyTorch's first step (v = d).
      const v = this.state(this.velocity, i, p);
      d = v.assign(v.mul(this.momentum).add(d));
    }
    return p.sub(d.mul(this.scalar("lr", () => this.lr, p)));
  }
}

export class Adam extends Optimizer {
  private m: (Tensor | null)[];
  private v: (Tensor | null)[];
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  /** AdamW decays weights directly instead of adding to the gradient. */
  protected decoupled = false;
  constructor(params: Iterable<Tensor>, o: { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number } = {}) {
    super(params, o.lr ?? 1e-3);
    this.betas = o.betas ?? [0.9, 0.999];
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? 0;
    this.m = this.params.map(() => null);
    this.v = this.params.map(() => null);
  }
  protected update(p: Tensor, g0: Tensor, i: number): Tensor {
    const [b1, b2] = this.betas;
    const g = this.weightDecay && !this.decoupled ? g0.add(p.mul(this.weightDecay)) : g0;
    // m and v start at zeros: 0 * beta + x is exactly x, PyTorch's first step.
    const m = this.state(this.m, i, p);
    const v = this.state(this.v, i, p);
    m.assign(m.mul(b1).add(g.mul(1 - b1)));
    v.assign(v.mul(b2).add(g.square().mul(1 - b2)));
    const mHat = m.div(this.scalar("c1", () => 1 - b1 ** this.stepCount, p));
    const vHat = v.div(this.scalar("c2", () => 1 - b2 ** this.stepCount, p));
    const base = this.decoupled && this.weightDecay ? p.mul(this.scalar("decay", () => 1 - this.lr * this.weightDecay, p)) : p;
    return base.sub(mHat.div(vHat.sqrt().add(this.eps)).mul(this.scalar("lr", () => this.lr, p)));
  }
}

export class AdamW extends Adam {
  constructor(params: Iterable<Tensor>, o: { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number } = {}) {
    super(params, { ...o, weightDecay: o.weightDecay ?? 0.01 });
    this.decoupled = true;
  }
}
