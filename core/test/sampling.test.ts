// multinomial and categorical: frequencies against the probabilities (20,000 draws), no
// repeats without replacement, zero weights never drawn, seeds, batches, and the messages.

import { t, assert, eachBackend } from "./helpers";

/** How often each class 0..C-1 occurs in `samples`. */
async function frequencies(samples: t.Tensor, classes: number): Promise<number[]> {
  const v = Array.from(await samples.data());
  const counts = new Array<number>(classes).fill(0);
  for (const c of v) counts[c]++;
  return counts.map((n) => n / v.length);
}

eachBackend("sampling", () => {
  it("multinomial with replacement draws each class in proportion to its weight", async () => {
    t.manualSeed(1);
    const s = t.multinomial(t.tensor([1, 2, 7, 0], { dtype: "float32" }), 20000, { replacement: true });
    assert.deepEqual(s.shape, [20000]);
    assert.equal(s.dtype, "int32");
    const f = await frequencies(s, 4);
    // 3 standard errors of a proportion near 0.5 over 20,000 draws is about 0.011.
    [0.1, 0.2, 0.7].forEach((p, c) => assert.ok(Math.abs(f[c] - p) < 0.012, `class ${c}: ${f[c]} vs ${p}`));
    assert.equal(f[3], 0, "a zero weight is never drawn");
  });

  it("multinomial without replacement never repeats a class in a row, and takes rows", async () => {
    t.manualSeed(2);
    const probs = t.tensor([[0.1, 0.2, 0.3, 0.4], [5, 0, 1, 1]], { dtype: "float32" });
    const s = t.multinomial(probs, 3);
    assert.deepEqual(s.shape, [2, 3]);
    const rows = (await s.array()) as number[][];
    for (const r of rows) assert.equal(new Set(r).size, 3, `no repeats in ${r}`);
    assert.ok(!rows[1].includes(1), "the zero-weight class is not drawn");
    // The first pick of a row follows the weights: class 3 of row 0 about 40% of the time.
    const first = t.multinomial(probs.index(0).unsqueeze(0).broadcastTo([4000, 4]), 1).index(":", 0);
    const f = await frequencies(first, 4);
    assert.ok(Math.abs(f[3] - 0.4) < 0.03, String(f));
  });

  it("categorical samples softmax(logits / temperature), and a seed repeats the draw", async () => {
    t.manualSeed(3);
    const logits = t.tensor([0, Math.log(3)], { dtype: "float32" }); // softmax: 0.25, 0.75
    const draws = t.categorical(logits.unsqueeze(0).broadcastTo([20000, 2]));
    assert.deepEqual(draws.shape, [20000]);
    assert.ok(Math.abs((await frequencies(draws, 2))[1] - 0.75) < 0.012);
    const cold = t.categorical(logits.unsqueeze(0).broadcastTo([20000, 2]), { temperature: 0.5 }); // 1 : 9
    assert.ok(Math.abs((await frequencies(cold, 2))[1] - 0.9) < 0.01);
    assert.deepEqual(t.categorical(logits).shape, []);
    t.manualSeed(7);
    const a = await t.multinomial(t.ones([50]), 10).data();
    t.manualSeed(7);
    const b = await t.multinomial(t.ones([50]), 10).data();
    assert.deepEqual(Array.from(a), Array.from(b));
  });

  it("says what is wrong", () => {
    const p = t.tensor([0.5, 0.5], { dtype: "float32" });
    assert.throws(() => t.multinomial(p, 3), /multinomial: cannot draw 3 samples from 2 classes without replacement; pass \{ replacement: true \}/);
    assert.throws(() => t.multinomial(p, 0), /numSamples must be a positive integer, got 0/);
    assert.throws(() => t.multinomial(t.zeros([2, 2, 2]), 1), /probs must be 1-D \[classes\] or 2-D \[rows, classes\], got shape \[2, 2, 2\]/);
    assert.throws(() => t.categorical(p, { temperature: 0 }), /temperature must be a positive number, got 0/);
  });
});

describe("sampling checks on the cpu backend, where values are known", () => {
  it("rejects negative weights and all-zero rows", () => {
    assert.throws(() => t.multinomial(t.tensor([0.5, -0.1], { dtype: "float32" })), /multinomial: probabilities must be finite and >= 0, got -0\.1\d* at position 1/);
    assert.throws(() => t.multinomial(t.tensor([[1, 1], [0, 0]], { dtype: "float32" })), /multinomial: row 1 of probs sums to 0/);
  });
});
