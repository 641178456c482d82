// Imports in cells from packages installed next to the notebook: CommonJS, ES-module-only
// (Node 20.20's require(esm)), ES modules with top-level await (loaded by import()), and
// TypeScript files in the notebook's folder.

import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { KernelClient, resultOf } from "./client";

function writeFiles(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  }
}

describe("imports next to the notebook", function () {
  let k: KernelClient;
  before(async () => {
    const nb = fs.mkdtempSync(path.join(os.tmpdir(), "tsdl-imports-"));
    writeFiles(nb, {
      "node_modules/cjs-pkg/package.json": JSON.stringify({ name: "cjs-pkg", main: "index.js", types: "index.d.ts" }),
      "node_modules/cjs-pkg/index.js": "exports.add = (a, b) => a + b;",
      "node_modules/cjs-pkg/index.d.ts": "export declare function add(a: number, b: number): number;",
      "node_modules/esm-only/package.json": JSON.stringify({ name: "esm-only", type: "module", exports: "./index.js", types: "./index.d.ts" }),
      "node_modules/esm-only/index.js": 'export function hello(n) { return "hi " + n; }\nexport default 42;',
      "node_modules/esm-only/index.d.ts": "export declare function hello(n: string): string;\ndeclare const answer: number;\nexport default answer;",
      "node_modules/esm-tla/package.json": JSON.stringify({ name: "esm-tla", type: "module", exports: "./index.js" }),
      "node_modules/esm-tla/index.js": "const v = await Promise.resolve(7);\nexport const value = v * 6;\nexport default 'tla-default';",
      "helper.ts": "export function triple(x: number): number {\n  return x * 3;\n}\n",
    });
    k = await KernelClient.start(nb);
  });
  after(async () => {
    // A graceful shutdown, so each test leaves no kernel process behind.
    if (k) assert.equal((await k.shutdown()).exitCode, 0);
  });

  it("imports a CommonJS package with its types", async () => {
    assert.deepEqual(resultOf(await k.execute('import { add } from "cjs-pkg";\nadd(1, 2)')), { "text/plain": "3" });
    const bad = (await k.execute('add("a", 2)')).reply.content as any;
    assert.equal(bad.ename, "TypeScriptError");
    assert.match(bad.evalue, /Argument of type 'string' is not assignable to parameter of type 'number'/);
  });

  it("imports an ES-module-only package (named and default exports)", async () => {
    const r = await k.execute('import answer, { hello } from "esm-only";\nhello("there") + " " + answer');
    assert.deepEqual(resultOf(r), { "text/plain": "'hi there 42'" });
  });

  it("imports an ES module with top-level await", async () => {
    const r = await k.execute('import tlaDefault, { value } from "esm-tla";\n`${value} ${tlaDefault}`');
    assert.deepEqual(resultOf(r), { "text/plain": "'42 tla-default'" });
  });

  it("sees earlier cells' names in shorthand properties ({ n })", async () => {
    await k.execute("const batchSize = 64;\nconst lr = 0.5;");
    const r = await k.execute("const opts = { batchSize, lr, extra: 1 };\nconst f = () => ({ batchSize });\n[opts.batchSize, opts.lr, f().batchSize]");
    assert.deepEqual(resultOf(r), { "text/plain": "[ 64, 0.5, 64 ]" });
  });

  it("imports a TypeScript file next to the notebook", async () => {
    assert.deepEqual(resultOf(await k.execute('import { triple } from "./helper";\ntriple(14)')), { "text/plain": "42" });
  });

  it("reports a missing package as an error, not a crash", async () => {
    const c = (await k.execute('import { nothing } from "no-such-package";\nnothing')).reply.content as any;
    assert.equal(c.status, "error");
    assert.match(c.evalue, /no-such-package/);
    assert.deepEqual(resultOf(await k.execute("1")), { "text/plain": "1" });
  });
});
