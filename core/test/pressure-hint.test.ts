// A loop of the user's own ops that never awaits keeps every device buffer it drops (finalizers
// run only between tasks): the library says so once, with what to do. Run in a child process
// (the hint is once per process) with a low threshold (TSDL_HINT_BYTES) on the WebGPU backend.

import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { assert } from "./helpers";

const index = path.join(__dirname, "..", "src", "index.js");

function runLoop(awaitEvery10: boolean): { stderr: string; stdout: string; status: number | null } {
  const script = `
    const t = require(${JSON.stringify(index)});
    (async () => {
      await t.setBackend("webgpu");
      const w = t.randn([128, 128]).requiresGrad_();
      const x = t.randn([32, 128]);
      for (let i = 0; i < 1500; i++) {
        const loss = x.matmul(w).relu().matmul(w).sum();
        w.grad = null;
        loss.backward();
        ${awaitEvery10 ? "if (i % 10 === 0) await loss.item();" : ""}
      }
      console.log("done");
    })();`;
  const r = spawnSync(process.execPath, ["--expose-gc", "-e", script], {
    env: { ...process.env, TSDL_HINT_BYTES: String(8 * 2 ** 20) },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { stderr: r.stderr, stdout: r.stdout, status: r.status };
}

describe("memory hint for loops that never await", () => {
  it("says once that dropped tensors wait for an await, and what to do", function () {
    this.timeout(150_000);
    const r = runLoop(false);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /done/);
    const hints = r.stderr.match(/tsdl: \d+ MB of device memory is held by tensors, and this code has not awaited since they were made/g) ?? [];
    assert.equal(hints.length, 1, r.stderr);
    assert.match(r.stderr, /await now and then \(e\.g\. `if \(i % 50 === 0\) console\.log\(await loss\.item\(\)\)`\), run the loop body in tidy\(\(\) => \{ \.\.\. \}\), or jit\(\) the step\./);
  });

  it("stays quiet when the loop awaits every 10 steps (the finalizers free what it drops)", function () {
    this.timeout(150_000);
    const r = runLoop(true);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /has not awaited/);
  });
});
