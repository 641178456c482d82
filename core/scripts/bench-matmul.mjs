// Float32 matmul throughput of the CPU backend's kernels, without the tensor API around them:
//   node scripts/bench-matmul.mjs [sizes=256,512,1024,2048] [threads=1,2] [--ref] [--no-relaxed] [--always-thread] [--trans]
// --trans also times the operands stored transposed (the matmul primitive's transA / transB).
// Add --experimental-wasm-relaxed-simd to node's flags to measure the fused-multiply-add kernel.
// Prints the best and median GFLOP/s over a few repeats (the machine may be shared and noisy).

import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const { WasmGemm } = require("../dist/src/backend/cpu/wasm/index.js");
const { gemmF32Reference } = require("../dist/src/backend/cpu/gemm-reference.js");

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith("--")));
const [sizesArg = "256,512,1024,2048", threadsArg = "1,2"] = args.filter((a) => !a.startsWith("--"));
const sizes = sizesArg.split(",").map(Number);
const threadCounts = threadsArg.split(",").map(Number);

function measure(n, run) {
  const flops = 2 * n ** 3;
  const reps = Math.max(3, Math.min(15, Math.round(2e9 / flops)));
  run(); // warm-up: compiles, grows memory, starts workers
  const rates = [];
  const cpu0 = process.cpuUsage();
  let wall = 0;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    run();
    const dt = performance.now() - t0;
    wall += dt;
    rates.push(flops / (dt * 1e6));
  }
  rates.sort((a, b) => a - b);
  // Process CPU time (all threads): on a loaded machine GFLOP per CPU-second shows the kernel's
  // efficiency when wall-clock rates only show how much CPU we were given.
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const perCpu = (flops * reps) / (cpuMs * 1e6);
  return `best ${rates[rates.length - 1].toFixed(1)} median ${rates[rates.length >> 1].toFixed(1)} | per cpu-s ${perCpu.toFixed(1)}, cpu/wall ${(cpuMs / wall).toFixed(2)}`;
}

for (const n of sizes) {
  const A = Float32Array.from({ length: n * n }, () => Math.random() - 0.5);
  const B = Float32Array.from({ length: n * n }, () => Math.random() - 0.5);
  const C = new Float32Array(n * n);
  if (flags.has("--ref")) console.log(`N=${n} ts-reference: ${measure(n, () => gemmF32Reference(A, 0, B, 0, C, 0, n, n, n))}`);
  for (const threads of threadCounts) {
    const g = new WasmGemm({ threads, relaxed: !flags.has("--no-relaxed"), ...(flags.has("--always-thread") ? { minThreadedFlops: 0 } : {}) });
    // Let the workers boot before timing (the warm-up starts them).
    g.matmul(A, [0], B, [0], C, n, n, n);
    await new Promise((r) => setTimeout(r, 200));
    const label = `wasm ${g.relaxed ? "fma" : "mul+add"} ${threads}t`;
    console.log(`N=${n} ${label}: ${measure(n, () => g.matmul(A, [0], B, [0], C, n, n, n))} (worker tasks ${g.workerTasks})`);
    if (flags.has("--trans")) {
      for (const [ta, tb] of [[true, false], [false, true], [true, true]]) {
        const what = `${ta ? "A^T" : "A"} ${tb ? "B^T" : "B"}`;
        console.log(`N=${n} ${label} ${what}: ${measure(n, () => g.matmul(A, [0], B, [0], C, n, n, n, ta, tb))}`);
      }
    }
    g.dispose();
  }
}
