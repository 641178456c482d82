// timeit: IPython's formatting of times, the loop count it picks, that it measures what it
// runs (a busy wait of known length), frees what the timed calls make, and awaits promises.

import { t, assert, eachBackend, uniform } from "./helpers";

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe("timeit formatting", () => {
  it("writes three significant digits in s, ms, µs or ns, as IPython", () => {
    assert.equal(t.formatTime(2), "2 s");
    assert.equal(t.formatTime(0.5), "500 ms");
    assert.equal(t.formatTime(1.2345e-3), "1.23 ms");
    assert.equal(t.formatTime(12.34e-6), "12.3 µs");
    assert.equal(t.formatTime(4.56e-7), "456 ns");
    assert.equal(t.formatTime(0), "0 ns");
  });

  it("reports mean ± std per loop, and warns when the slowest run is far slower", () => {
    const even = new t.TimeitResult(100, [1e-3, 1e-3, 1e-3]);
    assert.equal(String(even), "1 ms ± 0 ns per loop (mean ± std. dev. of 3 runs, 100 loops each)");
    const spread = new t.TimeitResult(1, [1e-3, 3e-3]);
    assert.equal(spread.average, 2e-3);
    assert.equal(spread.stdev, 1e-3);
    assert.equal(String(spread), "2 ms ± 1 ms per loop (mean ± std. dev. of 2 runs, 1 loop each)");
    const cached = new t.TimeitResult(1000, [5e-3, 1e-3, 1e-3]);
    assert.match(String(cached), /^The slowest run took 5\.00 times longer than the fastest\..*\n2\.33 ms ± 1\.89 ms per loop \(mean ± std\. dev\. of 3 runs, 1,000 loops each\)$/);
    assert.equal((cached as any)[t.displaySymbol]()["text/plain"], String(cached));
  });
});

describe("timeit", () => {
  it("measures a busy wait of known length, and picks the loop count as IPython does", async () => {
    const r = await t.timeit(() => busy(3), { number: 4, repeat: 3 });
    assert.equal(r.loops, 4);
    assert.equal(r.allRuns.length, 3);
    assert.ok(r.best >= 2.9e-3 && r.average < 10e-3, String(r));
    // 30 ms a call: one call is under 0.2 s, ten are over, so ten loops a run.
    const auto = await t.timeit(() => busy(30), { repeat: 1 });
    assert.equal(auto.loops, 10, String(auto));
  });

  it("awaits a promise a call returns", async () => {
    const r = await t.timeit(() => new Promise((resolve) => setTimeout(resolve, 5)), { number: 2, repeat: 2 });
    assert.ok(r.best >= 4e-3, String(r));
  });

  it("says what it needs", async () => {
    await assert.rejects(t.timeit(42 as any), /timeit: expected a function to time, e.g. timeit\(\(\) => x.matmul\(w\)\); got number/);
    await assert.rejects(t.timeit(() => 1, { repeat: 0 }), /timeit: repeat must be a positive integer, got 0/);
    await assert.rejects(t.timeit(() => 1, { number: 1.5 }), /timeit: number must be a positive integer, got 1.5/);
  });
});

eachBackend("timeit on a backend", () => {
  it("frees what the timed calls make", async () => {
    const x = uniform([64, 64]);
    await t.sync();
    const before = t.memory().buffers;
    const r = await t.timeit(() => x.matmul(x).relu().sum(), { number: 20, repeat: 2 });
    assert.equal(t.memory().buffers, before, "no buffers left behind");
    assert.ok(r.average > 0 && Number.isFinite(r.average));
  });
});
