// IPython's timing magics, which students type out of habit: `%timeit expr`, `%time stmt`,
// and `%%time` / `%%timeit` as a cell's first line. Each is rewritten into TypeScript before
// conversion, one line for one line, so errors still point at the cell's own lines. Other
// magics get an error that says what to do in tsdl instead of TypeScript's "Expression
// expected". Only lines that start with % at column 0 are magics: `a\n  % b` stays modulo.

import { ts } from "./tslab";

/** A magic the kernel does not have, or one used wrongly. */
export class MagicError extends Error {
  override name = "MagicError";
}

export interface Rewritten {
  source: string;
  /** `%%time`: the executor times the whole cell. */
  timeCell: boolean;
}

/** What the rewritten code calls: a global, declared for the type checker by MAGIC_DECLARATION.
 * Not `(globalThis as any).x`: outside an async function TypeScript parses `await (...)` as a
 * call of a function named await, and tslab then does not see a top-level await. */
export const HELPERS = "__tsdl_magic";

export const MAGIC_DECLARATION =
  "declare var __tsdl_magic: { timeit(fn: () => unknown, options: { number?: number; repeat?: number }): Promise<unknown>; " +
  "timeStart(): void; timeEnd<T>(value?: T): Promise<T>; };";

const HINTS: Record<string, string> = {
  matplotlib: "plots need no setup in tsdl: plot(), LivePlot, histogram(), heatmap() and imageGrid() show inline",
  pip: "install npm packages from a terminal (npm install NAME in the notebook's folder), then import them in a cell",
  conda: "install npm packages from a terminal (npm install NAME in the notebook's folder), then import them in a cell",
  who: "the tsdl inspector panel (the tensor icon in the right sidebar) lists live tensors with their shapes",
  whos: "the tsdl inspector panel (the tensor icon in the right sidebar) lists live tensors with their shapes",
  load_ext: "tsdl's kernel has no extensions to load; import a package instead",
  env: "read environment variables with process.env.NAME",
  cd: "change the folder with process.chdir(path)",
};

function unknownMagic(name: string, cell: boolean): MagicError {
  const sign = cell ? "%%" : "%";
  const hint = HINTS[name] ? `; ${HINTS[name]}` : "";
  return new MagicError(`${sign}${name} is an IPython magic that the tsdl kernel does not have${hint}. Its magics are %time, %timeit, %%time and %%timeit.`);
}

/** `-n 10 -r 3 rest`: IPython's loop and repeat counts, then the code. */
function timeitOptions(args: string, magic: string): { options: string; code: string } {
  let rest = args.trim();
  const opts: string[] = [];
  for (let m = /^-([nr])\s*(\S+)\s*/.exec(rest); m; m = /^-([nr])\s*(\S+)\s*/.exec(rest)) {
    const value = Number(m[2]);
    if (!Number.isInteger(value) || value < 1) throw new MagicError(`${magic}: -${m[1]} takes a positive whole number, got ${m[2]}`);
    opts.push(`${m[1] === "n" ? "number" : "repeat"}: ${value}`);
    rest = rest.slice(m[0].length);
  }
  if (/^-\w/.test(rest)) throw new MagicError(`${magic}: the only options are -n (calls per run) and -r (runs), got ${rest.split(/\s/)[0]}`);
  return { options: `{ ${opts.join(", ")} }`, code: rest };
}

/** Whether code is one expression statement (its value is what the cell shows). */
function isExpression(code: string): boolean {
  const file = ts.createSourceFile("magic.ts", code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  return file.statements.length === 1 && ts.isExpressionStatement(file.statements[0]) && (file as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics.length === 0;
}

function lineMagic(name: string, args: string, isLast: boolean): string {
  if (name === "timeit") {
    const { options, code } = timeitOptions(args, "%timeit");
    if (!code) throw new MagicError("%timeit needs code to time, e.g. %timeit x.matmul(w)");
    // An arrow with a block takes statements too; `await` in the code makes it async.
    const arrow = /\bawait\b/.test(code) ? "async () =>" : "() =>";
    return `;console.log(String(await ${HELPERS}.timeit(${arrow} { ${code} }, ${options})));`;
  }
  if (name === "time") {
    const code = args.trim().replace(/;\s*$/, "");
    if (!code) throw new MagicError("%time needs code to time, e.g. %time model.forward(x)");
    // The last line's value is shown, as IPython's %time returns it; a declaration stays a
    // top-level name of the cell.
    // A leading ";": the line before may lack one, and "(" would continue it as a call.
    if (isLast && isExpression(code)) return `;${HELPERS}.timeStart(); await ${HELPERS}.timeEnd((${code}));`;
    return `;${HELPERS}.timeStart(); ${code}; await ${HELPERS}.timeEnd();`;
  }
  throw unknownMagic(name, false);
}

/**
 * The cell with each magic word (and %timeit's -n/-r options) replaced by as many spaces, for
 * completion and inspection: the code after a magic is then ordinary TypeScript at the same
 * offsets, so Tab after `%timeit x.ma` offers matmul.
 */
export function blankMagics(source: string): string {
  if (!/^%/m.test(source)) return source;
  return source.replace(/^%%?\w+(\s+-[nr]\s*\S+)*/gm, (head) => " ".repeat(head.length));
}

/** `name?`, `name??` or `?name` alone in a cell (IPython's help syntax): the name, else null. */
export function helpTarget(source: string): string | null {
  const m = /^\s*(?:\?{1,2}([\p{L}_$][\p{L}\p{N}_$.]*)|([\p{L}_$][\p{L}\p{N}_$.]*)\?{1,2})\s*$/u.exec(source);
  return m ? (m[1] ?? m[2]) : null;
}

/** Rewrites the magics of a cell; a cell without % at the start of a line is returned as is. */
export function rewriteMagics(source: string): Rewritten {
  if (!/^%/m.test(source)) return { source, timeCell: false };
  const lines = source.split("\n");
  let timeCell = false;
  const cellMagic = /^%%(\w+)(.*)$/.exec(lines[0]);
  if (cellMagic) {
    const [, name, args] = cellMagic;
    if (name === "time") {
      timeCell = true;
      lines[0] = "";
    } else if (name === "timeit") {
      const { options, code } = timeitOptions(args, "%%timeit");
      if (code) throw new MagicError(`%%timeit times the rest of the cell; put "${code}" on the next line`);
      // The body becomes a function, so its declarations are local to the timing, as in IPython.
      lines[0] = `console.log(String(await ${HELPERS}.timeit(async () => {`;
      lines.push(`}, ${options})));`);
      return { source: lines.join("\n"), timeCell: false };
    } else {
      throw unknownMagic(name, true);
    }
  }
  const lastCode = lines.reduce((last, l, i) => (l.trim() && !l.trim().startsWith("//") ? i : last), -1);
  for (let i = 0; i < lines.length; i++) {
    const m = /^%(\w+)(.*)$/.exec(lines[i]);
    if (m) lines[i] = lineMagic(m[1], m[2], i === lastCode);
    else if (lines[i].startsWith("%%")) throw new MagicError(`${lines[i].split(/\s/)[0]} is a cell magic: it must be the cell's first line`);
  }
  return { source: lines.join("\n"), timeCell };
}

export interface CoreTiming {
  timeit?(fn: () => unknown, options: { number?: number; repeat?: number }): Promise<unknown>;
  sync?(): Promise<void>;
  formatTime?(seconds: number): string;
}

/** The timers %time and %%time started, innermost last. */
const started: { wall: number; cpu: NodeJS.CpuUsage }[] = [];

/**
 * Defines the global the rewritten code calls. `core` gives the preloaded @tsdl/core (null
 * without it): its timeit, its sync (a GPU op only queues work, so the clock stops once the
 * device is done) and its time format.
 */
export function installMagicHelpers(core: () => CoreTiming | null): void {
  const format = (seconds: number) => core()?.formatTime?.(seconds) ?? `${(seconds * 1000).toPrecision(3)} ms`;
  const helpers = {
    timeit(fn: () => unknown, options: { number?: number; repeat?: number }) {
      const c = core();
      if (!c?.timeit) throw new MagicError("%timeit needs @tsdl/core, which this kernel could not load");
      return c.timeit(fn, options);
    },
    timeStart() {
      started.push({ wall: performance.now(), cpu: process.cpuUsage() });
    },
    /** A new cell: timers of a cell that threw before its timeEnd are dropped. */
    reset() {
      started.length = 0;
    },
    async timeEnd<T>(value?: T): Promise<T | undefined> {
      await core()?.sync?.();
      const from = started.pop();
      if (!from) return value;
      const cpu = process.cpuUsage(from.cpu);
      const wall = (performance.now() - from.wall) / 1000;
      const [user, sys] = [cpu.user / 1e6, cpu.system / 1e6];
      console.log(`CPU times: user ${format(user)}, sys: ${format(sys)}, total: ${format(user + sys)}\nWall time: ${format(wall)}`);
      return value;
    },
  };
  Object.defineProperty(globalThis, "__tsdl_magic", { value: helpers, configurable: true, enumerable: false });
}
