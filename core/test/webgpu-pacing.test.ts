// The wait pacer (backend/webgpu/pacing.ts) with a fake clock: it sleeps through 3/4 of the time
// the same work took before, never for new work, and its estimate follows the work down.

import assert from "node:assert/strict";
import { WaitPacer, type Clock } from "../src/backend/webgpu/pacing";

function fakeClock() {
  const slept: number[] = [];
  const clock: Clock & { t: number } = {
    t: 1000,
    now: () => clock.t,
    sleep: async (ms) => {
      slept.push(ms);
      clock.t += ms;
    },
  };
  return { clock, slept };
}

/** Submits `dispatches` on pipeline `p`, then waits for work that takes `busy` ms. */
async function step(pacer: WaitPacer, clock: { t: number }, p: object, dispatches: number, busy: number): Promise<void> {
  const start = clock.t;
  for (let i = 0; i < dispatches; i++) pacer.noteDispatch(p, 8);
  pacer.noteSubmit();
  await pacer.wait(async () => {
    clock.t = Math.max(clock.t, start + busy); // polling ends when the device is done
  });
}

describe("webgpu wait pacing (fake clock)", () => {
  it("sleeps through most of a repeated batch's busy time, and not for new work", async () => {
    const { clock, slept } = fakeClock();
    const pacer = new WaitPacer(true, clock);
    const [a, b] = [{}, {}];
    await step(pacer, clock, a, 3, 40);
    assert.deepEqual(slept, [], "the first batch has no estimate");
    await step(pacer, clock, a, 3, 40);
    assert.deepEqual(slept, [30]);
    await step(pacer, clock, b, 3, 40);
    await step(pacer, clock, a, 4, 40);
    assert.deepEqual(slept, [30], "other pipelines or counts are other work");
    // Faster work: the estimate follows it down, so the sleep never exceeds the work for long.
    await step(pacer, clock, a, 3, 10);
    await step(pacer, clock, a, 3, 10);
    await step(pacer, clock, a, 3, 10);
    assert.deepEqual(slept.slice(1).map(Math.round), [30, 23, 17]);
    assert.ok(slept[slept.length - 1] < 0.75 * 40);
  });

  it("is a plain wait when disabled (GPUs) or when nothing was submitted", async () => {
    const { clock, slept } = fakeClock();
    const off = new WaitPacer(false, clock);
    for (let i = 0; i < 3; i++) await step(off, clock, {}, 1, 40);
    const on = new WaitPacer(true, clock);
    assert.equal(await on.wait(async () => 7), 7);
    assert.deepEqual(slept, []);
  });
});
