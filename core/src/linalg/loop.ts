// The step loop of the iterative algorithms (elimination, substitution, Jacobi sweeps): without
// it, every tensor a step makes would live until the whole call ends (internal() frees at the
// end), and an eigh of a 256 x 256 matrix would hold thousands of matrices at once. Each step
// runs in its own scope; what it made beyond the new state is freed at once, and the previous
// state with it. When the step is recorded for autodiff (QR differentiates through its
// steps) the graph needs all of it, so nothing is freed early.

import type { Tensor } from "../tensor";
import { closeScope, openScope } from "../scope";

/** Hands a tensor made inside a step out of it (it is then never freed by the loop). */
export type Keep = <T extends Tensor>(t: T) => T;

/**
 * Runs `step` for each k of `ks` on a carried state (the initial state is the caller's and is
 * never freed); returns the final state.
 */
export function loop(initial: Tensor[], ks: Iterable<number>, step: (state: Tensor[], k: number, keep: Keep) => Tensor[]): Tensor[] {
  const start = new Set(initial);
  let state = initial;
  for (const k of ks) {
    const scope = openScope();
    const kept: Tensor[] = [];
    let next: Tensor[];
    try {
      next = step(state, k, (t) => (kept.push(t), t));
    } catch (e) {
      closeScope(scope, new Set());
      throw e;
    }
    const outlive = [...next, ...kept];
    const recorded = outlive.some((t) => t.requiresGrad);
    closeScope(scope, recorded ? new Set(scope) : new Set(outlive));
    if (!recorded) for (const t of state) if (!start.has(t) && !outlive.includes(t)) t.dispose();
    state = next;
  }
  return state;
}

/** 0, 1, ..., n - 1 (or n - 1 down to 0 when `down`). */
export function range(n: number, down = false): number[] {
  return Array.from({ length: Math.max(n, 0) }, (_, i) => (down ? n - 1 - i : i));
}
