// A/B of two builds of @tsdl/core on the bench's tiny-op chain (x = x + 1, 1000 times, one
// readback): per-op overhead changes are a few microseconds and this machine is shared, so the
// builds alternate, each round in fresh processes (A B, then B A), and the medians are compared.
// Each process warms up with 20 chains, then times 40 and reports their median wall time per op
// and the process's CPU time per op (all its threads: on lavapipe that includes the "GPU").
// Usage: node bench/tiny-ab.mjs BASE_INDEX_JS [cpu|webgpu] [rounds]
//   BASE_INDEX_JS: another build's core/dist/src/index.js, e.g. a copy of dist from before a
//   change (B is this checkout's @tsdl/core). TSDL_FUSION=0 and the like pass through.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
if (args[0] === "--child") {
  const [, index, backend] = args;
  const t = await import(index);
  await t.setBackend(backend);
  const chain = async () => {
    let x = t.randn([16]);
    await t.sync();
    await x.data();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) {
      const y = x.add(1);
      x.dispose();
      x = y;
    }
    await t.sync();
    await x.data();
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    x.dispose();
    return [wall, (cpu.user + cpu.system) / 1000]; // ms per 1000 ops = µs per op
  };
  for (let i = 0; i < 20; i++) await chain();
  const samples = [];
  for (let i = 0; i < 40; i++) samples.push(await chain());
  console.log(JSON.stringify([median(samples.map((s) => s[0])), median(samples.map((s) => s[1]))]));
  t.shutdown();
  process.exit(0);
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const [base, backend = "webgpu", roundsArg = "8"] = args;
if (!base) {
  console.error("usage: node bench/tiny-ab.mjs BASE_INDEX_JS [cpu|webgpu] [rounds]");
  process.exit(2);
}
const builds = { A: path.resolve(base), B: createRequire(import.meta.url).resolve("@tsdl/core") };
const results = { A: [], B: [] };
const self = fileURLToPath(import.meta.url);
for (let r = 0; r < Number(roundsArg); r++) {
  for (const name of r % 2 ? ["B", "A"] : ["A", "B"]) {
    const out = execFileSync(process.execPath, [self, "--child", builds[name], backend], { stdio: ["ignore", "pipe", "ignore"] });
    const [wall, cpu] = JSON.parse(out.toString().trim().split("\n").pop());
    results[name].push({ wall, cpu });
    process.stdout.write(`${name} ${wall.toFixed(2)}/${cpu.toFixed(2)}  `);
  }
}
const summary = (name) =>
  `${median(results[name].map((x) => x.wall)).toFixed(2)} µs/op wall, ${median(results[name].map((x) => x.cpu)).toFixed(2)} CPU`;
console.log(`\n${backend}, medians of ${roundsArg} processes each: A (${base}) ${summary("A")}; B (this build) ${summary("B")}`);
