// The heartbeat channel on a worker thread, so it answers while a long synchronous cell holds
// the main thread (on the main thread, a training loop left the heartbeat unanswered and a
// frontend could call the kernel dead).
//
// zeromq 6 aborts the process (now and then, measured) when process.exit tears down a worker
// whose socket is still open; user code may call process.exit at any time. So process.exit is
// wrapped: it first asks the worker to close its socket and waits for that (a second at most,
// on a shared flag, since nothing else can run while it exits). If the worker cannot start,
// the echo runs on the main thread as before.

import * as path from "node:path";
import { Worker } from "node:worker_threads";
import * as zmq from "zeromq";
import { log } from "../log";

export interface Heartbeat {
  /** Closes the socket; synchronous, so it can run inside process.exit. */
  close(): void;
}

const CLOSE_WAIT_MS = 1000;

function onMainThread(address: string): Promise<Heartbeat> {
  const socket = new zmq.Reply({ linger: 0 });
  return socket.bind(address).then(() => {
    void (async () => {
      try {
        for await (const frames of socket) await socket.send(frames);
      } catch {
        // Closed.
      }
    })();
    return { close: () => socket.close() };
  });
}

function onWorker(address: string): Promise<Heartbeat> {
  const closed = new SharedArrayBuffer(4);
  const flag = new Int32Array(closed);
  const worker = new Worker(path.join(__dirname, "heartbeatWorker.js"), { workerData: { address, closed } });
  // The heartbeat alone must not keep the kernel alive.
  worker.unref();
  let open = false;
  const close = () => {
    if (!open) return;
    open = false;
    worker.postMessage("close");
    Atomics.wait(flag, 0, 0, CLOSE_WAIT_MS);
  };
  return new Promise<Heartbeat>((resolve, reject) => {
    worker.once("message", (m: { bound?: boolean; failed?: string }) => {
      if (!m.bound) return reject(new Error(m.failed ?? "the heartbeat worker did not bind"));
      open = true;
      const exit = process.exit.bind(process);
      process.exit = ((code?: number) => {
        close();
        return exit(code);
      }) as typeof process.exit;
      resolve({ close });
    });
    worker.once("error", reject);
  });
}

/** Binds the heartbeat socket at `address` and echoes on it until closed. */
export async function startHeartbeat(address: string): Promise<Heartbeat> {
  try {
    return await onWorker(address);
  } catch (e) {
    log(`heartbeat worker failed (${String(e)}); answering heartbeats on the main thread`);
    return onMainThread(address);
  }
}
