// execute_request, as ipykernel answers it: execute_input, output in order, execute_result (a
// MIME bundle) or an iopub error, then execute_reply with the same error fields; silent,
// store_history and user_expressions honoured.

import type { Json, Message } from "./protocol/wire";
import type { RequestChannel } from "./protocol/transport";
import { CellOutput, cellContext } from "./output";
import { toBundle } from "./display/ladder";
import { ErrorReport, reportRuntimeError } from "./errors/report";
import { reportDiagnostics } from "./errors/diagnostics";
import { isInterrupt, type RunOutcome } from "./language/executor";
import type { Queued, Session } from "./session";
import { mark } from "./trace";

interface ExecuteContent {
  code?: unknown;
  silent?: unknown;
  store_history?: unknown;
  user_expressions?: unknown;
  stop_on_error?: unknown;
}

export interface ExecuteResult {
  /** Requests to answer "aborted": those queued when the cell failed with stop_on_error. */
  aborted: Queued[];
  /** Work to do once the idle status is out, before the next request (see afterCell). */
  afterIdle?: () => Promise<void>;
}

/**
 * After a cell, once its idle status is out: tensors it made that nothing reaches any more
 * (intermediates, results not kept in a variable) are freed now, so a notebook never needs
 * tidy() or dispose(); V8 decides reachability, so a tensor held by a closure or an array stays.
 * Only when the cell left more live buffers than it found: a full collection costs tens of
 * milliseconds. Open inspectors then get the memory that is really in use.
 */
function afterCell(s: Session, msg: Message, buffersBefore: number): () => Promise<void> {
  return async () => {
    const core = s.k.preload.core;
    if (!core?.collectGarbage || (core.memory?.().buffers ?? 0) <= buffersBefore) return;
    await core.collectGarbage();
    s.k.inspector.refresh(msg);
  };
}

/**
 * An interrupt terminates the cell's script where it was, without running the library's
 * finally blocks (grad mode, tidy scopes, a jit trace, a WebGPU batch half recorded): the core
 * puts them back, and says so when GPU work queued just before was dropped.
 */
async function recoverCore(s: Session, out: CellOutput): Promise<void> {
  const recovery = await s.k.preload.core?.recoverAfterInterrupt?.();
  if (recovery?.lostWork.length) {
    out.send("stream", {
      name: "stderr",
      text:
        "tsdl: the GPU work queued just before the interrupt was dropped; tensors it was computing " +
        "(e.g. parameters in an interrupted opt.step()) may hold stale values.\n",
    });
  }
}

function report(s: Session, outcome: Exclude<RunOutcome, { kind: "ok" }>): ErrorReport {
  if (outcome.kind === "diagnostics") {
    return reportDiagnostics(outcome.diagnostics, outcome.cell, (offset) => s.k.assist.typeAt(outcome.cell.source, offset));
  }
  return reportRuntimeError(outcome.error, { cells: s.k.executor.cells, isNamespace: (e) => s.k.preload.isNamespace(e), valueOf: (e) => s.k.preload.valueOf(e) });
}

async function userExpressions(s: Session, exprs: unknown): Promise<Json> {
  const out: Json = {};
  if (!exprs || typeof exprs !== "object") return out;
  const silent = new CellOutput(null, true, s.k.transport);
  for (const [key, code] of Object.entries(exprs as Json)) {
    if (typeof code !== "string") continue;
    const outcome = await cellContext.run(silent, () => s.k.executor.run(code, { executionCount: null, keepDeclarations: true }));
    if (outcome.kind === "ok") {
      const b = await toBundle(outcome.value);
      out[key] = { status: "ok", data: b.data, metadata: b.metadata };
    } else {
      const r = report(s, outcome);
      out[key] = { status: "error", ename: r.ename, evalue: r.evalue, traceback: r.traceback };
    }
  }
  return out;
}

export async function execute(s: Session, msg: Message, channel: RequestChannel): Promise<ExecuteResult> {
  const c = msg.content as ExecuteContent;
  const code = typeof c.code === "string" ? c.code : "";
  const silent = c.silent === true;
  const storeHistory = !silent && c.store_history !== false;
  const stopOnError = c.stop_on_error !== false;
  if (storeHistory) s.executionCount += 1;
  const count = s.executionCount;
  mark("execute: waiting for ready");
  await s.k.ready;
  mark("execute: ready");
  const buffersBefore = s.k.preload.core?.memory?.().buffers ?? 0;
  const out = new CellOutput(msg, silent, s.k.transport);
  const entry = storeHistory ? s.k.history.add(count, code) : null;
  // The cell counts as running before execute_input goes out (executor.begin says why), and
  // the run starts with no await in between, so an interrupt sent by a client that saw
  // execute_input reaches this cell.
  s.k.executor.begin();
  out.send("execute_input", { code, execution_count: count });
  const outcome = await cellContext.run(out, () => s.k.executor.run(code, { executionCount: storeHistory ? count : null }));

  mark("execute: ran");
  let reply: Json;
  if (outcome.kind === "ok") {
    if (outcome.hasValue) {
      const bundle = toBundle(outcome.value);
      out.send("execute_result", bundle.then((b) => ({ execution_count: count, data: b.data, metadata: b.metadata })));
      if (entry) entry.output = String((await bundle).data["text/plain"] ?? "");
    }
    reply = { status: "ok", execution_count: count, user_expressions: await userExpressions(s, c.user_expressions), payload: [] };
  } else {
    if (outcome.kind === "error" && isInterrupt(outcome.error)) await recoverCore(s, out);
    const r = report(s, outcome);
    if (r.display) out.send("display_data", { ...r.display, transient: {} });
    out.send("error", { ename: r.ename, evalue: r.evalue, traceback: r.traceback });
    reply = { status: "error", execution_count: count, ename: r.ename, evalue: r.evalue, traceback: r.traceback };
  }
  await out.flushed();
  const aborted = reply.status === "error" && stopOnError ? await s.takeQueued() : [];
  await s.reply(channel, msg, "execute_reply", reply, { status: reply.status });
  mark("execute_reply sent");
  if (!silent) s.k.inspector.afterExecute(msg, code);
  return { aborted, afterIdle: silent ? undefined : afterCell(s, msg, buffersBefore) };
}
