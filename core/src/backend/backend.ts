// The backend seam: a backend stores bytes and runs primitives. It never sees Tensors, autodiff
// or shape errors: ops have checked shapes and dtypes before a kernel is called, and `out`
// already holds the result's shape and dtype.
//
// Storage is owned by exactly one backend; the memory module counts references to it so that
// reshape can share a buffer.

import type { DType, HostArray } from "../dtype";
import type { Primitive, PrimitiveAttrs, TensorInfo } from "../ops/primitives";

export type BackendName = "cpu" | "webgpu";

/** A buffer handle owned by a backend. `bytes` is its size on the device. */
export interface Storage {
  readonly bytes: number;
}

export interface KernelArgs<P extends Primitive> {
  inputs: Storage[];
  infos: TensorInfo[];
  out: TensorInfo;
  attrs: PrimitiveAttrs[P];
}

export type Kernel<P extends Primitive> = (args: KernelArgs<P>) => Storage;

/** One kernel per primitive; the mapped type makes a missing one a compile error. */
export type KernelTable = { [P in Primitive]: Kernel<P> };

export interface Backend {
  readonly name: BackendName;
  /** A human description of the device, e.g. "lavapipe (Vulkan, software)". */
  readonly description: string;
  /** Copies host data (of `dtype`, `data.length` elements) to a new storage. */
  upload(data: HostArray, dtype: DType): Storage;
  /** Reads `size` elements of `dtype` back to the host. */
  read(storage: Storage, dtype: DType, size: number): Promise<HostArray>;
  /** Synchronous read where the backend can (cpu); undefined otherwise. */
  readSync?(storage: Storage, dtype: DType, size: number): HostArray;
  /** Releases the storage; it is never used again. */
  free(storage: Storage): void;
  readonly kernels: KernelTable;
  /** Computes all the work asked for so far (deferred work included) and waits until it has
   * finished (for benchmarks and tests). */
  sync(): Promise<void>;
  /** Releases the device so the process can exit. */
  destroy(): void;
  /** Frees what the backend keeps for reuse (pooled buffers or arrays); live tensors stay. */
  emptyCache?(): void;
  /** Makes the backend usable again after a script was terminated inside one of its calls
   * (see recover.ts); resolves false when work recorded before that was lost. */
  recover?(): Promise<boolean>;
}
