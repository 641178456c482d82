// The preloaded core in the real kernel: tensor display, display(), friendly shape errors
// (exact text), and the tsdl.inspector comm.

import { strict as assert } from "node:assert";
import { KernelClient, Reply, outputs, resultOf } from "./client";
import { mayHaveGpu } from "../src/gpuPresence";

function caretLine(head: string, sourceBefore: string, underlined: string): string {
  return " ".repeat(head.length + sourceBefore.length) + "^".repeat(underlined.length);
}

describe("tensors in the kernel", function () {
  let k: KernelClient;
  before(async () => {
    k = await KernelClient.start();
  });
  after(async () => {
    // A graceful shutdown, so each test leaves no kernel process behind.
    if (k) assert.equal((await k.shutdown()).exitCode, 0);
  });

  it("shows a tensor as text, HTML and tensor JSON, reading it back itself", async () => {
    const r = await k.execute("const x = tensor([[1, 2, 3], [4, 5, 6]]);\nx");
    const data = resultOf(r) as Record<string, any>;
    assert.equal(data["text/plain"], "tensor([[1, 2, 3],\n        [4, 5, 6]], shape=[2, 3], dtype=int32, device=cpu)");
    assert.match(data["text/html"], /Tensor · shape \[2, 3\] · int32 · cpu/);
    assert.match(data["text/html"], /<td>6<\/td>/);
    assert.deepEqual(data["application/vnd.tsdl.tensor+json"], {
      shape: [2, 3], dtype: "int32", device: "cpu", values: [[1, 2, 3], [4, 5, 6]], truncated: false,
      stats: { min: 1, max: 6, mean: 3.5 },
    });
  });

  it("truncates big tensors with ... in text and a corner in JSON", async () => {
    const data = resultOf(await k.execute("arange(5000).reshape([50, 100])")) as Record<string, any>;
    assert.match(data["text/plain"], /\.\.\./);
    const json = data["application/vnd.tsdl.tensor+json"];
    assert.equal(json.truncated, true);
    assert.deepEqual(json.shape, [50, 100]);
    assert.deepEqual(json.shownShape, [25, 25]);
    assert.equal(json.values.length, 25);
    assert.deepEqual(json.values[1].slice(0, 3), [100, 101, 102]);
    assert.deepEqual(json.stats, { min: 0, max: 4999, mean: 2499.5 });
  });

  it("display() shows tensors mid-cell, in order with printed text", async () => {
    const r = await k.execute('display(tensor([true, false]));\nconsole.log("between");\ndisplay.html("<b>hi</b>");\n7');
    const seq = outputs(r).map((m) => m.header.msg_type);
    assert.deepEqual(seq, ["display_data", "stream", "display_data", "execute_result"]);
    const first = (outputs(r)[0].content as any).data;
    assert.deepEqual(first["application/vnd.tsdl.tensor+json"].values, [true, false]);
    assert.deepEqual((outputs(r)[2].content as any).data, { "text/html": "<b>hi</b>", "text/plain": "hi" });
  });

  it("shows core progress bars as one output updated in place, live during a busy loop", async () => {
    const r = await k.execute("for (const i of progress(range(4), { desc: 'train' })) {\n  const t = Date.now();\n  while (Date.now() - t < 150) {}\n}");
    const msgs = outputs(r);
    assert.equal(msgs[0].header.msg_type, "display_data");
    const id = (msgs[0].content as any).transient.display_id;
    assert.equal(typeof id, "string");
    const updates = msgs.filter((m) => m.header.msg_type === "update_display_data");
    assert.ok(updates.length >= 3, `${updates.length} updates`);
    for (const u of updates) assert.equal((u.content as any).transient.display_id, id);
    const last = (updates[updates.length - 1].content as any).data;
    assert.match(last["text/plain"], /^train 100% \|█+\| 4\/4 /);
    // Updates arrived while the loop ran, not all at its end.
    const spread = k.arrivedAt.get(updates[updates.length - 1].header.msg_id)! - k.arrivedAt.get(updates[0].header.msg_id)!;
    assert.ok(spread > 250, `updates arrived within ${spread.toFixed(0)} ms`);
  });

  it("sends printed text during a busy loop, not only at its end", async () => {
    const r = await k.execute("for (let i = 0; i < 3; i++) {\n  console.log(`step ${i}`);\n  const t = Date.now();\n  while (Date.now() - t < 150) {}\n}");
    const streams = outputs(r).filter((m) => m.header.msg_type === "stream");
    assert.equal(streams.map((m) => (m.content as any).text).join(""), "step 0\nstep 1\nstep 2\n");
    assert.ok(streams.length >= 2, "text left in pieces while the loop ran");
    const spread = k.arrivedAt.get(streams[streams.length - 1].header.msg_id)! - k.arrivedAt.get(streams[0].header.msg_id)!;
    assert.ok(spread > 150, `stream pieces arrived within ${spread.toFixed(0)} ms`);
  });

  it("imports of @tsdl/core give the preloaded objects", async () => {
    const r = await k.execute('import { tensor as t2, Tensor as T2 } from "@tsdl/core";\nt2([1]) instanceof Tensor && tensor([1]) instanceof T2');
    assert.deepEqual(resultOf(r), { "text/plain": "true" });
  });

  it("starts on the cpu backend without loading WebGPU where no GPU device exists, and loads it on request", async () => {
    const info = async () => JSON.parse((resultOf(await k.execute("JSON.stringify({ current: getBackend(), webgpu: backendInfo().webgpu })")) as any)["text/plain"].slice(1, -1));
    const start = await info();
    if (!mayHaveGpu()) {
      // No adapter probe ran: the core knows of no WebGPU adapter yet.
      assert.deepEqual(start, { current: "cpu", webgpu: null });
      const r = await k.execute('await setBackend("webgpu");\nconst g = tensor([1, 2]).mul(2);\nawait setBackend("cpu");\ng');
      assert.match((resultOf(r) as any)["text/plain"], /^tensor\(\[2, 4\], .*device=webgpu\)$/);
      assert.equal((await info()).current, "cpu");
    } else {
      assert.ok(["cpu", "webgpu"].includes(start.current));
    }
  });

  it("types preloaded names by the core's own names, generics and namespaces included", async () => {
    const r = await k.execute("const lin: nn.Linear = new nn.Linear(2, 3);\nconst dt: DType = \"float32\";\nconst w: Tensor = lin.weight;\n[w.shape, dt]");
    assert.deepEqual(resultOf(r), { "text/plain": "[ [ 3, 2 ], 'float32' ]" });
    const bad = (await k.execute("const q: number = zeros([2]);")).reply.content as any;
    assert.equal(bad.evalue, "Type 'Tensor' is not assignable to type 'number'.");
    const insp = (await k.request("inspect_request", { code: "zeros", cursor_pos: 5, detail_level: 0 })).reply.content as any;
    assert.match(insp.data["text/plain"], /^\(alias\) function zeros\(shape: number\[\], options\?: CreateOptions\): Tensor/);
    assert.doesNotMatch(insp.data["text/plain"], /__tsdl_core|import zeros/);
  });

  it("lets a cell rebind a preloaded name, and later cells see the user's value", async () => {
    assert.deepEqual(resultOf(await k.execute("const eye = 41;\neye + 1")), { "text/plain": "42" });
    assert.deepEqual(resultOf(await k.execute("eye * 2")), { "text/plain": "82" });
    // The core's function is still there for code that imports it.
    assert.deepEqual(resultOf(await k.execute('import { eye as coreEye } from "@tsdl/core";\ncoreEye(2).shape')), { "text/plain": "[ 2, 2 ]" });
  });

  it("runs vmap and jacobian in a cell; a tensor kept from inside a vmap prints why it has no values", async () => {
    const sums = resultOf(await k.execute("vmap((v: Tensor) => v.square().sum())(tensor([[1, 2], [3, 4]]))")) as Record<string, any>;
    assert.deepEqual(sums["application/vnd.tsdl.tensor+json"].values, [5, 25]);
    const jac = resultOf(await k.execute("jacobian((v: Tensor) => v.square())(tensor([1, 3], { dtype: 'float32' }))")) as Record<string, any>;
    assert.deepEqual(jac["application/vnd.tsdl.tensor+json"].values, [[2, 0], [0, 6]]);
    const leak = resultOf(await k.execute("let escaped: any = null;\nvmap((v: Tensor) => (escaped = v.mul(2)))(tensor([[1, 2]]));\nescaped")) as Record<string, any>;
    assert.match(leak["text/plain"], /shape \[2\] per example, int32, batched over 1 examples by vmap\)\n\(a tensor made inside vmap .* was used after the vmap call returned/);
    assert.equal((resultOf(await k.execute("escaped.shape.length + 1")) as Record<string, any>)["text/plain"], "2");
  });

  it("shows nn.summary as a table and heatmap() as SVG", async () => {
    const table = resultOf(await k.execute("nn.summary(new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU()), [4, 2])")) as Record<string, any>;
    assert.match(table["text/html"], /<table class="tsdl-summary">/);
    assert.match(table["text/plain"], /layers\.0: Linear +\[4, 3\] +9/);
    const picture = resultOf(await k.execute("await heatmap(ones([3, 3]).tril(), { title: 'lower triangle' })")) as Record<string, any>;
    assert.match(picture["image/svg+xml"], /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.equal(picture["text/plain"], 'Heatmap(3x3, "lower triangle")');
  });

  describe("shape errors", () => {
    async function fail(code: string): Promise<{ c: any; r: Reply; head: (line: number) => string }> {
      const r = await k.execute(code);
      const c = r.reply.content as any;
      assert.equal(c.status, "error", JSON.stringify(c));
      return { c, r, head: (line) => `  cell ${c.execution_count}, line ${line}:  ` };
    }

    it("explains a matmul mismatch with the user's names and fixes", async () => {
      const { c, r, head } = await fail("const a = tensor([[1, 2]]);\nconst w = tensor([[1, 2]]);\nconst y = a.matmul(w);");
      assert.equal(c.ename, "ShapeError");
      assert.equal(c.evalue, "cannot matmul a (shape [1, 2]) with w (shape [1, 2])");
      assert.deepEqual(c.traceback, [
        "ShapeError: cannot matmul a (shape [1, 2]) with w (shape [1, 2])",
        `${head(3)}const y = a.matmul(w);`,
        caretLine(head(3), "const y = ", "a.matmul(w)"),
        "  matmul needs a's last dim (2) to equal w's second-to-last dim (1).",
        "  Did you mean  a.matmul(w.T)  -> [1, 1]   or   a.T.matmul(w)  -> [2, 2]?",
      ]);
      const rich = outputs(r).find((m) => m.header.msg_type === "display_data");
      const detail = (rich?.content as any).data["application/vnd.tsdl.shape-error+json"];
      assert.equal(detail.op, "matmul");
      assert.deepEqual(detail.operands.map((o: any) => [o.role, o.expr, o.shape]), [["left", "a", [1, 2]], ["right", "w", [1, 2]]]);
      assert.deepEqual(detail.location, { line: 3, column: 11, source: "const y = a.matmul(w);" });
      assert.equal((rich?.content as any).data["text/plain"], "");
      // The text is sent once, as the error; the rich bundle comes just before it.
      assert.deepEqual(outputs(r).map((m) => m.header.msg_type), ["display_data", "error"]);
    });

    it("explains a broadcast mismatch, naming operand expressions", async () => {
      const { c, head } = await fail("const m = ones([2, 3]);\nconst s = m.add(tensor([1, 2]));");
      assert.deepEqual(c.traceback, [
        "ShapeError: cannot add m (shape [2, 3]) with tensor([1, 2]) (shape [2])",
        `${head(2)}const s = m.add(tensor([1, 2]));`,
        caretLine(head(2), "const s = ", "m.add(tensor([1, 2]))"),
        "  Broadcasting lines shapes up from the right; each pair of dims must be equal or one of them 1. At axis -1, m has 3 and tensor([1, 2]) has 2.",
        "  Did you mean  m.add(tensor([1, 2]).reshape([2, 1]))  -> [2, 3]   or   m.T.add(tensor([1, 2]))  -> [3, 2]?",
      ]);
    });

    it("explains an einsum size mismatch with the user's operands, past the spec string", async () => {
      const { c, head } = await fail('const q = ones([2, 3]);\nconst k = ones([2, 3]);\nconst s = einsum("ij,jk->ik", q, k);');
      assert.deepEqual(c.traceback, [
        "ShapeError: cannot einsum q (shape [2, 3]) with k (shape [2, 3])",
        `${head(3)}const s = einsum("ij,jk->ik", q, k);`,
        caretLine(head(3), "const s = ", 'einsum("ij,jk->ik", q, k)'),
        "  q's axis 1 and k's axis 0 are both labelled j, so they must have the same size (they have 3 and 2).",
      ]);
    });

    it("explains a reshape that changes the element count", async () => {
      const { c, head } = await fail("const img = zeros([2, 3]);\nimg.reshape([4, 2])");
      assert.deepEqual(c.traceback, [
        "ShapeError: cannot reshape img (shape [2, 3]) to [4, 2]",
        `${head(2)}img.reshape([4, 2])`,
        caretLine(head(2), "", "img.reshape([4, 2])"),
        "  the new shape must have the same number of elements as the input (6).",
        "  Did you mean  img.reshape([-1, 2])  -> [3, 2]   or   img.reshape([-1])  -> [6]?",
      ]);
    });

    it("points into a function defined in an earlier cell", async () => {
      const def = await k.execute("const wt = tensor([[1, 2]]);\nfunction layer(h: Tensor): Tensor {\n  return relu(h).matmul(wt);\n}");
      const defCount = (def.reply.content as any).execution_count;
      const { c } = await fail("layer(tensor([[1, 2]]))");
      const head = `  cell ${defCount}, line 3:  `;
      assert.deepEqual(c.traceback, [
        "ShapeError: cannot matmul relu(h) (shape [1, 2]) with wt (shape [1, 2])",
        `${head}return relu(h).matmul(wt);`,
        caretLine(head, "return ", "relu(h).matmul(wt)"),
        `  called from cell ${c.execution_count}, line 1:  layer(tensor([[1, 2]]))`,
        "  matmul needs relu(h)'s last dim (2) to equal wt's second-to-last dim (1).",
        "  Did you mean  relu(h).matmul(wt.T)  -> [1, 1]   or   relu(h).T.matmul(wt)  -> [2, 2]?",
      ]);
    });
  });

  describe("other errors", () => {
    it("says how to make a tensor where an array was given", async () => {
      const c = (await k.execute("const q: Tensor = [1, 2];")).reply.content as any;
      assert.equal(c.evalue, "An array is not a Tensor; make one with  tensor([1, 2]).");
      const arg = (await k.execute("ones([2, 1]).matmul([[1, 2]])")).reply.content as any;
      assert.equal(arg.evalue, "An array is not a Tensor; make one with  tensor([[1, 2]]).");
    });

    it("says what to write for PyTorch's tensor methods: numpy(), size(0), cuda()", async () => {
      await k.execute("const pt = ones([2, 3]);");
      const numpy = (await k.execute("pt.numpy()")).reply.content as any;
      assert.equal(numpy.evalue, "pt.numpy() is PyTorch's; in tsdl write  await pt.data() (a flat typed array) or await pt.array() (nested arrays).");
      const size = (await k.execute("const rows = pt.size(0);")).reply.content as any;
      assert.equal(size.evalue, "pt.size() is PyTorch's; in tsdl write  pt.shape, e.g. pt.shape[0] (pt.size is the number of elements, as in NumPy).");
      const cuda = (await k.execute("const g = pt.cuda();")).reply.content as any;
      assert.equal(cuda.evalue, 'pt.cuda() is PyTorch\'s; in tsdl write  await pt.to("webgpu").');
      assert.match(cuda.traceback.join("\n"), /\(TypeScript: Property 'cuda' does not exist on type 'Tensor'/);
    });

    it("shows core's message for ragged input at the user's line", async () => {
      const c = (await k.execute("const rows = [[1, 2], [3]];\nconst bad = tensor(rows);")).reply.content as any;
      const head = `  cell ${c.execution_count}, line 2:  `;
      // The first line is core's own message (its wording is core's business).
      assert.match(c.traceback[0], /^InputError: .*ragged/);
      assert.deepEqual(c.traceback.slice(1), [
        `${head}const bad = tensor(rows);`,
        caretLine(head, "const bad = ", "tensor(rows)"),
      ]);
    });
  });

  describe("the tsdl.inspector comm", () => {
    it("sends variables on open and after each execution, and previews", async () => {
      await k.execute("const insp = ones([3, 4]);");
      const opened = await k.notify("comm_open", { comm_id: "insp-1", target_name: "tsdl.inspector", data: {} });
      const first = opened.find((m) => m.header.msg_type === "comm_msg");
      assert.ok(first, `no comm_msg after comm_open: ${JSON.stringify(opened)}\n${k.stderr}`);
      const vars = (first?.content as any).data;
      assert.equal(vars.type, "variables");
      const entry = vars.variables.find((v: any) => v.name === "insp");
      assert.deepEqual(entry, { name: "insp", kind: "tensor", shape: [3, 4], dtype: "float32", device: "cpu", bytes: 48, requiresGrad: false });
      assert.ok(!vars.variables.some((v: any) => v.name === "tensor"), "preloaded functions are not variables");
      assert.equal(typeof vars.memory.bytes, "number");

      const r = await k.execute("const grown = insp.reshape([2, 6]);\nlet n2 = 1;", {}, { metadata: { cellId: "cell-abc" } });
      const msgs = outputs(r).filter((m) => m.header.msg_type === "comm_msg").map((m) => (m.content as any).data);
      const after = msgs.find((d) => d.type === "variables");
      assert.ok(after.variables.some((v: any) => v.name === "grown" && v.shape.join() === "2,6"));
      const shapes = msgs.find((d) => d.type === "shapes");
      assert.deepEqual(shapes, { type: "shapes", cellId: "cell-abc", lines: [{ line: 1, name: "grown", shape: [2, 6], dtype: "float32" }] });

      const pv = await k.notify("comm_msg", { comm_id: "insp-1", data: { type: "preview", name: "grown" } });
      const preview = (pv.find((m) => m.header.msg_type === "comm_msg")?.content as any).data;
      assert.equal(preview.type, "preview");
      assert.deepEqual(preview.bundle.data["application/vnd.tsdl.tensor+json"].shape, [2, 6]);

      // A module lists its parameters and then its buffers (no gradient), which preview too.
      const withBn = await k.execute("const bnNet = new nn.Sequential(new nn.Linear(3, 2), new nn.BatchNorm1d(2));");
      const listed = outputs(withBn).map((m) => (m.content as any).data).find((d) => d?.type === "variables");
      const rows = listed.variables.filter((v: any) => v.name.startsWith("bnNet"));
      assert.deepEqual(rows.map((v: any) => [v.name, v.kind, v.shape, v.requiresGrad]), [
        ["bnNet", "module", null, true],
        ["bnNet.layers.0.weight", "parameter", [2, 3], true],
        ["bnNet.layers.0.bias", "parameter", [2], true],
        ["bnNet.layers.1.weight", "parameter", [2], true],
        ["bnNet.layers.1.bias", "parameter", [2], true],
        ["bnNet.layers.1.runningMean", "parameter", [2], false],
        ["bnNet.layers.1.runningVar", "parameter", [2], false],
      ]);
      assert.equal(rows[0].bytes, 4 * (6 + 2 + 2 + 2 + 2 + 2));
      const bv = await k.notify("comm_msg", { comm_id: "insp-1", data: { type: "preview", name: "bnNet.layers.1.runningVar" } });
      const bufferPreview = (bv.find((m) => m.header.msg_type === "comm_msg")?.content as any).data;
      assert.deepEqual(bufferPreview.bundle.data["application/vnd.tsdl.tensor+json"].shape, [2]);

      const info = (await k.request("comm_info_request", { target_name: "tsdl.inspector" })).reply.content as any;
      assert.deepEqual(info.comms, { "insp-1": { target_name: "tsdl.inspector" } });
      await k.notify("comm_close", { comm_id: "insp-1", data: {} });
      const none = (await k.request("comm_info_request", {})).reply.content as any;
      assert.deepEqual(none.comms, {});
    });
  });
  it("frees what a cell made and did not keep when the cell ends, without tidy or dispose", async () => {
    const live = async () => resultOf(await k.execute("memory().buffers")) as Record<string, any>;
    await k.execute("tensor([1]).mul(2).add(1).add(10).mul(3);"); // warms the cached scalar constants
    await k.execute("0"); // the previous cell's leftovers are collected after it
    const before = Number((await live())["text/plain"]);
    // 300 intermediates nobody keeps; `kept` and the one a closure holds must survive.
    const r = await k.execute(
      "const base = tensor([1, 2, 3]);\n" +
        // A block, so the loop's completion value (the last result) is not the cell's value.
        "for (let i = 0; i < 150; i++) { const step = base.mul(2).add(1); }\n" +
        "const kept = base.add(10);\n" +
        "const later = (() => { const hidden = base.mul(3); return () => hidden; })();",
    );
    assert.equal((r.reply.content as any).status, "ok");
    const after = Number((await live())["text/plain"]);
    assert.equal(after - before, 3, `live buffers grew by ${after - before} over a cell that keeps 3 tensors`);
    const values = resultOf(await k.execute("[...(await kept.data()), ...(await later().data())]")) as Record<string, any>;
    assert.equal(values["text/plain"], "[ 11, 12, 13, 3, 6, 9 ]");
  });

  it("turns on relaxed SIMD for the cpu matmul in its own process", async () => {
    // A module using f32x4.relaxed_madd validates only with the V8 flag on, which the core's
    // wasm engine sets when the kernel asked for it (TSDL_WASM_RELAXED_SIMD) at its first matmul.
    const zeros16 = Array(16).fill(0).join(", ");
    const constV128 = `0xfd, 0x0c, ${zeros16}`;
    const r = await k.execute(
      'await setBackend("cpu");\n' +
        "const product = ones([64, 64]).matmul(ones([64, 64]));\n" +
        "const relaxed = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, " +
        `0x03, 0x02, 0x01, 0x00, 0x0a, 0x3d, 0x01, 0x3b, 0x00, ${constV128}, ${constV128}, ${constV128}, 0xfd, 0x85, 0x02, 0x0b]);\n` +
        "[process.env.TSDL_WASM_RELAXED_SIMD, (globalThis as any).WebAssembly.validate(relaxed), (await product.data())[0]]",
    );
    assert.equal((resultOf(r) as Record<string, string>)["text/plain"], "[ '1', true, 64 ]");
  });
});
