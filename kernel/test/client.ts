// A minimal Jupyter client for the protocol tests: starts the real kernel process (`tsdl kernel
// conn.json`), talks to it over real ZeroMQ with signed messages, and collects iopub output per
// request. Synchronisation is by messages (replies, idle status), never by sleeping.

import { ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as zmq from "zeromq";
import { Json, Message, Signer, decode, encode, newHeader } from "../src/protocol/wire";

export const CLI = path.join(__dirname, "..", "src", "cli.js");

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

export interface Reply {
  reply: Message;
  /** iopub messages with this request as parent, up to and including the idle status. */
  iopub: Message[];
}

type Channel = "shell" | "control" | "stdin";

export class KernelClient {
  readonly signer: Signer;
  readonly session = randomUUID();
  private readonly dealers: Record<Channel, zmq.Dealer>;
  private readonly sub = new zmq.Subscriber();
  private readonly pendingReplies = new Map<string, (m: Message) => void>();
  private readonly iopubByParent = new Map<string, Message[]>();
  private readonly idleWaiters = new Map<string, () => void>();
  private readonly idleSeen = new Set<string>();
  /** Every iopub message, in arrival order. */
  readonly allIopub: Message[] = [];
  /** When each iopub message arrived (performance.now()), by msg_id. */
  readonly arrivedAt = new Map<string, number>();
  stderr = "";
  exited: Promise<number | null>;

  private constructor(
    readonly proc: ChildProcess,
    readonly conn: Record<string, unknown>,
    readonly dir: string,
  ) {
    this.signer = new Signer(conn.key as string);
    this.dealers = { shell: new zmq.Dealer(), control: new zmq.Dealer(), stdin: new zmq.Dealer() };
    this.exited = new Promise((resolve) => proc.on("exit", (code) => resolve(code)));
    proc.stderr?.on("data", (d: Buffer) => (this.stderr += d.toString()));
  }

  /** Starts a kernel with `cwd` as the notebook folder and waits until it answers. */
  static async start(cwd: string = fs.mkdtempSync(path.join(os.tmpdir(), "tsdl-nb-"))): Promise<KernelClient> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsdl-conn-"));
    const conn: Record<string, unknown> = {
      transport: "tcp", ip: "127.0.0.1", signature_scheme: "hmac-sha256", key: randomBytes(16).toString("hex"),
      shell_port: await freePort(), control_port: await freePort(), stdin_port: await freePort(),
      iopub_port: await freePort(), hb_port: await freePort(),
    };
    const file = path.join(dir, "conn.json");
    fs.writeFileSync(file, JSON.stringify(conn));
    const proc = spawn(process.execPath, [CLI, "kernel", file], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    const client = new KernelClient(proc, conn, cwd);
    for (const ch of ["shell", "control", "stdin"] as const) client.dealers[ch].connect(`tcp://127.0.0.1:${conn[`${ch}_port`]}`);
    client.sub.connect(`tcp://127.0.0.1:${conn.iopub_port}`);
    client.sub.subscribe();
    for (const ch of ["shell", "control", "stdin"] as const) void client.readReplies(ch);
    void client.readIopub();
    await client.waitReady();
    return client;
  }

  /** Like jupyter_client's wait_for_ready: kernel_info until a reply and its idle status
   * arrive (the idle proves iopub is subscribed, past the PUB/SUB slow-joiner window). */
  private async waitReady(): Promise<void> {
    for (;;) {
      const early = await Promise.race([this.exited.then(() => "exited" as const), this.request("kernel_info_request", {}, { timeoutMs: 1000 }).catch(() => null)]);
      if (early === "exited") throw new Error(`kernel exited during start:\n${this.stderr}`);
      if (early) return;
    }
  }

  private async readReplies(ch: Channel): Promise<void> {
    try {
      for await (const frames of this.dealers[ch]) {
        const msg = decode(frames, this.signer);
        if ("failure" in msg) throw new Error(`client got a bad message: ${msg.failure}`);
        const id = (msg.parent_header as { msg_id?: string }).msg_id ?? "";
        this.pendingReplies.get(id)?.(msg);
      }
    } catch {
      // Socket closed.
    }
  }

  private async readIopub(): Promise<void> {
    try {
      for await (const frames of this.sub) {
        const msg = decode(frames, this.signer);
        if ("failure" in msg) throw new Error(`client got a bad iopub message: ${msg.failure}`);
        this.allIopub.push(msg);
        this.arrivedAt.set(msg.header.msg_id, performance.now());
        const id = (msg.parent_header as { msg_id?: string }).msg_id ?? "";
        const list = this.iopubByParent.get(id) ?? [];
        list.push(msg);
        this.iopubByParent.set(id, list);
        if (msg.header.msg_type === "status" && (msg.content as { execution_state?: string }).execution_state === "idle") {
          this.idleSeen.add(id);
          this.idleWaiters.get(id)?.();
        }
      }
    } catch {
      // Socket closed.
    }
  }

  message(msgType: string, content: Json, metadata: Json = {}): Message<Json> {
    return { identities: [], header: newHeader(msgType, this.session), parent_header: {}, metadata, content, buffers: [] };
  }

  /** Sends raw frames on a channel (for malformed-message tests). */
  sendFrames(ch: Channel, frames: Buffer[]): Promise<void> {
    return this.dealers[ch].send(frames);
  }

  send(ch: Channel, msg: Message<unknown>): Promise<void> {
    return this.sendFrames(ch, encode(msg, this.signer));
  }

  /** Sends a request and resolves with its reply and iopub output (through idle). */
  async request(msgType: string, content: Json, o: { channel?: Channel; metadata?: Json; timeoutMs?: number } = {}): Promise<Reply> {
    const msg = this.message(msgType, content, o.metadata);
    return this.roundTrip(msg, o.channel ?? "shell", o.timeoutMs ?? 30000);
  }

  async roundTrip(msg: Message<unknown>, ch: Channel, timeoutMs = 30000): Promise<Reply> {
    const id = msg.header.msg_id;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no reply to ${msg.header.msg_type} in ${timeoutMs} ms\n${this.stderr}`)), timeoutMs);
    });
    const replied = new Promise<Message>((resolve) => this.pendingReplies.set(id, resolve));
    const idle = new Promise<void>((resolve) => (this.idleSeen.has(id) ? resolve() : this.idleWaiters.set(id, resolve)));
    try {
      await this.send(ch, msg);
      const reply = await Promise.race([replied, timeout]);
      await Promise.race([idle, timeout]);
      return { reply, iopub: this.iopubByParent.get(id) ?? [] };
    } finally {
      clearTimeout(timer);
      this.pendingReplies.delete(id);
      this.idleWaiters.delete(id);
    }
  }

  /** Sends a message that gets no reply (comm_open, comm_msg, comm_close); resolves with its
   * iopub output once its idle status arrives. */
  async notify(msgType: string, content: Json, timeoutMs = 30000): Promise<Message[]> {
    const msg = this.message(msgType, content);
    const id = msg.header.msg_id;
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<void>((resolve, reject) => {
      this.idleWaiters.set(id, resolve);
      timer = setTimeout(() => reject(new Error(`no idle after ${msgType}`)), timeoutMs);
    });
    try {
      await this.send("shell", msg);
      await idle;
      return this.iopubByParent.get(id) ?? [];
    } finally {
      clearTimeout(timer);
      this.idleWaiters.delete(id);
    }
  }

  execute(code: string, extra: Json = {}, o: { metadata?: Json; timeoutMs?: number } = {}): Promise<Reply> {
    return this.request("execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true, ...extra }, o);
  }

  /** iopub messages so far whose parent is `msgId`. */
  outputOf(msgId: string): Message[] {
    return this.iopubByParent.get(msgId) ?? [];
  }

  /** Waits until an iopub message matching `pred` has arrived. */
  async waitForIopub(pred: (m: Message) => boolean, timeoutMs = 10000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.allIopub.find(pred);
      if (found) return found;
      if (Date.now() > deadline) throw new Error("timed out waiting for an iopub message");
      await new Promise((r) => setImmediate(r));
    }
  }

  /** Asks the kernel to shut down, waits for the process to exit, closes the sockets. */
  async shutdown(restart = false): Promise<{ reply: Message; exitCode: number | null }> {
    const { reply } = await this.request("shutdown_request", { restart }, { channel: "control" });
    const exitCode = await this.exited;
    this.close();
    return { reply, exitCode };
  }

  close(): void {
    for (const s of [...Object.values(this.dealers), this.sub]) s.close();
    if (this.proc.exitCode === null) this.proc.kill("SIGKILL");
  }
}

/** Output messages of a reply (iopub without status and execute_input). */
export function outputs(r: Reply): Message[] {
  return r.iopub.filter((m) => m.header.msg_type !== "status" && m.header.msg_type !== "execute_input");
}

export function textOf(r: Reply, name: "stdout" | "stderr" = "stdout"): string {
  return outputs(r)
    .filter((m) => m.header.msg_type === "stream" && (m.content as { name: string }).name === name)
    .map((m) => (m.content as { text: string }).text)
    .join("");
}

export function resultOf(r: Reply): Record<string, unknown> | null {
  const m = outputs(r).find((x) => x.header.msg_type === "execute_result");
  return m ? ((m.content as { data: Record<string, unknown> }).data) : null;
}
