// What must not break the kernel: failed cells and queued requests (stop_on_error), interrupts,
// forged or malformed messages; and a clean shutdown.

import { strict as assert } from "node:assert";
import { KernelClient, Reply, resultOf } from "./client";
import { DELIMITER, encode } from "../src/protocol/wire";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zmq from "zeromq";

async function waitForFile(file: string, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${file} never appeared`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("kernel robustness", function () {
  let k: KernelClient;
  before(async () => {
    k = await KernelClient.start();
  });
  after(async () => {
    // A graceful shutdown, so each test leaves no kernel process behind.
    if (k) assert.equal((await k.shutdown()).exitCode, 0);
  });

  it("aborts only the requests queued before a failure (stop_on_error)", async () => {
    // The failing cell blocks the event loop for a while, so the next two requests are sent
    // before it fails; the third is sent after its reply and must run.
    const failing = k.execute("const t0 = Date.now(); while (Date.now() - t0 < 300) {}\nthrow new Error('fail')");
    const queued1 = k.execute("'q1'");
    const queued2 = k.execute("'q2'");
    const [f, q1, q2] = await Promise.all([failing, queued1, queued2]);
    assert.equal((f.reply.content as any).status, "error");
    assert.deepEqual(q1.reply.content, { status: "aborted" });
    assert.deepEqual(q2.reply.content, { status: "aborted" });
    const after = await k.execute("'after'");
    assert.deepEqual(resultOf(after), { "text/plain": "'after'" });
  });

  it("does not abort queued requests when stop_on_error is false", async () => {
    const failing = k.execute("await new Promise((ok) => setTimeout(ok, 200)); throw new Error('soft')", { stop_on_error: false });
    const next = k.execute("'runs'");
    const [f, n] = await Promise.all([failing, next]);
    assert.equal((f.reply.content as any).status, "error");
    assert.deepEqual(resultOf(n), { "text/plain": "'runs'" });
  });

  it("stops a busy synchronous loop on SIGINT and keeps working", async () => {
    // The cell writes a marker file once its loop is about to spin, so the signal is sent while
    // the loop runs. (Node loses a SIGINT that lands in the microseconds where vm starts its
    // SIGINT watchdog; a second interrupt then works. Users press interrupt well into a loop.)
    const marker = path.join(k.dir, `spinning-${Date.now()}`);
    const running = k.execute(`require("fs").writeFileSync(${JSON.stringify(marker)}, "1");\nlet spins = 0;\nwhile (true) { spins++; }`);
    await waitForFile(marker);
    k.proc.kill("SIGINT");
    const r = await running;
    const c = r.reply.content as any;
    assert.equal(c.status, "error");
    assert.equal(c.ename, "Interrupted");
    assert.deepEqual(c.traceback, ["Interrupted: the kernel was interrupted"]);
    assert.deepEqual(resultOf(await k.execute("21 * 2")), { "text/plain": "42" });
  });

  it("after interrupting a training loop, autodiff, tidy and new tensors work as before", async () => {
    // The interrupt terminates the script inside the library (noGrad, backward, a layer's
    // scope) without its finally blocks; the kernel has the core put its state back.
    const marker = path.join(k.dir, `training-${Date.now()}`);
    const running = k.execute(
      [
        "const wi = randn([64, 64]).requiresGrad_();",
        "const mi = new nn.Sequential(new nn.Linear(64, 64), new nn.ReLU(), new nn.Linear(64, 1));",
        "const oi = new optim.SGD(mi.parameters(), { lr: 1e-4 });",
        `require("fs").writeFileSync(${JSON.stringify(marker)}, "1");`,
        "while (true) { noGrad(() => mi.forward(wi)); const l = mi.forward(wi).sum(); oi.zeroGrad(); l.backward(); oi.step(); }",
      ].join("\n"),
    );
    await waitForFile(marker);
    await new Promise((r) => setTimeout(r, 300));
    k.proc.kill("SIGINT");
    assert.equal(((await running).reply.content as any).ename, "Interrupted");
    const after = await k.execute(
      [
        'const ai = tensor([[1, 2], [3, 4]], { dtype: "float32" }).requiresGrad_();',
        "ai.matmul(ai).sum().backward();",
        "const kept = tidy(() => ai.mul(2));",
        "[...(await ai.grad!.data()), kept.isDisposed, (await mi.forward(wi).data()).length]",
      ].join("\n"),
    );
    assert.deepEqual(resultOf(after), { "text/plain": "[ 7, 11, 9, 13, false, 64 ]" });
  });

  it("interrupt_request stops a loop of plain JavaScript (no op to notice it: SIGINT follows)", async () => {
    const marker = path.join(k.dir, `plain-${Date.now()}`);
    const running = k.execute(`require("fs").writeFileSync(${JSON.stringify(marker)}, "1");\nlet n = 0;\nwhile (true) { n++; }`);
    await waitForFile(marker);
    await new Promise((r) => setTimeout(r, 100));
    const ir = await k.request("interrupt_request", {}, { channel: "control" });
    assert.deepEqual(ir.reply.content, { status: "ok" });
    assert.equal(((await running).reply.content as any).ename, "Interrupted");
    assert.deepEqual(resultOf(await k.execute("6 * 7")), { "text/plain": "42" });
  });

  it("interrupt_request stops a WebGPU training loop at an op boundary, again and again", async function () {
    // Terminating the script inside Dawn's native module aborted the process in about 1 of 4
    // tries; the control thread's flag stops the loop with an ordinary exception instead.
    this.timeout(120_000);
    const setup = await k.execute(
      [
        'await setBackend("webgpu");',
        "const wg = randn([64, 64]).requiresGrad_();",
        "const mg = new nn.Sequential(new nn.Linear(64, 64), new nn.ReLU(), new nn.Linear(64, 1));",
        "const og = new optim.Adam(mg.parameters(), { lr: 1e-4 });",
        "getBackend()",
      ].join("\n"),
    );
    assert.deepEqual(resultOf(setup), { "text/plain": "'webgpu'" });
    for (let round = 0; round < 4; round++) {
      const marker = path.join(k.dir, `gpu-${round}-${Date.now()}`);
      const running = k.execute(
        `require("fs").writeFileSync(${JSON.stringify(marker)}, "1");\n` +
          "while (true) { noGrad(() => mg.forward(wg)); const l = mg.forward(wg).sum(); og.zeroGrad(); l.backward(); og.step(); }",
      );
      await waitForFile(marker);
      await new Promise((r) => setTimeout(r, 200 + 150 * round));
      await k.request("interrupt_request", {}, { channel: "control" });
      const c = (await running).reply.content as any;
      assert.equal(c.ename, "Interrupted", JSON.stringify(c));
    }
    const after = await k.execute(
      [
        'const ag = tensor([[1, 2], [3, 4]], { dtype: "float32" }).requiresGrad_();',
        "ag.matmul(ag).sum().backward();",
        "[...(await ag.grad!.data()), (await mg.forward(wg).data()).length]",
      ].join("\n"),
    );
    assert.deepEqual(resultOf(after), { "text/plain": "[ 7, 11, 9, 13, 64 ]" });
    assert.deepEqual(resultOf(await k.execute('await setBackend("cpu")')), { "text/plain": "'cpu'" });
  });

  it("stops a pending top-level await on interrupt_request", async () => {
    const running = k.execute("await new Promise(() => {}); 'never'");
    await k.waitForIopub((m) => m.header.msg_type === "execute_input" && (m.content as any).code.startsWith("await new Promise(() => {})"));
    const ir = await k.request("interrupt_request", {}, { channel: "control" });
    assert.deepEqual(ir.reply.content, { status: "ok" });
    const c = (await running).reply.content as any;
    assert.equal(c.ename, "Interrupted");
    assert.deepEqual(resultOf(await k.execute("'alive'")), { "text/plain": "'alive'" });
  });

  it("rejects messages with a wrong or missing signature", async () => {
    const forged = k.message("execute_request", { code: "globalThis.forged = true; 1", silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
    const frames = encode(forged, k.signer);
    const sigAt = frames.findIndex((f) => f.toString() === DELIMITER) + 1;
    const wrong = frames.slice();
    wrong[sigAt] = Buffer.from("0".repeat(64));
    await k.sendFrames("shell", wrong);
    const missing = frames.slice();
    missing[sigAt] = Buffer.alloc(0);
    await k.sendFrames("shell", missing);
    const shortSig = frames.slice();
    shortSig[sigAt] = Buffer.from("abc");
    await k.sendFrames("shell", shortSig);
    // Messages are handled in order: once this reply is back, the forged ones were seen.
    const check = await k.execute("typeof (globalThis as any).forged");
    assert.deepEqual(resultOf(check), { "text/plain": "'undefined'" });
    assert.equal(k.outputOf(forged.header.msg_id).length, 0);
    assert.match(k.stderr, /invalid signature/);
  });

  it("survives malformed messages: missing frames, bad JSON, no delimiter, bad header", async () => {
    const good = encode(k.message("kernel_info_request", {}), k.signer);
    const at = good.findIndex((f) => f.toString() === DELIMITER);
    await k.sendFrames("shell", good.slice(0, at + 3));
    await k.sendFrames("shell", [Buffer.from("no delimiter"), Buffer.from("{}")]);
    const badJson = [Buffer.from("{not json"), Buffer.from("{}"), Buffer.from("{}"), Buffer.from("{}")];
    await k.sendFrames("shell", [Buffer.from(DELIMITER), Buffer.from(k.signer.sign(badJson)), ...badJson]);
    const noType = [Buffer.from('{"msg_id": "x"}'), Buffer.from("{}"), Buffer.from("{}"), Buffer.from("{}")];
    await k.sendFrames("control", [Buffer.from(DELIMITER), Buffer.from(k.signer.sign(noType)), ...noType]);
    const arrays = [Buffer.from("[]"), Buffer.from("{}"), Buffer.from("{}"), Buffer.from("{}")];
    await k.sendFrames("shell", [Buffer.from(DELIMITER), Buffer.from(k.signer.sign(arrays)), ...arrays]);
    // Each channel handles its messages in order: these replies come after the bad ones.
    const r: Reply = await k.request("kernel_info_request", {});
    assert.equal((r.reply.content as any).status, "ok");
    const rc: Reply = await k.request("kernel_info_request", {}, { channel: "control" });
    assert.equal((rc.reply.content as any).status, "ok");
    assert.match(k.stderr, /expected 5 frames after the delimiter/);
    assert.match(k.stderr, /no <IDS\|MSG> delimiter/);
    assert.match(k.stderr, /header is not valid JSON/);
    assert.match(k.stderr, /header lacks msg_type or msg_id/);
    assert.match(k.stderr, /header is not a JSON object/);
  });

  it("answers comm_info, and a comm_open to an unknown target with comm_close", async () => {
    const open = await k.notify("comm_open", { comm_id: "c-unknown", target_name: "no.such.target", data: {} });
    const close = open.find((m) => m.header.msg_type === "comm_close");
    assert.ok(close, "comm_close for the unknown target");
    assert.equal((close.content as any).comm_id, "c-unknown");
    const info = (await k.request("comm_info_request", {})).reply;
    assert.equal(info.header.msg_type, "comm_info_reply");
    assert.deepEqual(info.content, { status: "ok", comms: {} });
  });
});

describe("kernel heartbeat", function () {
  it("echoes heartbeats while a synchronous cell holds the main thread", async () => {
    const k = await KernelClient.start();
    const hb = new zmq.Request({ linger: 0 });
    try {
      hb.connect(`tcp://127.0.0.1:${k.conn.hb_port}`);
      const marker = path.join(k.dir, `busy-${Date.now()}`);
      let cellDone = false;
      // The cell spins until the test has had its echo (a file the test writes), so the echo
      // can only have come while the cell held the main thread.
      const release = path.join(k.dir, `release-${Date.now()}`);
      const running = k
        .execute(`const fs = require("fs");\nfs.writeFileSync(${JSON.stringify(marker)}, "1");\nwhile (!fs.existsSync(${JSON.stringify(release)})) {}\n"done"`)
        .then((r) => ((cellDone = true), r));
      await waitForFile(marker);
      await hb.send("ping-while-busy");
      const [echo] = await hb.receive();
      assert.equal(echo.toString(), "ping-while-busy");
      assert.equal(cellDone, false, "the cell was still running when the echo came");
      fs.writeFileSync(release, "1");
      assert.deepEqual(resultOf(await running), { "text/plain": "'done'" });
    } finally {
      hb.close();
      assert.equal((await k.shutdown()).exitCode, 0);
    }
  });

  it("lets a cell end the kernel with process.exit, with its exit code (heartbeat closed first)", async () => {
    // zeromq aborted now and then when a worker's open socket was torn down by process.exit.
    for (let i = 0; i < 3; i++) {
      const k = await KernelClient.start();
      void k.execute("process.exit(3)").catch(() => undefined);
      assert.equal(await k.exited, 3, k.stderr);
      k.close();
    }
  });
});

describe("kernel shutdown", function () {
  it("replies with the restart flag and exits with code 0", async () => {
    const k = await KernelClient.start();
    const { reply, exitCode } = await k.shutdown(true);
    assert.deepEqual(reply.content, { status: "ok", restart: true });
    assert.equal(exitCode, 0);
    const published = k.allIopub.find((m) => m.header.msg_type === "shutdown_reply");
    assert.deepEqual(published?.content, { status: "ok", restart: true });
  });
});
