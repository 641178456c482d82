// The seam between the op layer and vmap: dispatch.apply() asks `batchHook` first while any
// vmap is running, and random draws check `vmapRunning()`. This module imports nothing, so the
// op layer can read it without a cycle through vmap's rules (which call the op layer).

import type { Primitive, PrimitiveAttrs, TensorInfo } from "../ops/primitives";
import type { Tensor } from "../tensor";

/** Runs a primitive whose inputs include batched tensors; null when none of them is batched. */
export type BatchHook = <P extends Primitive>(prim: P, inputs: Tensor[], out: TensorInfo, attrs: PrimitiveAttrs[P]) => Tensor | null;

export let batchHook: BatchHook | null = null;

export function setBatchHook(h: BatchHook | null): void {
  batchHook = h;
}

export function vmapRunning(): boolean {
  return batchHook !== null;
}

/** Draws random values of `shape` inside vmap per the running vmaps' `randomness` option:
 * `draw(fullShape)` makes host values of any shape (the batch axes in front). */
export type RandomHook = (where: string, shape: number[], draw: (shape: number[]) => Tensor) => Tensor;

export let randomHook: RandomHook | null = null;

export function setRandomHook(h: RandomHook | null): void {
  randomHook = h;
}
