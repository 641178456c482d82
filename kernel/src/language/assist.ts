// Completion (Tab), inspection (Shift+Tab) and is_complete, from the same TypeScript program
// the cells are checked with, so they know every earlier cell and the preloaded core.
// Jupyter counts cursor positions in Unicode code points; JavaScript strings in UTF-16 units.

import { printQuickInfo } from "tslab/dist/inspect";
import type { Executor } from "./executor";
import type { TslabLanguage } from "./tslab";
import { ts } from "./tslab";
import { shortenTypeNames } from "../errors/diagnostics";
import { blankMagics } from "./magics";

/** Quick-info text as a user reads it: short type names, and no `import tensor = tensor` line
 * for the preloaded names (they are global aliases of the core's exports). */
function quickInfoText(info: Parameters<typeof printQuickInfo>[0]): string {
  return shortenTypeNames(printQuickInfo(info)).replace(/\nimport ([\w$]+) = \1(?=\n|$)/, "");
}

export function codePointsToUnits(text: string, cursor: number): number {
  let units = 0;
  let points = 0;
  for (const ch of text) {
    if (points >= cursor) break;
    units += ch.length;
    points++;
  }
  return units;
}

export function unitsToCodePoints(text: string, units: number): number {
  return [...text.slice(0, units)].length;
}

/** Extra lines for inspecting a value (e.g. a tensor's shape and device). */
export type Describe = (name: string) => string | null;

export class Assist {
  constructor(
    private readonly lang: TslabLanguage,
    private readonly executor: Executor,
    private readonly describe: Describe,
  ) {}

  complete(code: string, cursorPos: number) {
    const cursor = codePointsToUnits(code, cursorPos);
    const info = this.lang.converter.complete(this.executor.declarations, blankMagics(code), cursor);
    return {
      status: "ok",
      matches: info.candidates,
      cursor_start: unitsToCodePoints(code, info.start),
      cursor_end: unitsToCodePoints(code, info.end),
      metadata: {},
    };
  }

  inspect(code: string, cursorPos: number) {
    const cursor = codePointsToUnits(code, cursorPos);
    const conv = this.lang.converter;
    // The cursor usually sits just after the name (Shift+Tab at the end of `x`).
    const plain = blankMagics(code);
    const info = conv.inspect(this.executor.declarations, plain, cursor) ?? (cursor > 0 ? conv.inspect(this.executor.declarations, plain, cursor - 1) : undefined);
    if (!info) return { status: "ok", found: false, data: {}, metadata: {} };
    let text = quickInfoText(info);
    const span = info.textSpan;
    const name = span ? code.slice(span.start, span.start + span.length) : "";
    const extra = /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(name) ? this.describe(name) : null;
    if (extra) text += `\n\n${extra}`;
    return { status: "ok", found: true, data: { "text/plain": text }, metadata: {} };
  }

  /** What `name?` shows in a cell: the inspection text (type, documentation, a tensor's shape),
   * as a value the display ladder shows as plain text. */
  help(name: string): { [key: symbol]: () => Record<string, string> } {
    const found = this.inspect(name, [...name].length);
    // An unknown name is typed `any` by the checker, with nothing more to say.
    const info = found.found ? String(found.data["text/plain"]) : "";
    const text = info && info.trim() !== "any" ? info : `${name}: nothing is known by that name here`;
    return { [Symbol.for("Jupyter.display")]: () => ({ "text/plain": text }) };
  }

  /** The quick-info text at a UTF-16 offset of a cell being checked (for error rewriting). */
  typeAt(source: string, offset: number): string | null {
    const info = this.lang.converter.inspect(this.executor.declarations, source, offset);
    return info ? quickInfoText(info) : null;
  }

  isComplete(source: string): { status: "complete" | "incomplete" | "invalid"; indent?: string } {
    const code = blankMagics(source);
    const r = this.lang.isCompleteCode(code);
    if (!r.completed) return { status: "incomplete", indent: r.indent ?? "" };
    const sf = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const syntaxErrors = (sf as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics ?? [];
    return { status: syntaxErrors.length ? "invalid" : "complete" };
  }
}
