// CPU storage is a typed array of the dtype's host type (bool: one byte per element), or a
// result not computed yet (PendingStorage, see fusion.ts) that any kernel reading it through
// `data` computes first.

import type { Storage } from "../backend";
import { type DType, type HostArray, allocHost } from "../../dtype";

export class CpuStorage implements Storage {
  /** The fuser's last leaf node over this array, reused while read at the same shape (fusion.ts). */
  leaf: unknown = null;
  constructor(readonly data: HostArray) {}
  get bytes(): number {
    return this.data.byteLength;
  }
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

export function alloc(dtype: DType, n: number): CpuStorage {
  return new CpuStorage(allocHost(dtype, n));
}
