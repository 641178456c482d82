// The training-step workloads: the two models, their data and starting weights (made here on
// the host, so every peer starts from the same numbers), and the timing loop.
//
// A peer that can train exposes `training(spec)`, resolving to its variants (e.g. jax-js with
// and without jit), each { name, create } or { name, unsupported: reason }; create(spec)
// resolves to { step(): Promise<number>, dispose() }. step() is one complete SGD step on the spec's fixed
// batch and resolves with that step's loss read back to the host, after the updated parameters
// are computed: an async GPU queue cannot hide work that is still running.
//
// Parameters are given in PyTorch layout (Linear weight [out, in], Conv2d weight
// [O, C, kh, kw], flatten in C, H, W order); peers that want another layout convert on the
// host before uploading, so the math is the same everywhere and the losses can be compared.

/** Deterministic numbers in (0, 1), independent of every library's RNG (an LCG). */
function generator(seed) {
  let s = seed >>> 0;
  return { uniform: () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 1) / 4294967297 };
}

/** PyTorch's default init for Linear and Conv2d: uniform in ±1/sqrt(fan_in). */
function initParam(rng, name, shape, fanIn) {
  const bound = 1 / Math.sqrt(fanIn);
  const data = new Float32Array(shape.reduce((p, d) => p * d, 1));
  for (let i = 0; i < data.length; i++) data[i] = (2 * rng.uniform() - 1) * bound;
  return { name, shape, data };
}

const MODELS = {
  mlp: {
    batch: 128,
    input: [784],
    describe: "MLP 784-256-10 step, batch 128",
    params: (rng) => [
      initParam(rng, "w1", [256, 784], 784),
      initParam(rng, "b1", [256], 784),
      initParam(rng, "w2", [10, 256], 256),
      initParam(rng, "b2", [10], 256),
    ],
  },
  conv: {
    batch: 64,
    input: [1, 28, 28],
    describe: "convnet 2x conv3x3 + linear step, batch 64",
    params: (rng) => [
      initParam(rng, "c1w", [16, 1, 3, 3], 9),
      initParam(rng, "c1b", [16], 9),
      initParam(rng, "c2w", [32, 16, 3, 3], 144),
      initParam(rng, "c2b", [32], 144),
      initParam(rng, "fw", [10, 32 * 7 * 7], 32 * 7 * 7),
      initParam(rng, "fb", [10], 32 * 7 * 7),
    ],
  },
};

export const CLASSES = 10;
export const LR = 0.1;
/** Steps on the fixed batch whose losses are checked (and compared across peers). */
export const CHECK_STEPS = 5;

export const describeModel = (model) => MODELS[model].describe;

/**
 * Everything a peer needs for one model: x (Float32Array, [batch, ...input], uniform in [0, 1)
 * like pixel intensities; with standard normal inputs lr 0.1 overshoots on the convnet's first
 * step, and a loss that rises before it falls makes a poor check on peers that only afford 2 steps),
 * y (Int32Array of labels in [0, 10)), params ([{name, shape, data}] in PyTorch layout), lr.
 * Random data on purpose: jax-js folds all-equal arrays into constants.
 */
export function makeSpec(model) {
  const m = MODELS[model];
  const rng = generator(model === "mlp" ? 7 : 11);
  const xShape = [m.batch, ...m.input];
  const x = new Float32Array(xShape.reduce((p, d) => p * d, 1));
  for (let i = 0; i < x.length; i++) x[i] = rng.uniform();
  const y = Int32Array.from({ length: m.batch }, () => Math.floor(rng.uniform() * CLASSES));
  return { model, batch: m.batch, xShape, x, y, params: m.params(rng), classes: CLASSES, lr: LR };
}

/** The named parameter of a spec. */
export const param = (spec, name) => spec.params.find((p) => p.name === name);

/** A [rows, cols] matrix transposed on the host (PyTorch's [out, in] to x @ W's [in, out]). */
export function transposed({ shape: [rows, cols], data }) {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

const now = () => performance.now();

/**
 * One variant within `budget` seconds: up to CHECK_STEPS steps whose losses are checked (the
 * first timed alone: it compiles shaders or traces), then blocks of steps, the best block
 * counting. A slow variant (a step over the block's target) is timed on its checked steps
 * after the first instead, and stops checking early when the budget runs out (the first step
 * does not count against it); one whose first step alone exceeds `firstLimitMs` is skipped.
 */
async function runVariant(variant, spec, { budget, quick, firstLimitMs }) {
  const trainer = await variant.create(spec);
  try {
    const losses = [];
    const times = [];
    const budgetMs = budget * 1000;
    const spent = () => times.reduce((a, b) => a + b, 0);
    while (losses.length < CHECK_STEPS) {
      const t0 = now();
      losses.push(await trainer.step());
      times.push(now() - t0);
      // Compilation may make the first step slow on any peer; only a very slow one is given up on.
      if (times[0] > firstLimitMs) {
        return { name: variant.name, skipped: `the first step took ${(times[0] / 1000).toFixed(0)} s, over ${firstLimitMs / 1000} s`, firstMs: times[0], losses };
      }
      if (losses.length >= 2 && spent() - times[0] + times[times.length - 1] > budgetMs) break;
    }
    const warm = times.slice(1);
    const stepMs = warm[warm.length - 1];
    const target = quick ? 250 : 700; // ms per block
    const result = { name: variant.name, firstMs: times[0], losses };
    if (stepMs > target) return { ...result, value: warm.reduce((a, b) => a + b, 0) / warm.length, iters: warm.length, blocks: 0 };

    const iters = Math.max(3, Math.min(100, Math.round(target / Math.max(stepMs, 1e-3))));
    // Untimed steps first, one block and at least WARM_MS: five steps leave JavaScript engines
    // mid tier-up. A tsdl cpu MLP step measured 5.6, 3.2, 4.0, 2.8 ms in its first blocks of 50
    // steps and 1.9 from the eighth on (V8 optimizes the per-op code after hundreds of calls,
    // and deoptimizes some of it again after its first full GC); a training run is thousands
    // of steps, so the steady state is what the table should show, for every peer alike.
    const warmEnd = now() + (quick ? 1500 : 3000);
    for (let i = 0; i < iters || now() < warmEnd; i++) await trainer.step();
    const started = now();
    const blocks = [];
    while (blocks.length < (quick ? 1 : 3)) {
      if (blocks.length > 0 && now() - started + iters * stepMs * 1.2 > budgetMs) break;
      const t0 = now();
      for (let i = 0; i < iters; i++) await trainer.step();
      blocks.push(now() - t0);
    }
    return { ...result, value: Math.min(...blocks) / iters, iters, blocks: blocks.length };
  } finally {
    trainer.dispose();
  }
}

/** Whether the checked losses are finite and fall from the first step to the last. */
export const lossesFall = (losses) => losses.every(Number.isFinite) && losses[losses.length - 1] < losses[0];

/**
 * Runs every variant a peer offers for workload `w`; the first variant that ran gives the
 * table's value (ms per step). Returns { value, unit, firstMs, losses, variants } or
 * { absent } (a peer without training) or { skipped } / { error } when no variant ran.
 */
export async function runTraining(peer, w, opts) {
  if (!peer.training) return { absent: "this peer has no training path" };
  const spec = makeSpec(w.model);
  const variants = [];
  const offered = await peer.training(spec);
  // The workload's budget is shared by the variants, so a peer with two costs no more time.
  // A first step (compilation, tracing) may take up to twice the budget, or one budget when quick.
  const share = { ...opts, budget: opts.budget / offered.length, firstLimitMs: opts.budget * (opts.quick ? 1000 : 2000) };
  for (const v of offered) {
    if (v.unsupported) {
      variants.push({ name: v.name, unsupported: v.unsupported });
      continue;
    }
    try {
      variants.push(await runVariant(v, spec, share));
    } catch (err) {
      variants.push({ name: v.name, error: String(err?.message ?? err).split("\n")[0] });
    }
  }
  const ran = variants.find((v) => v.value !== undefined);
  if (!ran) {
    const why = variants.map((v) => `${v.name}: ${v.unsupported ?? v.skipped ?? v.error}`).join("; ");
    if (variants.every((v) => v.unsupported)) return { skipped: `unsupported: ${why}`, variants };
    return variants.some((v) => v.error) ? { error: why, variants } : { skipped: why, variants };
  }
  return { value: ran.value, unit: "ms/step", variant: ran.name, firstMs: ran.firstMs, losses: ran.losses, variants };
}
