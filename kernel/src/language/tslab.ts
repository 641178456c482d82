// tslab's converter (TypeScript cell -> CommonJS, type-checked against earlier cells), loaded
// with two seams it does not offer itself:
//
// 1. Source maps. The converter hard-codes its compiler options and drops .map outputs, and
//    then re-transpiles its ES output to CommonJS. We hand it a copy of the TypeScript namespace
//    whose createWatchCompilerHost adds `inlineSourceMap` and whose transpileModule records both
//    maps (cell TS -> ES, ES -> CommonJS), so errors can be mapped back to cell lines.
// 2. Module forwarding. `import ... from "@tsdl/core"` must type-check in any notebook folder,
//    so reads under <cwd>/node_modules/<name> are forwarded to the kernel's own copy.
// 4. An ambient declaration file (see setAmbient): one more root of the converter's program,
//    held in memory, for the names every cell sees without declaring them (the preloaded core).
//    Unlike an import carried in the declarations of earlier cells, the type checker does not
//    re-parse it and tslab does not re-print it for every cell.
// 5. One program update per cell instead of two, and CommonJS straight from the program's emit
//    instead of a second transpilation (converterPatch.ts).
//
// The copy is installed in require.cache before tslab's modules load; tslab binds the
// namespace's properties through getters at load time, which is why the copy has to exist then
// (the real namespace's properties are non-configurable and cannot be patched in place).

import * as fs from "node:fs";
import * as path from "node:path";
import type * as TS from "@tslab/typescript-for-tslab";
import type { Converter } from "tslab/dist/converter";
import { loadWithCodeCache } from "./compileCache";
import { loadPatchedConverter } from "./converterPatch";

type TsNamespace = typeof TS;

export interface RawSourceMap {
  version: number;
  sources: string[];
  mappings: string;
}

/** The maps of one conversion, from the CommonJS that runs back to the cell's TS (with the
 * converter's one-line prefix): one map when the program emits CommonJS itself, two (CommonJS
 * -> ES, ES -> TS) when tslab's second step transpiles its ES output. */
export type ConversionMaps = RawSourceMap[];

/** A conversion's maps, made when an error first needs them: most cells never fail, and the
 * ES -> CommonJS map costs a second transpilation, so no cell pays for it up front. */
export type LazyMaps = () => ConversionMaps | null;

const tslabDir = path.dirname(require.resolve("tslab/package.json"));
const tsPath = require.resolve("@tslab/typescript-for-tslab", { paths: [tslabDir] });

// 3. A faster compiler. TypeScript 5.0 rebuilds a large constant table of library features
//    (`getScriptTargetFeatures`, hundreds of Maps) for every name it cannot resolve, and the
//    ES -> CommonJS step (transpileModule, no lib) resolves no global at all: each use of Array,
//    Math, ... in a cell rebuilt it. The module is loaded with that function memoized, and
//    through a V8 code cache (compileCache.ts), which saves much of its compile time at start.
const FEATURES_FN = "  function getScriptTargetFeatures() {\n";

let saveCodeCache: () => void = () => undefined;

function loadTypeScript(): TsNamespace {
  const cached = require.cache[tsPath];
  if (cached) return cached.exports as TsNamespace;
  let source: string;
  try {
    source = fs.readFileSync(tsPath, "utf8");
  } catch {
    return require(tsPath) as TsNamespace;
  }
  const at = source.indexOf(FEATURES_FN);
  // Another build of the compiler: load it as it is.
  if (at < 0 || source.indexOf(FEATURES_FN, at + 1) >= 0) return require(tsPath) as TsNamespace;
  const patched =
    source.slice(0, at) +
    "  var tsdlScriptTargetFeatures;\n" +
    "  function getScriptTargetFeatures() {\n" +
    "    return tsdlScriptTargetFeatures || (tsdlScriptTargetFeatures = computeScriptTargetFeatures());\n" +
    "  }\n" +
    "  function computeScriptTargetFeatures() {\n" +
    source.slice(at + FEATURES_FN.length);
  const loaded = loadWithCodeCache(tsPath, patched);
  saveCodeCache = loaded.save;
  return loaded.exports as TsNamespace;
}

/** Writes the compiler's code cache if this process had none (after cells have compiled, so
 * the functions they need are in it). */
export function saveCompilerCache(): void {
  saveCodeCache();
}

/** The TypeScript namespace tslab uses (5.0.4, a fork with completion internals exposed). */
export const ts: TsNamespace = loadTypeScript();

const INLINE_MAP = /\n\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;

let recorded: LazyMaps[] = [];
/** The converter's first emit gives CommonJS already (converterPatch.ts, change 2). */
let emitsCommonJs = false;
const forwards = new Map<string, string>();
const virtualDirs = new Set<string>();
/** In-memory files (absolute path -> text) and the watch program's callbacks for them. */
const virtualFiles = new Map<string, string>();
const fileWatchers = new Map<string, TS.FileWatcherCallback>();
const AMBIENT_FILE = "__tsdl_ambient__.d.ts";
let ambientPath: string | null = null;
/** The ambient file's text and its companions, when set before the converter existed: they are
 * in its first program then, rather than added by a second one on the first cell. */
let pendingAmbient: { text: string; extra: Record<string, string> } | null = null;

function putAmbient(file: string, text: string, extra: Record<string, string>): void {
  for (const [name, content] of Object.entries(extra)) virtualFiles.set(path.posix.join(path.posix.dirname(file), name), content);
  setVirtualFile(file, text);
}

function forward(p: string): string {
  for (const [from, to] of forwards) {
    if (p === from || p.startsWith(from + "/")) return to + p.slice(from.length);
  }
  return p;
}

/** Folders of the compiler's package and of tslab's own dependencies (with a trailing "/"). */
const KERNEL_OWN = [path.dirname(path.dirname(tsPath)), path.join(tslabDir, "node_modules")].map((d) => d.split(path.sep).join("/") + "/");

/** Whether `p` lies in a forwarded package, by the notebook's path to it or its own. */
function isForwarded(p: string): boolean {
  for (const [from, to] of forwards) {
    for (const dir of [from, to]) if (p === dir || p.startsWith(dir + "/")) return true;
  }
  return false;
}

function patchedSys(real: TS.System): TS.System {
  const sys: TS.System = Object.create(real);
  sys.readFile = (p, enc) => virtualFiles.get(p) ?? real.readFile(forward(p), enc);
  sys.fileExists = (p) => virtualFiles.has(p) || real.fileExists(forward(p));
  sys.directoryExists = (p) => virtualDirs.has(p) || real.directoryExists(forward(p));
  sys.getDirectories = (p) => real.getDirectories(forward(p));
  sys.readDirectory = (p, ...rest) => real.readDirectory(forward(p), ...rest);
  sys.realpath = (p) => (real.realpath ? real.realpath(forward(p)) : forward(p));
  const watch = real.watchFile;
  sys.watchFile = (p, callback, ...rest) => {
    if (virtualFiles.has(p)) {
      // Changes to in-memory files are announced by setVirtualFile, not polled.
      fileWatchers.set(p, callback);
      return { close: () => fileWatchers.delete(p) };
    }
    // Not watched: the forwarded packages (the preloaded core), whose code is loaded once per
    // kernel, so declarations rebuilt meanwhile would no longer describe what runs; and the
    // kernel's own compiler and tslab's dependencies (lib.*.d.ts, tslab's @types/node), which
    // change only with the kernel. Each watch is a stat and an inotify watch: about 260 files.
    if (!watch || isForwarded(p) || KERNEL_OWN.some((dir) => p.startsWith(dir))) return { close: () => undefined };
    return watch(forward(p), callback, ...rest);
  };
  return sys;
}

function patchedNamespace(real: TsNamespace): TsNamespace {
  const copy = {} as Record<string, unknown>;
  for (const key of Object.keys(real)) {
    Object.defineProperty(copy, key, { enumerable: true, configurable: true, get: () => (real as never)[key] });
  }
  const own = (key: string, value: unknown) => Object.defineProperty(copy, key, { enumerable: true, value });
  const sys = patchedSys(real.sys);
  own("sys", sys);
  own("createWatchCompilerHost", (roots: string[], options: TS.CompilerOptions, ...rest: unknown[]) => {
    // The converter's roots are in its working directory; the ambient file joins them, empty
    // until the kernel fills it.
    ambientPath = path.posix.join(path.posix.dirname(roots[0]), AMBIENT_FILE);
    if (pendingAmbient) putAmbient(ambientPath, pendingAmbient.text, pendingAmbient.extra);
    else if (!virtualFiles.has(ambientPath)) virtualFiles.set(ambientPath, "");
    pendingAmbient = null;
    return (real.createWatchCompilerHost as (...a: unknown[]) => unknown)([...roots, ambientPath], { ...options, inlineSourceMap: true }, ...rest);
  });
  // tslab replaces the list of roots when it adds an in-memory module: keep the ambient file.
  own("createWatchProgram", (host: TS.WatchCompilerHostOfFilesAndCompilerOptions<TS.BuilderProgram>) => {
    const program = real.createWatchProgram(host);
    const update = program.updateRootFileNames.bind(program);
    program.updateRootFileNames = (names) => update(ambientPath && !names.includes(ambientPath) ? [...names, ambientPath] : names);
    return program;
  });
  own("transpileModule", (input: string, o: TS.TranspileOptions) => {
    // The converter's ES -> CommonJS step names its input "custom.js".
    if (o.fileName !== "custom.js") return real.transpileModule(input, o);
    const m = INLINE_MAP.exec(input);
    if (emitsCommonJs) {
      // Already CommonJS: only the map comment goes.
      if (!m) return { outputText: input, diagnostics: [] };
      const inline = m[1];
      let map: RawSourceMap | undefined;
      recorded.push(() => [(map ??= JSON.parse(Buffer.from(inline, "base64").toString("utf8")) as RawSourceMap)]);
      return { outputText: input.slice(0, m.index), diagnostics: [] };
    }
    if (!m) return real.transpileModule(input, o);
    const es = input.slice(0, m.index);
    const inline = m[1];
    let maps: ConversionMaps | null | undefined;
    // The same input and options give the same code, with a map only (and a trailing
    // sourceMappingURL comment, after the last line of code).
    recorded.push(() => {
      if (maps !== undefined) return maps;
      const withMap = real.transpileModule(es, { ...o, compilerOptions: { ...o.compilerOptions, sourceMap: true } });
      maps = withMap.sourceMapText ? [JSON.parse(withMap.sourceMapText), JSON.parse(Buffer.from(inline, "base64").toString("utf8"))] : null;
      return maps;
    });
    return real.transpileModule(es, o);
  });
  return copy as unknown as TsNamespace;
}

let installed = false;

/** Puts the patched namespace where tslab's modules will `require` it. Must run before tslab's
 * converter, metadata or public module is loaded in this process. */
function install(): void {
  if (installed) return;
  const cached = require.cache[tsPath];
  if (!cached) throw new Error("the TypeScript module should be loaded");
  // The tslab modules that bind the TypeScript namespace when they load.
  const binders = ["converter.js", "metadata.js", "public.js"].map((f) => path.join(tslabDir, "dist", f));
  if (binders.some((f) => f in require.cache)) {
    throw new Error("tslab was loaded before the kernel could install its TypeScript seams");
  }
  cached.exports = patchedNamespace(ts);
  emitsCommonJs = loadPatchedConverter(binders[0], typeof (ts as unknown as { transformModule?: unknown }).transformModule === "function");
  installed = true;
}

/** Makes `import ... from "<name>"` in cells resolve (for types) to `packageDir`. */
export function forwardModule(cwd: string, name: string, packageDir: string): void {
  const from = path.posix.join(cwd.split(path.sep).join("/"), "node_modules", name);
  forwards.set(from, packageDir.split(path.sep).join("/"));
  for (let d = path.posix.dirname(from); d.endsWith("node_modules") || d.includes("/node_modules/"); d = path.posix.dirname(d)) {
    virtualDirs.add(d);
  }
}

/** Puts an in-memory file at `file` (absolute, with forward slashes), or replaces its text; the
 * converter's next update reads it again. */
function setVirtualFile(file: string, text: string): void {
  virtualFiles.set(file, text);
  fileWatchers.get(file)?.(file, ts.FileWatcherEventKind.Changed);
}

export interface TslabLanguage {
  /** The converter, built on first use (a second or more of type-checker setup: the kernel
   * builds it once its first reply is out, see kernel.ts). */
  readonly converter: Converter;
  /** Whether the converter has been built. */
  readonly built: boolean;
  /** Replaces the text of the ambient declaration file, a script (.d.ts) whose top-level
   * declarations every cell sees; `extra` adds more in-memory files next to it (for it to
   * reference), by file name. Before the converter is built, this does not build it: the files
   * join its first program. */
  setAmbient(text: string, extra?: Record<string, string>): void;
  /** Maps recorded by the last convert() call: the main cell's are the last ones. */
  takeMaps(): LazyMaps | null;
  isCompleteCode(code: string): { completed: boolean; indent?: string };
  /** Stops the converter's file watchers, if it was built. */
  close(): void;
}

export function createLanguage(): TslabLanguage {
  install();
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const conv = require("tslab/dist/converter") as typeof import("tslab/dist/converter");
  let converter: Converter | null = null;
  const build = () => (converter ??= conv.createConverter({ isJS: false, isBrowser: false }));
  return {
    get converter() {
      return build();
    },
    get built() {
      return converter !== null;
    },
    setAmbient(text, extra = {}) {
      if (!converter) {
        pendingAmbient = { text, extra };
        return;
      }
      const file = ambientPath;
      if (!file) throw new Error("the converter did not create its compiler host");
      putAmbient(file, text, extra);
    },
    takeMaps() {
      const last = recorded.length ? recorded[recorded.length - 1] : null;
      recorded = [];
      return last;
    },
    isCompleteCode: conv.isCompleteCode,
    close() {
      converter?.close();
    },
  };
}
