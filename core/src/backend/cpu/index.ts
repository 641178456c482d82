// The CPU backend: TypeScript kernels over typed arrays, except float32 matmul, which runs a
// generated WebAssembly SIMD kernel (wasm/). Tests compare the WebGPU backend against it; it
// is also the default where the only GPU is a software one.

import type { Backend, KernelTable } from "../backend";
import { allocHost } from "../../dtype";
import { CpuStorage, data } from "./storage";
import * as ew from "./elementwise";
import * as red from "./reduce";
import * as mv from "./movement";
import { matmul } from "./matmul";

const kernels: KernelTable = {
  unary: ew.unary,
  binary: ew.binary,
  where: ew.where,
  cast: ew.cast,
  reduce: red.reduce,
  argReduce: red.argReduce,
  matmul,
  reshape: mv.reshape,
  permute: mv.permute,
  broadcast: mv.broadcast,
  slice: mv.slice,
  pad: mv.pad,
  concat: mv.concat,
  gather: mv.gather,
  scatterAdd: mv.scatterAdd,
};

export function createCpuBackend(): Backend {
  return {
    name: "cpu",
    description: "CPU (TypeScript kernels, WebAssembly SIMD matmul)",
    kernels,
    upload: (host, dtype) => {
      const copy = allocHost(dtype, host.length);
      copy.set(host);
      return new CpuStorage(copy);
    },
    // Reading yields to the event loop like a GPU readback does, so that a training loop that
    // awaits its loss lets FinalizationRegistry callbacks (which free dropped tensors) run.
    read: async (s, _dtype, size) => {
      await new Promise((resolve) => setImmediate(resolve));
      return data(s).slice(0, size);
    },
    readSync: (s, _dtype, size) => data(s).slice(0, size),
    free: () => {},
    sync: async () => {},
    destroy: () => {},
  };
}
