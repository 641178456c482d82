// Freed CPU arrays kept for reuse by the next allocation of the same dtype and length. A
// training step allocates the same arrays every time (a 784 x 256 gradient, the updated
// weights): a new typed array of that size is fresh pages from the allocator, faulted in and
// zeroed at first touch, and more external memory for the garbage collector to account.
// Reusing one costs a memset at most. Only arrays freed explicitly (dispose, tidy, jit's last
// use) come back here; storage.ts decides when an array is really no longer read. float32
// arrays go to the tensor heap first (wasm/tensorheap.ts), which is its own pool.

import { type DType, type HostArray, allocHost } from "../../dtype";
import { giveHeapArray, heapArray, processMemoryBytes } from "./wasm/tensorheap";

/** Smaller arrays are cheap to allocate and not worth the bookkeeping. */
const MIN_BYTES = 4096;
/** Arrays kept per dtype and length: a step's distinct buffers of one size are few. */
const PER_SIZE = 8;
/**
 * Bytes kept in all; beyond this a freed array is left to the garbage collector. The bench's
 * convnet step at batch 64 keeps 68 MiB in the pool when it may: with 32 MiB its step took
 * 6-9% longer (fresh pages faulted in every step). BASE_BYTES is kept while idle (until
 * emptyCache()); on machines with the memory for it, a burst above that up to BURST_BYTES is
 * allowed too and given back after 30 s without reuse. The burst is for large arrays: a new
 * 64 MiB array costs about 41 ms in page faults here (Node 20, 2 vCPU VM), against 13 ms for
 * adding two 16M-float tensors into a reused one.
 */
export const BASE_BYTES = 128 * 2 ** 20;
export const BURST_BYTES = burstBytesFor(processMemoryBytes());
let idleMs = 30_000;

/** Sets how long the burst above BASE_BYTES is kept without reuse (tests); returns the old value. */
export function setPoolIdleMs(ms: number): number {
  const was = idleMs;
  idleMs = ms;
  return was;
}

/** A sixteenth of the memory this process may use, within [BASE_BYTES, 1 GiB]. */
export function burstBytesFor(memory: number): number {
  return Math.max(BASE_BYTES, Math.min(2 ** 30, Math.floor(memory / 16)));
}

const lists = new Map<string, HostArray[]>();
let pooledBytes = 0;
let lastUse = 0;
let trimTimer: ReturnType<typeof setTimeout> | undefined;

/** Arms the idle trim while the pool holds more than BASE_BYTES. */
function scheduleTrim(delay = idleMs): void {
  if (trimTimer || pooledBytes <= BASE_BYTES || typeof setTimeout !== "function") return;
  trimTimer = setTimeout(() => {
    trimTimer = undefined;
    const idle = Date.now() - lastUse;
    if (idle < idleMs) return scheduleTrim(idleMs - idle);
    trimPool(BASE_BYTES);
  }, delay);
  // A pending trim must not keep a script's process alive.
  (trimTimer as { unref?: () => void }).unref?.();
}

/** Drops pooled arrays, largest first, until at most `bytes` are kept. */
export function trimPool(bytes: number): void {
  // Lists emptied by takeArray stay in the map; they hold nothing to drop.
  for (const [key, list] of lists) if (list.length === 0) lists.delete(key);
  const size = (key: string) => lists.get(key)![0].byteLength;
  const keys = [...lists.keys()].sort((a, b) => size(b) - size(a));
  for (const key of keys) {
    const list = lists.get(key)!;
    while (pooledBytes > bytes && list.length > 0) pooledBytes -= list.pop()!.byteLength;
    if (list.length === 0) lists.delete(key);
    if (pooledBytes <= bytes) return;
  }
}

const keyOf = (dtype: DType, n: number): string => `${dtype}:${n}`;

function dtypeOf(a: HostArray): DType {
  return a instanceof Float32Array ? "float32" : a instanceof Int32Array ? "int32" : "bool";
}

/**
 * An array of `n` elements of `dtype`: a pooled one if there is one, else a new one. `zero`:
 * the caller relies on zeros (a new typed array has them; a reused one is cleared).
 */
export function takeArray(dtype: DType, n: number, zero: boolean): HostArray {
  if (dtype === "float32") {
    const placed = heapArray(n, zero);
    if (placed) return placed;
  }
  if (n * (dtype === "bool" ? 1 : 4) >= MIN_BYTES) {
    const a = lists.get(keyOf(dtype, n))?.pop();
    if (a) {
      pooledBytes -= a.byteLength;
      lastUse = Date.now();
      if (zero) a.fill(0);
      return a;
    }
  }
  return allocHost(dtype, n);
}

/** Takes back an array nothing reads any more. */
export function giveArray(a: HostArray): void {
  if (giveHeapArray(a)) return;
  if (a.byteLength < MIN_BYTES || pooledBytes + a.byteLength > BURST_BYTES) return;
  // A view into a larger buffer (none are made today) must not be handed out as a whole array.
  if (a.byteOffset !== 0 || a.byteLength !== a.buffer.byteLength) return;
  const key = keyOf(dtypeOf(a), a.length);
  let list = lists.get(key);
  if (!list) lists.set(key, (list = []));
  if (list.length >= PER_SIZE) return;
  list.push(a);
  pooledBytes += a.byteLength;
  lastUse = Date.now();
  scheduleTrim();
}

/** Bytes held for reuse now (for tests). */
export function pooledArrayBytes(): number {
  return pooledBytes;
}

/** Drops every pooled array (for tests, and to give the memory back). */
export function clearArrayPool(): void {
  lists.clear();
  pooledBytes = 0;
  if (trimTimer) clearTimeout(trimTimer);
  trimTimer = undefined;
}
