// The control channel on its own thread (see control.ts). Every message is passed to the main
// thread as raw frames, except interrupt_request, which this thread answers itself: while a
// cell runs it sets the shared interrupt flag that the core checks before each op, and if the
// flag is still set a little later (the cell runs JavaScript that calls no op, or awaits) it
// sends the process SIGINT, which stops a synchronous loop (vm's breakOnSigint) or a pending
// await (the executor's SIGINT handler), as an interrupt did before.

import { parentPort, workerData } from "node:worker_threads";
import * as zmq from "zeromq";
import { Signer, childOf, decode, encode } from "./wire";
import { serveSocket } from "./socketWorker";

interface ControlData {
  address: string;
  key: string;
  scheme: string;
  session: string;
  /** Int32 [0] interrupt requested, [1] a cell runs (both read by the core), [2] socket closed. */
  shared: SharedArrayBuffer;
}

const { address, key, scheme, session, shared } = workerData as ControlData;
const flags = new Int32Array(shared);
const signer = new Signer(key, scheme);
const socket = new zmq.Router({ linger: 1000 });
/** How long an op has to notice the flag before the signal is sent instead. */
const ESCALATE_MS = 400;

// zeromq v6 takes one send at a time: replies queue behind each other.
let sending: Promise<unknown> = Promise.resolve();
function send(frames: Buffer[]): void {
  sending = sending.then(() => socket.send(frames)).catch((e: unknown) => parentPort?.postMessage({ log: `control send failed: ${String(e)}` }));
}

function interrupt(): void {
  if (Atomics.load(flags, 1) === 0) return; // no cell runs: nothing to stop
  Atomics.store(flags, 0, 1);
  setTimeout(() => {
    if (Atomics.load(flags, 0) === 1 && Atomics.load(flags, 1) === 1) {
      Atomics.store(flags, 0, 0);
      process.kill(process.pid, "SIGINT");
    }
  }, ESCALATE_MS);
}

void serveSocket(
  socket,
  address,
  flags,
  2,
  (frames) => {
    const msg = decode(frames, signer);
    if (!("failure" in msg) && msg.header.msg_type === "interrupt_request") {
      interrupt();
      send(encode(childOf(msg, "interrupt_reply", { status: "ok" }, session), signer));
      parentPort?.postMessage({ handled: frames }); // its busy/idle status goes out on iopub
      return;
    }
    // Everything else (and what fails to decode, for the main thread to log) goes on as is.
    parentPort?.postMessage({ frames });
  },
  (m) => {
    const { send: frames } = m as { send: Uint8Array[] };
    send(frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength)));
  },
  () => sending, // a shutdown_reply queued just before the close still goes out
);
