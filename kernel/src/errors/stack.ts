// From an error's V8 stack to the cells it went through: frames in library code, the kernel
// or Node are left out of what the user sees (they stay in the raw stack, which the rich
// bundles carry).

import { CellLocation, CellRegistry } from "../language/cells";

export interface CellFrame {
  /** The function name V8 reports, if any ("forward", "Tensor.matmul"). */
  fn: string | null;
  location: CellLocation;
}

// "    at fn (file:line:col)" or "    at file:line:col"; file names of cells have no spaces.
const FRAME = /^\s*at (?:(.*?) \()?(tsdl-cell-\d+):(\d+):(\d+)\)?\s*$/;

/** The cell frames of an error's stack, innermost first. */
export function cellFrames(error: unknown, cells: CellRegistry): CellFrame[] {
  const stack = (error as { stack?: unknown } | null)?.stack;
  if (typeof stack !== "string") return [];
  const frames: CellFrame[] = [];
  for (const line of stack.split("\n")) {
    const m = FRAME.exec(line);
    if (!m) continue;
    const location = cells.locate(m[2], Number(m[3]), Number(m[4]));
    if (!location) continue;
    const fn = m[1] && !m[1].startsWith("eval") ? m[1].replace(/^async /, "") : null;
    frames.push({ fn, location });
  }
  return frames;
}

export function cellLabel(location: CellLocation): string {
  const n = location.cell.executionCount;
  return `${n === null ? "cell" : `cell ${n}`}, line ${location.line}`;
}

/** "  cell 3, line 2:  const y = x.matmul(w);" and a caret line under [start, end) of that
 * source line (zero-based columns), the line shown without its indentation. */
export function pointAt(location: CellLocation, start: number, end: number): string[] {
  const source = location.sourceLine;
  const indent = source.length - source.trimStart().length;
  const head = `  ${cellLabel(location)}:  `;
  const from = Math.max(start, indent);
  const to = Math.min(Math.max(end, from + 1), source.trimEnd().length);
  const carets = "^".repeat(Math.max(1, to - from));
  return [head + source.trim(), " ".repeat(head.length + from - indent) + carets];
}
