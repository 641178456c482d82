// The WebGPU backend: Dawn in Node (the `webgpu` npm package), or any WebGPU implementation
// that provides the same globals. Work is recorded lazily into one command encoder and only
// submitted when needed (see encoder.ts); `read` and `sync` are the points that wait.
//
//   const backend = await createWebGPUBackend();   // null when there is no adapter at all
//   const x = backend.upload(new Float32Array([1, 2]), "float32");
//   await backend.read(x, "float32", 2);           // Float32Array [1, 2]
//   backend.destroy();                             // lets the Node process exit

import { allocHost, type DType, type HostArray } from "../../dtype";
import { DeviceLimitError } from "../../errors";
import type { Backend, KernelTable, Storage } from "../backend";
import { BufferPool, type MemoryStats } from "./buffers";
import { GPU_ELEMENT_BYTES, GpuContext } from "./context";
import { DeviceHealth, openDevice, type AdapterSummary } from "./device";
import { CommandRecorder } from "./encoder";
import { createKernels } from "./kernels";
import { executeProgram } from "./kernels/elementwise";
import { Fuser } from "./fusion";
import { PipelineCache } from "./pipelines";

export type { AdapterSummary } from "./device";
export type { MemoryStats } from "./buffers";

export interface WebGPUBackend extends Backend {
  readonly name: "webgpu";
  /** True for CPU implementations such as lavapipe, where the cpu backend is usually faster. */
  readonly isSoftware: boolean;
  readonly adapter: AdapterSummary;
  /** The device limits that decide which tensors fit (bytes). */
  readonly limits: { maxStorageBufferBindingSize: number; maxBufferSize: number };
  /** Live and pooled device buffers. */
  memory(): MemoryStats;
  /**
   * Dispatches recorded and pipelines compiled so far, elementwise operations that ran inside
   * another kernel (fused) instead of their own, and GPU buffers (pooled and readback staging)
   * and bind groups created so far: after warm-up a training step creates none.
   */
  counters(): { dispatches: number; pipelines: number; fusedOps: number; buffers: number; bindGroups: number };
  /** Whether elementwise operations fuse (see fusion.ts). */
  readonly fusion: boolean;
  /** Destroys pooled (unused) buffers. */
  trim(): void;
}

export interface WebGPUOptions {
  /** Bytes of freed buffers kept for reuse (default 256 MiB). */
  maxPooledBytes?: number;
  /**
   * Reduce long rows with workgroup trees. Default: true on GPUs, false on software adapters,
   * where per-thread interleaved loops are several times faster (see wgsl/reduce.ts).
   */
  treeReductions?: boolean;
  /**
   * Kernel shapes for CPU-like adapters (matmul without workgroup memory, see
   * wgsl/matmulLanes.ts). Default: true on software adapters.
   */
  laneMatmul?: boolean;
  /**
   * Fuse chains of elementwise operations, and elementwise operations into the reduction that
   * consumes them (fusion.ts). Default: true, unless the environment sets TSDL_FUSION=0.
   */
  fusion?: boolean;
  /**
   * Sleep through most of a readback's or sync's expected wait instead of letting dawn.node
   * poll for it from the start (pacing.ts). Default: true on software adapters, where the
   * polling takes a CPU core from the device, unless the environment sets TSDL_PACED_WAITS=0.
   */
  pacedWaits?: boolean;
}

export async function createWebGPUBackend(options: WebGPUOptions = {}): Promise<WebGPUBackend | null> {
  const opened = await openDevice();
  if (!opened) return null;
  const { device, summary } = opened;
  const health = new DeviceHealth(device);
  const pacedWaits = options.pacedWaits ?? (summary.isSoftware && (typeof process === "undefined" || process.env?.TSDL_PACED_WAITS !== "0"));
  const recorder = new CommandRecorder(device, pacedWaits);
  const pool = new BufferPool(device, device.limits.maxBufferSize, options.maxPooledBytes ?? 256 << 20, (b) =>
    recorder.retire(b),
  );
  const ctx = new GpuContext(device, pool, new PipelineCache(device), recorder, device.limits.maxStorageBufferBindingSize);
  const fusion = options.fusion ?? (typeof process === "undefined" || process.env?.TSDL_FUSION !== "0");
  const fuser = new Fuser(ctx, fusion, (p, out) => executeProgram(ctx, p, out));
  const kernels: KernelTable = createKernels(ctx, fuser, health, {
    treeReductions: options.treeReductions ?? !summary.isSoftware,
    laneMatmul: options.laneMatmul ?? summary.isSoftware,
  });
  let destroyed = false;

  const backend: WebGPUBackend = {
    name: "webgpu",
    description: summary.description,
    isSoftware: summary.isSoftware,
    adapter: summary,
    limits: {
      maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
      maxBufferSize: device.limits.maxBufferSize,
    },
    kernels,

    upload(data: HostArray, dtype: DType): Storage {
      health.check();
      const storage = pool.alloc(data.length * GPU_ELEMENT_BYTES);
      if (data.length === 0) return storage;
      // bool is one byte per element on the host and a u32 on the GPU.
      const words = dtype === "bool" ? Uint32Array.from(data) : data;
      recorder.upload(storage.buffer, new Uint8Array(words.buffer, words.byteOffset, data.length * GPU_ELEMENT_BYTES));
      return storage;
    },

    async read(storage: Storage, dtype: DType, size: number): Promise<HostArray> {
      health.check();
      if (size === 0) return allocHost(dtype, 0);
      let bytes: ArrayBuffer;
      const buffer = fuser.materialize(storage).buffer;
      fuser.epoch += 1;
      try {
        bytes = await recorder.readback(buffer, size * GPU_ELEMENT_BYTES);
      } catch (e) {
        health.check(); // a lost device or an out-of-memory error explains the failure best
        throw new DeviceLimitError(`reading a tensor back from the WebGPU device failed: ${String(e)}`);
      }
      health.check();
      if (dtype === "float32") return new Float32Array(bytes);
      if (dtype === "int32") return new Int32Array(bytes);
      return Uint8Array.from(new Uint32Array(bytes));
    },

    free(storage: Storage): void {
      if (destroyed) return;
      fuser.free(storage);
    },

    async sync(): Promise<void> {
      health.check();
      fuser.computeUnconsumed();
      fuser.epoch += 1;
      await recorder.settle();
      health.check();
    },

    destroy(): void {
      if (destroyed) return;
      destroyed = true;
      health.markDestroyed();
      recorder.destroy();
      pool.trim();
      device.destroy();
    },

    recover: () => recorder.recover(),
    memory: () => pool.memory(),
    counters: () => ({
      dispatches: recorder.dispatches,
      pipelines: ctx.pipelines.compiled,
      fusedOps: fuser.fusedOps,
      buffers: pool.created + recorder.stagingCreated,
      bindGroups: recorder.bindGroupsCreated,
    }),
    fusion,
    trim: () => pool.trim(),
    emptyCache: () => pool.trim(),
  };
  return backend;
}
