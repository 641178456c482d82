// A worker thread that owns one ZeroMQ socket (heartbeat.ts, control.ts): starting it, and its
// side of the handshake (serveSocket). zeromq 6
// aborts the process (now and then, measured) when process.exit tears down a worker whose
// socket is still open, and user code may call process.exit at any time. So once the worker
// has bound its socket, process.exit is wrapped: it first asks the worker to close the socket
// and waits for that (a second at most, on a shared flag, since nothing else can run while it
// exits). The worker posts { bound: true } or { failed }, and on "close" closes its socket,
// then sets `flags[closedAt]` and notifies.

import { Worker, parentPort } from "node:worker_threads";
import type * as zmq from "zeromq";

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

/**
 * The worker's side: binds `socket`, reports { bound } or { failed }, hands every message to
 * `onFrames`, and on "close" from the main thread closes the socket and sets flags[closedAt],
 * after `pending()` (sends the main thread asked for, such as a shutdown_reply) has settled.
 * Other messages from the main thread go to `onMessage`.
 */
export async function serveSocket(
  socket: zmq.Socket & AsyncIterable<Buffer[]>,
  address: string,
  flags: Int32Array,
  closedAt: number,
  onFrames: (frames: Buffer[]) => unknown,
  onMessage: (m: unknown) => void = () => {},
  pending: () => Promise<unknown> = () => Promise.resolve(),
): Promise<void> {
  parentPort?.on("message", (m: unknown) => {
    if (m !== "close") return onMessage(m);
    void pending().finally(() => {
      socket.close();
      Atomics.store(flags, closedAt, 1);
      Atomics.notify(flags, closedAt);
    });
  });
  try {
    await socket.bind(address);
  } catch (e) {
    parentPort?.postMessage({ failed: String(e) });
    return;
  }
  parentPort?.postMessage({ bound: true });
  try {
    for await (const frames of socket) await onFrames(frames);
  } catch {
    // Closed.
  }
}
