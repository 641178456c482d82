// Frees every tensor the program can no longer reach, now rather than at V8's leisure. The
// kernel calls this when a cell ends, so notebooks never need tidy() or dispose(): whatever a
// cell created and did not keep in a variable (or a closure, an array, a module...) goes.
// Reachability is V8's own, so nothing still in use can be freed by mistake.

import { memory } from "./memory";
import { getGc } from "./pressure";

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs a full collection and waits for the finalizers it schedules; returns what was freed.
 * Without access to V8's gc() it frees nothing and says so with `collected: false`. */
export async function collectGarbage(): Promise<{ collected: boolean; buffers: number; bytes: number }> {
  const gc = getGc();
  const before = memory();
  if (!gc) return { collected: false, buffers: 0, bytes: 0 };
  gc();
  // FinalizationRegistry callbacks run as separate tasks after the collection; give them a few
  // turns of the event loop, stopping early once a turn frees nothing more.
  let last = before.buffers;
  for (let turn = 0; turn < 8; turn++) {
    await nextTurn();
    const now = memory().buffers;
    if (turn > 0 && now === last) break;
    last = now;
  }
  const after = memory();
  return { collected: true, buffers: before.buffers - after.buffers, bytes: before.bytes - after.bytes };
}
