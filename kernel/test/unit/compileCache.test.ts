// The V8 code cache the kernel loads the TypeScript compiler through: written once, then
// used (not rewritten) by later loads of the same source; a changed source gets its own file;
// TSDL_CACHE_DIR=off writes nothing.

import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadWithCodeCache } from "../../src/language/compileCache";

describe("compiler code cache", () => {
  const saved = process.env.TSDL_CACHE_DIR;
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsdl-cache-test-"));
    file = path.join(dir, "lib", "fake-compiler.js");
    fs.mkdirSync(path.dirname(file));
    process.env.TSDL_CACHE_DIR = path.join(dir, "cache");
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.TSDL_CACHE_DIR;
    else process.env.TSDL_CACHE_DIR = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const source = "exports.twice = function (x) { return 2 * x; };\nexports.dir = __dirname;\nexports.os = require('os').EOL;\n";
  const cacheFiles = () => (fs.existsSync(path.join(dir, "cache")) ? fs.readdirSync(path.join(dir, "cache")) : []);

  it("loads the module, writes the cache once, and reuses it", () => {
    const first = loadWithCodeCache(file, source);
    const m = first.exports as { twice(x: number): number; dir: string; os: string };
    assert.equal(m.twice(21), 42);
    assert.equal(m.dir, path.dirname(file));
    assert.equal(m.os, os.EOL);
    assert.equal(require.cache[file]?.exports, m);
    first.save();
    const written = cacheFiles();
    assert.equal(written.length, 1);
    assert.match(written[0], /^fake-compiler-[0-9a-f]{16}\.v8cache$/);
    const stamp = fs.statSync(path.join(dir, "cache", written[0])).mtimeMs;

    delete require.cache[file];
    const second = loadWithCodeCache(file, source);
    assert.equal((second.exports as { twice(x: number): number }).twice(2), 4);
    second.save(); // accepted cache: nothing to write
    assert.deepEqual(cacheFiles(), written);
    assert.equal(fs.statSync(path.join(dir, "cache", written[0])).mtimeMs, stamp);

    delete require.cache[file];
    loadWithCodeCache(file, source + "exports.more = 1;\n").save();
    assert.equal(cacheFiles().length, 2);
    delete require.cache[file];
  });

  it("writes nothing with TSDL_CACHE_DIR=off", () => {
    process.env.TSDL_CACHE_DIR = "off";
    const loaded = loadWithCodeCache(file, source);
    loaded.save();
    assert.equal((loaded.exports as { twice(x: number): number }).twice(1), 2);
    assert.deepEqual(cacheFiles(), []);
    delete require.cache[file];
  });
});
