// CPU storage is a typed array of the dtype's host type (bool: one byte per element), or a
// result not computed yet (PendingStorage, see fusion.ts) that any kernel reading it through
// `data` computes first.
//
// A freed array goes back to the pool (pool.ts) once nothing reads it: a pending tree that has
// it as a leaf holds it (fusion.ts), and the last hold released returns an array freed meanwhile.

import type { Storage } from "../backend";
import type { DType, HostArray } from "../../dtype";
import { giveArray, takeArray } from "./pool";

export class CpuStorage implements Storage {
  /** Pending trees that read this array and are neither computed nor freed yet. */
  holds = 0;
  /** The owner freed it; the array is pooled when the last hold goes, and never used again. */
  released = false;
  /** The fuser's last leaf node over this array, reused while read at the same shape (fusion.ts). */
  leaf: unknown = null;
  constructor(readonly data: HostArray) {}
  get bytes(): number {
    return this.data.byteLength;
  }
}

/** The backend's free() of a real array: pooled now, or when its last reader lets go. */
export function release(s: CpuStorage): void {
  if (s.released) return;
  s.released = true;
  if (s.holds === 0) giveArray(s.data);
}

export function hold(s: CpuStorage): void {
  s.holds += 1;
}

export function unhold(s: CpuStorage): void {
  s.holds -= 1;
  if (s.holds === 0 && s.released) giveArray(s.data);
}

/** An elementwise result whose computation is deferred; `compute` fills `result` once. */
export class PendingStorage implements Storage {
  result: CpuStorage | null = null;
  freed = false;
  constructor(
    /** What it will occupy once computed. */
    readonly bytes: number,
    private readonly compute: (self: PendingStorage) => CpuStorage,
  ) {}

  materialize(): CpuStorage {
    if (this.freed) throw new TypeError("use of freed cpu storage");
    this.result ??= this.compute(this);
    return this.result;
  }
}

export function data(s: Storage): HostArray {
  return s instanceof PendingStorage ? s.materialize().data : (s as CpuStorage).data;
}

/** A zero-filled array (kernels that write only some elements, or accumulate, rely on it). */
export function alloc(dtype: DType, n: number): CpuStorage {
  return new CpuStorage(takeArray(dtype, n, true));
}

/** An array whose every element the caller writes: a reused one is not cleared first. */
export function allocOverwritten(dtype: DType, n: number): CpuStorage {
  return new CpuStorage(takeArray(dtype, n, false));
}
