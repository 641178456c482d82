// Starting a worker thread that owns one ZeroMQ socket (heartbeat.ts, control.ts). zeromq 6
// aborts the process (now and then, measured) when process.exit tears down a worker whose
// socket is still open, and user code may call process.exit at any time. So once the worker
// has bound its socket, process.exit is wrapped: it first asks the worker to close the socket
// and waits for that (a second at most, on a shared flag, since nothing else can run while it
// exits). The worker posts { bound: true } or { failed }, and on "close" closes its socket,
// then sets `flags[closedAt]` and notifies.

import { Worker } from "node:worker_threads";

const CLOSE_WAIT_MS = 1000;

export interface SocketWorker {
  worker: Worker;
  /** Closes the worker's socket; synchronous, so it can run inside process.exit. */
  close(): void;
}

export function startSocketWorker(file: string, workerData: unknown, flags: Int32Array, closedAt: number): Promise<SocketWorker> {
  const worker = new Worker(file, { workerData });
  // The kernel's life is the shell socket's and the process's, not this thread's.
  worker.unref();
  let open = false;
  const close = () => {
    if (!open) return;
    open = false;
    worker.postMessage("close");
    Atomics.wait(flags, closedAt, 0, CLOSE_WAIT_MS);
  };
  return new Promise<SocketWorker>((resolve, reject) => {
    worker.once("message", (m: { bound?: boolean; failed?: string }) => {
      if (!m.bound) return reject(new Error(m.failed ?? `${file} did not bind`));
      open = true;
      const exit = process.exit.bind(process);
      process.exit = ((code?: number) => {
        close();
        return exit(code);
      }) as typeof process.exit;
      resolve({ worker, close });
    });
    worker.once("error", reject);
  });
}
