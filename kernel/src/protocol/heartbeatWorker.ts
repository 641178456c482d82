// The heartbeat echo, on its own thread (see heartbeat.ts): a REP socket that sends back every
// message it gets, so a client sees the kernel alive while a cell keeps the main thread busy.
// The main thread asks it to close its socket (and waits) before the process exits.

import { parentPort, workerData } from "node:worker_threads";
import * as zmq from "zeromq";

interface HeartbeatData {
  address: string;
  /** One Int32 the worker sets to 1 and notifies once its socket is closed. */
  closed: SharedArrayBuffer;
}

const { address, closed } = workerData as HeartbeatData;
const flag = new Int32Array(closed);
const socket = new zmq.Reply({ linger: 0 });

parentPort?.on("message", (m: unknown) => {
  if (m !== "close") return;
  socket.close();
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});

async function main(): Promise<void> {
  try {
    await socket.bind(address);
  } catch (e) {
    parentPort?.postMessage({ failed: String(e) });
    return;
  }
  parentPort?.postMessage({ bound: true });
  try {
    for await (const frames of socket) await socket.send(frames);
  } catch {
    // Closed.
  }
}

void main();
