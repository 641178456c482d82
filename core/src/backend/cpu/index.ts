// The CPU backend: TypeScript kernels over typed arrays (elementwise ones and reductions as
// generated, fused loops: loops.ts, fusion.ts), except float32 matmul, which runs a generated
// WebAssembly SIMD kernel (wasm/). Tests compare the WebGPU backend against it; it
// is also the default where the only GPU is a software one.

import type { Backend, KernelTable } from "../backend";
import { CpuStorage, PendingStorage, data, release } from "./storage";
import { elementwiseKernels } from "./elementwise";
import { CpuFuser } from "./fusion";
import { dtypeOfHost, loopStats } from "./loops";
import { allocHost, type HostArray } from "../../dtype";
import { clearArrayPool, takeArray } from "./pool";
import * as red from "./reduce";
import { reduceKernel } from "./reduce";
import * as mv from "./movement";
import { matmul } from "./matmul";
import { argsort } from "./sort";
import { dropOverflow } from "./wasm/index";

export interface CpuBackend extends Backend {
  /**
   * Generated loops run and compiled so far (by every CPU backend of the process), and this
   * backend's elementwise operations that ran inside another's loop (fused) instead of their own.
   */
  counters(): { dispatches: number; pipelines: number; fusedOps: number };
  /** Whether elementwise operations fuse (see fusion.ts). */
  readonly fusion: boolean;
}

export interface CpuOptions {
  /**
   * Fuse chains of elementwise operations, and elementwise operations into the reduction that
   * consumes them (fusion.ts). Default: true, unless the environment sets TSDL_FUSION=0.
   */
  fusion?: boolean;
}

export function createCpuBackend(options: CpuOptions = {}): CpuBackend {
  const fusion = options.fusion ?? (typeof process === "undefined" || process.env?.TSDL_FUSION !== "0");
  const fuser = new CpuFuser(fusion);
  const kernels: KernelTable = {
    ...elementwiseKernels(fuser),
    reduce: reduceKernel(fuser),
    argReduce: red.argReduce,
    matmul,
    reshape: mv.reshape,
    permute: mv.permute,
    slice: mv.slice,
    pad: mv.pad,
    concat: mv.concat,
    windows: mv.windows,
    gather: mv.gather,
    scatterAdd: mv.scatterAdd,
    argsort,
  };
  return {
    name: "cpu",
    description: "CPU (TypeScript kernels, WebAssembly SIMD matmul)",
    kernels,
    fusion,
    counters: () => ({ dispatches: loopStats.runs, pipelines: loopStats.compiled, fusedOps: fuser.fusedOps }),
    upload: (host, dtype) => {
      const copy = takeArray(dtype, host.length, false);
      copy.set(host);
      return new CpuStorage(copy);
    },
    // Reading yields to the event loop like a GPU readback does, so that a training loop that
    // awaits its loss lets FinalizationRegistry callbacks (which free dropped tensors) run.
    read: async (s, _dtype, size) => {
      const values = copyOut(data(s), size);
      fuser.endEpoch();
      await new Promise((resolve) => setImmediate(resolve));
      return values;
    },
    readSync: (s, _dtype, size) => {
      fuser.endEpoch();
      return copyOut(data(s), size);
    },
    // A computed pending value's array is freed with it; either goes to the pool (pool.ts).
    free: (s) => {
      if (s instanceof PendingStorage) {
        const computed = s.result;
        fuser.free(s);
        if (computed) release(computed);
      } else release(s as CpuStorage);
    },
    sync: async () => fuser.computeUnconsumed(),
    destroy: () => clearArrayPool(),
    emptyCache: () => {
      clearArrayPool();
      dropOverflow();
    },
  };
}

/**
 * The first `size` values in a new array. Not slice(): on an array in shared memory (the tensor
 * heap) V8's slice copies more slowly than set() into a new array (1M floats: 1.6 ms against
 * 0.67; 32K: 27 µs against 21).
 */
function copyOut(a: HostArray, size: number): HostArray {
  const out = allocHost(dtypeOfHost(a), size);
  out.set(a.subarray(0, size) as never);
  return out;
}
