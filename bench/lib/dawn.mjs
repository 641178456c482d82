// Creates the Dawn WebGPU entry point from the `webgpu` npm package and exposes it the way a
// browser would (globalThis.navigator.gpu plus the GPU* constants), because tfjs-backend-webgpu
// and jax-js look for `navigator.gpu`. Node 20 has no global navigator, so we make one.
import os from "node:os";

let gpu = null;

export async function installNavigatorGpu() {
  if (gpu) return gpu;
  const { create, globals } = await import("webgpu");
  Object.assign(globalThis, globals);
  gpu = create([]);
  globalThis.navigator = {
    gpu,
    userAgent: `Node.js/${process.versions.node}`,
    hardwareConcurrency: os.cpus().length,
  };
  return gpu;
}

/** The adapter's self-description, read field by field (the object's fields are getters). */
export function describeAdapter(adapter) {
  const info = adapter.info ?? {};
  return {
    vendor: info.vendor ?? "",
    architecture: info.architecture ?? "",
    device: info.device ?? "",
    description: info.description ?? "",
    isFallbackAdapter: Boolean(adapter.isFallbackAdapter ?? info.isFallbackAdapter),
  };
}
