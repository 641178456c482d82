// V8 does not know how much device memory a tensor holds, and it only clears
// FinalizationRegistry targets in a full (mark-compact) collection, which a heap of small
// Tensor objects rarely triggers. So a training loop that drops tensors without dispose() would
// keep hundreds of thousands of buffers alive between full collections. When the number (or
// size) of live buffers has doubled since the last collection we ask for one; the finalizers
// then free the dropped buffers at the next turn of the event loop (any await of a readback).

import * as v8 from "node:v8";
import * as vm from "node:vm";

const minBuffers = 2000;
const minBytes = 256 * 2 ** 20;
let gcFn: (() => void) | null | undefined;

export function getGc(): (() => void) | null {
  if (gcFn !== undefined) return gcFn;
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === "function") return (gcFn = existing);
  try {
    // The documented way to reach V8's gc() from a running process without --expose-gc.
    v8.setFlagsFromString("--expose-gc");
    gcFn = vm.runInNewContext("gc") as () => void;
  } catch {
    gcFn = null;
  }
  return gcFn;
}

// The fewest live buffers/bytes seen since the last collection: what really stayed alive.
let lowBuffers = 0;
let lowBytes = 0;

/** Called on every release, to keep the low-water marks. */
export function noteRelease(buffers: number, bytes: number): void {
  if (buffers < lowBuffers) lowBuffers = buffers;
  if (bytes < lowBytes) lowBytes = bytes;
}

/** Called on every allocation: collects when live memory has grown well past what stayed
 * alive after the previous collection. If a collection frees nothing (the loop really keeps
 * everything), the low-water mark stays high and the threshold doubles, so we do not collect
 * over and over. */
export function collectIfPressured(buffers: number, bytes: number): boolean {
  if (buffers < lowBuffers + Math.max(minBuffers, lowBuffers) && bytes < lowBytes + Math.max(minBytes, lowBytes)) return false;
  if (process.env.TSDL_DEBUG_GC) console.error(`tsdl: collecting at ${buffers} live buffers (${bytes} bytes)`);
  lowBuffers = buffers;
  lowBytes = bytes;
  const gc = getGc();
  gc?.();
  return gc !== null;
}

// Device buffers (unlike CPU arrays, which V8 reclaims itself) of tensors that became
// unreachable are freed by finalizers, which run only between tasks, or after a collection when
// they hold a token (tokens.ts). When the tokens ran out in a loop that never awaits and
// collections keep finding device memory high within it, say so once, with what to do.
const hintBytes = Number(process.env.TSDL_HINT_BYTES ?? 1024 * 2 ** 20);
let collectionsThisTask = 0;
let hinted = false;

export function hintIfNeverAwaited(deviceBytes: number, unwatched: number): void {
  if (collectionsThisTask++ === 0) setImmediate(() => (collectionsThisTask = 0)).unref();
  if (hinted || unwatched === 0 || collectionsThisTask < 2 || deviceBytes < hintBytes) return;
  hinted = true;
  console.warn(
    `tsdl: ${Math.round(deviceBytes / 2 ** 20)} MB of device memory is held by tensors, and this code has not awaited ` +
      "since they were made. Tensors your code drops are freed between tasks (JavaScript runs finalizers only then), " +
      "so a long loop that never awaits keeps them all: await now and then (e.g. `if (i % 50 === 0) console.log(await loss.item())`), " +
      "run the loop body in tidy(() => { ... }), or jit() the step.",
  );
}
