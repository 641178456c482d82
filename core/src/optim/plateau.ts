// ReduceLROnPlateau: PyTorch's metric-driven schedule. Call sched.step(validationLoss) once per
// epoch; when the metric has not improved for more than `patience` epochs the lr is multiplied
// by `factor` (not below minLr), then `cooldown` epochs pass before bad epochs count again.
// Unlike the epoch schedules it reads and changes the optimizer's *current* lr, as PyTorch does.
// Its state dict holds PyTorch's counters (best, num_bad_epochs, cooldown_counter) besides the
// settings; `best` starts at Infinity, which checkpoint.ts writes (JSON has no Infinity).

import { Optimizer } from "./optimizer";
import { need, isCount, finite, knownOptions, singleLr } from "./scheduler";
import { checkKeys, checkSettings, type SchedulerStateDict, type Setting } from "./state-dict";
import { InputError } from "../errors";
import { describe } from "../shape";

export interface ReduceLROnPlateauOptions {
  /** "min": lower metrics are better (a loss); "max": higher are (an accuracy). Default "min". */
  mode?: "min" | "max";
  /** The lr is multiplied by factor on a plateau; in [0, 1), default 0.1. */
  factor?: number;
  /** Epochs without improvement tolerated before reducing; default 10. */
  patience?: number;
  /** How much better a metric must be to count as an improvement; default 1e-4. */
  threshold?: number;
  /** "rel": better than best * (1 -/+ threshold); "abs": best -/+ threshold. Default "rel". */
  thresholdMode?: "rel" | "abs";
  /** Epochs after a reduction during which bad epochs are not counted; default 0. */
  cooldown?: number;
  /** The lr is never reduced below minLr; default 0. */
  minLr?: number;
  /** A reduction smaller than eps is skipped; default 1e-8. */
  eps?: number;
}

const OPTIONS = ["mode", "factor", "patience", "threshold", "thresholdMode", "cooldown", "minLr", "eps"];

export class ReduceLROnPlateau {
  readonly mode: "min" | "max";
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: "rel" | "abs";
  readonly cooldown: number;
  readonly minLr: number;
  readonly eps: number;
  /** The best metric so far (starts at the worst possible value). */
  best: number;
  /** Consecutive epochs without improvement (outside cooldown). */
  numBadEpochs = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number;

  constructor(readonly optimizer: Optimizer, o: ReduceLROnPlateauOptions = {}) {
    const w = "ReduceLROnPlateau";
    if (!(optimizer instanceof Optimizer)) {
      throw new InputError(`${w}: the first argument must be an optimizer (e.g. new optim.SGD(...)), got ${describe(optimizer)}`);
    }
    knownOptions(w, o, OPTIONS);
    this.mode = o.mode ?? "min";
    this.factor = o.factor ?? 0.1;
    this.patience = o.patience ?? 10;
    this.threshold = o.threshold ?? 1e-4;
    this.thresholdMode = o.thresholdMode ?? "rel";
    this.cooldown = o.cooldown ?? 0;
    this.minLr = o.minLr ?? 0;
    this.eps = o.eps ?? 1e-8;
    need(w, "mode", this.mode, this.mode === "min" || this.mode === "max", '"min" (a loss) or "max" (an accuracy)');
    need(w, "factor", this.factor, finite(this.factor) && this.factor >= 0 && this.factor < 1, "a number in [0, 1) (the lr is multiplied by it)");
    need(w, "patience", this.patience, isCount(this.patience, 0), "an integer >= 0 (epochs)");
    need(w, "threshold", this.threshold, finite(this.threshold) && this.threshold >= 0, "a finite number >= 0");
    need(w, "thresholdMode", this.thresholdMode, this.thresholdMode === "rel" || this.thresholdMode === "abs", '"rel" or "abs"');
    need(w, "cooldown", this.cooldown, isCount(this.cooldown, 0), "an integer >= 0 (epochs)");
    need(w, "minLr", this.minLr, finite(this.minLr) && this.minLr >= 0, "a finite number >= 0");
    need(w, "eps", this.eps, finite(this.eps) && this.eps >= 0, "a finite number >= 0");
    this.best = this.mode === "min" ? Infinity : -Infinity;
    this.lastLr = optimizer.lr;
  }

  /** Records this epoch's metric, reduces the lr if it has plateaued, and returns the lr. */
  step(metric: number): number {
    need("ReduceLROnPlateau.step", "metric", metric, typeof metric === "number", "a number (for a tensor, pass await x.item())");
    this.lastEpoch += 1;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1; // NaN lands here too, as in PyTorch
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      const old = this.optimizer.lr;
      const lr = Math.max(old * this.factor, this.minLr);
      // As PyTorch, a change smaller than eps is skipped: an lr already that small stays put.
      if (old - lr > this.eps) this.optimizer.lr = lr;
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.lr;
    return this.lastLr;
  }

  getLastLr(): number[] {
    return [this.lastLr];
  }

  /** The settings under PyTorch's names. */
  private settings(): Record<string, Setting> {
    return {
      mode: this.mode, factor: this.factor, patience: this.patience, threshold: this.threshold,
      threshold_mode: this.thresholdMode, cooldown: this.cooldown, min_lrs: [this.minLr], eps: this.eps,
    };
  }

  stateDict(): SchedulerStateDict {
    return {
      ...this.settings(), best: this.best, num_bad_epochs: this.numBadEpochs,
      cooldown_counter: this.cooldownCounter, last_epoch: this.lastEpoch, _last_lr: [this.lastLr],
    };
  }

  /** Restores a stateDict() of a ReduceLROnPlateau with the same settings (see LRScheduler's). */
  loadStateDict(sd: SchedulerStateDict): void {
    const where = "ReduceLROnPlateau.loadStateDict";
    checkKeys(where, "ReduceLROnPlateau", sd, this.stateDict());
    checkSettings(where, sd, this.settings());
    const best = sd.best as number;
    need(where, "best", best, typeof best === "number" && !Number.isNaN(best), "a number (Infinity before any metric)");
    need(where, "num_bad_epochs", sd.num_bad_epochs, isCount(sd.num_bad_epochs, 0), "an integer >= 0");
    need(where, "cooldown_counter", sd.cooldown_counter, isCount(sd.cooldown_counter, 0), "an integer >= 0");
    need(where, "last_epoch", sd.last_epoch, isCount(sd.last_epoch, 0), "an integer >= 0");
    const [last] = singleLr(where, "_last_lr", sd._last_lr);
    this.best = best;
    this.numBadEpochs = sd.num_bad_epochs as number;
    this.cooldownCounter = sd.cooldown_counter as number;
    this.lastEpoch = sd.last_epoch as number;
    this.lastLr = last;
    this.optimizer.lr = last;
  }

  private isBetter(a: number): boolean {
    const { best, threshold: t } = this;
    if (this.mode === "min") return this.thresholdMode === "rel" ? a < best * (1 - t) : a < best - t;
    return this.thresholdMode === "rel" ? a > best * (1 + t) : a > best + t;
  }
}
