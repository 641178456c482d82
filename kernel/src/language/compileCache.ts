// A V8 code cache for the TypeScript compiler module (8 MB of JavaScript): a kernel start
// otherwise parses it and compiles the parser, binder and checker functions again, a few
// hundred ms of the cold start. The first kernel writes the cache once it has compiled a cell
// (so the functions a cell needs are in it); later kernels load it. V8 checks the cache against
// the source and its own version and flags, and rejects a mismatch (then it is rewritten).
//
// Location: $TSDL_CACHE_DIR, else $XDG_CACHE_HOME/tsdl or ~/.cache/tsdl. TSDL_CACHE_DIR=off
// turns it off. Any failure to read or write it only costs the time it would have saved.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import Module from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import * as vm from "node:vm";
import { log } from "../log";

export function cacheDir(): string | null {
  const env = process.env.TSDL_CACHE_DIR;
  if (env === "off" || env === "0") return null;
  if (env) return env;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "tsdl");
}

interface Loaded {
  exports: unknown;
  /** Writes the cache if it was missing or rejected (call once the compiler has warmed up). */
  save(): void;
}

/** Loads `source` as the CommonJS module `filename` (into require.cache), through the cache. */
export function loadWithCodeCache(filename: string, source: string): Loaded {
  const dir = cacheDir();
  const key = createHash("sha256").update(source).update(process.version).update(process.arch).digest("hex").slice(0, 16);
  const file = dir ? path.join(dir, `${path.basename(filename, ".js")}-${key}.v8cache`) : null;
  let cachedData: Buffer | undefined;
  if (file) {
    try {
      cachedData = fs.readFileSync(file);
    } catch {
      cachedData = undefined;
    }
  }
  const script = new vm.Script(Module.wrap(source), { filename, cachedData });
  const m = new Module(filename, module);
  m.filename = filename;
  m.paths = (Module as unknown as { _nodeModulePaths(d: string): string[] })._nodeModulePaths(path.dirname(filename));
  const fn = script.runInThisContext() as (...a: unknown[]) => void;
  fn.call(m.exports, m.exports, Module.createRequire(filename), m, filename, path.dirname(filename));
  m.loaded = true;
  require.cache[filename] = m;
  const needed = file !== null && (cachedData === undefined || script.cachedDataRejected === true);
  let saved = false;
  return {
    exports: m.exports,
    save() {
      if (!needed || saved || !file || !dir) return;
      saved = true;
      try {
        const data = script.createCachedData();
        fs.mkdirSync(dir, { recursive: true });
        // Written under a private name, then renamed: kernels starting at the same time never
        // read a half-written file.
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, data);
        fs.renameSync(tmp, file);
      } catch (e) {
        log(`could not write the compiler's code cache: ${(e as Error).message}`);
      }
    },
  };
}
