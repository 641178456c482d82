// tidy(): dispose every tensor a function created, except what it returns. Scopes nest.
// Tensors are tracked by the innermost open scope at creation time.

import type { Tensor } from "./tensor";

const scopes: Set<Tensor>[] = [];

export function trackInScope(t: Tensor): void {
  if (scopes.length) scopes[scopes.length - 1].add(t);
}

/** Tensors anywhere inside a returned value (tensor, array, plain object, Map). */
export function collectTensors(value: unknown, into: Set<Tensor>, isTensor: (x: unknown) => x is Tensor): void {
  if (isTensor(value)) into.add(value);
  else if (Array.isArray(value)) value.forEach((v) => collectTensors(v, into, isTensor));
  else if (value instanceof Map) value.forEach((v) => collectTensors(v, into, isTensor));
  else if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collectTensors(v, into, isTensor);
  }
}

export function openScope(): Set<Tensor> {
  const s = new Set<Tensor>();
  scopes.push(s);
  return s;
}

export function closeScope(s: Set<Tensor>, keep: Set<Tensor>): void {
  const top = scopes.pop();
  if (top !== s) throw new Error("tidy scopes closed out of order");
  for (const t of s) {
    if (keep.has(t)) trackInScope(t); // survives into the enclosing scope
    else t.dispose();
  }
}

/** Closes s without disposing anything, and returns what it tracked (for vmap's own freeing). */
export function popScope(s: Set<Tensor>): Set<Tensor> {
  if (scopes.pop() !== s) throw new Error("tidy scopes closed out of order");
  return s;
}

/** Forgets every open scope without disposing anything: after an interrupted script none is
 * really open any more (recover.ts); what they tracked is left to GC. */
export function dropOpenScopes(): number {
  const n = scopes.length;
  scopes.length = 0;
  return n;
}

/** Marks a scope the library opened around user code's callbacks (backward() around gradient
 * hooks), so that outsideInternals() hides it from them as it hides internal() scopes. */
export function markLibraryScope(s: Set<Tensor>): void {
  internalScopes.add(s);
}

/** Removes t from every open scope, so no tidy() disposes it (e.g. gradients set by backward). */
export function keep<T extends Tensor>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}

/**
 * For the library's own composites (layers, losses, softmax, conv2d): runs fn like tidy(), but
 * what fn made besides its result is not disposed at once when the result is in an autodiff
 * graph, since the graph may need it for the gradient. It is handed to the result's graph node
 * instead, and backward() frees it once the gradient is computed (retainGraph: false, as in
 * PyTorch). Without a graph it is disposed at once. Either way a training loop that never
 * awaits (FinalizationRegistry callbacks only run between tasks) frees its intermediates.
 */
/** The scopes opened by internal(), as opposed to tidy()'s. */
const internalScopes = new WeakSet<Set<Tensor>>();

function innermostTidy(): Set<Tensor> | null {
  for (let i = scopes.length - 1; i >= 0; i--) if (!internalScopes.has(scopes[i])) return scopes[i];
  return null;
}

export function internal<T extends Tensor>(fn: () => T): T {
  return internalAll(() => [fn()])[0] as T;
}

/** internal() for a composite with several results (attention's output and weights): all are
 * kept; what else it made goes to the first recorded result's node. */
export function internalAll(fn: () => Tensor[]): Tensor[] {
  const s = openScope();
  internalScopes.add(s);
  let outs: Tensor[] | undefined;
  try {
    outs = fn();
  } finally {
    if (scopes.pop() !== s) throw new Error("tidy scopes closed out of order");
    const kept = new Set(outs ?? []);
    const rest: Tensor[] = [];
    for (const t of s) if (!kept.has(t)) rest.push(t);
    for (const out of kept) if (s.has(out)) trackInScope(out);
    const node = (outs ?? []).find((o) => o.requiresGrad && o.node)?.node ?? null;
    if (node && rest.length) {
      (node.internals ??= []).push(...rest);
      // An enclosing tidy() still frees them. Not an enclosing internal(): its node would list
      // them a second time, while this node already frees them.
      const tidy = innermostTidy();
      if (tidy) for (const t of rest) tidy.add(t);
    } else {
      for (const t of rest) t.dispose();
    }
  }
  return outs as Tensor[];
}

/**
 * Runs user code called from inside library composites (a forward hook in a layer of a
 * Sequential): what it makes is tracked by the innermost tidy() as if the composites were not
 * there, and `rescued` tensors it may keep (the layer's output) are taken out of the
 * composites' scopes, so that neither is freed when the composite's gradient is done.
 */
export function outsideInternals<T>(rescued: Tensor[], fn: () => T): T {
  for (const s of scopes) if (internalScopes.has(s)) for (const t of rescued) s.delete(t);
  const tidy = innermostTidy();
  if (tidy) for (const t of rescued) tidy.add(t);
  const depth = scopes.findIndex((s) => internalScopes.has(s));
  if (depth < 0) return fn();
  const hidden = scopes.splice(depth);
  const visible = hidden.filter((s) => !internalScopes.has(s));
  scopes.push(...visible); // tidy() scopes opened inside internals stay innermost
  try {
    return fn();
  } finally {
    scopes.splice(depth);
    scopes.push(...hidden);
  }
}
