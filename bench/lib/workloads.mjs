// The workloads and the one timing loop every peer goes through (training steps have their
// own loop in training.mjs).
//
// A peer is a small adapter object (see peers/*.mjs):
//   init(), randn(shape), matmul(a, b), add(a, b), addScalar(x, s),
//   sync(handles) (wait until every handle is computed, ending with one readback),
//   read(h) (full readback), dispose(h), shutdown(), and optional `notes` per workload kind
//   and `prepare(workload, a, b)` (untimed, before a workload's timing starts), and optional
//   `training(spec)` for the training-step workloads (see training.mjs).
// Adapters must not consume their inputs (jax-js adapters pass `.ref`).
//
// Timing: warm up once (shader compilation, kernel caches), time one more call to size the
// block, then time blocks of `iters` calls, each block ended by sync (one readback), and keep
// the best block. The tiny-op workload measures overhead, not throughput, and is timed
// differently (warm up until steady, median of many chains; see runTiny). Outputs stay alive until the block's sync because lazy libraries (jax-js,
// later tsdl) may skip work whose result was disposed unread.

import { runTraining, describeModel } from "./training.mjs";

const GIGA = 1e9;

/** Every workload id in the order of the table. */
export const WORKLOADS = [
  { id: "matmul-256", kind: "matmul", n: 256 },
  { id: "matmul-512", kind: "matmul", n: 512 },
  { id: "matmul-1024", kind: "matmul", n: 1024 },
  { id: "matmul-2048", kind: "matmul", n: 2048 },
  { id: "add-1M", kind: "add", n: 1 << 20 },
  { id: "add-16M", kind: "add", n: 1 << 24 },
  { id: "tiny-1000", kind: "tiny", n: 1000 },
  { id: "mlp-step", kind: "train", model: "mlp" },
  { id: "conv-step", kind: "train", model: "conv" },
];

export function describeWorkload(w) {
  if (w.kind === "matmul") return `matmul ${w.n}x${w.n} (GFLOP/s)`;
  if (w.kind === "add") return `add ${w.n >= 1 << 24 ? "16M" : "1M"} floats (GB/s)`;
  if (w.kind === "train") return `${describeModel(w.model)} (ms)`;
  return `${w.n} tiny ops (µs/op)`;
}

export function unitOf(kind) {
  return kind === "matmul" ? "GFLOP/s" : kind === "add" ? "GB/s" : kind === "train" ? "ms/step" : "µs/op";
}

/** Higher is better except for per-op latency and time per training step. */
export function higherIsBetter(kind) {
  return kind !== "tiny" && kind !== "train";
}

const now = () => performance.now() / 1e3;

/**
 * Runs one workload on one peer. `budget` bounds the seconds spent on it; `estimates` carries
 * seconds-per-call of smaller sizes so a slow peer can skip a big size before starting it.
 * `gpu`: the peer computes on a GPU (more live outputs per block).
 * Returns { value, unit, iters, blocks, seconds } or { skipped: reason }.
 */
export async function runWorkload(peer, w, { budget, estimates, quick, gpu = false }) {
  if (w.kind === "tiny") return runTiny(peer, w, { budget, quick });
  if (w.kind === "train") return runTraining(peer, w, { budget, quick });
  const size = w.kind === "matmul" ? [w.n, w.n] : [w.n];
  const work = w.kind === "matmul" ? 2 * w.n ** 3 : 3 * 4 * w.n; // flops, or bytes moved
  const op = w.kind === "matmul" ? (a, b) => peer.matmul(a, b) : (a, b) => peer.add(a, b);

  // Predict the cost of one call from the next smaller size (matmul scales as N^3). A size runs
  // when one call fits the budget: a slow size then costs a warm-up and one timed call.
  const smaller = estimates[w.kind];
  if (smaller && w.kind === "matmul") {
    const predicted = smaller.secondsPerCall * (w.n / smaller.n) ** 3;
    if (predicted > budget) {
      return {
        skipped: `skipped: one call would take about ${predicted.toFixed(0)} s (from N=${smaller.n}), over the ${budget} s budget`,
      };
    }
  }

  const a = peer.randn(size);
  const b = peer.randn(size);
  await peer.sync([a, b]);
  await peer.prepare?.(w, a, b); // e.g. the raw peer picks its fastest kernel for this size
  const started = now();

  const timeBlock = async (iters) => {
    const outs = [];
    const t0 = now();
    for (let i = 0; i < iters; i++) outs.push(op(a, b));
    await peer.sync(outs);
    const dt = now() - t0;
    for (const o of outs) peer.dispose(o);
    return dt;
  };

  // Warm-up (compiles shaders, fills caches), then one call to size the blocks; a slow call
  // (over 2 s) sizes them by itself.
  const warm = await timeBlock(1);
  const single = warm > 2 ? warm : await timeBlock(1);
  estimates[w.kind] = { n: w.n, secondsPerCall: single };

  // Blocks of about 0.7 s each (0.2 s when quick), at most 3 blocks, within the budget; the
  // number of live outputs is capped (2 GiB on a GPU peer, 512 MiB in a wasm heap) because the
  // block keeps them until its sync.
  // The sizing call includes a full readback, which on a fast GPU costs more than the call
  // (an H100: 12 ms to read a 2048 x 2048 product that took 2 ms), so the first guess is too
  // short: a block that ends before the target is doubled until it does not (or the live
  // outputs reach their cap).
  const bytesPerOutput = 4 * (w.kind === "matmul" ? w.n * w.n : w.n);
  const maxLive = Math.max(1, Math.floor((gpu ? 2 ** 31 : 2 ** 29) / bytesPerOutput));
  const target = quick ? 0.2 : 0.7;
  const minIters = w.kind === "add" ? 4 : 1; // amortise the one full readback over several adds
  let iters = Math.max(minIters, Math.min(maxLive, Math.round(target / single)));
  const blocks = [await timeBlock(iters)];
  while (blocks[0] < target && iters < maxLive && now() - started < budget / 2) {
    iters = Math.min(maxLive, iters * 2);
    blocks[0] = await timeBlock(iters);
  }
  const perCall = blocks[0] / iters;
  while (blocks.length < (quick ? 1 : 3)) {
    const spent = now() - started;
    if (spent + iters * perCall * 1.2 > budget) break;
    blocks.push(await timeBlock(iters));
  }
  peer.dispose(a);
  peer.dispose(b);
  const best = Math.min(...blocks);
  return {
    value: (work * iters) / best / GIGA,
    unit: unitOf(w.kind),
    iters,
    blocks: blocks.length,
    seconds: best,
  };
}

/**
 * x = x + 1, `w.n` times in a row on a 16-float tensor, then one readback: per-op overhead.
 *
 * Method, the same for every peer. One sample is one chain of `w.n` ops ended by the peer's
 * sync (one readback), in microseconds per op. A chain costs milliseconds, so the first ones
 * measure JIT compilation, pipeline creation and pool growth more than the op: warm up with
 * whole chains until the median of the last 3 is no more than 5% below the median of the 3
 * before (at least 6 chains, at most a third of the budget; `steady: false` if the cap ended
 * it). Then time TINY_SAMPLES (15) chains (5 when quick, fewer if the budget runs out), report their
 * median, with min, quartiles and max as the spread: a minimum would report the one chain
 * that ran between garbage collections and other processes' time slices.
 */
async function runTiny(peer, w, { budget, quick }) {
  const chain = async (count) => {
    let x = peer.randn([16]);
    await peer.sync([x]);
    const t0 = now();
    for (let i = 0; i < count; i++) {
      const y = peer.addScalar(x, 1);
      peer.dispose(x);
      x = y;
    }
    await peer.sync([x]);
    const dt = now() - t0;
    peer.dispose(x);
    return (dt / count) * 1e6;
  };
  const started = now();
  const spent = () => now() - started;
  const warm = [];
  let steady = false;
  while (!steady && (warm.length < 6 || spent() < budget / 3)) {
    warm.push(await chain(w.n));
    const k = warm.length;
    steady = k >= 6 && median(warm.slice(k - 3)) >= 0.95 * median(warm.slice(k - 6, k - 3));
  }
  const samples = [];
  const want = quick ? 5 : TINY_SAMPLES;
  const perChain = spent() / warm.length;
  while (samples.length < want && (samples.length < 3 || spent() + perChain < budget)) samples.push(await chain(w.n));
  const sorted = [...samples].sort((a, b) => a - b);
  const spread = { min: sorted[0], p25: quantile(sorted, 0.25), p75: quantile(sorted, 0.75), max: sorted[sorted.length - 1] };
  const value = median(samples);
  return { value, unit: unitOf(w.kind), iters: w.n, blocks: samples.length, seconds: (value * w.n) / 1e6, spread, warmup: warm.length, steady };
}

/** Timed chains of the tiny-op workload (after the warm-up). */
const TINY_SAMPLES = 15;

function quantile(sorted, q) {
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  return lo + 1 < sorted.length ? sorted[lo] + (sorted[lo + 1] - sorted[lo]) * (i - lo) : sorted[lo];
}

function median(values) {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

/**
 * Checks a peer's matmul, add and addScalar against plain JavaScript on 128x128 inputs, so a
 * broken kernel cannot post a fast number. Throws with the first mismatch.
 */
export async function checkPeer(peer) {
  const n = 128;
  const a = peer.randn([n, n]);
  const b = peer.randn([n, n]);
  const [ha, hb] = [await peer.read(a), await peer.read(b)];
  const expectClose = (name, got, want) => {
    const err = Math.abs(got - want);
    if (!(err <= 1e-3 * (1 + Math.abs(want)))) throw new Error(`wrong result: ${name} gives ${got}, expected ${want}`);
  };
  const c = peer.matmul(a, b);
  const hc = await peer.read(c);
  for (let t = 0; t < 64; t++) {
    const i = (t * 37) % n;
    const j = (t * 101 + 7) % n;
    let s = 0;
    for (let k = 0; k < n; k++) s += ha[i * n + k] * hb[k * n + j];
    expectClose(`matmul[${i},${j}]`, hc[i * n + j], s);
  }
  const d = peer.add(a, b);
  const e = peer.addScalar(a, 1);
  const [hd, he] = [await peer.read(d), await peer.read(e)];
  for (let i = 0; i < n * n; i += 97) {
    expectClose(`add[${i}]`, hd[i], ha[i] + hb[i]);
    expectClose(`addScalar[${i}]`, he[i], ha[i] + 1);
  }
  for (const h of [a, b, c, d, e]) peer.dispose(h);
}
