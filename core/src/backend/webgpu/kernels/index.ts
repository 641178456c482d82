// The WebGPU KernelTable: one kernel per primitive (a missing one is a compile error), each
// guarded so that an earlier asynchronous device error surfaces as a DeviceLimitError here.

import type { Primitive } from "../../../ops/primitives";
import type { Kernel, KernelTable } from "../../backend";
import type { GpuContext } from "../context";
import type { DeviceHealth } from "../device";
import type { Fuser } from "../fusion";
import { elementwiseKernels } from "./elementwise";
import { gatherKernels } from "./gather";
import { layoutKernels } from "./layout";
import { matmulKernels } from "./matmul";
import { reduceKernels } from "./reduce";
import { sortKernels } from "./sort";

function guard<P extends Primitive>(health: DeviceHealth, kernel: Kernel<P>): Kernel<P> {
  return (args) => {
    health.check();
    return kernel(args);
  };
}

/** For kernels that read buffers: pending (fused) inputs are computed first. */
function materialized<P extends Primitive>(fuser: Fuser, kernel: Kernel<P>): Kernel<P> {
  return (args) => kernel({ ...args, inputs: args.inputs.map((s) => fuser.materialize(s)) });
}

export interface KernelOptions {
  /** Workgroup-tree reductions for long rows (GPUs) instead of interleaved loops (lavapipe). */
  treeReductions: boolean;
  /** The SIMD-lane matmul (software adapters) instead of workgroup-memory tiles (GPUs). */
  laneMatmul: boolean;
}

export function createKernels(ctx: GpuContext, fuser: Fuser, health: DeviceHealth, options: KernelOptions): KernelTable {
  const layout = layoutKernels(ctx);
  const ew = elementwiseKernels(fuser);
  const k = {
    ...ew,
    ...reduceKernels(ctx, fuser, options.treeReductions),
    ...matmulKernels(ctx, options.laneMatmul),
    ...layout,
    ...gatherKernels(ctx),
    ...sortKernels(ctx),
    // With fusion off, broadcast stays the strided copy it always was.
    broadcast: fuser.enabled ? ew.broadcast : layout.broadcast,
  };
  const m = <P extends Primitive>(kernel: Kernel<P>) => materialized(fuser, kernel);
  return {
    // Elementwise kernels and reduce take pending inputs (fusion.ts); reshape passes them on.
    unary: guard(health, k.unary),
    binary: guard(health, k.binary),
    where: guard(health, k.where),
    cast: guard(health, k.cast),
    reduce: guard(health, k.reduce),
    reshape: guard(health, k.reshape),
    broadcast: guard(health, fuser.enabled ? k.broadcast : m(k.broadcast)),
    argReduce: guard(health, m(k.argReduce)),
    matmul: guard(health, m(k.matmul)),
    permute: guard(health, m(k.permute)),
    slice: guard(health, m(k.slice)),
    pad: guard(health, m(k.pad)),
    concat: guard(health, m(k.concat)),
    windows: guard(health, m(k.windows)),
    gather: guard(health, m(k.gather)),
    scatterAdd: guard(health, m(k.scatterAdd)),
    argsort: guard(health, m(k.argsort)),
  };
}
