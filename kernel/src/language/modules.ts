// How `import` in a cell finds modules at run time. Cells compile to CommonJS `require`, resolved
// from the notebook's folder, with three exceptions:
// - packages the kernel provides (`@tsdl/core`, `tslab`) always resolve to the kernel's own
//   copy, so the preloaded names and a cell's own import are the same objects (instanceof holds);
// - .ts files next to the notebook, which the converter compiled along with the cell;
// - ES modules with top-level await, which Node's require(esm) refuses
//   (ERR_REQUIRE_ASYNC_MODULE): they are loaded with import() before the cell runs.

import Module, { createRequire } from "node:module";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { ts } from "./tslab";

export interface SideOutput {
  path: string;
  data: string;
}

export class ModuleLoader {
  readonly require: NodeJS.Require;
  private readonly base: NodeJS.Require;
  private readonly provided = new Map<string, () => unknown>();
  private readonly asyncLoaded = new Map<string, unknown>();
  private readonly sideSources = new Map<string, string>();
  private readonly sideModules = new Map<string, Module>();

  constructor(private readonly rootDir: string) {
    this.base = createRequire(path.join(rootDir, "notebook.js"));
    this.require = this.makeRequire(this.base, rootDir);
  }

  /** Makes `require(name)` (and `name/...` subpaths) return the kernel's module, made by
   * `load` on first use. */
  provide(name: string, load: () => unknown): void {
    let loaded: { exports: unknown } | null = null;
    this.provided.set(name, () => (loaded ??= { exports: load() }).exports);
  }

  addSideOutputs(outputs: SideOutput[]): void {
    for (const out of outputs) {
      this.sideModules.delete(out.path);
      this.sideSources.set(out.path, out.data);
    }
  }

  /** Loads, ahead of the cell, the imports that only import() can load. Other failures are left
   * for the cell itself to report when it runs. */
  async preloadAsyncModules(code: string): Promise<void> {
    if (!/\b(import|export)\b/.test(code)) return; // most cells import nothing: skip the scan
    const specs = ts.preProcessFile(code, true, false).importedFiles.map((f) => f.fileName);
    for (const spec of specs) {
      if (this.provided.has(spec) || spec.startsWith(".")) continue;
      try {
        this.base(spec);
      } catch (e) {
        if ((e as { code?: string }).code !== "ERR_REQUIRE_ASYNC_MODULE") continue;
        const resolved = this.base.resolve(spec);
        const ns = (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
        // Like Node's require(esm): mark the namespace so esModuleInterop reads `default` from it.
        this.asyncLoaded.set(spec, "default" in ns ? { ...ns, __esModule: true } : ns);
      }
    }
  }

  private makeRequire(req: NodeJS.Require, dirname: string): NodeJS.Require {
    const load = (id: string): unknown => {
      const provided = this.lookupProvided(id);
      if (provided !== undefined) return provided;
      if (this.asyncLoaded.has(id)) return this.asyncLoaded.get(id);
      const side = this.loadSide(id, dirname);
      if (side !== undefined) return side;
      return req(id);
    };
    return Object.assign(load, { resolve: req.resolve, cache: req.cache, main: req.main, extensions: req.extensions }) as NodeJS.Require;
  }

  private lookupProvided(id: string): unknown {
    const load = this.provided.get(id);
    if (load) return load();
    for (const name of this.provided.keys()) {
      // Subpaths of a provided package come from the kernel's copy too.
      if (id.startsWith(name + "/")) return require(id);
    }
    return undefined;
  }

  private loadSide(id: string, dirname: string): unknown {
    if (!id.startsWith(".")) return undefined;
    let filename = path.join(dirname, id).split(path.sep).join("/");
    if (path.extname(filename) === "") filename += ".js";
    const cached = this.sideModules.get(filename);
    if (cached) return cached.exports;
    const source = this.sideSources.get(filename);
    if (source === undefined) return undefined;
    const mod = new Module(filename, module);
    mod.filename = filename;
    mod.paths = (Module as unknown as { _nodeModulePaths(d: string): string[] })._nodeModulePaths(path.dirname(filename));
    // The compiled code calls mod.require, so imports inside side files get the same rules.
    mod.require = this.makeRequire(createRequire(filename), path.dirname(filename));
    this.sideModules.set(filename, mod);
    (mod as unknown as { _compile(code: string, file: string): void })._compile(source, filename);
    return mod.exports;
  }
}
