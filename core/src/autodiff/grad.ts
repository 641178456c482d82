// JAX-style transformations: grad(f) and valueAndGrad(f) return functions computing the
// gradient of a scalar f with respect to its tensor arguments (a tensor, or arrays/objects of
// tensors). They nest: grad(grad(f)) differentiates the backward pass, which is recorded
// whenever an argument already carries a graph from an outer grad.

import type { Tensor } from "../tensor";
import { backprop, dependsOnOuter, releaseInternals, topoOrder } from "./backprop";
import { withGradMode } from "./mode";
import { GradError } from "../errors";
import { isTensor, onesLike, zerosLike } from "../creation";
import { formatShape } from "../shape";
import { closeScope, collectTensors, openScope } from "../scope";

export type Tree = Tensor | Tree[] | { [key: string]: Tree };

/** A copy of a tree (arrays and plain objects) with each tensor replaced by fn(tensor). */
export function mapTree(t: unknown, fn: (x: Tensor) => Tensor): unknown {
  if (isTensor(t)) return fn(t);
  if (Array.isArray(t)) return t.map((v) => mapTree(v, fn));
  if (t && typeof t === "object" && Object.getPrototypeOf(t) === Object.prototype) {
    return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, mapTree(v, fn)]));
  }
  return t;
}

export interface GradOptions {
  /** Which positional arguments to differentiate: one index (default 0) or several. */
  argnums?: number | number[];
}

/** Replaces each tensor in the differentiated arguments by a tracked stand-in. */
function trackedArgs(args: unknown[], argnums: number[], leaves: Tensor[]): unknown[] {
  return args.map((a, i) => {
    if (!argnums.includes(i)) return a;
    if (a === undefined) throw new GradError(`grad: argument ${i} was not given`);
    return mapTree(a, (x) => {
      if (x.dtype !== "float32") throw new GradError(`grad: argument ${i} has dtype ${x.dtype}; only float32 tensors have gradients`);
      // Under an outer grad x carries a graph: a reshape-to-itself keeps the link (free view).
      const leaf = x.requiresGrad ? withGradMode(true, () => x.reshape([...x.shape, 1]).reshape(x.shape)) : x.detach().requiresGrad_();
      leaves.push(leaf);
      return leaf;
    });
  });
}

export function valueAndGrad<A extends unknown[]>(f: (...args: A) => Tensor, options: GradOptions = {}) {
  const nums = options.argnums ?? 0;
  const argnums = Array.isArray(nums) ? nums : [nums];
  return (...args: A): [Tensor, any] => {
    const leaves: Tensor[] = [];
    const tracked = trackedArgs(args, argnums, leaves);
    const nested = leaves.some((l) => l.node !== null);
    const out = withGradMode(true, () => f(...(tracked as A)));
    if (!isTensor(out) || out.size !== 1) {
      throw new GradError(
        `grad: the function must return a tensor with a single value (e.g. a loss); it returned ` +
          (isTensor(out) ? `shape ${formatShape(out.shape)}; reduce it, e.g. .sum() or .mean()` : String(out)),
      );
    }
    const stops = new Set(leaves);
    const record = nested || (out.requiresGrad && dependsOnOuter(out, stops));
    // Unless the backward pass is itself differentiated, what it makes besides the gradients
    // is freed now, and so is what layers and losses kept for it (backprop's release).
    const scope = record ? null : openScope();
    let gradTrees: unknown[] = [];
    try {
      const order = out.requiresGrad ? topoOrder(out, stops) : [];
      const grads = out.requiresGrad ? backprop(out, onesLike(out).astype("float32"), stops, record, order) : new Map();
      let k = 0;
      const pick = (a: unknown) =>
        mapTree(a, () => {
          const leaf = leaves[k++];
          return grads.get(leaf) ?? zerosLike(leaf);
        });
      gradTrees = argnums.map((i) => pick(tracked[i]));
      if (!record) releaseInternals(order, stops);
    } finally {
      if (scope) {
        const made = new Set<Tensor>();
        collectTensors(gradTrees, made, isTensor);
        closeScope(scope, made);
      }
    }
    const value = record ? out : out.detach();
    return [value, Array.isArray(nums) ? gradTrees : gradTrees[0]];
  };
}

/** grad(f)(x) is df/dx for a function f returning a single value. */
export function grad<A extends unknown[]>(f: (...args: A) => Tensor, options: GradOptions = {}) {
  const vg = valueAndGrad(f, options);
  return (...args: A): any => vg(...args)[1];
}
