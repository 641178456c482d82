// Elementwise fusion in the WebGPU backend (src/backend/webgpu/fusion.ts): fused chains give
// the CPU reference's values (broadcasting, casts, comparisons, where, int32, bool, reshapes,
// reductions of pending inputs), run fewer kernels, keep freed leaves alive until they are
// computed, and return every buffer when disposed.

import assert from "node:assert/strict";
import * as t from "../src/index";
import type { Tensor } from "../src/index";
import { currentBackend } from "../src/backend/registry";
import { createWebGPUBackend, type WebGPUBackend } from "../src/backend/webgpu";
import type { Storage } from "../src/backend/backend";
import { assertClose } from "./helpers";

/** A small deterministic generator (LCG), so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const random = rng(777);
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

interface Input {
  data: number[];
  shape: number[];
  dtype: t.DType;
}
const f32 = (shape: number[], lo = -3, hi = 3): Input => ({
  data: Array.from({ length: size(shape) }, () => Math.fround(lo + (hi - lo) * random())),
  shape,
  dtype: "float32",
});
const i32 = (shape: number[], lo = -9, hi = 9): Input => ({
  data: Array.from({ length: size(shape) }, () => Math.floor(lo + (hi - lo + 1) * random())),
  shape,
  dtype: "int32",
});
const bool = (shape: number[]): Input => ({
  data: Array.from({ length: size(shape) }, () => (random() > 0.5 ? 1 : 0)),
  shape,
  dtype: "bool",
});

function make(x: Input): Tensor {
  const host = x.dtype === "float32" ? Float32Array.from(x.data) : x.dtype === "int32" ? Int32Array.from(x.data) : Uint8Array.from(x.data);
  return t.tensor(host, { dtype: x.dtype }).reshape(x.shape);
}

/** Runs `f` on both backends; returns the webgpu result's values after checking them. */
async function agree(f: (...xs: Tensor[]) => Tensor, inputs: Input[], rtol = 1e-5): Promise<void> {
  const results: { shape: readonly number[]; dtype: t.DType; values: number[] }[] = [];
  for (const name of ["cpu", "webgpu"] as const) {
    await t.setBackend(name);
    const xs = inputs.map(make);
    const y = f(...xs);
    results.push({ shape: y.shape, dtype: y.dtype, values: Array.from(await y.data(), Number) });
    y.dispose();
    xs.forEach((x) => x.dispose());
  }
  const [want, got] = results;
  assert.deepEqual(got.shape, want.shape, "shape");
  assert.equal(got.dtype, want.dtype, "dtype");
  if (want.dtype === "float32") assertClose(got.values, want.values, rtol, 1e-5);
  else assert.deepEqual(got.values, want.values);
}

let gpu: WebGPUBackend;

// Hooks inside a describe: at the top level mocha would run them before every file's tests.
describe("webgpu fusion", function () {
before(async function () {
  this.timeout(120_000);
  await t.setBackend("webgpu");
  gpu = currentBackend() as WebGPUBackend;
  assert(gpu.fusion, "fusion is on by default");
});

after(async () => {
  await t.setBackend("cpu");
});

/** Lets unreachable tensors of earlier tests be finalized, so buffer counts are stable. */
async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Dispatches recorded while `f` runs (including its readback). */
async function dispatchesOf(f: () => Promise<unknown>): Promise<number> {
  await t.setBackend("webgpu");
  const start = gpu.counters().dispatches;
  await f();
  return gpu.counters().dispatches - start;
}

describe("webgpu fusion: values match the cpu backend", function () {
  this.timeout(120_000);

  it("chains with scalars, then a full reduction", async () => {
    await agree((x) => x.mul(2).add(1).relu().sum(), [f32([37, 5])]);
    await agree((x) => x.mul(2).add(1).relu(), [f32([37, 5])]);
    await agree((x) => x.sub(0.5).square().mean(), [f32([1000])]);
  });

  it("broadcasting leaves of different shapes, reduced along each axis", async () => {
    const fn = (a: Tensor, b: Tensor, c: Tensor) => a.mul(b).add(c).tanh();
    const ins = [f32([4, 1, 3]), f32([5, 1]), f32([3])];
    await agree(fn, ins);
    for (const axis of [0, 1, 2]) await agree((a, b, c) => fn(a, b, c).sum(axis), ins);
    await agree((a, b, c) => fn(a, b, c).max(2, { keepdims: true }), ins);
    await agree((a, b, c) => fn(a, b, c).sum([0, 2]), ins); // non-adjacent axes: materialized first
    await agree((a, b, c) => fn(a, b, c).min(), ins);
    await agree((a, b) => a.sub(b).exp().prod(1), [f32([6, 8], -0.5, 0.5), f32([6, 1], -0.5, 0.5)]);
  });

  it("row and column broadcasts of 4-wide blocks (the vectorized layout)", async () => {
    await agree((x, bias, col) => x.add(bias).mul(col).relu(), [f32([16, 12]), f32([12]), f32([16, 1])]);
    await agree((x, bias, col) => x.add(bias).mul(col).relu().sum(0), [f32([16, 12]), f32([12]), f32([16, 1])]);
  });

  it("mixed dtypes, casts, comparisons and where", async () => {
    await agree((a, i) => a.add(i).astype("int32").mul(3).sub(i), [f32([50]), i32([50])]);
    await agree((a, b) => t.where(a.gt(b), a.mul(2), b.neg()).exp(), [f32([7, 9]), f32([9])]);
    await agree((a, b) => a.lt(b).logicalAnd(a.gt(-1)).astype("float32").add(a), [f32([40]), f32([40])]);
    await agree((a) => a.isnan().logicalNot().astype("int32").sum(), [f32([33])]);
    await agree((a, i) => t.where(i.gt(0), a, i).sum(1), [f32([6, 10]), i32([6, 10])]);
  });

  it("int32 and bool chains", async () => {
    await agree((i, j) => i.mul(3).sub(j).mod(5).abs().maximum(j), [i32([8, 8]), i32([8])]);
    await agree((i) => i.mul(i).sum(), [i32([300], -50, 50)]);
    await agree((p, q) => p.logicalXor(q).logicalOr(p).astype("int32").add(1), [bool([20]), bool([20])]);
    await agree((p, q) => p.logicalAnd(q).sum(0), [bool([5, 7]), bool([7])]);
  });

  it("reshapes between fused operations", async () => {
    // All leaves full-size: the tree is re-read in the new shape.
    await agree((x, y) => x.add(1).reshape([6, 4]).mul(y), [f32([24]), f32([4])]);
    // A broadcast leaf under a reshape: the pending value is computed first.
    await agree((a, b, c) => a.add(b).reshape([24]).mul(c).sum(), [f32([4, 1]), f32([1, 6]), f32([24])]);
    await agree((x) => x.exp().reshape([3, 8]).sum(1), [f32([2, 12])]);
  });

  it("softmax, logsumexp, losses and the layers that use them", async () => {
    await agree((x) => x.softmax(1), [f32([9, 13])]);
    await agree((x) => x.logSoftmax(0), [f32([9, 13])]);
    await agree((x) => x.logsumexp(1), [f32([9, 13])]);
    await agree((x) => x.var(1), [f32([9, 13])]);
    await agree((x, y) => t.nn.mseLoss(x, y), [f32([9, 13]), f32([9, 13])]);
    await agree((x) => x.gelu().softplus(), [f32([64])]);
  });

  it("a subexpression shared by several consumers, and inside one tree", async () => {
    await agree((x) => {
      const s = x.exp();
      const z = s.sum();
      return s.add(s.mul(2)).div(z);
    }, [f32([25])]);
    await agree((x) => {
      const u = x.add(1);
      const v = u.mul(u);
      return v.sub(u).add(v.mul(u));
    }, [f32([25])]);
    // A big shared tree is stored once a second consumer wants it.
    await agree((x) => {
      let s = x;
      for (let i = 0; i < 8; i++) s = s.mul(1.01).add(0.1);
      return s.add(s.sum()).sub(s.max());
    }, [f32([40])]);
  });

  it("chains longer than one kernel's bound", async () => {
    await agree((x) => {
      let y = x;
      for (let i = 0; i < 100; i++) y = y.add(i % 3).mul(0.5);
      return y;
    }, [f32([10])]);
    // More distinct leaves than one kernel binds: inputs are computed first.
    await agree(
      (...xs) => xs.reduce((acc, x) => acc.add(x)).sum(1),
      Array.from({ length: 10 }, (_, k) => (k % 2 ? f32([4]) : f32([3, 4]))),
    );
  });

  it("gradients through fused operations", async () => {
    await agree((x, w) => {
      const [, g] = t.valueAndGrad((p: Tensor) => x.matmul(p).relu().square().mean())(w);
      return g;
    }, [f32([8, 5]), f32([5, 3])], 1e-4);
  });
});

describe("webgpu fusion: kernels", function () {
  this.timeout(120_000);

  it("x.mul(2).add(1).relu().sum() is one kernel, and its value is right", async () => {
    const x = t.tensor([[-1, 0.5], [2, -3]]);
    await (await x.mul(2).add(1).relu().sum().data()); // warm: constants and pipelines
    let got = 0;
    const n = await dispatchesOf(async () => {
      const y = x.mul(2).add(1).relu().sum();
      got = Number(await y.item());
      y.dispose();
    });
    assert.equal(got, 2 + 5);
    assert.equal(n, 1);
    x.dispose();
  });

  it("sync() computes values nobody has read yet, once", async () => {
    const x = t.tensor([1, 2, 3]);
    await x.mul(2).add(1).data(); // warm: constants and pipelines
    await t.sync(); // whatever earlier tests left pending
    let y: Tensor | undefined;
    const n = await dispatchesOf(async () => {
      y = x.mul(2).add(1);
      await t.sync();
    });
    assert.equal(n, 1, "the pending chain ran as one kernel at sync()");
    const again = await dispatchesOf(async () => assert.deepEqual(Array.from(await y!.data()), [3, 5, 7]));
    assert.equal(again, 0, "reading it afterwards computes nothing again");
    y!.dispose();
    x.dispose();
  });

  it("an elementwise chain read back is one kernel; without fusion one per op", async () => {
    const x = t.tensor([1, 2, 3, 4, 5]);
    const chain = (v: Tensor) => v.mul(3).sub(1).exp().log().neg();
    (await chain(x).data()); // warm
    const n = await dispatchesOf(async () => {
      const y = chain(x);
      assert.deepEqual(Array.from(await y.data()).map(Math.round), [-2, -5, -8, -11, -14]);
      y.dispose();
    });
    assert.equal(n, 1);
    x.dispose();

    const plain = await createWebGPUBackend({ fusion: false });
    assert(plain);
    const up = plain.upload(Float32Array.from([1, 2]), "float32");
    const info = { shape: [2], dtype: "float32" as const };
    const before = plain.counters().dispatches;
    const a = plain.kernels.unary({ inputs: [up], infos: [info], out: info, attrs: { fn: "neg" } });
    const b = plain.kernels.unary({ inputs: [a], infos: [info], out: info, attrs: { fn: "exp" } });
    assert.equal(plain.counters().dispatches - before, 2);
    assertClose(await plain.read(b, "float32", 2), [Math.exp(-1), Math.exp(-2)]);
    plain.destroy();
  });

  it("a training step runs fewer kernels than operations", async () => {
    t.manualSeed(1);
    const model = new t.nn.Sequential(new t.nn.Linear(12, 16), new t.nn.ReLU(), new t.nn.Linear(16, 4));
    const opt = new t.optim.SGD(model.parameters(), { lr: 0.1 });
    const x = t.randn([8, 12]);
    const y = t.tensor([0, 1, 2, 3, 0, 1, 2, 3], { dtype: "int32" });
    const step = async () => {
      const l = t.tidy(() => {
        opt.zeroGrad();
        const l = t.nn.crossEntropy(model.forward(x), y);
        l.backward();
        opt.step();
        return l;
      });
      const v = Number(await l.item());
      l.dispose();
      return v;
    };
    const first = await step();
    await step();
    const fused0 = gpu.counters().fusedOps;
    const n = await dispatchesOf(step);
    assert(gpu.counters().fusedOps - fused0 >= 15, `fused ${gpu.counters().fusedOps - fused0} ops`);
    assert(n <= 40, `${n} kernels per step`);
    let last = first;
    for (let i = 0; i < 20; i++) last = await step();
    assert(last < first, `loss went from ${first} to ${last}`);
  });
});

describe("webgpu fusion: reduction variants", function () {
  this.timeout(120_000);

  for (const treeReductions of [false, true]) {
    it(`pending inputs of long rows (several passes), treeReductions ${treeReductions}`, async () => {
      const b = await createWebGPUBackend({ treeReductions });
      assert(b);
      const [rows, cols] = [3, 5000];
      const host = Float32Array.from({ length: rows * cols }, () => Math.fround(random() * 2 - 1));
      const mHost = Float32Array.from([0.5, -0.25, 0]);
      const x = b.upload(host, "float32");
      const m = b.upload(mHost, "float32");
      const F = "float32" as const;
      const shape = { shape: [rows, cols], dtype: F };
      const d = b.kernels.binary({ inputs: [x, m], infos: [shape, { shape: [rows, 1], dtype: F }], out: shape, attrs: { fn: "sub" } });
      const e = b.kernels.unary({ inputs: [d], infos: [shape], out: shape, attrs: { fn: "exp" } });
      const sum = (input: Storage) =>
        b.kernels.reduce({ inputs: [input], infos: [shape], out: { shape: [rows], dtype: F }, attrs: { fn: "sum", axes: [1], keepdims: false } });
      const c0 = b.counters().dispatches;
      b.free(sum(x)); // a plain buffer: the reduction's own passes
      const c1 = b.counters().dispatches;
      const s = sum(e);
      const got = await b.read(s, F, rows);
      assert.equal(b.counters().dispatches - c1, c1 - c0, "the exp and sub run inside the reduction's first pass");
      const want = [0, 1, 2].map((r) => {
        let acc = 0;
        for (let c = 0; c < cols; c++) acc += Math.fround(Math.exp(Math.fround(host[r * cols + c] - mHost[r])));
        return acc;
      });
      assertClose(got, want, 1e-4);
      for (const st of [x, m, d, e, s]) b.free(st);
      b.destroy();
    });
  }
});

describe("webgpu fusion: lifetimes and memory", function () {
  this.timeout(120_000);

  it("a leaf disposed before the pending result is computed still gives the right values", async () => {
    await t.setBackend("webgpu");
    const a = t.tensor([1, 2, 3, 4, 5, 6]);
    const y = a.mul(10).add(a);
    a.dispose();
    // Likely reuses a's buffer if it had been released.
    const b = t.tensor([100, 100, 100, 100, 100, 100]);
    const z = b.add(1);
    assert.deepEqual(Array.from(await y.data()), [11, 22, 33, 44, 55, 66]);
    assert.deepEqual(Array.from(await z.data()), [101, 101, 101, 101, 101, 101]);
    t.dispose([y, b, z]);
  });

  it("live buffers return to the baseline: pending results disposed unused, computed, or reduced", async () => {
    await t.setBackend("webgpu");
    const x = t.randn([64, 32]);
    const bias = t.randn([32]);
    const chain = () => x.add(bias).relu().mul(2);
    // Warm constants (cached scalars stay alive) and the pool.
    t.dispose([chain(), chain().sum(0)]);
    await (await chain().sum().data());
    await collect();
    const before = gpu.memory().liveBuffers;
    const tensorsBefore = t.memory().byBackend.webgpu?.buffers ?? 0;
    for (let i = 0; i < 5; i++) {
      const unused = chain(); // never computed
      const read = chain(); // computed by the readback
      const reduced = chain().sum(1); // computed inside the reduction
      await read.data();
      await reduced.data();
      t.dispose([unused, read, reduced]);
    }
    await t.sync();
    await collect();
    assert.equal(gpu.memory().liveBuffers, before);
    assert.equal(t.memory().byBackend.webgpu?.buffers ?? 0, tensorsBefore);
    t.dispose([x, bias]);
  });

  it("backend level: free of a held leaf is deferred; free of an unused pending tree dispatches nothing", async () => {
    const info = (shape: number[]) => ({ shape, dtype: "float32" as const });
    const live0 = gpu.memory().liveBuffers;
    const start = gpu.counters().dispatches;
    const x: Storage = gpu.upload(Float32Array.from([1, 2, 3, 4]), "float32");
    const y = gpu.kernels.unary({ inputs: [x], infos: [info([4])], out: info([4]), attrs: { fn: "neg" } });
    const z = gpu.kernels.binary({ inputs: [y, x], infos: [info([4]), info([4])], out: info([4]), attrs: { fn: "mul" } });
    gpu.free(x); // z and y still read it
    assert.equal(gpu.memory().liveBuffers, live0 + 1);
    gpu.free(y);
    assert.equal(gpu.counters().dispatches, start);
    assert.deepEqual(Array.from(await gpu.read(z, "float32", 4)), [-1, -4, -9, -16]);
    assert.equal(gpu.counters().dispatches - start, 1);
    assert.equal(gpu.memory().liveBuffers, live0 + 1); // x released, z's result live
    assert.equal(z.bytes, 16);
    gpu.free(z);
    assert.equal(gpu.memory().liveBuffers, live0);
  });

  it("a value updated from itself every step does not grow a chain (bounded pipelines)", async () => {
    await t.setBackend("webgpu");
    let p = t.tensor([1, 2, 3, 4]);
    const g = t.tensor([0.5, 0.5, 0.5, 0.5]);
    for (let i = 0; i < 5; i++) {
      const next = p.sub(g.mul(0.1));
      p.dispose();
      p = next;
    }
    const pipelines = gpu.counters().pipelines;
    for (let i = 0; i < 200; i++) {
      const next = p.sub(g.mul(0.1));
      p.dispose();
      p = next;
      if (i % 50 === 49) await p.data();
    }
    assertClose(await p.data(), [1 - 10.25, 2 - 10.25, 3 - 10.25, 4 - 10.25], 1e-4);
    assert(gpu.counters().pipelines - pipelines <= 40, `${gpu.counters().pipelines - pipelines} new pipelines`);
    t.dispose([p, g]);
  });

  it("a result too large for one binding throws DeviceLimitError at the operation", () => {
    const n = Math.floor(gpu.limits.maxStorageBufferBindingSize / 4) + 1;
    const x = gpu.upload(Float32Array.from([1]), "float32");
    assert.throws(
      () => gpu.kernels.binary({ inputs: [x, x], infos: [{ shape: [], dtype: "float32" }, { shape: [n], dtype: "float32" }], out: { shape: [n], dtype: "float32" }, attrs: { fn: "add" } }),
      (e: unknown) => e instanceof t.DeviceLimitError && /maxStorageBufferBindingSize/.test((e as Error).message),
    );
    gpu.free(x);
  });
});
});
