// One handler per request type the kernel answers; the table's type makes a missing handler a
// compile error. Each handler sends its own reply (execute may also stream output first).

import type { Message } from "./protocol/wire";
import { PROTOCOL_VERSION } from "./protocol/wire";
import type { RequestChannel } from "./protocol/transport";
import type { Session } from "./session";
import { execute, ExecuteResult } from "./execute";
import { ts } from "./language/tslab";
import { KERNEL_VERSION } from "./version";
import { mark } from "./trace";

const REQUEST_TYPES = [
  "kernel_info_request",
  "execute_request",
  "complete_request",
  "inspect_request",
  "is_complete_request",
  "history_request",
  "comm_info_request",
  "comm_open",
  "comm_msg",
  "comm_close",
  "interrupt_request",
  "shutdown_request",
] as const;

export type RequestType = (typeof REQUEST_TYPES)[number];

export function isRequestType(t: string): t is RequestType {
  return (REQUEST_TYPES as readonly string[]).includes(t);
}

type Handler = (s: Session, msg: Message, channel: RequestChannel) => Promise<ExecuteResult | void> | ExecuteResult | void;

const str = (x: unknown) => (typeof x === "string" ? x : "");
const int = (x: unknown, fallback: number) => (typeof x === "number" && Number.isInteger(x) ? x : fallback);

function kernelInfo() {
  const version = KERNEL_VERSION;
  return {
    status: "ok",
    protocol_version: PROTOCOL_VERSION,
    implementation: "tsdl",
    implementation_version: version,
    language_info: {
      name: "typescript",
      version: ts.version,
      mimetype: "text/typescript",
      file_extension: ".ts",
      codemirror_mode: { name: "javascript", typescript: true },
      pygments_lexer: "typescript",
    },
    banner: `tsdl ${version}: TypeScript ${ts.version} on Node.js ${process.versions.node}, with @tsdl/core preloaded`,
    help_links: [],
    debugger: false,
  };
}

export const handlers: { [T in RequestType]: Handler } = {
  kernel_info_request: (s, msg, ch) => s.reply(ch, msg, "kernel_info_reply", kernelInfo()).then(() => mark("kernel_info_reply sent")),

  execute_request: (s, msg, ch) => execute(s, msg, ch),

  complete_request: async (s, msg, ch) => {
    await s.k.ready;
    const code = str(msg.content.code);
    return s.reply(ch, msg, "complete_reply", s.k.assist.complete(code, int(msg.content.cursor_pos, [...code].length)));
  },

  inspect_request: async (s, msg, ch) => {
    await s.k.ready;
    const code = str(msg.content.code);
    return s.reply(ch, msg, "inspect_reply", s.k.assist.inspect(code, int(msg.content.cursor_pos, [...code].length)));
  },

  is_complete_request: (s, msg, ch) => s.reply(ch, msg, "is_complete_reply", s.k.assist.isComplete(str(msg.content.code))),

  history_request: (s, msg, ch) => s.reply(ch, msg, "history_reply", { status: "ok", history: s.k.history.query(msg.content) }),

  comm_info_request: (s, msg, ch) => s.reply(ch, msg, "comm_info_reply", s.k.comms.info(msg.content.target_name)),

  comm_open: (s, msg) => s.k.comms.handleOpen(msg),
  comm_msg: (s, msg) => s.k.comms.handleMessage(msg),
  comm_close: (s, msg) => s.k.comms.handleClose(msg),

  interrupt_request: async (s, msg, ch) => {
    s.k.executor.interrupt();
    await s.reply(ch, msg, "interrupt_reply", { status: "ok" });
  },

  shutdown_request: async (s, msg, ch) => {
    const restart = msg.content.restart === true;
    await s.reply(ch, msg, "shutdown_reply", { status: "ok", restart });
    // ipykernel also broadcasts the reply, so every frontend learns of the shutdown.
    await s.k.transport.publish(msg, "shutdown_reply", { status: "ok", restart });
    // After the idle status of this request has gone out.
    setImmediate(() => void s.k.shutdown());
  },
};
