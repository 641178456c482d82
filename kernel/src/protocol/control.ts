// The control socket lives on a worker thread (controlWorker.ts), so that an interrupt_request
// is seen while a cell keeps the main thread busy: the worker then sets a flag shared with the
// core, which stops the cell at its next op with an ordinary exception. Other control messages
// come to the main thread as frames, and replies go back to the worker to send. Like the
// heartbeat worker, it closes its socket before process.exit (socketWorker.ts); if it cannot
// start, the socket is bound on the main thread as before (interrupts then come only as SIGINT).

import * as path from "node:path";
import { startSocketWorker } from "./socketWorker";
import * as zmq from "zeromq";
import { log } from "../log";

export interface ControlSocket extends AsyncIterable<Buffer[]> {
  send(frames: Buffer[]): Promise<void>;
  close(): void;
  /** Int32 [0] interrupt requested, [1] a cell runs: handed to the core (setInterruptFlags). */
  readonly shared: SharedArrayBuffer;
  /** Called with a request the worker answered itself (interrupt_request), for its status. */
  onHandled: ((frames: Buffer[]) => void) | null;
}

export interface ControlOptions {
  address: string;
  key: string;
  scheme: string;
  session: string;
}

async function onMainThread(address: string): Promise<ControlSocket> {
  const socket = new zmq.Router({ linger: 1000 });
  await socket.bind(address);
  return {
    shared: new SharedArrayBuffer(12),
    onHandled: null,
    send: (frames) => socket.send(frames),
    close: () => socket.close(),
    [Symbol.asyncIterator]: () => socket[Symbol.asyncIterator](),
  };
}

async function onWorker(o: ControlOptions): Promise<ControlSocket> {
  const shared = new SharedArrayBuffer(12);
  const file = path.join(__dirname, "controlWorker.js");
  const { worker, close: closeSocket } = await startSocketWorker(file, { ...o, shared }, new Int32Array(shared), 2);
  // Frames from the worker, waiting for the receive loop (or the loop waiting for frames).
  const queue: Buffer[][] = [];
  let wake: (() => void) | null = null;
  let open = true;
  const buffers = (frames: Uint8Array[]) => frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength));
  worker.on("message", (m: { frames?: Uint8Array[]; handled?: Uint8Array[]; log?: string }) => {
    if (m.log) log(m.log);
    if (m.handled) socket.onHandled?.(buffers(m.handled));
    if (!m.frames) return;
    queue.push(buffers(m.frames));
    wake?.();
  });
  async function* frames(): AsyncGenerator<Buffer[]> {
    while (open || queue.length) {
      if (queue.length) yield queue.shift()!;
      else await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  }
  const socket: ControlSocket = {
    shared,
    onHandled: null,
    send: async (f) => worker.postMessage({ send: f }),
    close: () => {
      open = false;
      closeSocket();
      wake?.();
    },
    [Symbol.asyncIterator]: frames,
  };
  return socket;
}

/** Binds the control socket: on a worker thread, or on the main thread if that fails. */
export async function openControl(o: ControlOptions): Promise<ControlSocket> {
  try {
    return await onWorker(o);
  } catch (e) {
    log(`control worker failed (${String(e)}); control messages are handled on the main thread`);
    return onMainThread(o.address);
  }
}
