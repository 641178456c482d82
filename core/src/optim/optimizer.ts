// Optimizers update parameters in place (Tensor.assign) from their .grad, PyTorch style:
// opt.zeroGrad(); loss.backward(); opt.step(). Updates are not recorded for autodiff, and the
// temporaries of each step are freed at once by tidy().

import type { Tensor } from "../tensor";
import { noGrad } from "../autodiff/mode";
import { tidy } from "../api";
import { InputError } from "../errors";

export abstract class Optimizer {
  readonly params: Tensor[];
  lr: number;
  stepCount = 0;
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
    this.stepCount += 1;
    noGrad(() =>
      tidy(() => {
        this.params.forEach((p, i) => {
          if (p.grad) p.assign(this.update(p, p.grad, i));
        });
      }),
    );
  }

  /** The new value of parameter i. State tensors must be kept with keepState(). */
  protected abstract update(p: Tensor, g: Tensor, i: number): Tensor;
}
