// The heartbeat channel on a worker thread, so it answers while a long synchronous cell holds
// the main thread (on the main thread, a training loop left the heartbeat unanswered and a
// frontend could call the kernel dead).
//
// Before process.exit the worker's socket is closed (socketWorker.ts). If the worker cannot
// start, the echo runs on the main thread as before.

import * as path from "node:path";
import { startSocketWorker } from "./socketWorker";
import * as zmq from "zeromq";
import { log } from "../log";

export interface Heartbeat {
  /** Closes the socket; synchronous, so it can run inside process.exit. */
  close(): void;
}

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

async function onWorker(address: string): Promise<Heartbeat> {
  const closed = new SharedArrayBuffer(4);
  const { close } = await startSocketWorker(path.join(__dirname, "heartbeatWorker.js"), { address, closed }, new Int32Array(closed), 0);
  return { close };
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
