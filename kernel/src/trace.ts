// Start-up phase timestamps, for finding where a kernel start spends its time: with
// TSDL_TRACE=1 each mark goes to the kernel's stderr as milliseconds since the process started.
// Off by default (a check of one boolean).

import { performance } from "node:perf_hooks";
import { log } from "./log";

const on = process.env.TSDL_TRACE === "1";

export function mark(phase: string): void {
  if (on) log(`trace ${performance.now().toFixed(0)} ms ${phase}`);
}
