// Runs cells: tslab's converter type-checks and compiles a cell against the declarations of the
// cells before it; we run the result ourselves and hand back the value or the error as objects
// (tslab's own executor prints both to the console, which leaves nothing to format).
//
// Cells share one realm (vm.runInThisContext), so globals set by the kernel are visible, and
// each cell's top-level names live on one `exports` object that later cells read from.

import { expandShorthand } from "./shorthand";
import { helpTarget, rewriteMagics, type Rewritten } from "./magics";
import * as vm from "node:vm";
import type { Diagnostic } from "tslab/dist/converter";
import { CellRecord, CellRegistry } from "./cells";
import { ModuleLoader } from "./modules";
import type { TslabLanguage } from "./tslab";

export type RunOutcome =
  | { kind: "ok"; value: unknown; hasValue: boolean; cell: CellRecord }
  | { kind: "diagnostics"; diagnostics: Diagnostic[]; cell: CellRecord }
  | { kind: "error"; error: unknown; cell: CellRecord };

export interface RunOptions {
  executionCount: number | null;
  /** Keep the declarations of earlier cells as they are (user_expressions, internal probes). */
  keepDeclarations?: boolean;
}

/** Thrown into a pending top-level await when the user interrupts the kernel. */
export class InterruptError extends Error {
  override name = "InterruptError";
}

const GLOBAL_SLOT = "__tsdl_cell__";

export class Executor {
  readonly cells = new CellRegistry();
  readonly modules: ModuleLoader;
  /** The user's top-level names, one property each (what later cells and the inspector see). */
  readonly locals: Record<string, unknown> = {};
  private readonly exportsProxy: Record<string, unknown>;
  private prevDecl = "";
  private interruptCurrent: ((e: Error) => void) | null = null;
  /** A run is in progress (from conversion to the end of its top-level await). */
  private busy = false;
  /** An interrupt arrived while the cell was not yet running: stop it before it starts. */
  private interruptRequested = false;
  /** What `name?` in a cell shows (the kernel's inspection text); set by the kernel. */
  helpFor: ((name: string) => unknown) | null = null;

  constructor(private readonly lang: TslabLanguage, rootDir: string) {
    this.modules = new ModuleLoader(rootDir);
    const locals = this.locals;
    // Compiled imports define their bindings with getters (defineProperty); store the value, so
    // that a later cell can assign a new value to an imported name.
    this.exportsProxy = new Proxy(locals, {
      defineProperty(_target, prop, attrs) {
        if (prop === "__esModule") return true;
        locals[prop as string] = attrs.get ? attrs.get() : attrs.value;
        return true;
      },
    });
    Object.defineProperty(globalThis, GLOBAL_SLOT, {
      value: { exports: this.exportsProxy, require: this.modules.require },
      enumerable: false,
    });
  }

  get declarations(): string {
    return this.prevDecl;
  }

  /**
   * Marks a cell as running, for the interrupt flags and interrupt(). execute.ts calls it before
   * it publishes execute_input: a client that saw execute_input may interrupt at once, and on a
   * busy host the main thread can be descheduled between that send and run(). The control
   * thread ignored an interrupt_request while no cell was marked running, so such a request was
   * lost and a pending top-level await was never stopped.
   */
  begin(): void {
    this.busy = true;
    this.interruptRequested = false;
    this.setRunning(true);
  }

  async run(source: string, opts: RunOptions): Promise<RunOutcome> {
    // An interrupt that came after begin() is this cell's: keep it.
    if (!this.busy) this.begin();
    try {
      return await this.runCell(source, opts);
    } finally {
      this.setRunning(false);
      this.busy = false;
      this.interruptRequested = false;
    }
  }

  /** Flags shared with the control thread and the core: [0] interrupt requested, [1] running. */
  useInterruptFlags(shared: SharedArrayBuffer): void {
    this.flags = new Int32Array(shared);
  }
  private flags: Int32Array | null = null;

  /** A request that came after the last op of a cell must not stop the next one: cleared both ways. */
  private setRunning(on: boolean): void {
    if (!this.flags) return;
    Atomics.store(this.flags, 0, 0);
    Atomics.store(this.flags, 1, on ? 1 : 0);
  }

  private async runCell(source: string, opts: RunOptions): Promise<RunOutcome> {
    // Metadata lives in a leading JSDoc comment: a cell without "/*" has none (most cells; the
    // scan costs a scanner per cell).
    const meta = source.includes("/*") ? (require("tslab/dist/metadata") as typeof import("tslab/dist/metadata")).getCodeMetadata(source) : {};
    if (meta.module) {
      // A `/** @module name */` cell defines an importable in-memory module (a tslab feature).
      const cell = this.cells.add(source, opts.executionCount, null);
      const diagnostics = this.lang.converter.addModule(meta.module, source, meta);
      return diagnostics.length ? { kind: "diagnostics", diagnostics, cell } : { kind: "ok", value: undefined, hasValue: false, cell };
    }
    const asked = this.helpFor ? helpTarget(source) : null;
    if (asked && this.helpFor) {
      return { kind: "ok", value: this.helpFor(asked), hasValue: true, cell: this.cells.add(source, opts.executionCount, null) };
    }
    let magic: Rewritten;
    try {
      magic = rewriteMagics(source);
    } catch (error) {
      return { kind: "error", error, cell: this.cells.add(source, opts.executionCount, null) };
    }
    const code = expandShorthand(magic.source, (name) => Object.prototype.hasOwnProperty.call(this.locals, name));
    const converted = this.lang.converter.convert(this.prevDecl, code);
    const cell = this.cells.add(source, opts.executionCount, this.lang.takeMaps());
    if (converted.sideOutputs) this.modules.addSideOutputs(converted.sideOutputs);
    if (converted.diagnostics.length > 0) return { kind: "diagnostics", diagnostics: converted.diagnostics, cell };
    const commit = () => {
      if (!opts.keepDeclarations) this.prevDecl = converted.declOutput ?? "";
    };
    if (!converted.output) {
      commit();
      return { kind: "ok", value: undefined, hasValue: false, cell };
    }
    try {
      await this.modules.preloadAsyncModules(source);
      const head = converted.hasToplevelAwait ? "(async function (exports, require) {\n" : "(function (exports, require) {\n";
      const code = `${head}${converted.output}\n})(${GLOBAL_SLOT}.exports, ${GLOBAL_SLOT}.require)`;
      // lineOffset -1: the wrapper's first line is not counted, so stack lines are the lines of
      // the converted output, which the source maps describe.
      const script = new vm.Script(code, { filename: cell.filename, lineOffset: -1 });
      // Let a SIGINT received during conversion reach our handler now: once the cell runs a
      // busy loop, no handler can run any more. libuv reports the signal in the poll phase of
      // the event loop; two setImmediate turns always span one. Compiling first keeps the gap
      // between this check and breakOnSigint taking effect tiny.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      if (this.interruptRequested) throw new InterruptError("the kernel was interrupted");
      const helpers = (globalThis as { __tsdl_magic?: { timeStart(): void; timeEnd(): Promise<unknown>; reset(): void } }).__tsdl_magic;
      helpers?.reset();
      if (magic.timeCell) helpers?.timeStart();
      // displayErrors false: Node would otherwise prepend the throwing line of library code
      // to error.stack.
      const result: unknown = script.runInThisContext({ breakOnSigint: true, displayErrors: false });
      if (converted.hasToplevelAwait) await this.raceInterrupt(result as Promise<unknown>);
      if (magic.timeCell) await helpers?.timeEnd();
    } catch (error) {
      // Declarations made before the failure are kept, as in a REPL: the names exist now.
      commit();
      return { kind: "error", error, cell };
    }
    commit();
    const name = converted.lastExpressionVar;
    if (!name || !(name in this.locals)) return { kind: "ok", value: undefined, hasValue: false, cell };
    const value = this.locals[name];
    delete this.locals[name];
    return { kind: "ok", value, hasValue: value !== undefined, cell };
  }

  /** Stops a pending top-level await (synchronous code is stopped by SIGINT itself). The work
   * the cell awaited keeps running: JavaScript cannot cancel a promise. */
  interrupt(): void {
    if (this.interruptCurrent) this.interruptCurrent(new InterruptError("the kernel was interrupted"));
    else if (this.busy) this.interruptRequested = true;
  }

  private raceInterrupt(promise: Promise<unknown>): Promise<unknown> {
    const interrupted = new Promise<never>((_, reject) => {
      this.interruptCurrent = reject;
    });
    return Promise.race([promise, interrupted]).finally(() => {
      this.interruptCurrent = null;
    });
  }

  close(): void {
    this.lang.close();
  }
}

export function isInterrupt(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return error instanceof InterruptError || code === "ERR_SCRIPT_EXECUTION_INTERRUPTED" || code === "TSDL_INTERRUPTED";
}
