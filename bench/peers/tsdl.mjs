// tsdl itself (@tsdl/core from this repo's core/dist) on its webgpu and cpu backends.
import { tsdlTraining } from "./training/tsdl.mjs";

export async function createPeer(backend) {
  let tsdl;
  try {
    tsdl = await import("@tsdl/core");
  } catch (err) {
    throw new Error(`@tsdl/core is not built (run \`npx tsc -b core\`): ${err.message.split("\n")[0]}`);
  }
  await tsdl.setBackend(backend);
  // Older builds of @tsdl/core have no jit: their training step runs eagerly only.
  const notes = typeof tsdl.jit === "function" ? { train: "jit (eager too in the training table)" } : {};
  // The tiny-op chain is elementwise, so tsdl fuses it: say so next to the number.
  const probe = tsdl.zeros([1]);
  const fused = probe.backend.fusion !== false; // off with TSDL_FUSION=0
  probe.dispose();
  notes.tiny = fused
    ? `elementwise fusion: the 1000 ops run as 32 ${backend === "webgpu" ? "kernels" : "loops"} of up to 32 (TSDL_FUSION=0: one per op)`
    : "fusion off (TSDL_FUSION=0): one kernel per op";
  // Older builds of @tsdl/core have no cpuThreads (their cpu matmul is plain TypeScript).
  if (backend === "cpu" && typeof tsdl.cpuThreads === "function") {
    const fma = process.env.TSDL_WASM_RELAXED_SIMD === "1" ? ", relaxed-SIMD fused multiply-add (TSDL_WASM_RELAXED_SIMD=1, as the kernel sets)" : ", mul + add";
    notes.matmul = `WebAssembly SIMD, ${tsdl.cpuThreads()} thread(s) (TSDL_CPU_THREADS)${fma}`;
  }
  return {
    notes,
    randn: (shape) => tsdl.randn(shape),
    matmul: (a, b) => a.matmul(b),
    add: (a, b) => a.add(b),
    addScalar: (x, s) => x.add(s),
    async sync(handles) {
      await tsdl.sync();
      await handles[handles.length - 1].data();
    },
    read: (h) => h.data(),
    dispose: (h) => h.dispose(),
    training: tsdlTraining(tsdl),
    shutdown() {
      tsdl.shutdown();
    },
  };
}
