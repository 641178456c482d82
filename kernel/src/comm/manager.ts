// Jupyter comms on the kernel side: targets the frontend can open, open comms by id, and the
// comm_open / comm_msg / comm_close / comm_info_request handlers. A comm_open for a target the
// kernel does not have is answered with comm_close, as ipykernel does, so the frontend does not
// wait on a comm that will never answer.
// https://jupyter-client.readthedocs.io/en/latest/messaging.html#custom-messages

import { randomUUID } from "node:crypto";
import type { Json, Message } from "../protocol/wire";
import type { Publisher } from "../output";
import { log } from "../log";

export class Comm {
  /** The message the comm was last addressed with: replies name it as their parent. */
  lastParent: Message<unknown> | null;
  /** May return a promise: the request stays busy until it settles, so replies come before idle. */
  onMessage: ((data: Json, msg: Message) => void | Promise<void>) | null = null;
  onClose: ((data: Json) => void) | null = null;
  closed = false;

  constructor(
    readonly id: string,
    readonly target: string,
    private readonly manager: CommManager,
    parent: Message<unknown> | null,
  ) {
    this.lastParent = parent;
  }

  send(data: Json, parent: Message<unknown> | null = this.lastParent): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.manager.publisher.publish(parent, "comm_msg", { comm_id: this.id, data });
  }

  close(data: Json = {}): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.manager.forget(this.id);
    return this.manager.publisher.publish(this.lastParent, "comm_close", { comm_id: this.id, data });
  }
}

/** Called when a frontend opens a comm to the target; set comm.onMessage/onClose there. */
export type TargetHandler = (comm: Comm, data: Json, msg: Message) => void;

interface CommContent {
  comm_id?: unknown;
  target_name?: unknown;
  data?: unknown;
}

const dataOf = (c: CommContent): Json => (c.data && typeof c.data === "object" ? (c.data as Json) : {});

export class CommManager {
  private readonly targets = new Map<string, TargetHandler>();
  private readonly comms = new Map<string, Comm>();

  constructor(readonly publisher: Publisher) {}

  registerTarget(name: string, handler: TargetHandler): void {
    this.targets.set(name, handler);
  }

  /** Opens a comm from the kernel side. */
  open(target: string, data: Json = {}, parent: Message<unknown> | null = null): Comm {
    const comm = new Comm(randomUUID(), target, this, parent);
    this.comms.set(comm.id, comm);
    void this.publisher.publish(parent, "comm_open", { comm_id: comm.id, target_name: target, data });
    return comm;
  }

  forget(id: string): void {
    this.comms.delete(id);
  }

  async handleOpen(msg: Message): Promise<void> {
    const c = msg.content as CommContent;
    const id = typeof c.comm_id === "string" ? c.comm_id : null;
    const target = typeof c.target_name === "string" ? c.target_name : "";
    if (!id) return log("comm_open without comm_id dropped");
    const handler = this.targets.get(target);
    if (!handler) {
      await this.publisher.publish(msg, "comm_close", { comm_id: id, data: {} });
      return;
    }
    const comm = new Comm(id, target, this, msg);
    this.comms.set(id, comm);
    try {
      handler(comm, dataOf(c), msg);
    } catch (e) {
      log(`comm target ${target} failed to open: ${(e as Error).stack ?? String(e)}`);
      await comm.close();
    }
  }

  async handleMessage(msg: Message): Promise<void> {
    const c = msg.content as CommContent;
    const comm = typeof c.comm_id === "string" ? this.comms.get(c.comm_id) : undefined;
    if (!comm) return log(`comm_msg for unknown comm ${String(c.comm_id)} dropped`);
    comm.lastParent = msg;
    try {
      await comm.onMessage?.(dataOf(c), msg);
    } catch (e) {
      log(`comm ${comm.target} message handler failed: ${(e as Error).stack ?? String(e)}`);
    }
  }

  handleClose(msg: Message): void {
    const c = msg.content as CommContent;
    const comm = typeof c.comm_id === "string" ? this.comms.get(c.comm_id) : undefined;
    if (!comm) return;
    comm.closed = true;
    this.comms.delete(comm.id);
    comm.onClose?.(dataOf(c));
  }

  info(targetName: unknown): { status: "ok"; comms: Record<string, { target_name: string }> } {
    const comms: Record<string, { target_name: string }> = {};
    for (const comm of this.comms.values()) {
      if (typeof targetName !== "string" || targetName === "" || comm.target === targetName) comms[comm.id] = { target_name: comm.target };
    }
    return { status: "ok", comms };
  }

  /** Open comms of one target. */
  ofTarget(target: string): Comm[] {
    return [...this.comms.values()].filter((c) => c.target === target);
  }
}
