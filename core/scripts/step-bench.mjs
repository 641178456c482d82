// MLP (784-256-10, batch 128) training step on webgpu: ms/step and kernel dispatches/step.
//   node scripts/step-bench.mjs [sgd|adam] [steps]     (TSDL_FUSION=0 disables fusion)
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const t = require("../dist/src/index.js");
const { currentBackend } = require("../dist/src/backend/registry.js");

const which = process.argv[2] ?? "sgd";
const steps = Number(process.argv[3] ?? 30);
const t0 = performance.now();
await t.setBackend("webgpu");
const tReady = performance.now();
t.manualSeed(0);
const model = new t.nn.Sequential(new t.nn.Linear(784, 256), new t.nn.ReLU(), new t.nn.Linear(256, 10));
const opt = which === "adam" ? new t.optim.Adam(model.parameters(), { lr: 1e-3 }) : new t.optim.SGD(model.parameters(), { lr: 0.05 });
const x = t.randn([128, 784]);
const y = t.randint(0, 10, [128]).astype("int32");
const backend = currentBackend();

async function step() {
  const l = t.tidy(() => {
    opt.zeroGrad();
    const l = t.nn.crossEntropy(model.forward(x), y);
    l.backward();
    opt.step();
    return l;
  });
  const v = await l.item();
  l.dispose();
  return v;
}
const s0 = performance.now();
let first = await step();
const firstMs = performance.now() - s0;
const u0 = performance.now();
for (let i = 0; i < 3; i++) await step();
const warmupMs = performance.now() - u0;
const d0 = backend.counters().dispatches;
const w0 = performance.now();
const c0 = process.cpuUsage();
let last;
for (let i = 0; i < steps; i++) last = await step();
const ms = (performance.now() - w0) / steps;
const cu = process.cpuUsage(c0);
const cpuMs = (cu.user + cu.system) / 1000 / steps;
const k = (backend.counters().dispatches - d0) / steps;
console.log(JSON.stringify({ opt: which, fusion: process.env.TSDL_FUSION !== "0", readyMs: +(tReady - t0).toFixed(0), firstStepMs: +firstMs.toFixed(0), steps2to4Ms: +warmupMs.toFixed(0), msPerStep: +ms.toFixed(2), cpuMsPerStep: +cpuMs.toFixed(2), kernelsPerStep: k, pipelines: backend.counters().pipelines, loss0: first, loss: last }));
t.shutdown();
