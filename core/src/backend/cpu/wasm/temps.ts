// Temporary heap blocks of the SIMD maps and folds (copies of operands not on the heap, run
// tables). A kernel that V8 terminates mid-way (an interrupted notebook cell) never reaches the
// `finally` that frees its block; the next kernel frees it instead. First it lets the engine
// settle (engine.ts), since a parallel map's workers may still be writing into that block.

import type { WasmHeap } from "./heap";
import { gemmEngine } from "./index";

/** The block of the kernel in progress (or of one that was terminated), else -1. */
let held = -1;
let heldOn: WasmHeap | null = null;

/** A temporary block of `bytes` (-1 if there is no room), after freeing an interrupted kernel's. */
export function takeTemp(heap: WasmHeap, bytes: number): number {
  if (held >= 0) {
    gemmEngine()?.settleInterrupted();
    heldOn!.free(held);
    held = -1;
  }
  const at = heap.alloc(bytes);
  if (at >= 0) {
    held = at;
    heldOn = heap;
  }
  return at;
}

/** Frees the block takeTemp gave. */
export function giveTemp(heap: WasmHeap, at: number): void {
  if (at === held) held = -1;
  heap.free(at);
}

/** Whether a temporary block is held now (tests: none after a kernel returns). */
export function tempHeld(): boolean {
  return held >= 0;
}
