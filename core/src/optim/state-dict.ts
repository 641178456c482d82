// The state dicts of optimizers and schedulers, laid out and named as PyTorch's (so that a
// student recognises `exp_avg`, `param_groups`, `last_epoch`), and the checks loadStateDict runs
// before it changes anything.
//
// One difference from PyTorch: loading does not overwrite hyperparameters other than the lr
// (PyTorch silently takes the saved betas, momentum ...). Ours are fixed at construction, and a
// jitted step bakes them into its trace, so a saved value that differs is an error naming it:
// build the optimizer or scheduler with the options of the run being resumed.

import type { Tensor } from "../tensor";
import { InputError } from "../errors";
import { describe, formatShape } from "../shape";

/** A hyperparameter's value in a state dict. */
export type Setting = number | boolean | string | number[] | Setting[] | { [key: string]: Setting };

export interface OptimizerStateDict {
  /** Per parameter index: its state tensors (exp_avg, momentum_buffer ...) and step count. */
  state: Record<number, Record<string, Tensor | number>>;
  /** One group (tsdl optimizers have one): lr, the other hyperparameters, and params: indices. */
  param_groups: Record<string, Setting | undefined>[];
}

/** A scheduler's state: last_epoch, base_lrs, _last_lr and its own settings and counters. */
export type SchedulerStateDict = Record<string, Setting>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const list = (keys: Iterable<string>) => [...keys].join(", ") || "nothing";

/**
 * Checks an optimizer state dict against the optimizer that loads it and returns its state
 * entries by this optimizer's parameter position (undefined where a parameter has none).
 */
export function checkOptimizerState(
  kind: string,
  sd: OptimizerStateDict,
  own: { shapes: readonly (readonly number[])[]; settings: Record<string, Setting>; slotKeys: string[]; countsSteps: boolean; derivedKeys: string[] },
): (Record<string, Tensor | number> | undefined)[] {
  const where = `${kind}.loadStateDict`;
  if (!isObject(sd) || !isObject(sd.state) || !Array.isArray(sd.param_groups)) {
    throw new InputError(`${where}: expected { state, param_groups } as opt.stateDict() returns, got ${describe(sd)}`);
  }
  if (sd.param_groups.length !== 1) {
    throw new InputError(`${where}: the state dict has ${sd.param_groups.length} parameter groups; tsdl optimizers have one`);
  }
  const group = sd.param_groups[0];
  const params = group.params;
  if (!Array.isArray(params)) throw new InputError(`${where}: param_groups[0].params must be the parameters' indices`);
  if (params.length !== own.shapes.length) {
    throw new InputError(`${where}: the state dict is for ${params.length} parameters but this optimizer has ${own.shapes.length}`);
  }
  // The group's keys tell optimizer types apart (SGD has momentum, Adam betas ...).
  const wanted = ["lr", ...Object.keys(own.settings), "params"];
  const got = Object.keys(group).filter((k) => k !== "initial_lr");
  const missing = wanted.filter((k) => !got.includes(k));
  const extra = got.filter((k) => !wanted.includes(k));
  if (missing.length || extra.length) {
    throw new InputError(
      `${where}: param_groups[0] has ${list(got)} but a ${kind}'s has ${list(wanted)} ` +
        `(missing ${list(missing)}, unexpected ${list(extra)}); was it saved from another optimizer type?`,
    );
  }
  if (typeof group.lr !== "number" || !(group.lr > 0)) throw new InputError(`${where}: param_groups[0].lr must be a positive number, got ${describe(group.lr)}`);
  checkSettings(where, group as Record<string, Setting>, own.settings);

  const byPosition: (Record<string, Tensor | number> | undefined)[] = own.shapes.map(() => undefined);
  const numbers = own.countsSteps ? ["step", ...own.derivedKeys] : [];
  const allowed = [...numbers, ...own.slotKeys];
  for (const [index, entry] of Object.entries(sd.state)) {
    const pos = params.indexOf(Number(index));
    if (pos < 0) throw new InputError(`${where}: state has an entry for parameter ${index}, which is not in param_groups[0].params`);
    if (!isObject(entry)) throw new InputError(`${where}: state[${index}] must be an object such as { ${list(allowed)} }`);
    const keys = Object.keys(entry);
    const foreign = keys.filter((k) => !allowed.includes(k));
    if (foreign.length) {
      throw new InputError(
        `${where}: state[${index}] holds ${list(foreign)}, which a ${kind} with these options does not keep ` +
          `(it keeps ${list(allowed)}); was it saved from another optimizer type or other options?`,
      );
    }
    const absent = allowed.filter((k) => !keys.includes(k));
    if (absent.length) throw new InputError(`${where}: state[${index}] lacks ${list(absent)}`);
    if (own.countsSteps && !(Number.isInteger(entry.step) && (entry.step as number) >= 0)) {
      throw new InputError(`${where}: state[${index}].step must be an integer >= 0, got ${describe(entry.step)}`);
    }
    for (const key of numbers) {
      if (typeof entry[key] !== "number") throw new InputError(`${where}: state[${index}].${key} must be a number, got ${describe(entry[key])}`);
    }
    for (const key of own.slotKeys) {
      const t = entry[key] as Tensor;
      const shape = own.shapes[pos];
      if (typeof t !== "object" || !Array.isArray(t.shape)) throw new InputError(`${where}: state[${index}].${key} must be a tensor, got ${describe(t)}`);
      if (t.shape.join() !== shape.join()) {
        throw new InputError(`${where}: state[${index}].${key} has shape ${formatShape(t.shape)} but parameter ${pos} has shape ${formatShape(shape)}`);
      }
    }
    byPosition[pos] = entry as Record<string, Tensor | number>;
  }
  return byPosition;
}

/** Throws unless each of `own`'s settings is in `saved` with the same value. */
export function checkSettings(where: string, saved: Record<string, unknown>, own: Record<string, Setting>): void {
  for (const [key, value] of Object.entries(own)) {
    if (!(key in saved)) throw new InputError(`${where}: the state dict lacks ${key}; was it saved from another type?`);
    if (JSON.stringify(saved[key]) !== JSON.stringify(value)) {
      throw new InputError(
        `${where}: the state dict's ${key} is ${JSON.stringify(saved[key])} but this one's is ${JSON.stringify(value)}; ` +
          "construct it with the options of the run being resumed",
      );
    }
  }
}

/** Throws unless `saved` has exactly the keys of `own` (a state dict of the same scheduler type). */
export function checkKeys(where: string, kind: string, saved: unknown, own: Record<string, unknown>): asserts saved is Record<string, Setting> {
  if (!isObject(saved)) throw new InputError(`${where}: expected a state dict object as stateDict() returns, got ${describe(saved)}`);
  const wanted = Object.keys(own);
  const got = Object.keys(saved);
  const missing = wanted.filter((k) => !got.includes(k));
  const extra = got.filter((k) => !wanted.includes(k));
  if (missing.length || extra.length) {
    throw new InputError(
      `${where}: the state dict has ${list(got)} but a ${kind}'s has ${list(wanted)} ` +
        `(missing ${list(missing)}, unexpected ${list(extra)}); was it saved from another scheduler type?`,
    );
  }
}
