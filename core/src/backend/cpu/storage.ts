// CPU storage is a typed array of the dtype's host type (bool: one byte per element).

import type { Storage } from "../backend";
import { type DType, type HostArray, allocHost } from "../../dtype";

export class CpuStorage implements Storage {
  constructor(readonly data: HostArray) {}
  get bytes(): number {
    return this.data.byteLength;
  }
}

export function data(s: Storage): HostArray {
  return (s as CpuStorage).data;
}

export function alloc(dtype: DType, n: number): CpuStorage {
  return new CpuStorage(allocHost(dtype, n));
}
