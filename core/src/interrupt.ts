// Interrupts that stop a cell between two ops instead of wherever the CPU happens to be.
// Terminating a script (vm's breakOnSigint) can land inside a call into Dawn's native module,
// which then aborts the whole process when it creates a JS object (about 1 in 4 interrupts of a
// WebGPU training loop, measured), and it skips every finally block of the library. So the
// kernel gives the core a shared flag that its control-channel thread sets on interrupt_request
// while a cell runs; each op checks it and throws an ordinary error, which unwinds normally.

import { InterruptedError } from "./errors";

/** [0]: an interrupt was requested; [1]: a cell is running (only then does [0] count). */
let flags: Int32Array | null = null;

/** The kernel's shared flags (see above); null turns the checks off. */
export function setInterruptFlags(shared: SharedArrayBuffer | null): void {
  flags = shared ? new Int32Array(shared) : null;
}

/** Throws if an interrupt was requested while a cell runs (and clears the request). */
export function checkInterrupt(): void {
  if (flags === null || Atomics.load(flags, 0) === 0 || Atomics.load(flags, 1) === 0) return;
  Atomics.store(flags, 0, 0);
  throw new InterruptedError("the kernel was interrupted");
}
