// A small Jupyter client for the kernel latency benchmark: starts a kernel process with a fresh
// connection file, talks to it over ZeroMQ with HMAC-signed messages, and times requests.
// Self-contained (no compiled test code): the wire format is the standard Jupyter one.

import { spawn } from "node:child_process";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as zmq from "zeromq";

const DELIMITER = "<IDS|MSG>";

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/** Writes a fresh connection file (new ports, new key) and returns its path and contents. */
export async function connectionFile() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsdl-bench-conn-"));
  const conn = {
    transport: "tcp", ip: "127.0.0.1", signature_scheme: "hmac-sha256", key: randomBytes(16).toString("hex"),
    kernel_name: "bench",
  };
  for (const ch of ["shell", "control", "stdin", "iopub", "hb"]) conn[`${ch}_port`] = await freePort();
  const file = path.join(dir, "connection.json");
  fs.writeFileSync(file, JSON.stringify(conn));
  return { file, conn, dir };
}

/** Resident memory of a process in bytes (VmRSS from /proc), or null off Linux. */
export function rssBytes(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export class Client {
  constructor(conn, proc) {
    this.conn = conn;
    this.proc = proc;
    this.session = randomUUID();
    this.stderr = "";
    proc.stderr?.on("data", (d) => (this.stderr += d.toString()));
    proc.stdout?.on("data", () => {});
    this.exited = new Promise((resolve) => proc.on("exit", (code) => resolve(code)));
    // A short reconnect interval: the kernel binds its sockets some time after the spawn, and
    // the default 100 ms retry would add up to 100 ms to the cold-start time.
    const opts = { reconnectInterval: 5 };
    this.shell = new zmq.Dealer(opts);
    this.control = new zmq.Dealer(opts);
    this.iopub = new zmq.Subscriber(opts);
    this.replies = new Map();
    this.idle = new Map();
    this.idleSeen = new Set();
    const at = (port) => `tcp://127.0.0.1:${port}`;
    this.shell.connect(at(conn.shell_port));
    this.control.connect(at(conn.control_port));
    this.iopub.connect(at(conn.iopub_port));
    this.iopub.subscribe();
    void this.readReplies(this.shell);
    void this.readReplies(this.control);
    void this.readIopub();
  }

  /** Spawns `argv` (the connection file path is appended where "{connection_file}" is). */
  static async spawn(argv, { cwd, env } = {}) {
    const { file, conn } = await connectionFile();
    const args = argv.map((a) => (a === "{connection_file}" ? file : a));
    const t0 = performance.now();
    const proc = spawn(args[0], args.slice(1), { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    return { client: new Client(conn, proc), t0 };
  }

  sign(parts) {
    const h = createHmac("sha256", this.conn.key);
    for (const p of parts) h.update(p);
    return h.digest("hex");
  }

  encode(msgType, content) {
    const header = { msg_id: randomUUID(), session: this.session, username: "bench", date: new Date().toISOString(), msg_type: msgType, version: "5.3" };
    const signed = [header, {}, {}, content].map((p) => Buffer.from(JSON.stringify(p)));
    return { id: header.msg_id, frames: [Buffer.from(DELIMITER), Buffer.from(this.sign(signed)), ...signed] };
  }

  decode(frames) {
    const at = frames.findIndex((f) => f.toString("latin1") === DELIMITER);
    if (at < 0) return null;
    const [sig, ...signed] = frames.slice(at + 1, at + 6);
    if (sig.toString() !== this.sign(signed)) throw new Error("bad signature from the kernel");
    const [header, parent_header, metadata, content] = signed.map((f) => JSON.parse(f.toString("utf8")));
    return { header, parent_header, metadata, content };
  }

  async readReplies(sock) {
    try {
      for await (const frames of sock) {
        const msg = this.decode(frames);
        const waiter = msg && this.replies.get(msg.parent_header.msg_id);
        if (waiter) waiter(msg);
      }
    } catch {
      // closed
    }
  }

  async readIopub() {
    try {
      for await (const frames of this.iopub) {
        const msg = this.decode(frames);
        if (!msg) continue;
        if (msg.header.msg_type === "status" && msg.content.execution_state === "idle") {
          const id = msg.parent_header.msg_id;
          this.idleSeen.add(id);
          this.idle.get(id)?.();
        }
      }
    } catch {
      // closed
    }
  }

  /** Sends a request; resolves with { reply, ms } where ms is send -> reply. With
   * waitIdle, also waits for the request's idle status on iopub. */
  async request(msgType, content, { channel = "shell", timeoutMs = 60000, waitIdle = false } = {}) {
    const { id, frames } = this.encode(msgType, content);
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no ${msgType} reply in ${timeoutMs} ms\n${this.stderr}`)), timeoutMs);
    });
    const replied = new Promise((resolve) => this.replies.set(id, resolve));
    const idle = new Promise((resolve) => (this.idleSeen.has(id) ? resolve() : this.idle.set(id, resolve)));
    const exited = this.exited.then((code) => {
      throw new Error(`kernel exited (${code}) while waiting for ${msgType}\n${this.stderr}`);
    });
    try {
      const t0 = performance.now();
      await (channel === "control" ? this.control : this.shell).send(frames);
      const reply = await Promise.race([replied, timeout, exited]);
      const ms = performance.now() - t0;
      if (waitIdle) {
        // A kernel that never publishes this request's idle status (a lost iopub message) must
        // not hang the benchmark: count it and go on after a while.
        const late = new Promise((resolve) => setTimeout(() => resolve("late"), 10000));
        if ((await Promise.race([idle, late, exited])) === "late") this.missingIdle = (this.missingIdle ?? 0) + 1;
      }
      return { reply, ms };
    } finally {
      clearTimeout(timer);
      this.replies.delete(id);
      this.idle.delete(id);
    }
  }

  execute(code, o = {}) {
    return this.request("execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true }, { waitIdle: true, ...o });
  }

  /** kernel_info until a reply and its idle status arrive (iopub subscribed), as
   * jupyter_client's wait_for_ready does: a request is repeated every 2 s (an idle status can be
   * missed while the iopub subscription forms), and a late answer to an earlier one counts (a
   * kernel still busy starting answers them in order). */
  async waitReady() {
    const sent = [];
    let ready;
    const done = new Promise((resolve) => (ready = resolve));
    const exited = this.exited.then((code) => {
      throw new Error(`kernel exited (${code}) while starting\n${this.stderr}`);
    });
    try {
      for (;;) {
        const { id, frames } = this.encode("kernel_info_request", {});
        sent.push(id);
        let replied = false;
        let idle = false;
        const check = () => replied && idle && ready();
        this.replies.set(id, () => ((replied = true), check()));
        if (this.idleSeen.has(id)) idle = true;
        else this.idle.set(id, () => ((idle = true), check()));
        await this.shell.send(frames);
        const timer = new Promise((resolve) => setTimeout(() => resolve("again"), 2000));
        if ((await Promise.race([done, timer, exited])) !== "again") return;
      }
    } finally {
      for (const id of sent) {
        this.replies.delete(id);
        this.idle.delete(id);
      }
    }
  }

  async shutdown() {
    try {
      await this.request("shutdown_request", { restart: false }, { channel: "control", timeoutMs: 5000 });
    } catch {
      // killed below
    }
    const done = await Promise.race([this.exited, new Promise((r) => setTimeout(() => r("timeout"), 5000))]);
    if (done === "timeout") this.proc.kill("SIGKILL");
    for (const s of [this.shell, this.control, this.iopub]) s.close();
  }
}
