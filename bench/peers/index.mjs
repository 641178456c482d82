// The peers of `npm run bench`, in table order. Each runs in its own child process.
export const PEERS = [
  { id: "raw-webgpu", label: "raw WGSL", gpu: true, load: () => import("../raw/peer.mjs").then((m) => m.createPeer()) },
  { id: "tsdl-webgpu", label: "tsdl webgpu", gpu: true, load: () => import("./tsdl.mjs").then((m) => m.createPeer("webgpu")) },
  { id: "tfjs-webgpu", label: "tfjs webgpu", gpu: true, load: () => import("./tfjs.mjs").then((m) => m.createPeer("webgpu")) },
  { id: "jax-webgpu", label: "jax-js webgpu", gpu: true, load: () => import("./jax.mjs").then((m) => m.createPeer("webgpu")) },
  { id: "tsdl-cpu", label: "tsdl cpu", gpu: false, load: () => import("./tsdl.mjs").then((m) => m.createPeer("cpu")) },
  // What a notebook gets: the kernel turns on relaxed SIMD (fused multiply-add in the matmul;
  // a V8 flag on Node 20), which a library in someone else's process does not do by itself.
  { id: "tsdl-cpu-fma", label: "tsdl cpu FMA", gpu: false, env: { TSDL_WASM_RELAXED_SIMD: "1" }, load: () => import("./tsdl.mjs").then((m) => m.createPeer("cpu")) },
  { id: "tfjs-wasm", label: "tfjs wasm", gpu: false, load: () => import("./tfjs.mjs").then((m) => m.createPeer("wasm")) },
  { id: "jax-wasm", label: "jax-js wasm", gpu: false, load: () => import("./jax.mjs").then((m) => m.createPeer("wasm")) },
  { id: "tfjs-cpu", label: "tfjs cpu", gpu: false, load: () => import("./tfjs.mjs").then((m) => m.createPeer("cpu")) },
];
