// Reverse-mode autodiff, micrograd style: sort the recorded graph topologically, walk it in
// reverse, and let each node's VJP turn its output cotangent into input cotangents. Broadcasting
// is undone in one place (sumToShape), not in every VJP.

import type { Tensor } from "../tensor";
import { vjpRules } from "../ops/vjps";
import { withGradMode } from "./mode";
import { GradError } from "../errors";
import { onesLike } from "../creation";
import { formatShape, sameShape } from "../shape";
import { closeScope, keep, markLibraryScope, openScope } from "../scope";
import { customRule } from "./custom";
import { hasHooks, isRetained, runHooks } from "./hooks";

/** Sums g over the axes that broadcasting added or stretched, giving `shape`. */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  return g.sum(axes, { keepdims: true }).reshape(shape.slice());
}

/** Tensors between the root and the leaves (or `stops`), each after everything it feeds. */
export function topoOrder(root: Tensor, stops: Set<Tensor> | null): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, boolean][] = [[root, false]];
  while (stack.length) {
    const [t, expanded] = stack.pop()!;
    if (expanded) {
      order.push(t);
      continue;
    }
    if (seen.has(t)) continue;
    seen.add(t);
    stack.push([t, true]);
    if (t.node && !stops?.has(t)) {
      for (const i of t.node.inputs) if (i.requiresGrad && !seen.has(i)) stack.push([i, false]);
    }
  }
  return order.reverse();
}

/** Whether root's graph reaches a tensor that requires grad other than through `stops`: a
 * variable of an outer grad (passed in another argument, or captured by the function). Then the
 * backward pass must be recorded so that the outer grad can differentiate it. */
export function dependsOnOuter(root: Tensor, stops: Set<Tensor>): boolean {
  return topoOrder(root, stops).some((t) => t.requiresGrad && !t.node && !stops.has(t));
}

const releasedMessage =
  "backward(): part of this graph was already differentiated by a backward() that freed what it kept for the " +
  "gradient (as PyTorch does); compute the forward again, or pass { retainGraph: true } to the first backward()";

/**
 * Cotangents of every tensor reachable from root, given the root's cotangent `seed`.
 * `createGraph` records the backward pass itself, for higher-order derivatives.
 */
export function backprop(
  root: Tensor,
  seed: Tensor,
  stops: Set<Tensor> | null,
  createGraph: boolean,
  order: Tensor[] = topoOrder(root, stops),
): Map<Tensor, Tensor> {
  return withGradMode(createGraph, () => {
    const grads = new Map<Tensor, Tensor>([[root, seed]]);
    for (const t of order) {
      let g = grads.get(t);
      if (g && hasHooks(t)) {
        // Complete here: everything t feeds comes earlier in the order.
        g = runHooks(t, g);
        grads.set(t, g);
      }
      const node = t.node;
      if (!g || !node || stops?.has(t)) continue;
      if (node.released) throw new GradError(releasedMessage);
      const needs = node.inputs.map((i) => i.requiresGrad);
      const custom = customRule(node);
      const rule = vjpRules[node.prim] as (g: Tensor, i: Tensor[], o: Tensor, a: unknown, n: boolean[]) => (Tensor | null)[];
      const cots = custom ? custom(g, needs) : rule(g, node.inputs, t, node.attrs, needs);
      node.inputs.forEach((input, k) => {
        const c = cots[k];
        if (!c || !input.requiresGrad) return;
        const fitted = sumToShape(c, input.shape);
        const prev = grads.get(input);
        grads.set(input, prev ? prev.add(fitted) : fitted);
      });
    }
    return grads;
  });
}

/**
 * Frees what library composites kept for the gradient (GradNode.internals, see scope.ts) in a
 * differentiated graph (`order`, backprop's). Call it after using backprop's result: disposing
 * an internal tensor clears its node, which would make it look like a leaf.
 */
export function releaseInternals(order: Tensor[], stops: Set<Tensor> | null): void {
  const nodes = order.filter((t) => !stops?.has(t)).map((t) => t.node);
  for (const node of nodes) {
    if (!node?.internals) continue;
    const list = node.internals;
    node.internals = undefined;
    node.released = true;
    for (const t of list) t.dispose();
  }
}

export interface BackwardOptions {
  /** Keep what the graph saved for the gradient, to call backward() through it again. */
  retainGraph?: boolean;
}

/**
 * PyTorch-style backward: accumulates into .grad of every leaf with requiresGrad (and of
 * intermediates marked with retainGrad()). What it
 * computes on the way (cotangents of intermediates) is freed before it returns, so a training
 * loop that never awaits does not keep a step's worth of buffers per iteration.
 */
export function backward(root: Tensor, gradient?: Tensor, options: BackwardOptions = {}): void {
  if (!root.requiresGrad) {
    if (root.fromJit) {
      throw new GradError(
        "backward(): this tensor is a result of a jitted function, and jit records no autodiff graph for its " +
          "results; call loss.backward() inside the jitted function (with opt.step()), or use jit(grad(f))",
      );
    }
    throw new GradError(
      "backward(): this tensor does not depend on any tensor with requiresGrad; " +
        "mark the inputs first, e.g. w.requiresGrad = true (or w = w.requiresGrad_())",
    );
  }
  if (!gradient) {
    if (root.size !== 1) {
      throw new GradError(
        `backward(): the tensor has shape ${formatShape(root.shape)}; backward() without a gradient needs a single ` +
          `value (reduce first, e.g. loss.mean().backward()), or pass the gradient: y.backward(onesLike(y))`,
      );
    }
  } else if (!sameShape(gradient.shape, root.shape)) {
    throw new GradError(`backward(gradient): gradient shape ${formatShape(gradient.shape)} must equal the tensor's shape ${formatShape(root.shape)}`);
  }
  const scope = openScope(); // everything made from here on but the new .grads is freed at the end
  markLibraryScope(scope); // but not what gradient hooks keep
  const made = new Set<Tensor>();
  try {
    const seed = gradient ?? onesLike(root);
    const order = topoOrder(root, null);
    const grads = backprop(root, seed.astype("float32"), null, false, order);
    withGradMode(false, () => {
      for (const [t, g] of grads) {
        if ((t.node && !isRetained(t)) || !t.requiresGrad) continue;
        const old = t.peekGrad();
        const next = old ? old.add(g) : g.detach();
        made.add(next);
        t.setOwnedGrad(next);
      }
    });
    if (!options.retainGraph) releaseInternals(order, null);
  } finally {
    closeScope(scope, made);
  }
  for (const g of made) keep(g);
}
