// LRScheduler, the base of the epoch-driven learning-rate schedules (StepLR ... OneCycleLR), and
// the argument checks all the schedulers share.
//
// PyTorch's conventions are kept so that training loops port without off-by-one surprises:
// - construction is epoch 0 (lastEpoch = 0) and each step() advances one epoch;
// - a schedule is a function of the epoch and the optimizer's *initial* lr, which the first
//   scheduler built on an optimizer records (PyTorch's param_group["initial_lr"]). Later
//   schedulers on the same optimizer reuse it, so a decay built after a LinearLR warmup (which
//   has already lowered optimizer.lr) still decays from the lr the optimizer was given.
// We evaluate PyTorch's closed forms rather than its chainable "multiply the current lr" forms.
// One scheduler gives the same sequence either way; what differs is that two schedulers stepping
// one optimizer at once do not compound (use SequentialLR to run them one after another), and a
// manual change of optimizer.lr lasts only until the next step().
//
// stateDict()/loadStateDict() hold PyTorch's last_epoch, base_lrs and _last_lr and each
// schedule's settings (checked, not overwritten, on load: see state-dict.ts).
//
// Jitted training steps see the new lr because optimizers read it through scalar() (see
// optimizer.ts); a scheduler only assigns optimizer.lr between steps.

import { Optimizer } from "./optimizer";
import { InputError } from "../errors";
import { describe } from "../shape";
import { checkKeys, checkSettings, type SchedulerStateDict, type Setting } from "./state-dict";

export abstract class LRScheduler {
  /** Epochs stepped since construction (PyTorch's last_epoch): 0 once constructed. */
  lastEpoch = 0;
  /** The lr the schedule scales (PyTorch's base_lrs[0]): the optimizer's initial lr. */
  get baseLr(): number {
    return this.base;
  }
  private base: number;
  private lastLr: number;
  /** The class name, for error messages. */
  protected readonly where: string;

  /** `initialLr` replaces the recorded initial lr (OneCycleLR derives its own, as PyTorch). */
  constructor(readonly optimizer: Optimizer, where: string, initialLr?: number) {
    if (!(optimizer instanceof Optimizer)) {
      throw new InputError(`${where}: the first argument must be an optimizer (e.g. new optim.SGD(...)), got ${describe(optimizer)}`);
    }
    if (initialLr !== undefined || optimizer.initialLr === undefined) optimizer.initialLr = initialLr ?? optimizer.lr;
    this.base = optimizer.initialLr;
    this.where = where;
    this.lastLr = optimizer.lr;
  }

  /** The lr at `epoch`: PyTorch's closed form. */
  protected abstract lrAt(epoch: number): number;

  /** Advances one epoch, sets optimizer.lr and returns it. */
  step(): number {
    return this.stepTo(this.lastEpoch + 1);
  }

  /**
   * Jumps to `epoch` (PyTorch's deprecated step(epoch), closed form). SequentialLR restarts a
   * scheduler with stepTo(0) at its milestone; also useful to resume a run.
   */
  stepTo(epoch: number): number {
    need(`${this.where}.stepTo`, "epoch", epoch, isCount(epoch, 0), "an integer >= 0");
    const lr = this.lrAt(epoch); // before any state changes: lrAt may throw (OneCycleLR)
    this.lastEpoch = epoch;
    this.optimizer.lr = lr;
    this.lastLr = lr;
    return lr;
  }

  /** The lr this scheduler last set, one entry per parameter group (we have one). */
  getLastLr(): number[] {
    return [this.lastLr];
  }

  /** This schedule's settings under PyTorch's names (step_size, gamma, T_max ...). */
  protected settings(): Record<string, Setting> {
    return {};
  }

  /** PyTorch's keys: the settings, base_lrs, last_epoch and _last_lr. */
  stateDict(): SchedulerStateDict {
    return { ...this.settings(), base_lrs: [this.base], last_epoch: this.lastEpoch, _last_lr: [this.lastLr] };
  }

  /**
   * Restores a stateDict() of a scheduler of the same type and settings. Also sets the
   * optimizer's lr to the saved last lr (PyTorch leaves that to the optimizer's state dict), so
   * that constructing a scheduler after loading the optimizer does not leave its start lr.
   */
  loadStateDict(sd: SchedulerStateDict): void {
    const where = `${this.where}.loadStateDict`;
    checkKeys(where, this.where, sd, this.stateDict());
    checkSettings(where, sd, this.settings());
    const lastEpoch = sd.last_epoch as number;
    need(where, "last_epoch", lastEpoch, isCount(lastEpoch, 0), "an integer >= 0");
    const [base] = singleLr(where, "base_lrs", sd.base_lrs);
    const [last] = singleLr(where, "_last_lr", sd._last_lr);
    this.lastEpoch = lastEpoch;
    this.base = base;
    this.lastLr = last;
    this.optimizer.lr = last;
  }
}

/** A state dict's list of lrs, one per parameter group: we have one. */
export function singleLr(where: string, name: string, v: unknown): [number] {
  need(where, name, v, Array.isArray(v) && v.length === 1 && finite(v[0]), "a list of one finite number (one parameter group)");
  return v as [number];
}

/** Throws `${where}: ${name} must be ${allowed}, got ${value}` unless ok. */
export function need(where: string, name: string, value: unknown, ok: boolean, allowed: string): void {
  if (!ok) throw new InputError(`${where}: ${name} must be ${allowed}, got ${describe(value)}`);
}

/** An integer >= min (step counts, patience). */
export function isCount(v: unknown, min: number): v is number {
  return Number.isInteger(v) && (v as number) >= min;
}

export function finite(v: unknown): v is number {
  return Number.isFinite(v);
}

/**
 * Rejects option names the scheduler does not know: a PyTorch name such as max_lr would
 * otherwise be silently ignored and the default used.
 */
export function knownOptions(where: string, o: unknown, allowed: readonly string[]): void {
  if (typeof o !== "object" || o === null || Array.isArray(o)) {
    throw new InputError(`${where}: options must be an object such as { ${allowed[0]}: ... }, got ${describe(o)}`);
  }
  for (const key of Object.keys(o)) {
    if (allowed.includes(key)) continue;
    const camel = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    const hint = allowed.includes(camel) ? ` (did you mean ${camel}?)` : "";
    throw new InputError(`${where}: unknown option ${JSON.stringify(key)}${hint}; the options are ${allowed.join(", ")}`);
  }
}
