// Puts the kernel together: language (tslab's converter, our executor), preload of the core,
// comms, then the sockets. Also the process-level safety nets: SIGINT interrupts the running
// cell, and errors thrown later by a cell's callbacks are reported in that cell instead of
// killing the kernel.

import { randomUUID } from "node:crypto";
import { readConnectionFile } from "./protocol/connection";
import { Transport } from "./protocol/transport";
import { createLanguage, saveCompilerCache } from "./language/tslab";
import { Executor } from "./language/executor";
import { Assist } from "./language/assist";
import { Preload } from "./preload";
import { installMagicHelpers, type CoreTiming } from "./language/magics";
import { CommManager } from "./comm/manager";
import { Inspector } from "./comm/inspector";
import { History } from "./history";
import { Session } from "./session";
import { cellContext, redirectStdio } from "./output";
import { reportRuntimeError } from "./errors/report";
import { isTensorLike } from "./display/tensor";
import { log } from "./log";
import { mark } from "./trace";

export interface KernelParts {
  transport: Transport;
  executor: Executor;
  assist: Assist;
  comms: CommManager;
  inspector: Inspector;
  history: History;
  preload: Preload;
  /** Resolves when the core has chosen its backend and its names are known to the type
   * checker; executions, completions and inspections wait for it. */
  ready: Promise<void>;
  shutdown(): Promise<void>;
}

function describeTensor(executor: Executor, name: string): string | null {
  const value = executor.locals[name];
  if (!isTensorLike(value)) return null;
  return `${name}: Tensor  shape [${value.shape.join(", ")}]  dtype ${value.dtype}  device ${value.device ?? "unknown"}`;
}

/** Errors thrown by a cell's timers and callbacks after the cell ran: shown in that cell. */
function catchStrayErrors(executor: Executor, preload: Preload): void {
  const report = (kind: string) => (error: unknown) => {
    const out = cellContext.getStore();
    if (!out) return log(`${kind} outside any cell: ${(error as Error)?.stack ?? String(error)}`);
    const r = reportRuntimeError(error, { cells: executor.cells, isNamespace: (e) => preload.isNamespace(e), valueOf: (e) => preload.valueOf(e) });
    out.write("stderr", `${kind}: ${r.traceback.join("\n")}\n`);
  };
  process.on("uncaughtException", report("Uncaught error in a callback"));
  process.on("unhandledRejection", report("Unhandled promise rejection"));
}

/** Runs `start` once: after the first request has been answered and its idle status sent
 * (clients send kernel_info first), or `ms` after `arm()` (called once the sockets are bound),
 * whichever comes first. The wait starts at binding, not before: on a loaded machine binding
 * and the client's connection took longer than the wait, and the converter's build (seconds of
 * synchronous work) then ran before the first kernel_info_reply. */
function afterFirstRequest(ms: number, start: () => void): { kick: () => void; arm: () => void } {
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  const once = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    start();
  };
  return {
    kick: () => setImmediate(once),
    arm: () => {
      if (!done) timer = setTimeout(once, ms);
    },
  };
}

export async function startKernel(connectionFile: string): Promise<KernelParts> {
  // The kernel process is ours alone, so the cpu matmul may use fused multiply-add (relaxed
  // SIMD, about a third faster; a V8 flag on Node 20) unless the user said otherwise. A library
  // in someone else's process leaves that choice to them (see the core's wasm engine).
  process.env.TSDL_WASM_RELAXED_SIMD ??= "1";
  mark("modules loaded");
  const info = readConnectionFile(connectionFile);
  const cwd = process.cwd();
  redirectStdio();
  const preload = new Preload(cwd);
  mark("core loaded");
  const backend = preload.startBackend().then(() => mark("backend ready")).catch((e: unknown) => log(`core backend selection failed: ${String(e)}`));
  // Let the backend's synchronous start run up to its first wait on the device, so the device
  // request proceeds while the sockets open and the converter is built.
  await new Promise((resolve) => setImmediate(resolve));
  // The converter itself (a second or more of synchronous type-checker setup) is built on first
  // use, which is after the first reply (below).
  const lang = createLanguage();
  const executor = new Executor(lang, cwd);
  installMagicHelpers(() => (preload.core ?? null) as CoreTiming | null);
  const assist = new Assist(lang, executor, (name) => describeTensor(executor, name));
  executor.helpFor = (name) => assist.help(name);
  const history = new History();
  catchStrayErrors(executor, preload);

  // The converter and the core's names for the type checker (together the larger part of a
  // start) are set up after the first reply, so the frontend sees the kernel ready sooner;
  // executions, completions and inspections wait for them.
  let preloaded!: () => void;
  const typesReady = new Promise<void>((resolve) => (preloaded = resolve));
  const { kick, arm } = afterFirstRequest(500, () => {
    mark("preload start");
    preload.run(executor, lang).then(() => {
      mark("preload done");
      preloaded();
      // Once the cells waiting for the preload have run; only the first kernel on a machine
      // (or after an upgrade) writes it.
      setTimeout(saveCompilerCache, 1000).unref();
    }, (e: unknown) => {
      log(`preload failed: ${(e as Error).stack ?? String(e)}`);
      preloaded();
    });
  });
  const ready = Promise.all([backend, typesReady]).then(() => undefined);

  // Requests that arrive between binding and the session's creation wait here.
  let session: Session | null = null;
  const early: Parameters<Session["onMessage"]>[] = [];
  const transport = await Transport.open(info, randomUUID(), (channel, msg) => {
    if (session) session.onMessage(channel, msg);
    else early.push([channel, msg]);
    // Any other first request (an execution, a completion) needs the language: start now.
    if (msg.header.msg_type !== "kernel_info_request") kick();
  });
  mark("sockets bound");
  // interrupt_request sets a flag the core checks before each op (control.ts, the core's
  // interrupt.ts); the executor says when a cell runs, so a late request cannot stop the next.
  const flags = transport.interruptFlags;
  if (flags) {
    preload.core?.setInterruptFlags?.(flags);
    executor.useInterruptFlags(flags);
    // The main thread sees the request only when no synchronous code runs: if no op took the
    // flag by then, the cell is waiting (a top-level await), which the executor can stop now.
    const pending = new Int32Array(flags);
    transport.onInterrupt = () => {
      if (Atomics.compareExchange(pending, 0, 1, 0) === 1) executor.interrupt();
    };
  }
  arm();
  const comms = new CommManager(transport);
  const inspector = new Inspector(comms, {
    locals: () => executor.locals,
    isPreloaded: (name, value) => preload.isPreloaded(name, value),
    memory: () => preload.memory(),
  });
  let closing = false;
  const parts: KernelParts = {
    transport, executor, assist, comms, inspector, history, preload, ready,
    async shutdown() {
      if (closing) return;
      closing = true;
      saveCompilerCache(); // if the kernel did not live long enough to write it already
      executor.close();
      preload.shutdown();
      await transport.close();
      process.exit(0);
    },
  };
  session = new Session(parts, kick);
  for (const [channel, msg] of early.splice(0)) session.onMessage(channel, msg);
  process.on("SIGINT", () => executor.interrupt());
  return parts;
}
