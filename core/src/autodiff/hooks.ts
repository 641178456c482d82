// Gradient hooks and retained gradients on tensors (PyTorch's tensor.register_hook and
// retain_grad): ways to look at, or change, the gradient flowing through an intermediate
// result, which students use to see vanishing gradients layer by layer. backprop() calls
// runHooks once a tensor's cotangent is complete (every consumer has added to it), so a hook
// sees the whole gradient, not one contribution.

import type { Tensor } from "../tensor";
import { GradError } from "../errors";
import { formatShape, sameShape } from "../shape";
import { outsideInternals } from "../scope";

/** What a hook may return: a replacement gradient of the same shape, or nothing to keep it. */
export type GradHook = (grad: Tensor) => Tensor | void | undefined;

export interface HookHandle {
  /** Unregisters the hook; calling it again does nothing. */
  remove(): void;
}

const hooks = new WeakMap<Tensor, GradHook[]>();
const retained = new WeakSet<Tensor>();

export function registerHook(t: Tensor, hook: GradHook): HookHandle {
  if (typeof hook !== "function") throw new GradError(`registerHook: expected a function (grad) => grad | undefined, got ${typeof hook}`);
  if (!t.requiresGrad) {
    throw new GradError(
      "registerHook: this tensor does not require gradients, so no gradient will reach the hook; " +
        "mark a leaf with x.requiresGrad_() or hook a result computed from one",
    );
  }
  const list = hooks.get(t) ?? [];
  list.push(hook);
  hooks.set(t, list);
  return {
    remove() {
      const at = list.indexOf(hook);
      if (at >= 0) list.splice(at, 1);
    },
  };
}

export function hasHooks(t: Tensor): boolean {
  return (hooks.get(t)?.length ?? 0) > 0;
}

/** Runs t's hooks in registration order, each on the previous one's result. */
export function runHooks(t: Tensor, grad: Tensor): Tensor {
  let g = grad;
  for (const hook of (hooks.get(t) ?? []).slice()) {
    // The hook may keep g or what it computes from it (norms to plot): none of that is freed
    // with backward()'s other intermediates.
    const seen = g;
    const out = outsideInternals([seen], () => hook(seen));
    if (out === undefined || out === null) continue;
    if (typeof out !== "object" || !("shape" in out) || !sameShape(out.shape, g.shape)) {
      const got = out && typeof out === "object" && "shape" in out ? `shape ${formatShape((out as Tensor).shape)}` : typeof out;
      throw new GradError(`a gradient hook must return nothing or a tensor of the gradient's shape ${formatShape(g.shape)}; it returned ${got}`);
    }
    g = out;
  }
  return g;
}

/** Marks a non-leaf tensor so that backward() fills its .grad too (leaves always get one). */
export function retainGrad(t: Tensor): void {
  if (!t.requiresGrad) {
    throw new GradError("retainGrad: this tensor does not require gradients; it must be computed from a tensor with requiresGrad");
  }
  retained.add(t);
}

export function isRetained(t: Tensor): boolean {
  return retained.has(t);
}
