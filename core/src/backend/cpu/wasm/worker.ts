// A GEMM worker thread: instantiates the shared module on the shared memory, then sleeps on
// the claim word and runs tasks whenever the calling thread posts a job. It never returns to
// its event loop; the pool unrefs it, and terminate() or process exit interrupts the wait.

import { workerData } from "node:worker_threads";
import type { SgemmExports } from "./sgemm";
import { CLAIM, CONTROL_BYTES, drain } from "./tasks";

interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Byte address of the control block (tasks.ts). */
  ctl: number;
  thread: number;
}

// Not destructured as `module`: that would clash with the CommonJS wrapper's own `module`.
const init = workerData as WorkerInit;
const { memory, thread } = init;
const ex = new WebAssembly.Instance(init.module, { env: { memory } }).exports as unknown as SgemmExports;
const ctl = new Int32Array(memory.buffer, init.ctl, CONTROL_BYTES / 4);

for (;;) {
  const seen = Atomics.load(ctl, CLAIM);
  drain(ctl, memory, ex, thread);
  Atomics.wait(ctl, CLAIM, seen);
}
