// Device and memory failures in the real kernel over ZeroMQ: a tensor too big for one WebGPU
// binding, allocations beyond what one tensor or one typed array can hold (cpu and webgpu), the
// device running out of memory and the device being lost. Each says what happened, which
// tensor (the user's own variable or expression), and what to do; and the kernel keeps working.
//
// The WebGPU cases choose the webgpu backend in the cell (the default here may be cpu); they fail,
// rather than skip, where there is no WebGPU adapter.

import { strict as assert } from "node:assert";
import { KernelClient, Reply, resultOf } from "./client";
import { formatBytes } from "../src/errors/deviceError";

function errorOf(r: Reply): { ename: string; evalue: string; traceback: string[] } {
  const c = r.reply.content as any;
  assert.equal(c.status, "error", `expected an error, got ${JSON.stringify(c)}`);
  return c;
}

function ok(r: Reply): void {
  const c = r.reply.content as any;
  assert.equal(c.status, "ok", `expected ok, got ${JSON.stringify(c.traceback ?? c)}`);
}

describe("device and memory errors in the kernel", function () {
  let k: KernelClient;
  before(async () => {
    k = await KernelClient.start();
  });
  after(async () => {
    if (k) assert.equal((await k.shutdown()).exitCode, 0);
  });

  it("explains a tensor with more elements than one tensor holds, on cpu, and goes on", async () => {
    ok(await k.execute('await setBackend("cpu");'));
    const r = await k.execute("const big = zeros([1e5, 1e5]);");
    const e = errorOf(r);
    assert.equal(e.ename, "DeviceLimitError");
    assert.deepEqual(e.traceback, [
      "DeviceLimitError: big = zeros([1e5, 1e5]) asks for a tensor of shape [100000, 100000]: 10,000,000,000 elements (37.3 GiB as float32), more than one tensor can hold",
      "  cell 2, line 1:  const big = zeros([1e5, 1e5]);",
      "                               ^^^^^^^^^^^^^^^^^",
      "  What happened: one tensor holds at most 2,147,483,647 elements (8 GiB of float32); nothing was allocated and no memory is lost.",
      "  What to do: check the shape for a mistake (e.g. 1e5 where 1e3 was meant); for data this big, make and process it in batches (one slice at a time), freeing each with dispose() or tidy().",
      "  (DeviceLimitError: zeros: a tensor of shape [100000, 100000] has 10000000000 elements, more than the 2147483647 one tensor can hold)",
    ]);
    assert.equal(e.evalue, e.traceback[0].slice("DeviceLimitError: ".length));
    const next = resultOf(await k.execute("tensor([1, 2]).add(1)")) as Record<string, string>;
    assert.match(next["text/plain"], /^tensor\(\[2, 3\], shape=\[2\], dtype=int32, device=cpu\)$/);
  });

  it("rewrites JavaScript's RangeError for a typed array too big to allocate", async () => {
    const e = errorOf(await k.execute("const n = 1e10;\nconst buf = new Float32Array(n);"));
    assert.equal(e.ename, "OutOfMemoryError");
    assert.deepEqual(e.traceback, [
      "OutOfMemoryError: out of memory: buf = new Float32Array(n) could not allocate an array of 10,000,000,000 elements (37.3 GiB as float32)",
      "  cell 4, line 2:  const buf = new Float32Array(n);",
      "                               ^^^^^^^^^^^^^^^^^^^",
      "  What happened: JavaScript could not allocate that much memory in one array (a typed array holds at most 4,294,967,295 elements); nothing was allocated and the kernel is still running.",
      "  What to do: use a smaller size or process the data in batches, and free tensors you no longer need (x.dispose(), tidy(() => ...)).",
      "  (RangeError: Invalid typed array length: 10000000000)",
    ]);
    ok(await k.execute("const small = new Float32Array(10); small.length"));
  });

  it("leaves other RangeErrors alone", async () => {
    const e = errorOf(await k.execute("new Float32Array(-1)"));
    assert.equal(e.ename, "RangeError");
  });

  it("names the tensor that is too big for one WebGPU binding, and says to batch or use the cpu", async () => {
    const setup = await k.execute(
      'await setBackend("webgpu");\n' +
        'const registry = require("@tsdl/core/dist/src/backend/registry");\n' +
        'const gpu: any = await registry.backendByName("webgpu");\n' +
        "const limit: number = gpu.limits.maxStorageBufferBindingSize;\n" +
        "const rows = Math.ceil((limit * 1.25) / 4 / 1024);\n" +
        "[limit, rows]",
    );
    ok(setup);
    const [limit, rows] = JSON.parse((resultOf(setup) as Record<string, string>)["text/plain"]) as number[];
    const bytes = rows * 1024 * 4;
    const r = await k.execute("const x = zeros([rows, 1024]);\nconst y = x.add(1);");
    const e = errorOf(r);
    assert.equal(e.ename, "DeviceLimitError");
    const n = e.traceback.length;
    assert.deepEqual(e.traceback.slice(0, n - 1), [
      `DeviceLimitError: x (shape [${rows}, 1024], float32, ${formatBytes(bytes)}) is too big for one WebGPU binding (at most ${formatBytes(limit)} on this device)`,
      "  cell 8, line 2:  const y = x.add(1);",
      "                             ^^^^^^^^",
      `  What happened: a shader must see each tensor whole in one storage binding, and this device's maxStorageBufferBindingSize is ${formatBytes(limit)}.`,
      `  What to do: work in batches of at most ${Math.floor(limit / 4096).toLocaleString("en-US")} rows of x (split(x, ${Math.floor(limit / 4096)}) gives them; run the step on each piece and concat the results), so each piece stays under ${formatBytes(limit)}; or compute on the CPU: await setBackend("cpu").`,
    ]);
    assert.match(e.traceback[n - 1], new RegExp(`^  \\(DeviceLimitError: a tensor of ${bytes} bytes exceeds this WebGPU device's maxStorageBufferBindingSize \\(${limit} bytes\\)`));
    ok(await k.execute("x.dispose();"));
    const next = resultOf(await k.execute("tensor([1, 2]).add(1)")) as Record<string, string>;
    assert.match(next["text/plain"], /device=webgpu\)$/);
  });

  it("names the result when a computed tensor is too big for a binding", async () => {
    const e = errorOf(await k.execute("const w = ones([rows, 1024]).mul(2);"));
    assert.match(e.traceback[0], /^DeviceLimitError: the result of w = ones\(\[rows, 1024\]\)\.mul\(2\) \([\d.]+ [MG]iB\) is too big for one WebGPU binding/);
    assert.match(e.traceback[4], /What to do: work in batches \(fewer rows at a time\) so each tensor stays under .*; or compute on the CPU: await setBackend\("cpu"\)\./);
  });

  it("explains a huge allocation on webgpu the same way, and goes on", async () => {
    const e = errorOf(await k.execute("const h = zeros([1e5, 1e5]);"));
    assert.equal(e.traceback[0], "DeviceLimitError: h = zeros([1e5, 1e5]) asks for a tensor of shape [100000, 100000]: 10,000,000,000 elements (37.3 GiB as float32), more than one tensor can hold");
    ok(await k.execute("const fine = zeros([2, 2]).add(1);"));
  });

  it("explains the device running out of memory, and the next cell runs", async () => {
    // WebGPU reports out-of-memory asynchronously as an uncapturederror event; raise one on the
    // backend's device the way Dawn does.
    ok(
      await k.execute(
        // Any device call the backend makes reveals the device; a pooled buffer may mean no
        // createBuffer at all, so watch the calls an upload and a readback make too.
        "const G = (globalThis as any).GPUDevice.prototype;\n" +
          "let dev: any;\n" +
          'const watched = ["createBuffer", "createCommandEncoder", "createBindGroup"].map((name) => [name, G[name]]);\n' +
          "for (const [name, f] of watched) G[name] = function (...args: any[]) { dev = this; return f.apply(this, args); };\n" +
          "const a = tensor([1, 2, 3]);\n" +
          "await a.mul(7).data();\n" +
          "for (const [name, f] of watched) G[name] = f;\n" +
          'const ev: any = new Event("uncapturederror");\n' +
          'ev.error = new (globalThis as any).GPUOutOfMemoryError("allocation of 4 GiB failed");\n' +
          "dev.dispatchEvent(ev);",
      ),
    );
    const e = errorOf(await k.execute("const b = a.mul(2);"));
    assert.deepEqual(e.traceback, [
      "DeviceLimitError: the WebGPU device ran out of memory (found at b = a.mul(2))",
      "  cell 15, line 1:  const b = a.mul(2);",
      "                              ^^^^^^^^",
      "  What happened: an allocation on the device failed. WebGPU reports this after the fact, so it may have been an earlier command of this cell or the last one; the tensors still alive hold the device's memory.",
      '  What to do: free tensors you no longer need (x.dispose(), or wrap temporary work in tidy(() => ...)), use smaller batches, or compute on the CPU: await setBackend("cpu").',
      "  (DeviceLimitError: the WebGPU device ran out of memory (allocation of 4 GiB failed). Free tensors (dispose/tidy), use smaller batches, or use the cpu backend: setBackend('cpu'))",
    ]);
    const next = resultOf(await k.execute("a.mul(3)")) as Record<string, string>;
    assert.match(next["text/plain"], /^tensor\(\[3, 6, 9\], .*device=webgpu\)$/);
  });

  it("explains a lost device, naming the tensors on it; the cpu backend then works", async () => {
    ok(await k.execute("dev.destroy();\nawait new Promise((r) => setTimeout(r, 50));"));
    const e = errorOf(await k.execute("const c = a.mul(2);"));
    assert.deepEqual(e.traceback, [
      "DeviceLimitError: the WebGPU device was lost, so c = a.mul(2) cannot run",
      "  cell 18, line 1:  const c = a.mul(2);",
      "                              ^^^^^^^^",
      "  What happened: the GPU driver reset or removed the device (a crash, a timeout, or the GPU was taken away); tensors on it, such as a, are gone.",
      '  What to do: restart the kernel to get a new device and re-run the notebook; or continue on the CPU now: await setBackend("cpu"), then re-create the tensors.',
      "  (DeviceLimitError: the WebGPU device was lost; use the cpu backend: setBackend('cpu'))",
    ]);
    const next = resultOf(await k.execute('await setBackend("cpu");\ntensor([1, 2]).add(1)')) as Record<string, string>;
    assert.match(next["text/plain"], /device=cpu\)$/);
  });
});
