// Dispatch: message type -> handler, with busy/idle on iopub around every request. Executions
// run one at a time from a queue; other requests (completion, comms, kernel_info) are answered
// as they arrive, also while an async cell awaits.
//
// stop_on_error follows ipykernel: when a cell fails, the execute_requests already queued at
// that moment are answered "aborted"; requests that arrive later run normally (tslab instead
// aborted everything for 200 ms, which made nbclient skip cells).

import { setImmediate as nextTurn } from "node:timers/promises";
import type { Json, Message } from "./protocol/wire";
import { childOf } from "./protocol/wire";
import type { RequestChannel } from "./protocol/transport";
import type { KernelParts } from "./kernel";
import { handlers, isRequestType } from "./handlers";
import type { ExecuteResult } from "./execute";
import { log } from "./log";

export interface Queued {
  channel: RequestChannel;
  msg: Message;
}

export class Session {
  executionCount = 0;
  private readonly queue: Queued[] = [];
  private running = false;

  /** `handled` is called after each request's idle status has been sent. */
  constructor(
    readonly k: KernelParts,
    private readonly handled: () => void = () => undefined,
  ) {}

  /** Entry point for every verified message from the shell, control and stdin sockets. */
  onMessage(channel: RequestChannel, msg: Message): void {
    if (msg.header.msg_type === "execute_request") {
      this.queue.push({ channel, msg });
      void this.pump();
      return;
    }
    void this.handle(channel, msg);
  }

  reply(channel: RequestChannel, parent: Message, msgType: string, content: Json, metadata: Json = {}): Promise<void> {
    return this.k.transport.send(channel, childOf(parent, msgType, content, this.k.transport.session, metadata));
  }

  private async handle(channel: RequestChannel, msg: Message): Promise<ExecuteResult> {
    const type = msg.header.msg_type;
    await this.k.transport.publish(msg, "status", { execution_state: "busy" });
    let result: ExecuteResult = { aborted: [] };
    try {
      if (isRequestType(type)) {
        result = (await handlers[type](this, msg, channel)) ?? result;
      } else if (type.endsWith("_request")) {
        // Unknown requests get an error reply rather than silence, so a client does not hang.
        const evalue = `the tsdl kernel does not handle ${type}`;
        await this.reply(channel, msg, type.replace(/_request$/, "_reply"), { status: "error", ename: "UnknownMessageType", evalue, traceback: [evalue] });
      } else {
        log(`ignored a ${type} message`);
      }
    } catch (e) {
      // A handler bug must not take the kernel down; the request gets an error reply.
      log(`${type} failed: ${(e as Error).stack ?? String(e)}`);
      const evalue = `internal kernel error: ${(e as Error).message}`;
      if (type.endsWith("_request")) {
        await this.reply(channel, msg, type.replace(/_request$/, "_reply"), { status: "error", ename: "KernelError", evalue, traceback: [evalue] });
      }
    } finally {
      await this.k.transport.publish(msg, "status", { execution_state: "idle" });
      this.handled();
    }
    return result;
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        const { aborted, afterIdle } = await this.handle(next.channel, next.msg);
        for (const a of aborted) await this.abort(a);
        await afterIdle?.().catch((e: unknown) => log(`after-cell work failed: ${String(e)}`));
      }
    } finally {
      this.running = false;
    }
  }

  /** Takes the execute_requests received so far out of the queue, for a failed cell to abort
   * before its reply goes out (so nothing sent after the client saw the reply is aborted).
   * Two turns of the event loop first: requests that arrived while a synchronous cell blocked
   * the loop are still in the socket's buffer, and must count as queued. */
  async takeQueued(): Promise<Queued[]> {
    await nextTurn();
    await nextTurn();
    return this.queue.splice(0);
  }

  private async abort({ channel, msg }: Queued): Promise<void> {
    await this.k.transport.publish(msg, "status", { execution_state: "busy" });
    await this.reply(channel, msg, "execute_reply", { status: "aborted" }, { status: "aborted" });
    await this.k.transport.publish(msg, "status", { execution_state: "idle" });
  }
}
