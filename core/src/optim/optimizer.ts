// Optimizers update parameters in place (Tensor.assign) from their .grad, PyTorch style:
// opt.zeroGrad(); loss.backward(); opt.step(). Updates are not recorded for autodiff, and the
// temporaries of each step are freed at once by tidy().
//
// jit-friendly by construction (see jit/trace.ts): state tensors keep their identity and are
// updated with assign(), so a replayed step reads and writes the same tensors; hyperparameters
// that may change between steps (lr under a schedule, Adam's bias corrections) enter the step
// through scalar() and the step counter through hostEffect(), so a replay sees current values.
//
// stateDict()/loadStateDict() follow PyTorch's layout (see state-dict.ts). Loading copies into
// the existing state tensors with assign(), so a jitted step that captured them keeps working.

import type { Tensor } from "../tensor";
import { noGrad } from "../autodiff/mode";
import { tidy } from "../api";
import { InputError } from "../errors";
import { describe } from "../shape";
import { active as tracing, hostEffect, hostSource } from "../jit/trace";
import { fromHost, fullLike, zerosLike } from "../creation";
import { keep } from "../scope";
import type { OptimizerStateDict, Setting } from "./state-dict";
import { checkOptimizerState } from "./state-dict";

/** One kind of per-parameter state under PyTorch's key (exp_avg, momentum_buffer ...). */
export interface Slot {
  readonly key: string;
  /** The value a parameter's tensor starts at (Adagrad's initial accumulator; else 0). */
  readonly initial: number;
  /** One tensor per parameter, made on the parameter's first update. */
  readonly tensors: (Tensor | null)[];
}

export abstract class Optimizer {
  readonly params: Tensor[];
  lr: number;
  stepCount = 0;
  /**
   * The lr the first scheduler on this optimizer found (PyTorch's param_group["initial_lr"]):
   * later schedulers scale it, and a loaded state dict brings it back.
   */
  initialLr: number | undefined;
  /** Whether PyTorch's state entries of this optimizer hold a step count (all but SGD's). */
  protected readonly countsSteps: boolean = true;
  private readonly slots: Slot[] = [];
  /** This step's hyperparameter tensors while jit traces (see scalar()). */
  private readonly scalars = new Map<string, Tensor>();
  constructor(params: Iterable<Tensor>, lr: number) {
    this.params = [...params];
    if (!this.params.length) throw new InputError("optimizer: got no parameters (did the model register any?)");
    if (!(lr > 0)) throw new InputError(`optimizer: lr must be positive, got ${lr}`);
    this.lr = lr;
  }

  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  step(): void {
    hostEffect(() => {
      this.stepCount += 1;
    });
    noGrad(() =>
      tidy(() => {
        this.params.forEach((p, i) => {
          const g = p.peekGrad();
          if (g) p.assign(this.update(p, g, i));
        });
      }),
    );
    this.scalars.clear();
  }

  /**
   * A hyperparameter as an operand. Eagerly the plain number (the op layer's cached scalar);
   * while jit traces, a fresh scalar tensor recorded as a host source, so that every replay
   * reads `get()` again (a learning-rate schedule between jitted steps is respected). One per
   * name and step, shared by all parameters.
   */
  protected scalar(name: string, get: () => number, like: Tensor): number | Tensor {
    if (!tracing) return get();
    const key = `${name}:${like.device}`;
    let t = this.scalars.get(key);
    if (!t) {
      const backend = like.backend;
      t = hostSource(() => fromHost(Float32Array.of(get()), [], "float32", backend));
      this.scalars.set(key, t);
    }
    return t;
  }

  /** Declares a kind of state (call in the constructor); PyTorch's key names it in stateDict(). */
  protected slot(key: string, initial = 0): Slot {
    const slot = { key, initial, tensors: this.params.map(() => null) };
    this.slots.push(slot);
    return slot;
  }

  /** Parameter i's tensor of `slot`, created on first use and kept (updated with assign). */
  protected state(slot: Slot, i: number, like: Tensor): Tensor {
    return (slot.tensors[i] ??= keep(slot.initial === 0 ? zerosLike(like) : fullLike(like, slot.initial)));
  }

  /**
   * Numbers PyTorch keeps per parameter that follow from the step count (NAdam's mu_product):
   * written for recognition, recomputed rather than read back on load.
   */
  protected derivedState(): Record<string, number> {
    return {};
  }

  /** The hyperparameters besides lr, under PyTorch's param_group names (e.g. betas, weight_decay). */
  protected abstract settings(): Record<string, Setting>;

  /**
   * PyTorch's layout: `state` maps a parameter's index to its tensors (live, not copies, as in
   * PyTorch) and step count; `param_groups` holds our one group's hyperparameters.
   */
  stateDict(): OptimizerStateDict {
    const state: OptimizerStateDict["state"] = {};
    this.params.forEach((_, i) => {
      const held = this.slots.filter((s) => s.tensors[i]);
      if (!held.length) return;
      const entry: Record<string, Tensor | number> = this.countsSteps ? { step: this.stepCount, ...this.derivedState() } : {};
      for (const s of held) entry[s.key] = s.tensors[i]!;
      state[i] = entry;
    });
    const group: OptimizerStateDict["param_groups"][number] = { lr: this.lr, ...this.settings() };
    if (this.initialLr !== undefined) group.initial_lr = this.initialLr;
    group.params = this.params.map((_, i) => i);
    return { state, param_groups: [group] };
  }

  /**
   * Restores a stateDict() of an optimizer of the same kind and settings over parameters of the
   * same shapes. Everything is checked before anything changes. Values are copied into this
   * optimizer's state tensors in place; state the dict lacks goes back to its start value.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const keys = this.slots.map((s) => s.key);
    const entries = checkOptimizerState(this.constructor.name, sd, {
      shapes: this.params.map((p) => p.shape),
      settings: this.settings(),
      slotKeys: keys,
      countsSteps: this.countsSteps,
      derivedKeys: Object.keys(this.derivedState()),
    });
    noGrad(() =>
      tidy(() => {
        this.params.forEach((p, i) => {
          for (const s of this.slots) {
            const saved = entries[i]?.[s.key];
            if (saved) this.state(s, i, p).assign((saved as Tensor).astype("float32").detach());
            else if (s.tensors[i]) s.tensors[i]!.assign(fullLike(p, s.initial));
          }
        });
      }),
    );
    const steps = entries.map((e) => (e?.step as number | undefined) ?? 0);
    // SGD's state has no step: a loaded momentum buffer is at least one step old (its
    // dampening applies from the second step on).
    this.stepCount = this.countsSteps ? Math.max(0, ...steps) : entries.some(Boolean) ? Math.max(1, this.stepCount) : 0;
    const group = sd.param_groups[0];
    this.lr = group.lr as number;
    if (group.initial_lr !== undefined) this.initialLr = group.initial_lr as number;
  }

  /** The new value of parameter i. State tensors come from state() and change by assign(). */
  protected abstract update(p: Tensor, g: Tensor, i: number): Tensor;
}

/** A hyperparameter that must be a finite number >= 0 (PyTorch's rule for most of them). */
export function nonNegative(where: string, name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== "number" || !(v >= 0) || v === Infinity) {
    throw new InputError(`${where}: ${name} must be a finite number >= 0, got ${describe(v)} (the default is ${fallback})`);
  }
  return v;
}
