// The on-disk cache of the core's export list: a list written for some declaration files is read
// back for the same files, missed when a declaration or the compiler version changes, and
// TSDL_CACHE_DIR=off neither reads nor writes.

import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ExportCache } from "../../src/exportCache";

describe("core export list cache", () => {
  const saved = process.env.TSDL_CACHE_DIR;
  let dir: string;
  let types: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsdl-exports-test-"));
    types = path.join(dir, "types");
    fs.mkdirSync(path.join(types, "ops"), { recursive: true });
    fs.writeFileSync(path.join(types, "index.d.ts"), 'export * from "./ops/add";\n');
    fs.writeFileSync(path.join(types, "ops", "add.d.ts"), "export declare function add(a: number, b: number): number;\n");
    fs.writeFileSync(path.join(types, "index.js"), "// not a declaration: not part of the key\n");
    process.env.TSDL_CACHE_DIR = path.join(dir, "cache");
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.TSDL_CACHE_DIR;
    else process.env.TSDL_CACHE_DIR = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reads back the list written for the same declarations", () => {
    assert.equal(new ExportCache(types, "5.0.4").read(), null);
    new ExportCache(types, "5.0.4").write(["add", "Tensor"]);
    assert.deepEqual(new ExportCache(types, "5.0.4").read(), ["add", "Tensor"]);
    fs.writeFileSync(path.join(types, "index.js"), "// changed\n");
    assert.deepEqual(new ExportCache(types, "5.0.4").read(), ["add", "Tensor"]);
  });

  it("misses when a declaration file or the compiler version changes", () => {
    new ExportCache(types, "5.0.4").write(["add"]);
    assert.equal(new ExportCache(types, "5.0.5").read(), null);
    fs.writeFileSync(path.join(types, "ops", "add.d.ts"), "export declare function add(a: number): number;\nexport declare const sub: 1;\n");
    assert.equal(new ExportCache(types, "5.0.4").read(), null);
    fs.writeFileSync(path.join(types, "ops", "mul.d.ts"), "export declare const mul: 2;\n");
    new ExportCache(types, "5.0.4").write(["add", "sub"]);
    fs.rmSync(path.join(types, "ops", "mul.d.ts"));
    assert.equal(new ExportCache(types, "5.0.4").read(), null);
  });

  it("writes and reads nothing with TSDL_CACHE_DIR=off", () => {
    process.env.TSDL_CACHE_DIR = "off";
    const cache = new ExportCache(types, "5.0.4");
    cache.write(["add"]);
    assert.equal(cache.read(), null);
    assert.equal(fs.existsSync(path.join(dir, "cache")), false);
  });
});
