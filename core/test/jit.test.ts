// jit(fn) on both backends: replayed results equal eager ones (elementwise, matmul, reductions,
// grad, a whole training step with optimizers and a schedule), one trace per signature, writes
// to captured tensors and fresh random numbers on replay, and the errors for what cannot be
// traced.

import { t, assert, assertClose, eachBackend, uniform, expectJitStepMatchesEager } from "./helpers";
import type { Tensor } from "../src/index";

const values = async (x: Tensor) => Array.from(await x.data());

eachBackend("jit", () => {
  it("replays elementwise chains, matmul and reductions with the eager values", async () => {
    const fn = (a: Tensor, b: Tensor, w: Tensor) => {
      const h = a.mul(b).add(1).tanh().matmul(w).relu();
      return { sum: h.sum(1), max: h.max(0, { keepdims: true }), mean: h.mean(), sm: h.softmax(-1) };
    };
    const f = t.jit(fn);
    for (let call = 0; call < 3; call++) {
      const [a, b, w] = [uniform([4, 3]), uniform([4, 3]), uniform([3, 5])];
      const got = f(a, b, w);
      const want = fn(a, b, w);
      for (const k of ["sum", "max", "mean", "sm"] as const) {
        assert.deepEqual(got[k].shape, want[k].shape, k);
        assertClose(await values(got[k]), await values(want[k]), 1e-6, 1e-6);
      }
    }
    assert.equal(f.traces, 1);
  });

  it("rewrites transposes around matmuls (also behind reshapes) without changing the results", async () => {
    const fns = {
      weightGrad: (x: Tensor, g: Tensor) => x.T.matmul(g).T, // (x.T @ g).T -> g.T @ x, both read in place
      bothT: (x: Tensor, g: Tensor) => x.T.matmul(g.T.T).T,
      doubleT: (x: Tensor) => x.T.T.mul(2),
      linear: (x: Tensor, w: Tensor) => x.matmul(w.T), // w read in place (transB)
      reshaped: (x: Tensor, g: Tensor) => x.T.reshape([6, 4]).T.matmul(g.reshape([6, 2])).reshape([2, 4]).T,
    };
    const args = { weightGrad: [[5, 4], [5, 3]], bothT: [[5, 4], [5, 3]], doubleT: [[3, 4]], linear: [[2, 8], [6, 8]], reshaped: [[6, 4], [4, 3]] };
    for (const [name, fn] of Object.entries(fns) as [keyof typeof fns, (...a: Tensor[]) => Tensor][]) {
      const f = t.jit(fn);
      for (let call = 0; call < 2; call++) {
        const xs = args[name].map((s) => uniform(s));
        const got = f(...xs);
        const want = fn(...xs);
        assert.deepEqual(got.shape, want.shape, name);
        assertClose(await values(got), await values(want), 1e-6, 1e-6);
      }
    }
    const weightGrad = t.jit(fns.weightGrad);
    weightGrad(uniform([5, 4]), uniform([5, 3]));
    // One matmul reading both operands in place: (x.T @ g).T = g.T @ x.
    assert.equal(weightGrad.kernels, 1, weightGrad.describe());
    assert.match(weightGrad.describe(), /matmul\(arg1, arg0\) \{"transA":true,"transB":false\} \[5,3\]x\[5,4\] -> \[3,4\]/);
    const linear = t.jit(fns.linear);
    linear(uniform([2, 8]), uniform([6, 8]));
    assert.match(linear.describe(), /^%\d+ = matmul\(arg0, arg1\) \{"transB":true\} \[2,8\]x\[6,8\] -> \[2,6\]$/);
    const bothT = t.jit(fns.bothT);
    bothT(uniform([5, 4]), uniform([5, 3]));
    assert.equal(bothT.kernels, 1, bothT.describe());
  });

  it("runs a reduction of an elementwise value after the matmul that reads it too, with the same bits", async () => {
    // A Linear layer's backward: the bias gradient sums g * relu'(z) over the batch, the weight
    // gradient multiplies it with x. Traced in that order; replayed matmul first (schedule.ts).
    const fn = (x: Tensor, z: Tensor, g: Tensor) => {
      const rows = z.mul(g).sum(1).mul(2);
      const dz = g.mul(z.gt(0).astype("float32"));
      return { db: dz.sum(0), dw: dz.T.matmul(x), rows };
    };
    const f = t.jit(fn);
    for (let call = 0; call < 2; call++) {
      const [x, z, g] = [uniform([6, 5]), uniform([6, 4]), uniform([6, 4])];
      const got = f(x, z, g);
      const want = fn(x, z, g);
      for (const k of ["db", "dw", "rows"] as const) assert.deepEqual(await values(got[k]), await values(want[k]), k);
    }
    const lines = f.describe().split("\n");
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    const matmul = at(/= matmul\(/);
    assert(matmul >= 0 && at(/reduce\(.*"axes":\[0\]/) > matmul, f.describe());
    // A reduction of a value that only reductions read keeps its place before the matmul.
    assert(at(/reduce\(.*"axes":\[1\]/) < matmul, f.describe());
  });

  it("traces once per signature: new shapes, dtypes and non-tensor arguments retrace", async () => {
    let runs = 0;
    const f = t.jit((x: Tensor, k: number) => {
      runs += 1;
      return x.mul(k).sum();
    });
    assert.equal(await f(t.tensor([1, 2, 3], { dtype: "float32" }), 2).item(), 12);
    assert.equal(await f(t.tensor([4, 5, 6], { dtype: "float32" }), 2).item(), 30);
    assert.equal(f.traces, 1);
    assert.equal(runs, 1, "the second call replays without running the function");
    assert.equal(await f(t.tensor([1, 2], { dtype: "float32" }), 2).item(), 6);
    assert.equal(await f(t.tensor([1, 2], { dtype: "float32" }), 3).item(), 9);
    assert.equal(await f(t.tensor([1, 2]), 3).item(), 9); // int32
    assert.equal(f.traces, 4);
    assert.equal(await f(t.tensor([7, 8, 9], { dtype: "float32" }), 2).item(), 48); // cached again
    assert.equal(f.traces, 4);
    f.dispose();
    assert.equal(await f(t.tensor([7, 8, 9], { dtype: "float32" }), 2).item(), 48);
    assert.equal(f.traces, 5, "dispose() forgets the traces");
  });

  it("replays only the work that reaches a result", async () => {
    const f = t.jit((x: Tensor) => {
      x.exp().matmul(x.T); // never used
      const y = x.reshape([6]).reshape([2, 3]); // shares x's buffer: no kernel
      return { y: y.add(1), n: 3 };
    });
    for (let call = 0; call < 2; call++) {
      const { y, n } = f(t.tensor([[1, 2, 3], [4, 5, 6]], { dtype: "float32" }).mul(call + 1));
      assert.equal(n, 3);
      assert.deepEqual(await y.array(), [[1, 2, 3], [4, 5, 6]].map((r) => r.map((v) => v * (call + 1) + 1)));
    }
    assert.equal(f.kernels, 1, f.describe());
  });

  it("jit(grad(f)) and jit(valueAndGrad(f)) equal grad(f)", async () => {
    const f = (w: Tensor, x: Tensor) => x.matmul(w).tanh().square().mean();
    const g = t.grad(f);
    const jg = t.jit(g);
    const jvg = t.jit(t.valueAndGrad(f, { argnums: [0, 1] }));
    for (let call = 0; call < 3; call++) {
      const [w, x] = [uniform([3, 2]), uniform([4, 3])];
      assertClose(await values(jg(w, x)), await values(g(w, x)), 1e-6, 1e-7);
      const [v, [gw, gx]] = jvg(w, x);
      const [v0, [gw0, gx0]] = t.valueAndGrad(f, { argnums: [0, 1] })(w, x);
      assertClose(await values(v), await values(v0), 1e-6, 1e-7);
      assertClose(await values(gw), await values(gw0), 1e-6, 1e-7);
      assertClose(await values(gx), await values(gx0), 1e-6, 1e-7);
    }
    assert.equal(jg.traces, 1);
    assert.equal(jvg.traces, 1);
  });

  for (const kind of ["SGD", "Adam"] as const) {
    it(`a jitted training step (${kind}, lr schedule) gives the eager losses and parameters`, async () => {
      await expectJitStepMatchesEager(
        (ps) => (kind === "SGD" ? new t.optim.SGD(ps, { lr: 0.1, momentum: 0.9, weightDecay: 0.01 }) : new t.optim.AdamW(ps, { lr: 0.01 })),
        { steps: 5, stepSize: 2 },
      );
    });
  }

  it("accumulates .grad across calls like eager code when the function does not zero it", async () => {
    const run = async (useJit: boolean) => {
      const w = t.tensor([0.5, -1, 2], { dtype: "float32" }).requiresGrad_();
      const body = (x: Tensor) => void x.mul(w).square().sum().backward();
      const f = useJit ? t.jit(body) : body;
      const seen: number[][] = [];
      for (let i = 0; i < 4; i++) {
        f(t.tensor([1, 2, 3], { dtype: "float32" }).add(i));
        seen.push(await values(w.grad!));
        if (i === 1) w.grad = null; // zeroing outside between calls
      }
      return { seen, traces: useJit ? (f as ReturnType<typeof t.jit>).traces : 0 };
    };
    const eager = await run(false);
    const jitted = await run(true);
    eager.seen.forEach((g, i) => assertClose(jitted.seen[i], g, 1e-6));
    assert.equal(jitted.traces, 2, "one trace starting from no gradient, one accumulating");
  });

  it("reads captured tensors' current values: assign between calls is respected", async () => {
    const w = t.tensor([1, 2, 3], { dtype: "float32" });
    const f = t.jit((x: Tensor) => x.mul(w).sum());
    const x = t.ones([3]);
    assert.equal(await f(x).item(), 6);
    w.assign(t.tensor([10, 20, 30], { dtype: "float32" }));
    assert.equal(await f(x).item(), 60);
    assert.equal(f.traces, 1);
    w.dispose();
    assert.throws(() => f(x), (e: Error) => e.name === "JitError" && /captured when it was traced has been disposed/.test(e.message));
  });

  it("replays writes to arguments and captured tensors, and frees every intermediate", async () => {
    const acc = t.zeros([2]);
    const w = t.tensor([[1, 0.5], [-0.5, 1]], { dtype: "float32" });
    const f = t.jit((x: Tensor, state: Tensor) => {
      acc.assign(acc.add(x.exp().mul(2).log()));
      // Products are real buffers on webgpu too (elementwise chains fuse into pending values).
      const h = x.reshape([1, 2]).matmul(w).relu().matmul(w.T);
      state.assign(state.add(h.reshape([2])));
      return t.tidy(() => x.square().sum());
    });
    const x = t.tensor([0, 1], { dtype: "float32" });
    const state = t.zeros([2]);
    f(x, state).dispose(); // the trace (its temporary acc.add(...) tensor waits for the garbage collector)
    f(x, state).dispose();
    await t.sync(); // webgpu: pending (fused) values take their buffers when computed
    await t.collectGarbage(); // the trace's garbage, so that finalizers do not run in between
    // Tensors' buffers, and on webgpu the device buffers (replay frees intermediates directly).
    const device = () => (x.backend as unknown as { memory?: () => { liveBuffers: number } }).memory?.().liveBuffers ?? 0;
    const before = [t.memory().buffers, device()];
    for (let i = 0; i < 4; i++) f(x, state).dispose();
    await t.sync();
    await t.collectGarbage();
    // Garbage of earlier tests may still be finalized meanwhile: the counts must not grow.
    const after = [t.memory().buffers, device()];
    assert.ok(after[0] <= before[0] && after[1] <= before[1], `no buffers leak from replays: ${before} -> ${after}`);
    assertClose(await values(acc), [6 * Math.log(2), 6 * (1 + Math.log(2))], 1e-5);
    assertClose(await values(state), [3, 6], 1e-6); // relu([0, 1] @ w) @ w.T = [0.5, 1] per call
  });

  it("draws fresh random numbers on every replay, in the eager order", async () => {
    const noisy = (x: Tensor) => x.add(t.rand([4]));
    const f = t.jit(noisy);
    const x = t.zeros([4]);
    t.manualSeed(11);
    const jitted = [await values(f(x)), await values(f(x)), await values(f(x))];
    t.manualSeed(11);
    const eager = [await values(noisy(x)), await values(noisy(x)), await values(noisy(x))];
    assert.deepEqual(jitted, eager);
    assert.notDeepEqual(jitted[1], jitted[2]);
    // Dropout draws its mask the same way.
    const drop = new t.nn.Dropout(0.5);
    const g = t.jit((x: Tensor) => drop.forward(x));
    const masks = [await values(g(t.ones([64]))), await values(g(t.ones([64])))];
    assert.notDeepEqual(masks[0], masks[1]);
    assert.ok(masks[1].every((v) => v === 0 || v === 2));
  });

  it("model.eval() and train() between calls take effect: the trace guards on the training flag", async () => {
    t.manualSeed(12);
    const model = new t.nn.Sequential(new t.nn.Linear(8, 8), new t.nn.Dropout(0.5), new t.nn.Linear(8, 2));
    const x = t.randn([16, 8]);
    const f = t.jit((x: Tensor) => t.noGrad(() => model.forward(x)));
    f(x); // training mode: dropout active
    assert.equal(f.traces, 1);
    model.eval();
    const evaluated = await values(f(x));
    assert.equal(f.traces, 2, "eval() traced again");
    assert.deepEqual(evaluated, await values(t.noGrad(() => model.forward(x))), "no dropout in eval mode");
    assert.deepEqual(await values(f(x)), evaluated, "the eval trace replays");
    model.train();
    const trained = [await values(f(x)), await values(f(x))];
    assert.equal(f.traces, 2, "back in training mode the first trace replays");
    assert.notDeepEqual(trained[0], evaluated);
    assert.notDeepEqual(trained[0], trained[1], "with a fresh dropout mask each call");
  });

  it("rejects host reads of traced values, async functions; printing shows a placeholder", () => {
    const x = t.tensor([1, 2], { dtype: "float32" });
    const hostRead = /jit: item\(\) reads a tensor's values on the host while jit is tracing the function.*read it after the call/;
    assert.throws(() => t.jit((a: Tensor) => void a.sum().item())(x), (e: Error) => e.name === "JitError" && hostRead.test(e.message));
    assert.throws(() => t.jit((a: Tensor) => void a.data())(x), /jit: data\(\) reads a tensor's values/);
    assert.throws(() => t.jit(async (a: Tensor) => a.add(1))(x), /jit: the function returned a Promise/);
    let printed = "";
    t.jit((a: Tensor) => {
      printed = String(a.mul(2));
      return a;
    })(x);
    assert.match(printed, /tensor\(<traced by jit: values differ on every call.*shape=\[2\], dtype=float32/);
  });

  it("returns results without an autodiff graph; grad(jit(f)) runs without jit after a warning", async () => {
    const w = t.tensor([1, 2], { dtype: "float32" }).requiresGrad_();
    const f = t.jit((x: Tensor) => x.mul(w).sum());
    for (let call = 0; call < 2; call++) {
      const y = f(t.ones([2]));
      assert.equal(y.requiresGrad, false);
      assert.throws(() => y.backward(), /backward\(\): this tensor is a result of a jitted function.*call loss.backward\(\) inside the jitted function/);
    }
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (m: string) => void warnings.push(m);
    try {
      const sq = (x: Tensor) => x.square().sum();
      const g = t.grad(t.jit(sq));
      for (const v of [[1, 2], [3, 4]]) assertClose(await values(g(t.tensor(v, { dtype: "float32" }))), v.map((x) => 2 * x));
    } finally {
      console.warn = warn;
    }
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /jit: an argument requires grad.*use jit\(grad\(f\)\)/);
  });

  it("runs a jitted function called inside another one's trace as part of it", async () => {
    const inner = t.jit((a: Tensor) => a.mul(3));
    const outer = t.jit((a: Tensor) => inner(a).add(1));
    for (const v of [1, 2]) assert.equal(await outer(t.tensor([v], { dtype: "float32" })).sum().item(), 3 * v + 1);
    assert.equal(outer.traces, 1);
    assert.equal(inner.traces, 0);
  });
});
