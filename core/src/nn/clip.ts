// Gradient clipping by global norm, PyTorch's torch.nn.utils.clip_grad_norm_: all gradients
// are scaled by one factor so that their joint norm is at most maxNorm. The factor is computed
// on the device and applied unconditionally (times at most 1), so clipping never waits for a
// read back and replays under jit.

import type { Tensor } from "../tensor";
import { noGrad } from "../autodiff/mode";
import { tidy } from "../api";
import { keep } from "../scope";
import { zeros } from "../creation";
import { InputError } from "../errors";

export interface ClipOptions {
  /** 2 (the default) for the Euclidean norm of all gradients together, Infinity for the largest |value|. */
  normType?: number;
}

/**
 * Scales the gradients of `params` in place so that their total norm is at most maxNorm, and
 * returns the total norm before clipping (a scalar tensor). Call it between backward() and
 * the optimizer's step(). Parameters without a gradient are skipped.
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, options: ClipOptions = {}): Tensor {
  const normType = options.normType ?? 2;
  if (!(maxNorm >= 0)) throw new InputError(`clipGradNorm: maxNorm must be a number >= 0, got ${maxNorm}`);
  if (normType !== 2 && normType !== Infinity) throw new InputError(`clipGradNorm: normType must be 2 or Infinity, got ${normType}`);
  const withGrad = [...params].filter((p) => p.peekGrad() !== null);
  if (!withGrad.length) return zeros([]);
  return noGrad(() =>
    tidy(() => {
      const grads = withGrad.map((p) => p.peekGrad()!);
      const total =
        normType === Infinity
          ? grads.map((g) => g.abs().max()).reduce((a, b) => a.maximum(b))
          : grads.map((g) => g.square().sum()).reduce((a, b) => a.add(b)).sqrt();
      // PyTorch's factor: maxNorm / (norm + 1e-6), at most 1.
      const factor = total.add(1e-6).reciprocal().mul(maxNorm).minimum(1);
      withGrad.forEach((p, i) => p.setOwnedGrad(keep(grads[i].mul(factor))));
      return total;
    }),
  );
}
