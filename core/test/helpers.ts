// Shared test helpers: run a suite on every backend (WebGPU must exist: a missing adapter
// fails the suite, it never skips), compare values with tolerances, and check gradients
// against central finite differences.

import assert from "node:assert/strict";
import * as t from "../src/index";
import type { Tensor } from "../src/index";

export const backendNames: t.BackendName[] = ["cpu", "webgpu"];

/** Defines `body` once per backend, inside describe(`${title} [backend]`). */
export function eachBackend(title: string, body: (backend: t.BackendName) => void): void {
  for (const name of backendNames) {
    describe(`${title} [${name}]`, function () {
      before(async function () {
        // No skip: without a WebGPU adapter this hook throws and the suite fails.
        await t.setBackend(name);
      });
      after(async function () {
        await t.setBackend("cpu");
      });
      body(name);
    });
  }
}

type NestedNum = number | boolean | NestedNum[];

function flat(x: NestedNum): number[] {
  if (Array.isArray(x)) return x.flatMap(flat);
  return [typeof x === "boolean" ? Number(x) : x];
}

/** Asserts shape, dtype (if given) and values within rtol/atol (NaN matches NaN). */
export async function expectTensor(
  x: Tensor,
  expected: NestedNum,
  opts: { shape?: number[]; dtype?: t.DType; rtol?: number; atol?: number } = {},
): Promise<void> {
  if (opts.shape) assert.deepEqual(x.shape, opts.shape, "shape");
  if (opts.dtype) assert.equal(x.dtype, opts.dtype, "dtype");
  const got = Array.from(await x.data());
  const want = flat(expected);
  assert.equal(got.length, want.length, `element count: got ${got.length}, want ${want.length}`);
  assertClose(got, want, opts.rtol ?? 1e-5, opts.atol ?? 1e-6);
}

export function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, rtol = 1e-5, atol = 1e-6): void {
  assert.equal(got.length, want.length, "lengths differ");
  for (let i = 0; i < got.length; i++) {
    const g = got[i];
    const w = want[i];
    if (Number.isNaN(w)) {
      assert.ok(Number.isNaN(g), `element ${i}: got ${g}, want NaN`);
      continue;
    }
    if (!Number.isFinite(w)) {
      assert.equal(g, w, `element ${i}`);
      continue;
    }
    const ok = Math.abs(g - w) <= atol + rtol * Math.abs(w);
    assert.ok(ok, `element ${i}: got ${g}, want ${w} (rtol ${rtol}, atol ${atol})\n got: ${Array.from(got).slice(0, 20)}\nwant: ${Array.from(want).slice(0, 20)}`);
  }
}

/**
 * Checks grad(f) against central differences of f at `inputs` (float32 tensors). f must return
 * a scalar tensor. float32 limits the accuracy of the differences: eps 1e-2 on inputs of order
 * 1 gives truncation error ~1e-4 and rounding error ~1e-5, so tolerances of 1e-2 relative are
 * honest; a wrong derivative is off by much more.
 */
export async function gradCheck(
  f: (...xs: Tensor[]) => Tensor,
  inputs: Tensor[],
  opts: { eps?: number; rtol?: number; atol?: number } = {},
): Promise<void> {
  const eps = opts.eps ?? 1e-2;
  const argnums = inputs.map((_, i) => i);
  const analytic: Tensor[] = t.grad(f, { argnums })(...inputs);
  for (let k = 0; k < inputs.length; k++) {
    const base = Array.from(await inputs[k].data());
    const numeric = new Array<number>(base.length);
    for (let i = 0; i < base.length; i++) {
      const at = (d: number) => {
        const v = Float32Array.from(base);
        v[i] += d;
        const args = inputs.slice();
        args[k] = t.tensor(v, { dtype: "float32" }).reshape(inputs[k].shape);
        return t.noGrad(() => f(...args)).item();
      };
      numeric[i] = ((await at(eps)) as number - ((await at(-eps)) as number)) / (2 * eps);
    }
    assert.deepEqual(analytic[k].shape, inputs[k].shape, `gradient ${k} shape`);
    const got = Array.from(await analytic[k].data());
    try {
      assertClose(got, numeric, opts.rtol ?? 2e-2, opts.atol ?? 2e-3);
    } catch (e) {
      throw new Error(`gradient of input ${k} differs from finite differences: ${(e as Error).message}`);
    }
  }
}

/** Runs `step` once to warm up, then `repeats` more times, and asserts the live buffer count
 * did not grow: what each call made was freed. */
export async function assertNoBufferGrowth(step: () => void, repeats = 3): Promise<void> {
  step();
  await t.sync();
  const before = t.memory().buffers;
  for (let k = 0; k < repeats; k++) step();
  await t.sync();
  assert.equal(t.memory().buffers, before, "live buffers after repeated calls");
}

/** Random float32 tensor with values in [lo, hi). */
export function uniform(shape: number[], lo = -1, hi = 1): Tensor {
  return t.rand(shape).mul(hi - lo).add(lo);
}

/** One classifier training step: cross-entropy of model(x) against labels y, then zeroGrad,
 * backward and step; returns the loss (what jit tests replay against eager runs). */
export function classifierStep(model: t.nn.Module, opt: t.optim.Optimizer): (x: Tensor, y: Tensor) => Tensor {
  return (x, y) => {
    const loss = t.nn.crossEntropy(model.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    return loss;
  };
}

/**
 * Trains a small classifier with a StepLR schedule (halving every stepSize steps), eagerly and
 * under jit, and checks that jit traces once and gives the eager losses, parameters and
 * gradients, and that the loss falls.
 */
export async function expectJitStepMatchesEager(makeOpt: (params: Tensor[]) => t.optim.Optimizer, o: { steps: number; stepSize: number }): Promise<void> {
  const values = async (v: Tensor) => Array.from(await v.data());
  const run = async (useJit: boolean) => {
    t.manualSeed(3);
    const model = new t.nn.Sequential(new t.nn.Linear(6, 16), new t.nn.ReLU(), new t.nn.Linear(16, 3));
    const x = t.randn([8, 6]);
    const y = t.tensor([0, 1, 2, 1, 0, 2, 2, 1]);
    const opt = makeOpt(model.parameters());
    const sched = new t.optim.StepLR(opt, o.stepSize, 0.5);
    const body = classifierStep(model, opt);
    const step = useJit ? t.jit(body) : body;
    const losses: number[] = [];
    for (let i = 0; i < o.steps; i++) {
      losses.push(Number(await t.tidy(() => step(x, y)).item()));
      sched.step();
    }
    const params = await Promise.all(model.parameters().map(values));
    const grads = await Promise.all(model.parameters().map((p) => values(p.grad!)));
    return { losses, params, grads, traces: useJit ? (step as ReturnType<typeof t.jit>).traces : 0 };
  };
  const eager = await run(false);
  const jitted = await run(true);
  assert.equal(jitted.traces, 1);
  assertClose(jitted.losses, eager.losses, 1e-6, 1e-6);
  assert.ok(eager.losses[o.steps - 1] < eager.losses[0], "the loss falls");
  jitted.params.forEach((p, i) => assertClose(p, eager.params[i], 1e-6, 1e-6));
  jitted.grads.forEach((g, i) => assertClose(g, eager.grads[i], 1e-6, 1e-6));
}

export { assert, t };
