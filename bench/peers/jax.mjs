// jax-js (@jax-js/jax) on its webgpu device (Dawn through navigator.gpu) and its wasm device.
// jax-js arrays are reference counted and every function consumes its arguments, so the adapter
// passes `.ref` to keep inputs alive. matmul and add go through jit(); the tiny-op chain is eager.
// Inputs come from host data: jax-js keeps random/constant arrays as expressions, which would
// let a benchmark fold them away.
import { installNavigatorGpu } from "../lib/dawn.mjs";
import { jaxTraining } from "./training/jax.mjs";

function hostNormal(size, seed) {
  // Box-Muller over a small LCG: deterministic and dependency free.
  const out = new Float32Array(size);
  let s = seed >>> 0;
  const uniform = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 1) / 4294967297;
  for (let i = 0; i < size; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const t = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(t);
    if (i + 1 < size) out[i + 1] = r * Math.sin(t);
  }
  return out;
}

export async function createPeer(device) {
  if (device === "webgpu") await installNavigatorGpu();
  const jax = await import("@jax-js/jax");
  const available = await jax.init(device);
  if (!available.includes(device)) throw new Error(`jax-js init() offers ${available.join(", ")}, not ${device}`);
  jax.defaultDevice(device);
  const np = jax.numpy;
  const matmul = jax.jit((a, b) => np.matmul(a, b));
  const add = jax.jit((a, b) => np.add(a, b));
  let seed = 1;
  const notes = { matmul: "jit", add: "jit", tiny: "eager x.add(1)", train: "jit (eager in the training table)" };
  if (device === "wasm") {
    // jax-js spreads wasm work over Web Workers only when a global `Worker` exists (not in Node 20).
    notes.all = typeof Worker === "undefined" ? "one thread (no Web Worker global in Node)" : "Web Worker threads";
  }
  return {
    notes,
    randn: (shape) => np.array(hostNormal(shape.reduce((p, d) => p * d, 1), seed++), { shape }),
    matmul: (a, b) => matmul(a.ref, b.ref),
    add: (a, b) => add(a.ref, b.ref),
    addScalar: (x, s) => x.ref.add(s),
    async sync(handles) {
      await jax.blockUntilReady(handles);
      await handles[handles.length - 1].ref.data();
    },
    read: (h) => h.ref.data(),
    dispose: (h) => h.dispose(),
    training: jaxTraining(jax),
    shutdown() {},
  };
}
