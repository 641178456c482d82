// A warmed-up training step on WebGPU allocates nothing: no new GPU buffers (pooled or readback
// staging), no new pipelines, and live memory stays flat, eager and under jit. Gradients the
// library made are freed when replaced (zeroGrad, the next backward), so they go back to the
// pool instead of waiting for garbage collection; a gradient a caller took through .grad stays
// valid.

import assert from "node:assert/strict";
import * as t from "../src/index";
import { currentBackend } from "../src/backend/registry";
import type { WebGPUBackend } from "../src/backend/webgpu";

let gpu: WebGPUBackend;

describe("webgpu: buffer reuse in training", function () {
  this.timeout(300000);
  before(async () => {
    await t.setBackend("webgpu");
    gpu = currentBackend() as WebGPUBackend;
  });

  function trainer(useJit: boolean) {
    t.manualSeed(3);
    const model = new t.nn.Sequential(new t.nn.Linear(20, 32), new t.nn.ReLU(), new t.nn.Linear(32, 5));
    const opt = new t.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const x = t.randn([16, 20]);
    const y = t.tensor([0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0], { dtype: "int32" });
    const body = (x: t.Tensor, y: t.Tensor) => {
      opt.zeroGrad();
      const l = t.nn.crossEntropy(model.forward(x), y);
      l.backward();
      opt.step();
      return l;
    };
    const fn = useJit ? t.jit(body) : body;
    return {
      async step(): Promise<number> {
        const l = t.tidy(() => fn(x, y));
        const v = Number(await l.item());
        await t.sync();
        l.dispose();
        return v;
      },
      dispose() {
        opt.zeroGrad();
        t.dispose([x, y, ...model.parameters()]);
      },
    };
  }

  for (const useJit of [false, true]) {
    it(`${useJit ? "jit" : "eager"}: after warm-up a step creates no buffers or pipelines and memory stays flat`, async () => {
      const tr = trainer(useJit);
      const first = await tr.step();
      for (let i = 0; i < 4; i++) await tr.step();
      const c0 = gpu.counters();
      const m0 = t.memory().byBackend.webgpu;
      let last = first;
      for (let i = 0; i < 5; i++) last = await tr.step();
      const c1 = gpu.counters();
      const m1 = t.memory().byBackend.webgpu;
      assert.equal(c1.buffers - c0.buffers, 0, "new GPU buffers");
      assert.equal(c1.pipelines - c0.pipelines, 0, "new pipelines");
      assert(c1.dispatches > c0.dispatches, "the steps ran");
      assert.deepEqual(m1, m0, "live buffers and bytes");
      assert(last < first, `loss went from ${first} to ${last}`);
      tr.dispose();
    });
  }

  it("zeroGrad frees the gradients backward made; one a caller took stays readable", async () => {
    const w = t.tensor([1, 2, 3], { dtype: "float32" }).requiresGrad_();
    const before = t.memory().buffers;
    t.tidy(() => w.mul(w).sum().backward()); // .grad = 2w
    assert.equal(t.memory().buffers, before + 1, "one gradient buffer");
    w.grad = null;
    assert.equal(t.memory().buffers, before, "freed on replacement");

    t.tidy(() => w.mul(w).sum().backward());
    const taken = w.grad!;
    w.grad = null;
    assert.deepEqual(Array.from(await taken.data()), [2, 4, 6]);
    taken.dispose();

    // Accumulation (no zeroGrad) frees the previous sum, not the new one.
    t.tidy(() => w.mul(w).sum().backward());
    t.tidy(() => w.mul(w).sum().backward());
    assert.equal(t.memory().buffers, before + 1);
    assert.deepEqual(Array.from(await w.grad!.data()), [4, 8, 12]);
    w.grad = null;
    w.dispose();
  });

  it("counters() counts readback staging buffers once: reads reuse them", async () => {
    const x = t.tensor([1, 2, 3, 4]);
    const warm = x.add(1);
    await warm.data();
    warm.dispose();
    const c0 = gpu.counters().buffers;
    for (let i = 0; i < 5; i++) {
      const y = x.add(1);
      assert.deepEqual(Array.from(await y.data()), [2, 3, 4, 5]);
      y.dispose();
    }
    assert.equal(gpu.counters().buffers, c0);
    x.dispose();
  });

  it("a working set above the pool's 256 MiB floor is reused, not created again each round", async () => {
    // 80 live tensors of 4 MiB (320 MiB) per round, all computed, then freed before the next
    // round. The pool starts empty: buffers of other sizes that earlier tests left count too.
    gpu.trim();
    const round = async () => {
      const xs = Array.from({ length: 80 }, (_, i) => t.full([1 << 20], i));
      const ys = xs.map((x) => x.add(1));
      await t.sync();
      assert.equal((await ys[79].data())[0], 80);
      t.dispose([...xs, ...ys]);
    };
    await round();
    const before = gpu.counters().buffers;
    await round();
    await round();
    assert.equal(gpu.counters().buffers, before, "buffers created after the first round");
    assert.ok(gpu.memory().pooledBytes >= 320 * 2 ** 20, `pooled ${gpu.memory().pooledBytes} bytes`);
    t.emptyCache(); // gives the pool back (and the tests after this one start from the floor)
    assert.equal(gpu.memory().pooledBytes, 0);
  });

  it("a new phase's sizes make the pool give up buffers of sizes no longer used", async () => {
    gpu.trim();
    /** 80 tensors of n floats and 80 results, computed; the memory while they are live. */
    const phase = async (n: number) => {
      const xs = Array.from({ length: 80 }, (_, i) => t.full([n], i));
      const ys = xs.map((x) => x.add(1));
      await t.sync();
      assert.equal((await ys[79].data())[0], 80);
      const m = gpu.memory();
      t.dispose([...xs, ...ys]);
      return m;
    };
    const first = await phase(1 << 20); // 4 MiB tensors: 640 MiB live, then pooled
    assert.ok(gpu.memory().pooledBytes >= 320 * 2 ** 20);
    // 5 MiB tensors, a size class of their own. Without eviction the pool's 4 MiB buffers
    // would stay beside them while they are live: 800 MiB live + 640 MiB pooled.
    const second = await phase(5 * 2 ** 18);
    const limit = Math.max(first.liveBytes, second.liveBytes) + 256 * 2 ** 20;
    assert.ok(second.liveBytes + second.pooledBytes <= limit, `live ${second.liveBytes} + pooled ${second.pooledBytes} > ${limit}`);
    t.emptyCache();
  });
});
