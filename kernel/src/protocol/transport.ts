// The five ZeroMQ sockets of a kernel, bound to the connection file's addresses, and nothing
// above framing: incoming frames are decoded and verified here, then handed to one callback;
// outgoing messages are signed and queued per socket (a zeromq v6 socket allows one pending
// send at a time).
//
// The heartbeat echo runs on a worker thread (heartbeat.ts), so heartbeats are answered while a
// long synchronous cell runs; so does the control socket (control.ts), so that interrupts are.

import * as zmq from "zeromq";
import { ConnectionInfo, addressOf } from "./connection";
import { Message, Signer, decode, encode, newHeader, Json } from "./wire";
import { log } from "../log";
import { Heartbeat, startHeartbeat } from "./heartbeat";
import { ControlSocket, openControl } from "./control";

export type RequestChannel = "shell" | "control" | "stdin";
export type Incoming = (channel: RequestChannel, msg: Message) => void;

/** Sends in order on one socket. A message goes to the socket at once when nothing waits:
 * ZeroMQ's I/O thread then transmits it even while a synchronous cell keeps JavaScript busy,
 * which is what makes progress bars and prints move during a training loop. When the socket
 * cannot take it (zeromq v6 allows one blocked send at a time and throws EBUSY for the next),
 * it and everything after it wait for the blocked send, so order is kept. */
class SendQueue {
  private last: Promise<void> = Promise.resolve();
  private waiting = 0;

  constructor(private readonly socket: { send(frames: Buffer[]): Promise<void> }) {}

  push(frames: Buffer[]): Promise<void> {
    if (this.waiting === 0) {
      try {
        this.last = this.socket.send(frames).catch((e: unknown) => log(`send failed: ${String(e)}`));
        return this.last;
      } catch (e) {
        if ((e as { code?: string }).code !== "EBUSY") {
          log(`send failed: ${String(e)}`);
          return Promise.resolve();
        }
      }
    }
    this.waiting++;
    this.last = this.last
      .then(() => this.socket.send(frames))
      .catch((e: unknown) => log(`send failed: ${String(e)}`))
      .finally(() => this.waiting--);
    return this.last;
  }

  drain(): Promise<void> {
    return this.last;
  }
}

export class Transport {
  readonly session: string;
  private readonly signer: Signer;
  private readonly routers: Record<"shell" | "stdin", zmq.Router>;
  private control: ControlSocket | null = null;
  /** Runs on the main thread when it gets to an interrupt_request the control thread answered. */
  onInterrupt: (() => void) | null = null;
  private readonly iopub: zmq.XPublisher;
  private hb: Heartbeat | null = null;
  private readonly queues: Record<RequestChannel | "iopub", SendQueue>;
  private closed = false;

  private constructor(info: ConnectionInfo, session: string) {
    this.session = session;
    this.signer = new Signer(info.key, info.signature_scheme);
    // A short linger: at shutdown, queued replies get a second to leave, and unsent ones then
    // cannot keep the process alive.
    const opts = { linger: 1000 };
    this.routers = { shell: new zmq.Router(opts), stdin: new zmq.Router(opts) };
    // XPUB rather than PUB: it tells us when a client subscribes, which we answer with an
    // iopub_welcome message (JEP 65), so a client knows when it stops missing messages.
    this.iopub = new zmq.XPublisher(opts);
    // Report every subscription, not only the first of each topic: each new client is welcomed.
    this.iopub.verbosity = "allSubs";
    this.queues = {
      shell: new SendQueue(this.routers.shell),
      control: new SendQueue({ send: (frames) => this.control?.send(frames) ?? Promise.resolve() }),
      stdin: new SendQueue(this.routers.stdin),
      iopub: new SendQueue(this.iopub),
    };
  }

  static async open(info: ConnectionInfo, session: string, incoming: Incoming): Promise<Transport> {
    const t = new Transport(info, session);
    await Promise.all([
      t.routers.shell.bind(addressOf(info, "shell")),
      openControl({ address: addressOf(info, "control"), key: info.key, scheme: info.signature_scheme, session }).then((c) => (t.control = c)),
      t.routers.stdin.bind(addressOf(info, "stdin")),
      t.iopub.bind(addressOf(info, "iopub")),
      startHeartbeat(addressOf(info, "hb")).then((hb) => (t.hb = hb)),
    ]);
    t.control!.onHandled = (frames) => {
      const msg = decode(frames, t.signer);
      if ("failure" in msg) return;
      void t.publish(msg, "status", { execution_state: "busy" });
      t.onInterrupt?.();
      void t.publish(msg, "status", { execution_state: "idle" });
    };
    for (const channel of ["shell", "control", "stdin"] as const) void t.receiveLoop(channel, incoming);
    void t.subscriptionLoop();
    return t;
  }

  private async receiveLoop(channel: RequestChannel, incoming: Incoming): Promise<void> {
    const socket: AsyncIterable<Buffer[]> = channel === "control" ? this.control! : this.routers[channel];
    try {
      for await (const frames of socket) {
        const msg = decode(frames, this.signer);
        if ("failure" in msg) {
          log(`dropped a message on ${channel}: ${msg.failure}`);
          continue;
        }
        try {
          incoming(channel, msg);
        } catch (e) {
          log(`handler for ${msg.header.msg_type} threw: ${(e as Error).stack ?? String(e)}`);
        }
      }
    } catch (e) {
      if (!this.closed) log(`${channel} socket failed: ${String(e)}`);
    }
  }

  private async subscriptionLoop(): Promise<void> {
    try {
      for await (const [event] of this.iopub) {
        // First byte 1 = subscribe (0 = unsubscribe), then the topic prefix.
        if (event.length > 0 && event[0] === 1) {
          void this.publish(null, "iopub_welcome", { subscription: event.subarray(1).toString("utf8") });
        }
      }
    } catch (e) {
      if (!this.closed) log(`iopub subscription socket failed: ${String(e)}`);
    }
  }

  /** Sends a reply (or a stdin request) on a ROUTER channel, to the sender of `msg.identities`. */
  send(channel: RequestChannel, msg: Message<unknown>): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.queues[channel].push(encode(msg, this.signer));
  }

  /** Broadcasts on iopub with `parent` as the parent header (null for kernel-initiated messages). */
  publish(parent: Message<unknown> | null, msgType: string, content: unknown, metadata: Json = {}): Promise<void> {
    if (this.closed) return Promise.resolve();
    const msg: Message<unknown> = {
      identities: [Buffer.from(`kernel.${this.session}.${msgType}`)],
      header: newHeader(msgType, this.session),
      parent_header: parent ? parent.header : {},
      metadata,
      content,
      buffers: [],
    };
    return this.queues.iopub.push(encode(msg, this.signer));
  }

  /** Flags shared with the core's op checks (see control.ts), or null before the sockets are open. */
  get interruptFlags(): SharedArrayBuffer | null {
    return this.control?.shared ?? null;
  }

  /** Waits for queued sends, then closes every socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all(Object.values(this.queues).map((q) => q.drain()));
    this.closed = true;
    for (const s of [...Object.values(this.routers), this.iopub]) s.close();
    this.control?.close();
    this.hb?.close();
  }
}
