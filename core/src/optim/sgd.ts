// SGD with momentum and weight decay, Adam and AdamW, with PyTorch's update rules.

import type { Tensor } from "../tensor";
import { Optimizer } from "./optimizer";
import { keep } from "../scope";

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
      const v = this.velocity[i];
      const nv = keep(v ? v.mul(this.momentum).add(d) : d.mul(1));
      v?.dispose();
      this.velocity[i] = nv;
      d = nv;
    }
    return p.sub(d.mul(this.lr));
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
    const m0 = this.m[i];
    const v0 = this.v[i];
    const m = keep(m0 ? m0.mul(b1).add(g.mul(1 - b1)) : g.mul(1 - b1));
    const v = keep(v0 ? v0.mul(b2).add(g.square().mul(1 - b2)) : g.square().mul(1 - b2));
    m0?.dispose();
    v0?.dispose();
    this.m[i] = m;
    this.v[i] = v;
    const t = this.stepCount;
    const mHat = m.div(1 - b1 ** t);
    const vHat = v.div(1 - b2 ** t);
    const base = this.decoupled && this.weightDecay ? p.mul(1 - this.lr * this.weightDecay) : p;
    return base.sub(mHat.div(vHat.sqrt().add(this.eps)).mul(this.lr));
  }
}

export class AdamW extends Adam {
  constructor(params: Iterable<Tensor>, o: { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number } = {}) {
    super(params, { ...o, weightDecay: o.weightDecay ?? 0.01 });
    this.decoupled = true;
  }
}
