// The WebGPU KernelTable: one kernel per primitive (a missing one is a compile error), each
// guarded so that an earlier asynchronous device error surfaces as a DeviceLimitError here.

import type { Primitive } from "../../../ops/primitives";
import type { Kernel, KernelTable } from "../../backend";
import type { GpuContext } from "../context";
import type { DeviceHealth } from "../device";
import { elementwiseKernels } from "./elementwise";
import { gatherKernels } from "./gather";
import { layoutKernels } from "./layout";
import { matmulKernels } from "./matmul";
import { reduceKernels } from "./reduce";

function guard<P extends Primitive>(health: DeviceHealth, kernel: Kernel<P>): Kernel<P> {
  return (args) => {
    health.check();
    return kernel(args);
  };
}

export interface KernelOptions {
  /** Workgroup-tree reductions for long rows (GPUs) instead of interleaved loops (lavapipe). */
  treeReductions: boolean;
  /** The SIMD-lane matmul (software adapters) instead of workgroup-memory tiles (GPUs). */
  laneMatmul: boolean;
}

export function createKernels(ctx: GpuContext, health: DeviceHealth, options: KernelOptions): KernelTable {
  const k = {
    ...elementwiseKernels(ctx),
    ...reduceKernels(ctx, options.treeReductions),
    ...matmulKernels(ctx, options.laneMatmul),
    ...layoutKernels(ctx),
    ...gatherKernels(ctx),
  };
  return {
    unary: guard(health, k.unary),
    binary: guard(health, k.binary),
    where: guard(health, k.where),
    reduce: guard(health, k.reduce),
    argReduce: guard(health, k.argReduce),
    matmul: guard(health, k.matmul),
    reshape: guard(health, k.reshape),
    permute: guard(health, k.permute),
    broadcast: guard(health, k.broadcast),
    slice: guard(health, k.slice),
    pad: guard(health, k.pad),
    concat: guard(health, k.concat),
    gather: guard(health, k.gather),
    scatterAdd: guard(health, k.scatterAdd),
    cast: guard(health, k.cast),
  };
}
