// TensorFlow.js 4.22 on its webgpu (Dawn through navigator.gpu), wasm and cpu backends.
import { installNavigatorGpu } from "../lib/dawn.mjs";
import { tfjsTraining } from "./training/tfjs.mjs";

export async function createPeer(backend) {
  if (backend === "webgpu") await installNavigatorGpu();
  const tf = await import("@tensorflow/tfjs-core");
  if (backend === "webgpu") await import("@tensorflow/tfjs-backend-webgpu");
  if (backend === "cpu") await import("@tensorflow/tfjs-backend-cpu");
  if (backend === "wasm") await import("@tensorflow/tfjs-backend-wasm"); // loads its .wasm from node_modules
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend("${backend}") failed`);
  await tf.ready();
  // Its training step loads tfjs-core's gradients from the ES module build (see training/tfjs-esm-hooks.mjs).
  const notes = { train: "tf.train.sgd().minimize(); gradients registered from tfjs-core's ES module build" };
  if (backend === "webgpu") {
    // By default tfjs-webgpu runs ops on small tensors on the CPU; force them onto the GPU so the
    // tiny-op row measures GPU dispatch overhead.
    tf.env().set("WEBGPU_CPU_FORWARD", false);
    notes.tiny = "WEBGPU_CPU_FORWARD=false (small ops forced onto the GPU)";
  }
  if (backend === "wasm") {
    const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
    const threads = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
    notes.all = `${simd ? "SIMD" : "no SIMD"}, ${threads ? "multi-threaded" : "one thread (no threaded build in Node)"}`;
  }
  return {
    notes,
    randn: (shape) => tf.randomNormal(shape, 0, 1, "float32", 1),
    matmul: (a, b) => tf.matMul(a, b),
    add: (a, b) => tf.add(a, b),
    addScalar: (x, s) => tf.add(x, s),
    async sync(handles) {
      // tfjs executes in issue order, so reading the last result waits for all of them.
      await handles[handles.length - 1].data();
    },
    read: (h) => h.data(),
    dispose: (h) => h.dispose(),
    training: tfjsTraining(tf, backend),
    shutdown() {
      tf.disposeVariables();
    },
  };
}
