// Memory: dispose() and tidy() free at once, shared buffers survive until their last user,
// disposed tensors explain themselves, and a long training loop without any manual memory
// management stays bounded (the FinalizationRegistry frees what the loop drops).

import { t, assert, expectTensor, eachBackend } from "./helpers";

const live = (name: string) => t.memory().byBackend[name]?.buffers ?? 0;

eachBackend("memory", (name) => {
  it("dispose() frees the buffer and later use explains what happened", async () => {
    const before = live(name);
    const x = t.tensor([1, 2, 3]);
    assert.equal(live(name), before + 1);
    x.dispose();
    assert.equal(live(name), before);
    assert.throws(() => x.add(1), /was disposed, by dispose\(\) or at the end of tidy\(\)/);
    await assert.rejects(x.data(), /was disposed/);
    x.dispose(); // twice is harmless
  });

  it("reshape and detach share the buffer until the last view is disposed", async () => {
    const before = live(name);
    const x = t.tensor([[1, 2], [3, 4]]);
    const y = x.reshape([4]);
    const z = x.detach();
    assert.equal(live(name), before + 1);
    x.dispose();
    await expectTensor(y, [1, 2, 3, 4]);
    y.dispose();
    await expectTensor(z, [[1, 2], [3, 4]]);
    z.dispose();
    assert.equal(live(name), before);
  });

  it("tidy() disposes intermediates and keeps what it returns, nested too", async () => {
    const x = t.tensor([1.5, 2.5]);
    const body = () => {
      const a = x.mul(2).add(1).exp();
      const inner = t.tidy(() => a.sub(1).mul(3));
      return { kept: a.log(), inner };
    };
    t.dispose(t.tidy(body)); // warms the cache of scalar constants (2, 1, 3), which stay
    const before = live(name);
    const { kept, inner } = t.tidy(body);
    assert.equal(live(name), before + 2);
    await expectTensor(kept, [4, 6], { rtol: 1e-5 });
    await expectTensor(inner, [3 * (Math.exp(4) - 1), 3 * (Math.exp(6) - 1)], { rtol: 1e-5 });
    assert.throws(() => t.tidy(() => Promise.resolve(1)), /synchronous function/);
  });

  it("a 10,000-step training loop without dispose keeps live buffers bounded", async function () {
    this.timeout(300_000);
    t.manualSeed(3);
    const x = t.randn([32, 8]);
    const y = x.matmul(t.randn([8, 1]));
    let w = t.zeros([8, 1]);
    const base = live(name);
    let peak = 0;
    for (let step = 0; step < 10_000; step++) {
      const [loss, g] = t.valueAndGrad((p: typeof w) => x.matmul(p).sub(y).square().mean())(w);
      w = t.noGrad(() => w.sub(g.mul(0.05)));
      // Reading the loss now and then is what a notebook loop does; it also yields to the
      // event loop, where finalizers run.
      if (step % 20 === 0) await loss.item();
      peak = Math.max(peak, live(name) - base);
    }
    const final = (await t.valueAndGrad((p: typeof w) => x.matmul(p).sub(y).square().mean())(w)[0].item()) as number;
    assert.ok(final < 1e-3, `the loop should have converged, loss ${final}`);
    // Each step makes ~20 tensors: 200,000 in all. Bounded means thousands at most, not growth.
    assert.ok(peak < 5000, `peak live buffers during the loop: ${peak}`);
  });
  it("collectGarbage() frees what nothing reaches and keeps what a closure still holds", async () => {
    t.tensor([1]).mul(2).add(10); // warms the cached scalar constants, which stay
    await t.collectGarbage();
    const before = live(name);
    // What a cell leaves behind: intermediates nobody holds, and one tensor reachable only
    // through a closure (the case an explicit "free what is not in a variable" would break).
    // It runs as its own function, as a cell does, so no stack slot of ours still holds them.
    const cell = () => {
      const a = t.tensor([1, 2, 3]);
      for (let i = 0; i < 50; i++) a.mul(2).add(1);
      const captured = a.add(10);
      return () => captured.data();
    };
    const kept = cell();
    assert.ok(live(name) >= before + 52, `expected the cell's tensors to be live, ${live(name) - before}`);
    const freed = await t.collectGarbage();
    assert.equal(freed.collected, true);
    assert.ok(freed.buffers >= 100, `freed ${freed.buffers} buffers`);
    // The closure's tensor stays; V8 may keep `a` a little longer through the loop's compiled
    // code, but no intermediate survives.
    assert.ok(live(name) <= before + 2, `left after collecting: ${live(name) - before}`);
    assert.deepEqual(Array.from((await kept()) as Float32Array), [11, 12, 13]);
  });
});
