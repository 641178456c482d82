// Sweeps tsdl's GPU matmul tile configurations (setMatmulTiles, kernels/matmul.ts) over
// square sizes on the WebGPU adapter at hand, in one process, next to the raw WGSL peer's
// kernel. Per size and configuration it prints GFLOP/s timed as the bench times them (blocks
// ended by a sync and one readback of the last product), GFLOP/s with the sync alone (no
// readback), and the maximum difference from the first configuration's product; then the
// readback time of one product. Run on a device machine by `bash bench/gpu.sh run --tiles`.
import { createRequire } from "node:module";
import * as t from "@tsdl/core";
import { createPeer } from "./raw/peer.mjs";

// The same module instance as @tsdl/core's (core/dist is CommonJS).
const { setMatmulTiles } = createRequire(import.meta.url)("../core/dist/src/backend/webgpu/kernels/matmul.js");

const CONFIGS = (process.env.TILES ?? "8,8,8,2,16 16,16,4,1,16 16,16,8,1,16 8,8,4,1,16 16,8,4,1,16 16,16,4,1,32 8,8,8,2,32").split(" ");
const SIZES = (process.env.SIZES ?? "256 512 1024 2048 4096").split(" ").map(Number);

/** Best of 3 blocks of calls sized to about 0.15 s each; `finish` ends a block. Returns ms per call. */
async function time(call, finish) {
  let t0 = performance.now();
  await finish([call()]);
  const per = Math.max(performance.now() - t0, 0.01);
  const iters = Math.max(2, Math.min(500, Math.round(150 / per)));
  let best = Infinity;
  for (let block = 0; block < 3; block++) {
    const outs = [];
    t0 = performance.now();
    for (let i = 0; i < iters; i++) outs.push(call());
    await finish(outs);
    best = Math.min(best, (performance.now() - t0) / iters);
  }
  return best;
}

const raw = await createPeer();
await t.setBackend("webgpu");
console.log(`adapter: ${t.backendInfo().webgpu?.description}`);
const gflops = (n, ms) => ((2 * n ** 3) / (ms / 1e3) / 1e9).toFixed(0);
const rows = [];
for (const n of SIZES) {
  const row = { n };
  {
    const a = raw.randn([n, n]);
    const b = raw.randn([n, n]);
    await raw.prepare({ kind: "matmul", n }, a, b);
    const ms = await time(() => raw.matmul(a, b), async (outs) => {
      await raw.sync(outs);
      outs.forEach((o) => raw.dispose(o));
    });
    const c = raw.matmul(a, b);
    await raw.sync([c]);
    const t0 = performance.now();
    await raw.read(c);
    row.raw = `${gflops(n, ms)} (read ${(performance.now() - t0).toFixed(1)} ms)`;
    console.log(`N=${n} raw WGSL: ${row.raw}`);
    [a, b, c].forEach((x) => raw.dispose(x));
  }
  const a = t.randn([n, n]);
  const b = t.randn([n, n]);
  let reference = null;
  for (const config of CONFIGS) {
    const [WX, WY, RM, CV, BK] = config.split(",").map(Number);
    setMatmulTiles({ WX, WY, RM, CV, BK });
    const first = a.matmul(b);
    const got = await first.data();
    first.dispose();
    let diff = 0;
    if (reference) for (let i = 0; i < got.length; i++) diff = Math.max(diff, Math.abs(got[i] - reference[i]));
    else reference = got;
    const withRead = await time(() => a.matmul(b), async (outs) => {
      await t.sync();
      await outs[outs.length - 1].data();
      outs.forEach((o) => o.dispose());
    });
    const syncOnly = await time(() => a.matmul(b), async (outs) => {
      await t.sync();
      outs.forEach((o) => o.dispose());
    });
    row[config] = `${gflops(n, withRead)} / ${gflops(n, syncOnly)}`;
    console.log(`N=${n} tiles ${config}: ${row[config]} GFLOP/s (with readback / sync only; max |diff| ${diff.toExponential(1)})`);
  }
  const c = a.matmul(b);
  await t.sync();
  const t0 = performance.now();
  await c.data();
  row.read = (performance.now() - t0).toFixed(1);
  console.log(`N=${n} tsdl readback of one product: ${row.read} ms`);
  rows.push(row);
  [a, b, c].forEach((x) => x.dispose());
}
console.log(`\nGFLOP/s, with readback / sync only\n| N | raw | ${CONFIGS.join(" | ")} | tsdl read ms |\n|--:|--:|${CONFIGS.map(() => "--:").join("|")}|--:|`);
for (const row of rows) console.log(`| ${row.n} | ${row.raw} | ${CONFIGS.map((c) => row[c]).join(" | ")} | ${row.read} |`);
raw.shutdown();
t.shutdown();
