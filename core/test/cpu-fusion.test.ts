// Elementwise fusion in the CPU backend (src/backend/cpu/fusion.ts): fused chains give exactly
// the values of running each operation on its own (broadcasting, casts, comparisons, where,
// int32 wraparound, bool, NaN, reshapes, reductions of pending inputs), run one loop instead of
// one per operation, never compute what is disposed unused, stay bounded when a value is
// updated from itself, and keep the memory accounting and the off switch.

import assert from "node:assert/strict";
import * as t from "../src/index";
import type { Tensor } from "../src/index";
import { currentBackend } from "../src/backend/registry";
import { createCpuBackend, type CpuBackend } from "../src/backend/cpu";
import { CpuStorage, PendingStorage } from "../src/backend/cpu/storage";

/** A small deterministic generator (LCG), so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const random = rng(4242);
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const f32 = (shape: number[], lo = -3, hi = 3) =>
  t.tensor(Float32Array.from({ length: size(shape) }, () => lo + (hi - lo) * random()), { dtype: "float32" }).reshape(shape);
const i32 = (shape: number[], lo = -9, hi = 9) =>
  t.tensor(Int32Array.from({ length: size(shape) }, () => Math.floor(lo + (hi - lo + 1) * random())), { dtype: "int32" }).reshape(shape);

let cpu: CpuBackend;

// Hooks inside a describe: at the top level mocha would run them before every file's tests.
describe("cpu fusion", function () {
before(async () => {
  await t.setBackend("cpu");
  cpu = currentBackend() as CpuBackend;
  assert(cpu.fusion, "fusion is on by default");
});

/** `v` computed on its own now (peek reads it), so whatever consumes it reads an array. */
const fence = (v: Tensor): Tensor => (v.peek(), v);
const pass = (v: Tensor): Tensor => v;

/**
 * Runs `f` twice on the same inputs: fused (f's `s` passes values on) and one operation at a
 * time (`s` computes each value); the results must be identical, NaN and -0 included.
 */
async function same(f: (s: (v: Tensor) => Tensor, ...xs: Tensor[]) => Tensor, inputs: Tensor[], fuses = true): Promise<void> {
  const c0 = cpu.counters().fusedOps;
  const fused = f(pass, ...inputs);
  const got = Array.from(await fused.data());
  if (fuses) assert(cpu.counters().fusedOps > c0, "something fused");
  const plain = f(fence, ...inputs);
  const want = Array.from(await plain.data());
  assert.deepEqual(fused.shape, plain.shape);
  assert.equal(fused.dtype, plain.dtype);
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) assert.fail(`element ${i}: fused ${got[i]}, op by op ${want[i]}`);
  }
  t.dispose([fused, plain]);
}

describe("cpu fusion: values identical to op-by-op", () => {
  it("chains with scalars, and their reductions", async () => {
    const x = f32([37, 5]);
    await same((s, x) => s(s(s(x.mul(2)).add(1)).relu()), [x]);
    await same((s, x) => s(s(s(x.mul(2)).add(1)).relu()).sum(), [x]);
    await same((s, x) => s(s(x.sub(0.5)).square()).mean(0), [x]);
    x.dispose();
  });

  it("broadcast leaves of different shapes, reduced along each axis, and non-adjacent axes", async () => {
    const ins = [f32([4, 1, 3]), f32([5, 1]), f32([3])];
    const fn = (s: (v: Tensor) => Tensor, a: Tensor, b: Tensor, c: Tensor) => s(s(s(a.mul(b)).add(c)).tanh());
    await same(fn, ins);
    for (const axis of [0, 1, 2]) await same((s, a, b, c) => fn(s, a, b, c).sum(axis), ins);
    await same((s, a, b, c) => fn(s, a, b, c).max(2, { keepdims: true }), ins);
    await same((s, a, b, c) => fn(s, a, b, c).sum([0, 2]), ins);
    await same((s, a, b, c) => fn(s, a, b, c).min(), ins);
    await same((s, a, b) => s(s(a.sub(b)).exp()).prod(1), [f32([6, 8], -0.5, 0.5), f32([6, 1], -0.5, 0.5)]);
    t.dispose(ins);
  });

  it("pooling-like [.., 14, 2, 14, 2] windows: max, equality mask, cast and divide", async () => {
    const x = f32([3, 2, 14, 2, 14, 2]);
    await same((s, x) => {
      const m = x.max([3, 5], { keepdims: true });
      const mask = s(s(x.eq(m)).astype("float32"));
      return s(mask.div(s(mask.sum([3, 5], { keepdims: true })))).mul(x);
    }, [x]);
    x.dispose();
  });

  it("mixed dtypes, casts, comparisons, where, int32 wraparound and bool", async () => {
    await same((s, a, i) => s(s(s(a.add(i)).astype("int32")).mul(3)).sub(i), [f32([50]), i32([50])]);
    await same((s, a, b) => s(t.where(s(a.gt(b)), s(a.mul(2)), s(b.neg()))).exp(), [f32([7, 9]), f32([9])]);
    await same((s, a, b) => s(s(s(a.lt(b)).logicalAnd(s(a.gt(-1)))).astype("float32")).add(a), [f32([40]), f32([40])]);
    await same((s, a) => s(s(a.isnan()).logicalNot()).astype("int32").sum(), [f32([33])]);
    await same((s, i) => s(s(i.mul(2 ** 20)).mul(4099)).add(2 ** 30), [i32([40], -3000, 3000)]); // wraps
    await same((s, i) => s(s(i.mul(65537)).mul(65537)).prod(), [i32([9], 1, 5)]);
    const nan = t.tensor([NaN, 1, -0, 0, Infinity, -Infinity, -2]);
    await same((s, x) => s(s(x.mul(-1)).relu()).add(s(x.sign())), [nan]);
    await same((s, x) => s(s(x.abs()).sqrt()).max(), [nan]);
  });

  it("reshapes of pending values (full-size leaves fuse; broadcast ones are computed first)", async () => {
    const x = f32([6, 4]);
    const b = f32([4]);
    await same((s, x) => s(s(x.exp()).reshape([4, 6])).mul(2).sum(1), [x]);
    await same((s, x, b) => s(x.add(b)).reshape([24]).neg(), [x, b], false);
    await same((s, x, b) => s(x.add(b)).reshape([2, 3, 4]).sum(1), [x, b], false);
    t.dispose([x, b]);
  });
});

describe("cpu fusion: fewer loops", () => {
  it("a chain runs one loop and counts its fused operations; a reduction of a chain runs one", async () => {
    const x = t.tensor([1, 2, 3, 4, 5], { dtype: "float32" });
    const chain = (v: Tensor) => v.mul(3).sub(1).exp().log().neg();
    await chain(x).data(); // compiles the loop
    const c0 = cpu.counters();
    const y = chain(x);
    assert.equal(cpu.counters().dispatches, c0.dispatches, "nothing ran yet");
    assert.deepEqual(Array.from(await y.data()).map(Math.round), [-2, -5, -8, -11, -14]);
    const c1 = cpu.counters();
    assert.equal(c1.dispatches - c0.dispatches, 1);
    assert.equal(c1.fusedOps - c0.fusedOps, 4);
    const total = chain(x).sum();
    assert.equal(Math.round(Number(await total.item())), -40);
    assert.equal(cpu.counters().dispatches - c1.dispatches, 1, "the chain runs inside the reduction's loop");
    t.dispose([x, y, total]);
  });

  it("with fusion off (TSDL_FUSION=0 or { fusion: false }) every operation runs its own loop", async () => {
    const plain = createCpuBackend({ fusion: false });
    assert.equal(plain.fusion, false);
    const up = plain.upload(Float32Array.from([1, 2]), "float32");
    const info = { shape: [2], dtype: "float32" as const };
    const a = plain.kernels.unary({ inputs: [up], infos: [info], out: info, attrs: { fn: "neg" } });
    assert(a instanceof CpuStorage);
    const b = plain.kernels.unary({ inputs: [a], infos: [info], out: info, attrs: { fn: "exp" } });
    assert(b instanceof CpuStorage);
    assert.deepEqual(Array.from(await plain.read(b, "float32", 2)), [Math.fround(Math.exp(-1)), Math.fround(Math.exp(-2))]);
    assert.equal(plain.counters().fusedOps, 0);
  });

  it("a training step fuses its elementwise work and still learns", async () => {
    t.manualSeed(1);
    const model = new t.nn.Sequential(new t.nn.Linear(12, 16), new t.nn.ReLU(), new t.nn.Linear(16, 4));
    const opt = new t.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
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
    const fused0 = cpu.counters().fusedOps;
    await step();
    assert(cpu.counters().fusedOps - fused0 >= 10, `fused ${cpu.counters().fusedOps - fused0} ops`);
    let last = first;
    for (let i = 0; i < 20; i++) last = await step();
    assert(last < first, `loss went from ${first} to ${last}`);
    t.dispose([x, y]);
  });
});

describe("cpu fusion: lifetimes and memory", () => {
  it("a pending result disposed unused is never computed; memory counts it at its final size", async () => {
    const x = t.randn([64, 32]);
    const k = t.tensor(2, { dtype: "float32" });
    const before = t.memory().byBackend.cpu;
    const c0 = cpu.counters().dispatches;
    const y = x.mul(k).add(k);
    const mid = t.memory().byBackend.cpu;
    // Two pending results (mul, add) of 64 * 32 float32 each.
    assert.equal(mid.bytes - before.bytes, 2 * 64 * 32 * 4);
    y.dispose();
    assert.equal(cpu.counters().dispatches, c0);
    t.dispose([x, k]);
  });

  it("a leaf disposed before the pending result is computed still gives the right values", async () => {
    const a = t.tensor([1, 2, 3, 4, 5, 6]);
    const y = a.mul(10).add(a);
    a.dispose();
    assert.deepEqual(Array.from(await y.data()), [11, 22, 33, 44, 55, 66]);
    y.dispose();
  });

  it("sync() computes pending values nothing consumed", async () => {
    const x = t.tensor([1, 2, 3], { dtype: "float32" });
    const y = x.add(1);
    const s = y.storage as PendingStorage;
    assert(s instanceof PendingStorage && s.result === null);
    await t.sync();
    assert(s.result !== null);
    t.dispose([x, y]);
  });

  it("backend level: a freed pending storage is never computed, and using it throws", () => {
    const b = createCpuBackend({ fusion: true });
    const info = { shape: [3], dtype: "float32" as const };
    const x = b.upload(Float32Array.from([1, 2, 3]), "float32");
    const c0 = b.counters().dispatches;
    const y = b.kernels.unary({ inputs: [x], infos: [info], out: info, attrs: { fn: "neg" } });
    assert(y instanceof PendingStorage);
    assert.equal(y.bytes, 12);
    b.free(y);
    assert.equal(b.counters().dispatches, c0);
    assert.throws(() => b.readSync!(y, "float32", 3), /use of freed cpu storage/);
    assert.throws(() => b.kernels.unary({ inputs: [y], infos: [info], out: info, attrs: { fn: "exp" } }), /use of freed cpu storage/);
  });

  it("results past 2^24 elements are computed at the operation (allocation errors surface there)", () => {
    const b = createCpuBackend({ fusion: true });
    const x = b.upload(Float32Array.from([2]), "float32");
    const n = 2 ** 24 + 1;
    const y = b.kernels.broadcast({ inputs: [x], infos: [{ shape: [1], dtype: "float32" }], out: { shape: [n], dtype: "float32" }, attrs: { shape: [n] } });
    assert(y instanceof CpuStorage);
    assert.equal(y.data[n - 1], 2);
  });

  it("a pending result dropped without dispose() is garbage-collected once 64 newer ones were made", async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    assert(gc, "the tests run with --expose-gc (.mocharc.json)");
    const x = t.randn([256]);
    const refs = (() => {
      const ys = [x.mul(2), x.add(1).exp()];
      return ys.map((y) => new WeakRef(y.storage));
    })();
    // The fuser keeps the latest 64 pending values for sync(), strongly (a WeakRef would keep
    // them all until the task ends); these push the two above out of that window.
    for (let i = 0; i < 64; i++) x.sub(i);
    for (let i = 0; i < 5 && refs.some((r) => r.deref()); i++) {
      await new Promise((r) => setTimeout(r, 10));
      gc();
    }
    assert(refs.every((r) => r.deref() === undefined), "pending storages were collected");
    x.dispose();
  });

  it("a value updated from itself every step stays a bounded tree", async () => {
    let p = t.tensor([1, 2, 3, 4], { dtype: "float32" });
    const g = t.tensor([0.5, 0.5, 0.5, 0.5], { dtype: "float32" });
    for (let i = 0; i < 200; i++) {
      const next = p.sub(g.mul(0.1));
      p.dispose();
      p = next;
      if (i % 50 === 49) await p.data();
    }
    const want = [1, 2, 3, 4].map((v) => {
      let x = Math.fround(v);
      for (let i = 0; i < 200; i++) x = Math.fround(x - Math.fround(0.5 * Math.fround(0.1)));
      return x;
    });
    assert.deepEqual(Array.from(await p.data()), want);
    t.dispose([p, g]);
  });
});
});
