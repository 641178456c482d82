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

/** Removes t from every open scope, so no tidy() disposes it (e.g. gradients set by backward). */
export function keep<T extends Tensor>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}
