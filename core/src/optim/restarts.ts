// CosineAnnealingWarmRestarts: PyTorch's SGDR schedule (Loshchilov & Hutter): cosine from the
// initial lr down to etaMin over T_0 epochs, then a restart at the initial lr, each next
// period tMult times longer.

import type { Optimizer } from "./optimizer";
import { LRScheduler, need, isCount, finite, knownOptions } from "./scheduler";
import type { Setting } from "./state-dict";

export interface CosineAnnealingWarmRestartsOptions {
  /** Each period is tMult times the previous one (an integer >= 1); default 1. */
  tMult?: number;
  /** The lowest lr; default 0. */
  etaMin?: number;
}

export class CosineAnnealingWarmRestarts extends LRScheduler {
  readonly tMult: number;
  readonly etaMin: number;
  constructor(optimizer: Optimizer, readonly T0: number, o: CosineAnnealingWarmRestartsOptions = {}) {
    super(optimizer, "CosineAnnealingWarmRestarts");
    const w = "CosineAnnealingWarmRestarts";
    knownOptions(w, o, ["tMult", "etaMin"]);
    this.tMult = o.tMult ?? 1;
    this.etaMin = o.etaMin ?? 0;
    need(w, "T0", T0, isCount(T0, 1), "a positive integer (epochs of the first period)");
    need(w, "tMult", this.tMult, isCount(this.tMult, 1), "an integer >= 1");
    need(w, "etaMin", this.etaMin, finite(this.etaMin) && this.etaMin >= 0, "a finite number >= 0");
  }
  protected override settings(): Record<string, Setting> {
    return { T_0: this.T0, T_mult: this.tMult, eta_min: this.etaMin };
  }
  /** PyTorch's T_cur (epochs into the current period) and T_i (its length) at `epoch`. */
  period(epoch: number): { tCur: number; tI: number } {
    // Whole periods are subtracted one by one: exact in integers, where PyTorch's closed form
    // for a jump (a logarithm) can land a boundary epoch in the wrong period.
    let [tCur, tI] = [epoch, this.T0];
    while (tCur >= tI) {
      tCur -= tI;
      tI *= this.tMult;
    }
    return { tCur, tI };
  }
  protected lrAt(epoch: number): number {
    const { tCur, tI } = this.period(epoch);
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * tCur) / tI))) / 2;
  }
}
