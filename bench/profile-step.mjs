// Where tsdl's training step spends its time (the bench's mlp-step and conv-step: same model,
// data and weights). Per phase (forward, backward, SGD update, loss readback) the host time,
// and in a second pass with a sync after each phase the time until the device finished it;
// dispatches per step; per primitive the kernel calls and host time spent recording them.
// Usage: node bench/profile-step.mjs [mlp|conv] [webgpu|cpu] [steps]
import { makeSpec } from "./lib/training.mjs";
import { tsdlTraining } from "./peers/training/tsdl.mjs";

const [model = "mlp", backendName = "webgpu", stepsArg = "10"] = process.argv.slice(2);
const steps = Number(stepsArg);
const t = await import("@tsdl/core");
await t.setBackend(backendName);
const backend = t.zeros([1]).backend;
const counters = () => backend.counters?.() ?? { dispatches: 0, pipelines: 0 };

// Count and time every kernel call on the host (checks, pipeline and bind-group lookups, recording).
const perPrim = new Map();
let recording = null; // the kernel calls of one step, replayed below to time each on the device
for (const [prim, kernel] of Object.entries(backend.kernels)) {
  backend.kernels[prim] = (args) => {
    const t0 = performance.now();
    const out = kernel(args);
    const e = perPrim.get(prim) ?? { calls: 0, ms: 0, shapes: new Map() };
    e.calls += 1;
    e.ms += performance.now() - t0;
    const key = `${args.infos.map((i) => `[${i.shape}]`).join(" ")} -> [${args.out.shape}]`;
    e.shapes.set(key, (e.shapes.get(key) ?? 0) + 1);
    if (recording) recording.push({ prim, infos: args.infos, out: args.out, attrs: args.attrs });
    perPrim.set(prim, e);
    return out;
  };
}

const spec = makeSpec(model);
const variant = (await tsdlTraining(t)(spec)).find((v) => v.name === "eager");
const trainer = await variant.create(spec);
for (let i = 0; i < 3; i++) await trainer.step(); // warm-up: pipelines compiled, pools filled
const { net, opt, x, y } = trainer.internals;

const now = () => performance.now();
for (const syncAfter of [false, true]) {
  const phases = { forward: [0, 0], backward: [0, 0], update: [0, 0], readback: [0, 0] };
  const timed = async (name, fn) => {
    const t0 = now();
    const r = fn();
    phases[name][0] += now() - t0;
    if (syncAfter || name === "readback") await r;
    if (syncAfter) await t.sync();
    phases[name][1] += now() - t0;
    return r;
  };
  perPrim.clear();
  const c0 = counters();
  const t0 = now();
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    const loss = await timed("forward", () => t.nn.crossEntropy(net.forward(x), y));
    await timed("backward", () => loss.backward());
    await timed("update", () => opt.step());
    await timed("readback", () => loss.item().then(() => t.sync()));
    loss.dispose();
  }
  const perStep = (v) => (v / steps).toFixed(1).padStart(7);
  const c1 = counters();
  console.log(`\n${model} on ${backendName}, ${syncAfter ? "sync after each phase" : "no sync between phases (as in the bench)"}: ` +
    `${perStep(now() - t0).trim()} ms/step, ${(c1.dispatches - c0.dispatches) / steps} dispatches/step, ${c1.pipelines - c0.pipelines} new pipelines`);
  for (const [k, [host, wall]] of Object.entries(phases)) {
    console.log(`  ${k.padEnd(9)} host ${perStep(host)} ms${syncAfter || k === "readback" ? `, until done ${perStep(wall)} ms` : ""}`);
  }
  if (syncAfter) continue;
  console.log("  per primitive per step: calls, host ms, commonest shapes");
  for (const [prim, e] of [...perPrim.entries()].sort((a, b) => b[1].ms - a[1].ms)) {
    const shapes = [...e.shapes.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([s, n]) => `${n / steps}x ${s}`);
    console.log(`    ${prim.padEnd(12)} ${String(e.calls / steps).padStart(5)} ${(e.ms / steps).toFixed(2).padStart(7)}   ${shapes.join("; ")}`);
  }
}
// Replay one step's kernel calls one at a time, each repeated and synced, on fresh inputs of
// the same shapes: the device time of each primitive (lavapipe runs it on the same CPU cores).
recording = [];
opt.zeroGrad();
const loss = t.nn.crossEntropy(net.forward(x), y);
loss.backward();
opt.step();
await loss.item();
const calls = recording;
recording = null;
const device = new Map();
const reps = 5;
for (const c of calls) {
  const inputs = c.infos.map((info) => (info.dtype === "float32" ? t.rand(info.shape.length ? info.shape : [1]).reshape(info.shape) : t.zeros(info.shape, { dtype: info.dtype })));
  const args = { inputs: inputs.map((i) => i.storage), infos: c.infos, out: c.out, attrs: c.attrs };
  await t.sync();
  const t0 = now();
  for (let r = 0; r < reps; r++) backend.free(backend.kernels[c.prim](args));
  await t.sync();
  const ms = (now() - t0) / reps;
  const key = `${c.prim} ${c.infos.map((i) => `[${i.shape}]`).join(" ")} -> [${c.out.shape}]`;
  const e = device.get(key) ?? { calls: 0, ms: 0 };
  e.calls += 1;
  e.ms += ms;
  device.set(key, e);
  inputs.forEach((i) => i.dispose());
}
const totalDevice = [...device.values()].reduce((a, e) => a + e.ms, 0);
console.log(`\none step's ${calls.length} kernel calls replayed one at a time (each synced; includes per-submit overhead): ${totalDevice.toFixed(1)} ms`);
for (const [key, e] of [...device.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) {
  console.log(`  ${e.ms.toFixed(2).padStart(7)} ms  ${e.calls}x ${key}`);
}
trainer.dispose();
t.shutdown();
process.exit(0);
