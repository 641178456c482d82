// The core's export list, cached on disk across kernel starts. Asking the type checker for it
// (completion inside `import { } from "@tsdl/core"`) is a few hundred ms of the first cell's
// wait; the list only changes with the core's declaration files, so it is keyed by a hash of
// their text (and the compiler's version, which decides what it lists). Stored next to the
// compiler's code cache (compileCache.ts); any failure to read or write it only costs that time.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { cacheDir } from "./language/compileCache";
import { log } from "./log";

/** All .d.ts files under `dir`, in a stable order. */
function declarationFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".d.ts")) out.push(p);
    }
  };
  walk(dir);
  return out;
}

export class ExportCache {
  private readonly file: string | null;

  /** `typesDir`: the folder of the core's declaration files. */
  constructor(typesDir: string, compilerVersion: string) {
    const dir = cacheDir();
    let file: string | null = null;
    if (dir) {
      try {
        const h = createHash("sha256").update(compilerVersion);
        for (const f of declarationFiles(typesDir)) h.update(path.relative(typesDir, f)).update("\0").update(fs.readFileSync(f)).update("\0");
        file = path.join(dir, `core-exports-${h.digest("hex").slice(0, 16)}.json`);
      } catch {
        file = null;
      }
    }
    this.file = file;
  }

  /** The list saved by an earlier kernel for the same declarations, or null. */
  read(): string[] | null {
    if (!this.file) return null;
    try {
      const names: unknown = JSON.parse(fs.readFileSync(this.file, "utf8"));
      return Array.isArray(names) && names.every((n) => typeof n === "string") ? names : null;
    } catch {
      return null;
    }
  }

  write(names: string[]): void {
    if (!this.file) return;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      // Written under a private name, then renamed: a kernel starting now never reads half a file.
      const tmp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(names));
      fs.renameSync(tmp, this.file);
    } catch (e) {
      log(`could not write the core's export list cache: ${(e as Error).message}`);
    }
  }
}
