// The kernel process over real ZeroMQ: replies, iopub sequences, results and errors.

import { strict as assert } from "node:assert";
import { KernelClient, outputs, resultOf, textOf } from "./client";

describe("kernel protocol", function () {
  let k: KernelClient;
  before(async () => {
    k = await KernelClient.start();
  });
  after(async () => {
    // A graceful shutdown, so each test leaves no kernel process behind.
    if (k) assert.equal((await k.shutdown()).exitCode, 0);
  });

  it("answers kernel_info with status ok and the embedded TypeScript version", async () => {
    const { reply, iopub } = await k.request("kernel_info_request", {});
    const c = reply.content as Record<string, any>;
    assert.equal(reply.header.msg_type, "kernel_info_reply");
    assert.equal(c.status, "ok");
    assert.equal(c.protocol_version, "5.3");
    assert.equal(c.implementation, "tsdl");
    assert.equal(c.language_info.name, "typescript");
    assert.equal(c.language_info.file_extension, ".ts");
    assert.equal(c.language_info.version, require("@tslab/typescript-for-tslab").version);
    assert.deepEqual(iopub.map((m) => (m.content as any).execution_state), ["busy", "idle"]);
  });

  it("brackets an execution with busy/idle and sends execute_input then execute_result", async () => {
    const r = await k.execute("1 + 1");
    assert.equal((r.reply.content as any).status, "ok");
    const types = r.iopub.map((m) => m.header.msg_type);
    assert.deepEqual(types, ["status", "execute_input", "execute_result", "status"]);
    const count = (r.reply.content as any).execution_count;
    assert.equal((r.iopub[1].content as any).code, "1 + 1");
    assert.equal((r.iopub[1].content as any).execution_count, count);
    assert.deepEqual((r.iopub[2].content as any).data, { "text/plain": "2" });
    assert.equal((r.iopub[2].content as any).execution_count, count);
    for (const m of r.iopub) assert.equal((m.parent_header as any).msg_id, r.reply.parent_header && (r.reply.parent_header as any).msg_id);
  });

  it("counts executions and keeps declarations across cells, with types", async () => {
    const a = await k.execute("const greeting: string = 'hello'; let n = 40;");
    const b = await k.execute("n + 2");
    assert.equal((b.reply.content as any).execution_count, (a.reply.content as any).execution_count + 1);
    assert.deepEqual(resultOf(b), { "text/plain": "42" });
    const c = await k.execute("greeting.toUpperCase()");
    assert.deepEqual(resultOf(c), { "text/plain": "'HELLO'" });
    const typeErr = await k.execute("const m: number = greeting;");
    assert.equal((typeErr.reply.content as any).ename, "TypeScriptError");
    assert.match((typeErr.reply.content as any).evalue, /Type 'string' is not assignable to type 'number'/);
  });

  it("carries every kind of top-level name to later cells, as module code runs them", async () => {
    const text = async (code: string) => {
      const r = await k.execute(code);
      assert.equal((r.reply.content as any).status, "ok", JSON.stringify(r.reply.content));
      return (resultOf(r) as Record<string, unknown> | null)?.["text/plain"];
    };
    // A let updated inside its own cell, by a function of that cell, and by later cells.
    assert.equal(await text("let counter = 0; function bump() { counter++; return counter; } bump(); counter"), "1");
    assert.equal(await text("bump(); counter"), "2");
    assert.equal(await text("counter += 5; counter++; counter"), "8");
    assert.equal(await text("let [p, q] = [1, 2]; [p, q] = [q, p]; [p, q]"), "[ 2, 1 ]");
    assert.equal(await text("[q, p]"), "[ 1, 2 ]");
    assert.equal(await text("enum Color { Red, Green = 'g' }\nnamespace Geo { export const origin = [0, 0]; }\nColor.Green"), "'g'");
    assert.equal(await text("[Color.Red, Color[0], Geo.origin.length]"), "[ 0, 'Red', 2 ]");
    assert.equal(await text("function tag<T>(c: T): T { (c as any).tagged = true; return c; }\n@tag class Box { v = 3 }\nnew Box().v"), "3");
    assert.equal(await text("[(Box as any).tagged, new Box().v]"), "[ true, 3 ]");
    assert.equal(await text("/** @module geom */\nexport function area(w: number, h: number) { return w * h; }"), undefined);
    assert.equal(await text('import { area } from "./geom"; area(3, 4)'), "12");
    assert.equal(await text("area(2, 5)"), "10");
  });

  it("streams stdout and stderr in order, before the result", async () => {
    const r = await k.execute('console.log("out 1"); console.error("err"); console.log("out 2"); "done"');
    const seq = outputs(r).map((m) => (m.header.msg_type === "stream" ? `${(m.content as any).name}:${(m.content as any).text}` : m.header.msg_type));
    assert.deepEqual(seq, ["stdout:out 1\n", "stderr:err\n", "stdout:out 2\n", "execute_result"]);
  });

  it("supports top-level await and shows nothing for undefined", async () => {
    const r = await k.execute("const v = await new Promise<number>((ok) => setTimeout(() => ok(7), 10)); v * 6");
    assert.deepEqual(resultOf(r), { "text/plain": "42" });
    const u = await k.execute("undefined");
    assert.equal(resultOf(u), null);
  });

  it("reports a runtime error on iopub and in the reply with the cell and line", async () => {
    const r = await k.execute('const ok = 1;\nthrow new RangeError("boom")');
    const c = r.reply.content as any;
    assert.equal(c.status, "error");
    assert.equal(c.ename, "RangeError");
    assert.equal(c.evalue, "boom");
    const head = `  cell ${c.execution_count}, line 2:  `;
    assert.deepEqual(c.traceback, [
      "RangeError: boom",
      `${head}throw new RangeError("boom")`,
      " ".repeat(head.length + "throw ".length) + "^".repeat('new RangeError("boom")'.length),
    ]);
    const err = outputs(r).filter((m) => m.header.msg_type === "error");
    assert.equal(err.length, 1);
    assert.deepEqual(err[0].content, { ename: "RangeError", evalue: "boom", traceback: c.traceback });
    // The kernel survives and the names declared before the throw exist.
    assert.deepEqual(resultOf(await k.execute("ok + 1")), { "text/plain": "2" });
  });

  it("rewrites + on two tensors into the method to use", async () => {
    await k.execute("const ta = tensor([1, 2]); const tb = tensor([3, 4]);");
    const r = await k.execute("const tc = ta + tb;");
    const c = r.reply.content as any;
    assert.equal(c.ename, "TypeScriptError");
    assert.equal(c.evalue, "Tensors do not support the + operator; write  ta.add(tb)  (or add(ta, tb)).");
    const head = `  cell ${c.execution_count}, line 1:  `;
    assert.deepEqual(c.traceback, [
      `TypeScriptError: ${c.evalue}`,
      `${head}const tc = ta + tb;`,
      " ".repeat(head.length + "const tc = ".length) + "^^^^^^^",
      `  ${c.evalue}`,
      "  (TypeScript: Operator '+' cannot be applied to types 'Tensor' and 'Tensor'.)",
    ]);
    const mul = (await k.execute("const td = ta * 2;")).reply.content as any;
    assert.equal(mul.evalue, "Tensors do not support the * operator; write  ta.mul(2)  (or mul(ta, 2)).");
  });

  it("honours silent: no output, no execution count", async () => {
    const before = (await k.execute("0")).reply.content as any;
    const r = await k.execute('console.log("hidden"); 5', { silent: true });
    assert.equal((r.reply.content as any).status, "ok");
    assert.deepEqual(r.iopub.map((m) => m.header.msg_type), ["status", "status"]);
    const after = (await k.execute("0")).reply.content as any;
    assert.equal(after.execution_count, before.execution_count + 1);
  });

  it("evaluates user_expressions after the code", async () => {
    const r = await k.execute("const ue = 20;", { user_expressions: { twice: "ue * 2", bad: "nope.x" } });
    const ue = (r.reply.content as any).user_expressions;
    assert.deepEqual(ue.twice, { status: "ok", data: { "text/plain": "40" }, metadata: {} });
    assert.equal(ue.bad.status, "error");
    assert.equal(ue.bad.ename, "TypeScriptError");
  });

  it("answers history_request for tail, range and search", async () => {
    const a = (await k.execute("const hist1 = 1")).reply.content as any;
    await k.execute("const hist2 = 2");
    const tail = (await k.request("history_request", { hist_access_type: "tail", n: 2, output: false, raw: true })).reply.content as any;
    assert.deepEqual(tail.history, [[1, a.execution_count, "const hist1 = 1"], [1, a.execution_count + 1, "const hist2 = 2"]]);
    const range = (await k.request("history_request", { hist_access_type: "range", session: 0, start: a.execution_count, stop: a.execution_count + 1, output: false, raw: true })).reply.content as any;
    assert.deepEqual(range.history, [[1, a.execution_count, "const hist1 = 1"]]);
    const search = (await k.request("history_request", { hist_access_type: "search", pattern: "const hist*", output: false, raw: true })).reply.content as any;
    assert.deepEqual(search.history.map((h: any) => h[2]), ["const hist1 = 1", "const hist2 = 2"]);
  });

  it("completes, inspects and judges completeness with the cells' types", async () => {
    await k.execute("const fooBarBaz1 = 1, fooBarBaz2 = 2;");
    const comp = (await k.request("complete_request", { code: "fooBarB", cursor_pos: 7 })).reply.content as any;
    assert.deepEqual(comp.matches.sort(), ["fooBarBaz1", "fooBarBaz2"]);
    assert.equal(comp.cursor_start, 0);
    assert.equal(comp.cursor_end, 7);
    const t = (await k.request("complete_request", { code: "tensor([1]).resh", cursor_pos: 16 })).reply.content as any;
    assert.ok(t.matches.includes("reshape"), `reshape in ${t.matches}`);
    const insp = (await k.request("inspect_request", { code: "Math.max", cursor_pos: 8, detail_level: 0 })).reply.content as any;
    assert.equal(insp.found, true);
    assert.match(insp.data["text/plain"], /max\(\.\.\.values: number\[\]\): number/);
    await k.execute("const it1 = tensor([[1, 2, 3]]);");
    const ti = (await k.request("inspect_request", { code: "it1", cursor_pos: 3, detail_level: 0 })).reply.content as any;
    assert.match(ti.data["text/plain"], /const it1: Tensor/);
    assert.match(ti.data["text/plain"], /it1: Tensor {2}shape \[1, 3\] {2}dtype int32 {2}device cpu/);
    const st = async (code: string) => ((await k.request("is_complete_request", { code })).reply.content as any).status;
    assert.equal(await st("1 + 1"), "complete");
    assert.equal(await st("function f() {"), "incomplete");
    assert.equal(await st("1 +* 2 )"), "invalid");
  });

  it("sends late async output to the cell that produced it", async () => {
    const first = await k.execute('setTimeout(() => console.log("late"), 150); "started"');
    const firstId = (first.reply.parent_header as any).msg_id;
    const second = await k.execute('await new Promise((ok) => setTimeout(ok, 400)); "second"');
    assert.equal(textOf(second), "");
    const late = await k.waitForIopub((m) => m.header.msg_type === "stream" && (m.content as any).text === "late\n");
    assert.equal((late.parent_header as any).msg_id, firstId);
  });

  it("reports an error thrown later by a callback in its cell, and keeps running", async () => {
    const r = await k.execute('setTimeout(() => { throw new TypeError("later") }, 10); "scheduled"');
    const id = (r.reply.parent_header as any).msg_id;
    const m = await k.waitForIopub((x) => (x.parent_header as any).msg_id === id && x.header.msg_type === "stream" && /later/.test((x.content as any).text));
    assert.match((m.content as any).text, /^Uncaught error in a callback: TypeError: later/);
    assert.deepEqual(resultOf(await k.execute("3 * 3")), { "text/plain": "9" });
  });

  it("answers unknown requests with an error reply and ignores other unknown types", async () => {
    const r = await k.request("frobnicate_request", {});
    assert.equal(r.reply.header.msg_type, "frobnicate_reply");
    assert.equal((r.reply.content as any).status, "error");
  });
});
