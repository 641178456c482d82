// SequentialLR: runs schedulers one after another, switching at milestone epochs, e.g. a
// LinearLR warmup for 5 epochs then a CosineAnnealingLR decay. With PyTorch's semantics: at
// construction the optimizer's lr goes back to its initial lr and only the first scheduler is
// (re)started at epoch 0; at milestone i, scheduler i+1 restarts at its own epoch 0, so each
// schedule counts its epochs from the moment it takes over. Its state dict holds its children's
// (PyTorch's _schedulers) besides its own epoch.

import type { Optimizer } from "./optimizer";
import { LRScheduler, need, isCount, singleLr } from "./scheduler";
import { checkKeys, checkSettings, type SchedulerStateDict } from "./state-dict";
import { ReduceLROnPlateau } from "./plateau";
import { InputError } from "../errors";

export class SequentialLR {
  /** Epochs stepped since construction, across all the schedulers. */
  lastEpoch = 0;
  readonly schedulers: readonly LRScheduler[];
  readonly milestones: readonly number[];
  private lastLr: number;

  constructor(readonly optimizer: Optimizer, schedulers: readonly LRScheduler[], milestones: readonly number[]) {
    const w = "SequentialLR";
    need(w, "schedulers", schedulers, Array.isArray(schedulers) && schedulers.length > 0, "a non-empty array of schedulers");
    schedulers.forEach((s, i) => {
      if (s instanceof ReduceLROnPlateau) {
        throw new InputError(
          `${w}: schedulers[${i}] is a ReduceLROnPlateau, which needs a metric in step(); ` +
            "SequentialLR can only run epoch schedules (StepLR, LinearLR, ...)",
        );
      }
      if (!(s instanceof LRScheduler)) throw new InputError(`${w}: schedulers[${i}] is not a learning-rate scheduler (StepLR, LinearLR, ...)`);
      if (s.optimizer !== optimizer) {
        throw new InputError(`${w}: schedulers[${i}] (${s.constructor.name}) drives a different optimizer from the one given; all must drive the same one`);
      }
    });
    need(w, "milestones", milestones, Array.isArray(milestones), "an array of epochs");
    if (milestones.length !== schedulers.length - 1) {
      throw new InputError(
        `${w}: got ${schedulers.length} schedulers and ${milestones.length} milestones; ` +
          "give one milestone fewer than schedulers (the epoch at which each next one takes over)",
      );
    }
    milestones.forEach((m, i) => {
      const ok = isCount(m, 1) && (i === 0 || m > milestones[i - 1]);
      need(w, `milestones[${i}]`, m, ok, i ? `an integer > milestones[${i - 1}] (${milestones[i - 1]})` : "a positive integer epoch");
    });
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
    // Constructing the later schedulers may have changed the lr (LinearLR lowers it, for one):
    // the first one sets it again; the others start at their milestones.
    const first = schedulers[0];
    this.lastLr = first.stepTo(first.lastEpoch);
  }

  /** Advances one epoch in the scheduler whose turn it is; returns the new lr. */
  step(): number {
    this.lastEpoch += 1;
    const idx = this.milestones.filter((m) => m <= this.lastEpoch).length;
    const s = this.schedulers[idx];
    this.lastLr = idx > 0 && this.milestones[idx - 1] === this.lastEpoch ? s.stepTo(0) : s.step();
    return this.lastLr;
  }

  getLastLr(): number[] {
    return [this.lastLr];
  }

  stateDict(): SchedulerStateDict {
    return {
      _milestones: [...this.milestones],
      last_epoch: this.lastEpoch,
      _last_lr: [this.lastLr],
      _schedulers: this.schedulers.map((s) => s.stateDict()),
    };
  }

  /** Restores a stateDict() of a SequentialLR of the same schedulers and milestones. */
  loadStateDict(sd: SchedulerStateDict): void {
    const where = "SequentialLR.loadStateDict";
    checkKeys(where, "SequentialLR", sd, this.stateDict());
    checkSettings(where, sd, { _milestones: [...this.milestones] });
    const children = sd._schedulers;
    need(where, "_schedulers", children, Array.isArray(children) && children.length === this.schedulers.length, `a list of ${this.schedulers.length} state dicts`);
    need(where, "last_epoch", sd.last_epoch, isCount(sd.last_epoch, 0), "an integer >= 0");
    const [last] = singleLr(where, "_last_lr", sd._last_lr);
    // The children check their own dicts; if one refuses, the ones already loaded go back.
    const before = this.schedulers.map((s) => s.stateDict());
    const lr = this.optimizer.lr;
    try {
      this.schedulers.forEach((s, i) => s.loadStateDict((children as SchedulerStateDict[])[i]));
    } catch (e) {
      this.schedulers.forEach((s, i) => s.loadStateDict(before[i]));
      this.optimizer.lr = lr;
      throw e;
    }
    this.lastEpoch = sd.last_epoch as number;
    this.lastLr = last;
    this.optimizer.lr = last;
  }
}
