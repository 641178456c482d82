// Per-example gradients side by side: the gradient of each example's loss w.r.t. every weight
// of the 784-256-10 MLP (relu, cross-entropy), for a batch of B examples, i.e. [B, ...] per
// weight. tsdl's vmap(grad(f)) (eager and under jit), a loop of grad(f) over the examples, and
// jax-js's jit(vmap(grad(f))), each in its own process, from the same host weights and data.
// The gradients are checked against each other (a checksum per weight) before the table.
//
//   node bench/pergrad.mjs [--batch 32,128] [--only tsdl-cpu,jaxjs-wasm] [--repeat 9]
// Writes bench/results/pergrad.json.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};

/** The MLP's weights and a batch, from an LCG: every peer starts from the same numbers. */
function problem(batch) {
  let s = 12345;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 1) / 4294967297;
  const fill = (n, scale) => Float32Array.from({ length: n }, () => (2 * u() - 1) * scale);
  return {
    w1: fill(784 * 256, 1 / 28), // PyTorch layout [out, in]
    b1: fill(256, 1 / 28),
    w2: fill(256 * 10, 1 / 16),
    b2: fill(10, 1 / 16),
    x: Float32Array.from({ length: batch * 784 }, () => u()),
    y: Int32Array.from({ length: batch }, () => Math.floor(u() * 10)),
  };
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function time(run, repeat) {
  for (let i = 0; i < 2; i++) await run(); // warm-up: shaders, jit traces, V8
  const ms = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    await run();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

async function tsdlPeer(backend, batch, repeat) {
  const t = await import("@tsdl/core");
  await t.setBackend(backend);
  const p = problem(batch);
  const params = {
    w1: t.tensor(p.w1).reshape([256, 784]),
    b1: t.tensor(p.b1),
    w2: t.tensor(p.w2).reshape([10, 256]),
    b2: t.tensor(p.b2),
  };
  const x = t.tensor(p.x).reshape([batch, 784]);
  const y = t.tensor(p.y);
  const lossOne = (q, xi, yi) => {
    const h = xi.matmul(q.w1.T).add(q.b1).relu();
    return t.nn.crossEntropy(h.matmul(q.w2.T).add(q.b2).unsqueeze(0), yi.unsqueeze(0));
  };
  const perExample = t.vmap(t.grad(lossOne), { inAxes: [null, 0, 0] });
  const jitted = t.jit((xb, yb) => perExample(params, xb, yb));
  const loop = (xb, yb) => {
    const gs = [];
    for (let i = 0; i < batch; i++) gs.push(t.grad(lossOne)(params, xb.index(i), yb.index(i)));
    const out = Object.fromEntries(Object.keys(params).map((k) => [k, t.stack(gs.map((g) => g[k]))]));
    t.dispose(gs);
    return out;
  };
  const finish = async (g) => {
    await t.sync();
    const sums = {};
    for (const k of Object.keys(g)) sums[k] = (await g[k].sum().item());
    t.dispose(g);
    return sums;
  };
  const variants = { "vmap(grad), jit": (xb, yb) => jitted(xb, yb), "vmap(grad), eager": (xb, yb) => perExample(params, xb, yb) };
  if (backend === "cpu") variants["loop of grad"] = loop;
  const rows = [];
  for (const [name, fn] of Object.entries(variants)) {
    const sums = await finish(fn(x, y));
    const ms = await time(async () => {
      const g = fn(x, y);
      await t.sync();
      await g.w1.index(batch - 1).index(0).index(0).data();
      t.dispose(g);
    }, name === "loop of grad" ? Math.min(repeat, 3) : repeat);
    rows.push({ variant: name, ms, sums });
  }
  t.shutdown();
  return rows;
}

async function jaxPeer(device, batch, repeat) {
  if (device === "webgpu") await (await import("./lib/dawn.mjs")).installNavigatorGpu();
  const jax = await import("@jax-js/jax");
  const available = await jax.init(device);
  if (!available.includes(device)) throw new Error(`jax-js offers ${available.join(", ")}, not ${device}`);
  jax.defaultDevice(device);
  const { numpy: np, nn, tree } = jax;
  const p = problem(batch);
  const T = (a, rows, cols) => {
    const out = new Float32Array(a.length);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j];
    return out;
  };
  // x @ W with W as [in, out]; the gradients are transposed back for the checksums (sums agree).
  const params = {
    w1: np.array(T(p.w1, 256, 784), { shape: [784, 256] }),
    b1: np.array(p.b1, { shape: [256] }),
    w2: np.array(T(p.w2, 10, 256), { shape: [256, 10] }),
    b2: np.array(p.b2, { shape: [10] }),
  };
  const x = np.array(p.x, { shape: [batch, 784] });
  const y = np.array(p.y, { shape: [batch], dtype: np.int32 });
  const lossOne = (q, xi, yi) => {
    const h = nn.relu(np.matmul(xi, q.w1).add(q.b1));
    return nn.logSoftmax(np.matmul(h, q.w2).add(q.b2), -1).mul(nn.oneHot(yi, 10)).sum().neg();
  };
  const perExample = jax.jit(jax.vmap(jax.grad(lossOne), [null, 0, 0]));
  const call = () => perExample(tree.ref(params), x.ref, y.ref);
  const first = call();
  await jax.blockUntilReady(first);
  const sums = {};
  for (const k of Object.keys(first)) sums[k] = (await first[k].ref.sum().data())[0];
  tree.dispose(first);
  const ms = await time(async () => {
    const g = call();
    await jax.blockUntilReady(g);
    tree.dispose(g);
  }, repeat);
  return [{ variant: "jit(vmap(grad))", ms, sums }];
}

const PEERS = {
  "tsdl-cpu": (b, r) => tsdlPeer("cpu", b, r),
  "tsdl-webgpu": (b, r) => tsdlPeer("webgpu", b, r),
  "jaxjs-wasm": (b, r) => jaxPeer("wasm", b, r),
  "jaxjs-webgpu": (b, r) => jaxPeer("webgpu", b, r),
};

if (process.argv[2] === "--child") {
  const [, , , peer, batch, repeat] = process.argv;
  try {
    const rows = await PEERS[peer](Number(batch), Number(repeat));
    process.stdout.write(`@@rows ${JSON.stringify(rows)}\n`);
  } catch (err) {
    process.stdout.write(`@@error ${String(err?.message ?? err).split("\n")[0]}\n`);
  }
  process.exit(0);
}

const batches = arg("--batch", "32,128").split(",").map(Number);
const only = arg("--only", Object.keys(PEERS).join(",")).split(",");
const repeat = Number(arg("--repeat", "9"));
const results = [];
for (const batch of batches) {
  for (const peer of only) {
    process.stderr.write(`${peer}, batch ${batch}...\n`);
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--child", peer, String(batch), String(repeat)], {
      cwd: here,
      encoding: "utf8",
      timeout: 600_000,
      env: process.env,
    });
    const line = (tag) => (r.stdout ?? "").split("\n").find((l) => l.startsWith(`@@${tag} `))?.slice(tag.length + 3);
    const rows = line("rows");
    if (rows) for (const row of JSON.parse(rows)) results.push({ batch, peer, ...row });
    else results.push({ batch, peer, error: line("error") ?? `exit ${r.status}: ${(r.stderr ?? "").trim().split("\n").pop()}` });
  }
}

// The gradients must agree across peers before their times mean anything.
for (const batch of batches) {
  const ok = results.filter((r) => r.batch === batch && r.sums);
  const ref = ok[0]?.sums;
  for (const r of ok) {
    r.agrees = Object.keys(ref).every((k) => Math.abs(r.sums[k] - ref[k]) <= 1e-3 * Math.max(1, Math.abs(ref[k])));
  }
}
console.log(`per-example gradients of the 784-256-10 MLP (all weights, [B, ...] each), median ms per call`);
console.log(`| batch | peer | variant | ms | gradients agree |`);
console.log(`|--:|---|---|--:|---|`);
for (const r of results) {
  console.log(`| ${r.batch} | ${r.peer} | ${r.variant ?? ""} | ${r.ms !== undefined ? r.ms.toFixed(1) : r.error} | ${r.agrees === undefined ? "" : r.agrees ? "yes" : "NO"} |`);
}
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(join(here, "results", "pergrad.json"), JSON.stringify({ date: new Date().toISOString(), results }, null, 1));
