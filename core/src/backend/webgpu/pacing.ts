// Waiting for a software adapter without taking its CPU. dawn.node settles mapAsync and
// onSubmittedWorkDone promises by polling from setImmediate for as long as one is pending: a
// busy loop on the main thread. On a GPU that costs the device nothing; on lavapipe the device
// *is* the CPU's cores, and the loop holds one of them while the work runs. Measured on the
// 2-core CI machine, bench MLP step under jit: 68 ms polling right after the submit, 42 ms when
// sleeping 25 ms before the readback's mapAsync (same process, alternating).
//
// So on software adapters a wait first sleeps for most of the time that waiting for the same
// work took the last times, then polls. "The same work" is a hash of the dispatches (pipeline, workgroup
// count) recorded since the previous wait: a training step repeats exactly, and new work has no
// estimate and polls at once, as before. The estimate only moves down to what was measured
// (sleeping past the end shows up as a shorter next estimate), so oversleeping cannot feed on
// itself.

/** The share of the expected busy time spent asleep before polling. */
const SLEEP_SHARE = 0.75;
/** Work signatures remembered (a notebook produces many; training loops few). */
const MAX_LEARNED = 256;

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class WaitPacer {
  private hash = 0;
  /** Whether work was submitted since the last wait. */
  private submitted = false;
  private readonly ids = new WeakMap<object, number>();
  private nextId = 1;
  private readonly learned = new Map<number, number>();

  constructor(
    readonly enabled: boolean,
    private readonly clock: Clock = realClock,
  ) {}

  /** Folds one dispatch into the signature of the work since the last wait. */
  noteDispatch(pipeline: object, workgroups: number): void {
    if (!this.enabled) return;
    let id = this.ids.get(pipeline);
    if (id === undefined) this.ids.set(pipeline, (id = this.nextId++));
    this.hash = (Math.imul(this.hash ^ id, 0x9e3779b1) + workgroups) >>> 0;
  }

  /** Work was submitted to the queue. */
  noteSubmit(): void {
    this.submitted = this.enabled;
  }

  /** Runs `settle` (a promise that dawn.node polls for) after sleeping through most of the
   * expected busy time of the work submitted so far. */
  async wait<T>(settle: () => Promise<T>): Promise<T> {
    if (!this.submitted) return settle();
    const key = this.hash;
    this.hash = 0;
    this.submitted = false;
    // Timed from the wait, not from the submits: time the host spent elsewhere (a notebook
    // user reading) is not part of what the next wait for this work can expect.
    const start = this.clock.now();
    const expected = this.learned.get(key);
    if (expected !== undefined && SLEEP_SHARE * expected >= 1) await this.clock.sleep(SLEEP_SHARE * expected);
    const result = await settle();
    const busy = this.clock.now() - start;
    if (this.learned.size >= MAX_LEARNED && expected === undefined) this.learned.clear();
    this.learned.set(key, expected === undefined ? busy : Math.min(busy, (expected + busy) / 2));
    return result;
  }
}
