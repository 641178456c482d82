// Optimizers update parameters in place (Tensor.assign) from their .grad, PyTorch style:
// opt.zeroGrad(); loss.backward(); opt.step(). Updates are not recorded for autodiff, and the
// temporaries of each step are freed at once by tidy().
//
// jit-friendly by construction (see jit/trace.ts): state tensors keep their identity and are
// updated with assign(), so a replayed step reads and writes the same tensors; hyperparameters
// that may change between steps (lr under a schedule, Adam's bias corrections) enter the step
// through scalar() and the step counter through hostEffect(), so a replay sees current values.

import type { Tensor } from "../tensor";
import { noGrad } from "../autodiff/mode";
import { tidy } from "../api";
import { InputError } from "../errors";
import { describe } from "../shape";
import { active as tracing, hostEffect, hostSource } from "../jit/trace";
import { fromHost, fullLike, zerosLike } from "../creation";
import { keep } from "../scope";

export abstract class Optimizer {
  readonly params: Tensor[];
  lr: number;
  stepCount = 0;
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

  /**
   * State tensor i of `slots`, created on first use as zeros (or `initial`, e.g. Adagrad's
   * initial accumulator) and kept (updated with assign).
   */
  protected state(slots: (Tensor | null)[], i: number, like: Tensor, initial = 0): Tensor {
    return (slots[i] ??= keep(initial === 0 ? zerosLike(like) : fullLike(like, initial)));
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
