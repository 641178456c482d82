// Reuse of freed CPU arrays (src/backend/cpu/pool.ts, storage.ts): a freed array serves the next
// allocation of its dtype and length, cleared where the kernel relies on zeros; an array that a
// pending (fused) tree still reads is not reused before the tree is computed or freed; and a
// jitted training step replays to the same values with its intermediates recycled. float32
// arrays go to the tensor heap first (cpu-heap.test.ts); here placement is off, as it is for
// int32 and bool arrays and once the heap's share for tensors is full.

import assert from "node:assert/strict";
import * as t from "../src/index";
import { createCpuBackend } from "../src/backend/cpu";
import { CpuStorage, PendingStorage } from "../src/backend/cpu/storage";
import { BASE_BYTES, BURST_BYTES, burstBytesFor, clearArrayPool, pooledArrayBytes, setPoolIdleMs, takeArray } from "../src/backend/cpu/pool";
import { setHeapArrays } from "../src/backend/cpu/wasm/tensorheap";

const N = 2048; // 8 KiB of float32: above the pool's lower bound
const f32 = (shape: number[]) => ({ shape, dtype: "float32" as const });
const ramp = (n: number, scale = 1) => Float32Array.from({ length: n }, (_, i) => (i % 97) * scale - 40);

describe("cpu array pool", () => {
  let placement = true;
  before(() => (placement = setHeapArrays(false)));
  beforeEach(() => clearArrayPool());
  after(() => {
    clearArrayPool();
    setHeapArrays(placement);
  });

  it("emptyCache() frees the pooled arrays", async () => {
    await t.setBackend("cpu");
    const x = t.randn([N]);
    const y = x.neg();
    await y.data();
    y.dispose();
    assert.ok(pooledArrayBytes() >= 4 * N);
    t.emptyCache();
    assert.equal(pooledArrayBytes(), 0);
    x.dispose();
  });

  it("a freed array serves the next allocation of its size, and a kernel that adds into zeros gets zeros", () => {
    const b = createCpuBackend({ fusion: false });
    const x = b.upload(ramp(N), "float32") as CpuStorage;
    const y = b.kernels.unary({ inputs: [x], infos: [f32([N])], out: f32([N]), attrs: { fn: "neg" } }) as CpuStorage;
    const array = y.data;
    b.free(y);
    assert.equal(pooledArrayBytes(), 4 * N);
    b.free(y); // a second free() is ignored: the array must not be pooled twice
    assert.equal(pooledArrayBytes(), 4 * N);
    // scatterAdd adds into its result, so it must start from zeros, though the reused array
    // held the negated ramp.
    const u = b.upload(Float32Array.from([2.5]), "float32");
    const idx = b.upload(Int32Array.from([5]), "int32");
    const s = b.kernels.scatterAdd({
      inputs: [u, idx], infos: [f32([1]), { shape: [1], dtype: "int32" }], out: f32([N]), attrs: { axis: 0, size: N },
    }) as CpuStorage;
    assert.equal(s.data, array);
    const want = new Array(N).fill(0);
    want[5] = 2.5;
    assert.deepEqual([...s.data], want);
    assert.equal(pooledArrayBytes(), 0);
  });

  it("an array read by a pending tree is pooled only once the tree is computed", () => {
    const b = createCpuBackend({ fusion: true });
    const x = b.upload(ramp(N), "float32");
    const y = b.kernels.unary({ inputs: [x], infos: [f32([N])], out: f32([N]), attrs: { fn: "abs" } });
    assert(y instanceof PendingStorage);
    b.free(x); // the tree still reads x's array
    assert.equal(pooledArrayBytes(), 0);
    // Another allocation of that size in between must not get x's array.
    const other = b.upload(ramp(N, -3), "float32");
    const z = b.kernels.unary({ inputs: [other], infos: [f32([N])], out: f32([N]), attrs: { fn: "neg" } });
    const zs = b.readSync!(z, "float32", N);
    assert.deepEqual([...zs], [...ramp(N, -3)].map((v) => -v));
    assert.deepEqual([...b.readSync!(y, "float32", N)], [...ramp(N)].map(Math.abs));
    assert.equal(pooledArrayBytes(), 4 * N); // computed: x's array is back
  });

  it("freeing a pending tree before it is computed releases its leaves; freeing a computed one pools its array", () => {
    const b = createCpuBackend({ fusion: true });
    const x = b.upload(ramp(N), "float32");
    const y = b.kernels.unary({ inputs: [x], infos: [f32([N])], out: f32([N]), attrs: { fn: "neg" } });
    b.free(x);
    assert.equal(pooledArrayBytes(), 0);
    b.free(y);
    assert.equal(pooledArrayBytes(), 4 * N);
    const x2 = b.upload(ramp(N), "float32");
    const y2 = b.kernels.unary({ inputs: [x2], infos: [f32([N])], out: f32([N]), attrs: { fn: "neg" } });
    b.readSync!(y2, "float32", N); // computes y2 into the pooled array
    assert.equal(pooledArrayBytes(), 0);
    b.free(y2);
    assert.equal(pooledArrayBytes(), 4 * N);
  });

  it("a jitted MLP step recycles its intermediates and gives the eager step's losses", async () => {
    await t.setBackend("cpu");
    const run = async (jit: boolean): Promise<number[]> => {
      const l1 = new t.nn.Linear(64, 48);
      const l2 = new t.nn.Linear(48, 10);
      t.tidy(() => {
        l1.weight.assign(t.tensor(ramp(48 * 64, 0.001)).reshape([48, 64]));
        l1.bias!.assign(t.tensor(ramp(48, 0.002)));
        l2.weight.assign(t.tensor(ramp(10 * 48, 0.0015)).reshape([10, 48]));
        l2.bias!.assign(t.tensor(ramp(10, 0.001)));
      });
      const model = new t.nn.Sequential(l1, new t.nn.ReLU(), l2);
      const opt = new t.optim.SGD(model.parameters(), { lr: 0.05 });
      const x = t.tensor(ramp(32 * 64, 0.01)).reshape([32, 64]);
      const y = t.tensor(Int32Array.from({ length: 32 }, (_, i) => (i * 7) % 10));
      const body = (x: t.Tensor, y: t.Tensor) => {
        opt.zeroGrad();
        const loss = t.nn.crossEntropy(model.forward(x), y);
        loss.backward();
        opt.step();
        return loss;
      };
      const fn = jit ? t.jit(body) : body;
      const losses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const loss = t.tidy(() => fn(x, y));
        losses.push(Number(await loss.item()));
        loss.dispose();
      }
      return losses;
    };
    const eager = await run(false);
    const jitted = await run(true);
    assert.deepEqual(jitted, eager);
    assert(eager[5] < eager[0], `the loss falls: ${eager}`);
    assert(pooledArrayBytes() > 0, "freed intermediates were pooled");
  });

  it("the busy share is a 16th of the process's memory, from 128 MiB to 1 GiB", () => {
    const [MiB, GiB] = [2 ** 20, 2 ** 30];
    assert.deepEqual([1, 2, 4, 8, 16, 24, 64].map((g) => burstBytesFor(g * GiB) / MiB), [128, 128, 256, 512, 1024, 1024, 1024]);
  });

  it("large freed arrays past the base share are kept while in use and given back once idle", async () => {
    const b = createCpuBackend({ fusion: false });
    const n = 16 * 2 ** 20; // 64 MiB each
    const count = 3;
    // Here (a machine with 1 GiB or more for the burst) all three are kept; on a small machine
    // the burst is the base share and the third is left to the garbage collector.
    const kept = Math.min(count, Math.floor(BURST_BYTES / (4 * n)));
    const was = setPoolIdleMs(200);
    try {
      const xs = Array.from({ length: count }, (_, i) => b.upload(new Float32Array(n).fill(i + 1), "float32") as CpuStorage);
      const arrays = xs.map((x) => x.data);
      for (const x of xs) b.free(x);
      assert.equal(pooledArrayBytes(), kept * 4 * n);
      // Reused while busy: each take within the idle time gets a pooled array back (zeroed).
      const again = takeArray("float32", n, true) as Float32Array;
      assert.ok(arrays.includes(again), "a pooled array is reused");
      assert.equal(again[0] + again[n - 1], 0);
      b.free(new CpuStorage(again));
      assert.equal(pooledArrayBytes(), kept * 4 * n);
      // A list that takeArray emptied is still in the pool's map when the trim runs.
      const small = b.upload(new Float32Array(4096), "float32") as CpuStorage;
      b.free(small);
      assert.equal(takeArray("float32", 4096, false), small.data, "the small array comes back");
      await new Promise((r) => setTimeout(r, 600));
      assert.ok(pooledArrayBytes() <= BASE_BYTES, `${pooledArrayBytes()} bytes kept after the idle time, base ${BASE_BYTES}`);
      assert.equal(pooledArrayBytes(), Math.min(kept, Math.floor(BASE_BYTES / (4 * n))) * 4 * n);
    } finally {
      setPoolIdleMs(was);
    }
  });
});
