// The heartbeat echo, on its own thread (see heartbeat.ts): a REP socket that sends back every
// message it gets, so a client sees the kernel alive while a cell keeps the main thread busy.
// The main thread asks it to close its socket (and waits) before the process exits.

import { workerData } from "node:worker_threads";
import { serveSocket } from "./socketWorker";
import * as zmq from "zeromq";

interface HeartbeatData {
  address: string;
  /** One Int32 the worker sets to 1 and notifies once its socket is closed. */
  closed: SharedArrayBuffer;
}

const { address, closed } = workerData as HeartbeatData;
const socket = new zmq.Reply({ linger: 0 });
void serveSocket(socket, address, new Int32Array(closed), 0, (frames) => socket.send(frames));
