// eager vs jit (with and without the program rewrites) for the bench's training step, alternating blocks on one process (the machine is
// shared, so A/B in the same run); prints the median ms/step of each and the kernels per replay.
// Usage: node bench/jit-ab.mjs [mlp|conv] [cpu|webgpu] [rounds]
import { makeSpec } from "./lib/training.mjs";
import { tsdlTraining } from "./peers/training/tsdl.mjs";

const [model = "mlp", backendName = "cpu", roundsArg = "6"] = process.argv.slice(2);
const t = await import("@tsdl/core");
await t.setBackend(backendName);
const spec = makeSpec(model);
const trainers = {};
const variants = await tsdlTraining(t)(spec);
variants.push({ ...variants[0], name: "jit-norewrite" });
for (const v of variants) {
  process.env.TSDL_JIT_REWRITE = v.name === "jit-norewrite" ? "0" : "1"; // read when a trace compiles
  trainers[v.name] = await v.create(spec);
  for (let i = 0; i < 3; i++) await trainers[v.name].step(); // warm-up (and the trace)
}
const times = Object.fromEntries(variants.map((v) => [v.name, []]));
const per = model === "mlp" ? 10 : 3;
for (let r = 0; r < Number(roundsArg); r++) {
  const names = Object.keys(times);
  for (const name of r % 2 ? names.reverse() : names) {
    const t0 = performance.now();
    for (let i = 0; i < per; i++) await trainers[name].step();
    times[name].push((performance.now() - t0) / per);
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const fn = trainers.jit.internals.fn;
console.log(`${model} on ${backendName}: ${Object.entries(times).map(([k, v]) => `${k} ${median(v).toFixed(1)}`).join(", ")} ms/step ` +
  `(medians of ${roundsArg} blocks of ${per}; jit replays ${fn.kernels} kernels, ${fn.traces} trace)`);
for (const tr of Object.values(trainers)) tr.dispose();
t.shutdown();
process.exit(0);
