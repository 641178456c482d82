// The preload: every export of @tsdl/core usable in a cell without an import, with its types,
// and `import { ... } from "@tsdl/core"` resolving to the same objects.
//
// The names are globals, declared once. For the type checker, an ambient declaration file
// aliases each one (`import tensor = __tsdl_core.tensor;`, which keeps every meaning of the
// export: value, type, namespace, generics) through a UMD namespace over the core's own types;
// at run time each value export is a property of globalThis. An earlier design imported them
// in a hidden first cell, which made every later cell re-parse, re-check and re-print a
// 200-name import carried in the declarations of earlier cells (about a millisecond per cell,
// more for larger cells). The export list comes from the type checker (completion inside the
// import braces), so type-only exports such as ShapeErrorDetail are included. A name that is
// already a global (of Node or the lib) is left to it; the core's export stays importable.

import * as path from "node:path";
import { forwardModule } from "./language/tslab";
import type { TslabLanguage } from "./language/tslab";
import type { Executor } from "./language/executor";
import { DISPLAY_DECLARATION, installCoreDisplaySink, installDisplay, loadTslabPublic } from "./display/global";
import { isTensorLike } from "./display/tensor";
import { log } from "./log";
import { mayHaveGpu } from "./gpuPresence";
import { mark } from "./trace";
import { ExportCache } from "./exportCache";
import { ts } from "./language/tslab";
import { MAGIC_DECLARATION } from "./language/magics";

export const CORE = "@tsdl/core";

/** The parts of @tsdl/core the kernel itself calls; all optional, so an older or partial
 * build of the core still gives a working kernel. */
export interface CoreApi {
  ready?(options?: { quiet?: boolean }): Promise<string>;
  setBackend?(name: "cpu" | "webgpu"): Promise<string>;
  shutdown?(): void;
  memory?(): { buffers: number; bytes: number };
  collectGarbage?(): Promise<unknown>;
  recoverAfterInterrupt?(): Promise<{ lostWork: string[] }>;
  setInterruptFlags?(shared: SharedArrayBuffer | null): void;
  [name: string]: unknown;
}

function resolveCore(): { main: string; dir: string } | null {
  try {
    const main = require.resolve(CORE);
    return { main, dir: path.dirname(require.resolve(`${CORE}/package.json`)) };
  } catch (e) {
    log(`${CORE} is not installed or not built (${(e as Error).message.split("\n")[0]}); cells run without it`);
    return null;
  }
}

/** The UMD namespace of the core's types, and the in-memory file that declares it. */
export const CORE_NAMESPACE = "__tsdl_core";
const NAMESPACE_FILE = "__tsdl_core__.d.ts";

/** The ambient file's text: a script, so `display` and each alias are globals (the reference
 * comes first, where the compiler reads it). */
function ambientDeclaration(names: string[]): string {
  const aliases = names.map((n) => `import ${n} = ${CORE_NAMESPACE}.${n};`);
  return [`/// <reference path="./${NAMESPACE_FILE}" />`, DISPLAY_DECLARATION, MAGIC_DECLARATION, ...aliases, ""].join("\n");
}

export class Preload {
  core: CoreApi | null = null;
  private readonly names = new Set<string>();
  private executor: Executor | null = null;
  /** The folder of the core's compiled modules and their declarations. */
  private typesDir: string | null = null;

  /** Call before the converter is created: loads the core and makes its types resolvable
   * from `cwd`. */
  constructor(cwd: string) {
    const location = resolveCore();
    if (!location) return;
    forwardModule(cwd, CORE, location.dir);
    this.typesDir = path.dirname(location.main);
    try {
      this.core = require(location.main) as CoreApi;
    } catch (e) {
      log(`${CORE} failed to load: ${(e as Error).stack ?? String(e)}`);
    }
  }

  /** Starts the core's backend choice (WebGPU on a real GPU, else CPU). Started before the
   * converter is built, so the WebGPU adapter request runs on Dawn's threads meanwhile. On a
   * machine without a GPU device node the core would find a software adapter at most and take
   * the CPU backend: that is chosen directly, and Dawn is only loaded if a cell asks for
   * setBackend("webgpu"). TSDL_BACKEND still goes through the core's own choice. */
  startBackend(gpuPossible: boolean = mayHaveGpu()): Promise<void> {
    const core = this.core;
    if (!gpuPossible && !process.env.TSDL_BACKEND && core?.setBackend) {
      return Promise.resolve(core.setBackend("cpu")).then(() => undefined);
    }
    return Promise.resolve(core?.ready?.({ quiet: true })).then(() => undefined);
  }

  async run(executor: Executor, lang: TslabLanguage): Promise<void> {
    this.executor = executor;
    installDisplay();
    executor.modules.provide("tslab", loadTslabPublic);
    if (!this.core) return lang.setAmbient(DISPLAY_DECLARATION);
    executor.modules.provide(CORE, () => this.core);
    installCoreDisplaySink(this.core);
    const cache = this.typesDir ? new ExportCache(this.typesDir, ts.version) : null;
    const cached = cache?.read() ?? null;
    mark(cached ? "export list from cache" : "export list not cached");
    // With the list known, the ambient file is in place before the converter is built: the
    // core's declarations are then read by its first program, instead of by a second program
    // that the first cell would wait for.
    if (cached) this.declare(cached, lang);
    // Built here rather than on first use, so the trace shows its cost apart.
    void lang.converter;
    mark("converter built");
    if (cached) return;
    const names = this.exportsFromChecker(executor, lang);
    if (names.length > 0) cache?.write(names);
    this.declare(names, lang);
  }

  /** Makes the core's exports `names` globals, for the type checker and at run time. */
  private declare(names: string[], lang: TslabLanguage): void {
    const core = this.core;
    if (!core) return;
    if (names.length === 0) {
      lang.setAmbient(DISPLAY_DECLARATION);
      return log(`${CORE} has no exports the type checker can see; nothing preloaded`);
    }
    mark(`export list (${names.length} names)`);
    const g = globalThis as Record<string, unknown>;
    const preloaded = names.filter((n) => !(n in g));
    for (const n of preloaded) {
      if (core[n] !== undefined) Object.defineProperty(g, n, { value: core[n], writable: true, configurable: true });
      this.names.add(n);
    }
    lang.setAmbient(ambientDeclaration(preloaded), { [NAMESPACE_FILE]: `export * from "${CORE}";\nexport as namespace ${CORE_NAMESPACE};\n` });
    mark("ambient set");
  }

  /** The core's exports as the type checker lists them (values and types alike). */
  private exportsFromChecker(executor: Executor, lang: TslabLanguage): string[] {
    const probe = `import {  } from "${CORE}";`;
    const entries = lang.converter.complete(executor.declarations, probe, "import { ".length).original?.entries ?? [];
    // Completion inside import braces also offers the `type` keyword.
    return entries.filter((e) => e.kind !== "keyword" && /^[A-Za-z_$][\w$]*$/.test(e.name) && e.name !== "default").map((e) => e.name);
  }

  /** A preloaded name still bound to the core's own export (a user's import of it). */
  isPreloaded(name: string, value: unknown): boolean {
    return this.names.has(name) && this.core !== null && this.core[name] === value;
  }

  /** Whether `expr` names a namespace-like object rather than a tensor (for `ns.add(a, b)`). */
  isNamespace(expr: string): boolean {
    if (!/^[A-Za-z_$][\w$]*$/.test(expr)) return false;
    const locals = this.executor?.locals ?? {};
    const value = expr in locals ? locals[expr] : (globalThis as Record<string, unknown>)[expr];
    return typeof value === "object" && value !== null && !isTensorLike(value);
  }

  /** The value of a name or property path (`x`, `model.fc1.weight`) as a cell sees it. */
  valueOf(expr: string): unknown {
    const [root, ...rest] = expr.split(".");
    const locals = this.executor?.locals ?? {};
    let value: unknown = root in locals ? locals[root] : (globalThis as Record<string, unknown>)[root];
    for (const key of rest) {
      if (value === null || (typeof value !== "object" && typeof value !== "function")) return undefined;
      // Own data properties only: a getter (like a tensor's .T) would compute something.
      const d = Object.getOwnPropertyDescriptor(value, key);
      if (!d || !("value" in d)) return undefined;
      value = d.value;
    }
    return value;
  }

  memory(): { bytes: number; buffers: number } {
    const m = this.core?.memory?.();
    return { bytes: m?.bytes ?? 0, buffers: m?.buffers ?? 0 };
  }

  shutdown(): void {
    try {
      this.core?.shutdown?.();
    } catch (e) {
      log(`core shutdown failed: ${String(e)}`);
    }
  }
}
