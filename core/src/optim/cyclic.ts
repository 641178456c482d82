// CyclicLR: PyTorch's cyclical learning rate (Smith, "Cyclical Learning Rates for Training
// Neural Networks"), stepped once per batch: the lr climbs linearly from baseLr to maxLr over
// stepSizeUp steps and back over stepSizeDown; "triangular2" halves the amplitude every cycle
// and "exp_range" scales it by gamma ** step.
//
// Only the lr cycles: PyTorch's momentum cycling (cycle_momentum) is left out, as in OneCycleLR.

import type { Optimizer } from "./optimizer";
import { LRScheduler, need, isCount, finite, knownOptions } from "./scheduler";
import type { Setting } from "./state-dict";

export interface CyclicLROptions {
  /** The lowest lr, where each cycle starts (required). */
  baseLr: number;
  /** The highest lr (required). */
  maxLr: number;
  /** Steps from baseLr up to maxLr; default 2000. */
  stepSizeUp?: number;
  /** Steps back down; default stepSizeUp. */
  stepSizeDown?: number;
  /** The amplitude's policy; default "triangular" (constant). */
  mode?: "triangular" | "triangular2" | "exp_range";
  /** The factor per step of "exp_range"; default 1. */
  gamma?: number;
}

export class CyclicLR extends LRScheduler {
  readonly maxLr: number;
  readonly mode: "triangular" | "triangular2" | "exp_range";
  readonly gamma: number;
  /** Steps in one cycle, and the fraction of them spent climbing (PyTorch's names). */
  readonly totalSize: number;
  readonly stepRatio: number;

  constructor(optimizer: Optimizer, o: CyclicLROptions) {
    const w = "CyclicLR";
    knownOptions(w, o, ["baseLr", "maxLr", "stepSizeUp", "stepSizeDown", "mode", "gamma"]);
    need(w, "baseLr", o.baseLr, finite(o.baseLr) && o.baseLr > 0, "a finite number > 0 (it is required)");
    // PyTorch sets the optimizer's lr (and initial lr) to baseLr.
    super(optimizer, w, o.baseLr);
    const up = o.stepSizeUp ?? 2000;
    const down = o.stepSizeDown ?? up;
    this.maxLr = o.maxLr;
    this.mode = o.mode ?? "triangular";
    this.gamma = o.gamma ?? 1;
    need(w, "maxLr", this.maxLr, finite(this.maxLr) && this.maxLr > 0, "a finite number > 0 (it is required)");
    need(w, "stepSizeUp", up, isCount(up, 1), "a positive integer");
    need(w, "stepSizeDown", down, isCount(down, 1), "a positive integer");
    const modes = ["triangular", "triangular2", "exp_range"];
    need(w, "mode", this.mode, modes.includes(this.mode), '"triangular", "triangular2" or "exp_range"');
    need(w, "gamma", this.gamma, finite(this.gamma) && this.gamma > 0, "a finite number > 0");
    this.totalSize = up + down;
    this.stepRatio = up / this.totalSize;
    this.stepTo(0);
  }

  protected override settings(): Record<string, Setting> {
    return { max_lrs: [this.maxLr], total_size: this.totalSize, step_ratio: this.stepRatio, mode: this.mode, gamma: this.gamma };
  }

  protected lrAt(step: number): number {
    const cycle = Math.floor(1 + step / this.totalSize);
    const x = 1 + step / this.totalSize - cycle;
    const height = (this.maxLr - this.baseLr) * (x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1));
    const scale = this.mode === "triangular" ? 1 : this.mode === "triangular2" ? 1 / 2 ** (cycle - 1) : this.gamma ** step;
    return this.baseLr + height * scale;
  }
}
