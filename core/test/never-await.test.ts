// A loop of the user's own ops that never awaits: the buffers of the tensors it drops cannot
// wait for finalizers (they run only between tasks), so they are found through weakly watched
// tokens after each pressure collection (tokens.ts). Without tokens (TSDL_WEAK_TOKENS=0, or a
// pool run dry) the library says once what to do. Each case runs in a child process on the
// WebGPU backend (the hint is once per process), with a low hint threshold (TSDL_HINT_BYTES).

import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { assert } from "./helpers";

const index = path.join(__dirname, "..", "src", "index.js");
const hint = /tsdl: \d+ MB of device memory is held by tensors, and this code has not awaited since they were made/g;

function runLoop(opts: { awaitEvery10: boolean; tokens?: number }): { stderr: string; live: number } {
  const script = `
    const t = require(${JSON.stringify(index)});
    (async () => {
      await t.setBackend("webgpu");
      const w = t.randn([128, 128]).requiresGrad_();
      const x = t.randn([32, 128]);
      await new Promise((r) => setImmediate(r));
      for (let i = 0; i < 1500; i++) {
        const loss = x.matmul(w).relu().matmul(w).sum();
        w.grad = null;
        loss.backward();
        ${opts.awaitEvery10 ? "if (i % 10 === 0) await loss.item();" : ""}
      }
      console.log("live", t.memory().byBackend.webgpu.buffers);
    })();`;
  const env: Record<string, string> = { ...process.env, TSDL_HINT_BYTES: String(8 * 2 ** 20) } as Record<string, string>;
  if (opts.tokens !== undefined) env.TSDL_WEAK_TOKENS = String(opts.tokens);
  const r = spawnSync(process.execPath, ["--expose-gc", "-e", script], { env, encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const live = /live (\d+)/.exec(r.stdout);
  assert.ok(live, r.stdout + r.stderr);
  return { stderr: r.stderr, live: Number(live[1]) };
}

describe("memory of loops that never await", () => {
  it("frees the buffers of tensors the loop drops, without an await", function () {
    this.timeout(150_000);
    const r = runLoop({ awaitEvery10: false });
    // 1,500 steps drop 4 buffers each; collections start at 2,000 live buffers.
    assert.ok(r.live < 3000, `${r.live} buffers live after the loop`);
    assert.doesNotMatch(r.stderr, hint);
  });

  it("without tokens keeps them all, and says once what to do", function () {
    this.timeout(150_000);
    const r = runLoop({ awaitEvery10: false, tokens: 0 });
    assert.ok(r.live > 6000, `${r.live} buffers live after the loop`);
    assert.equal((r.stderr.match(hint) ?? []).length, 1, r.stderr);
    assert.match(r.stderr, /await now and then \(e\.g\. `if \(i % 50 === 0\) console\.log\(await loss\.item\(\)\)`\), run the loop body in tidy\(\(\) => \{ \.\.\. \}\), or jit\(\) the step\./);
  });

  it("stays quiet when the loop awaits every 10 steps (the finalizers free what it drops)", function () {
    this.timeout(150_000);
    const r = runLoop({ awaitEvery10: true, tokens: 0 });
    assert.ok(r.live < 3000, `${r.live} buffers live after the loop`);
    assert.doesNotMatch(r.stderr, hint);
  });
});
