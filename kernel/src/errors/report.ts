// Errors as Jupyter reports them (ename, evalue, traceback lines), written for people: the cell
// and line that failed, the code underlined, and only frames from the user's cells.

import type { MimeBundle } from "../display/ladder";
import type { CellRegistry } from "../language/cells";
import { isInterrupt } from "../language/executor";
import { findCall } from "./callsite";
import { isShapeError, reportShapeError } from "./shapeError";
import { isDeviceError, reportDeviceError } from "./deviceError";
import { cellFrames, cellLabel, pointAt } from "./stack";

export interface ErrorReport {
  ename: string;
  evalue: string;
  traceback: string[];
  /** A rich bundle sent as display_data just before the error (shape errors). */
  display?: MimeBundle;
}

function nameAndMessage(error: unknown): { ename: string; evalue: string } {
  if (error instanceof Error) return { ename: error.name || "Error", evalue: error.message };
  if (error !== null && typeof error === "object" && "message" in error) {
    return { ename: String((error as { name?: unknown }).name ?? "Error"), evalue: String((error as { message: unknown }).message) };
  }
  // `throw "text"` or `throw 42`: JavaScript allows any value.
  return { ename: "Uncaught", evalue: typeof error === "string" ? error : String(error) };
}

export interface ReportContext {
  cells: CellRegistry;
  /** Whether an expression names a module-like object (so `ns.add(a, b)` is not a method call on a tensor). */
  isNamespace(expr: string): boolean;
  /** The value of a variable or property path in the user's scope (for naming tensors). */
  valueOf?(expr: string): unknown;
}

/** TSDL_TRACEBACK=full (in the kernel's environment) appends the raw stack, library and kernel
 * frames included, for debugging the libraries themselves; users see only their cells. */
function withRawStack(report: ErrorReport, error: unknown): ErrorReport {
  const stack = (error as { stack?: unknown } | null)?.stack;
  if (process.env.TSDL_TRACEBACK !== "full" || typeof stack !== "string") return report;
  return { ...report, traceback: [...report.traceback, "", "Full stack:", ...stack.split("\n")] };
}

export function reportRuntimeError(error: unknown, ctx: ReportContext): ErrorReport {
  return withRawStack(userReport(error, ctx), error);
}

function userReport(error: unknown, ctx: ReportContext): ErrorReport {
  if (isInterrupt(error)) {
    return { ename: "Interrupted", evalue: "the kernel was interrupted", traceback: ["Interrupted: the kernel was interrupted"] };
  }
  const frames = cellFrames(error, ctx.cells);
  if (isShapeError(error)) return reportShapeError(error, frames, ctx.isNamespace);
  if (isDeviceError(error)) return reportDeviceError(error, frames, { valueOf: (e) => ctx.valueOf?.(e) });
  const { ename, evalue } = nameAndMessage(error);
  const lines = [`${ename}: ${evalue}`];
  const [first, ...callers] = frames;
  if (first) {
    const call = findCall(first.location);
    const col = first.location.column - 1;
    const inCall = call && call.start <= col && col < call.end;
    lines.push(...pointAt(first.location, inCall ? call.start : col, inCall ? call.end : col + 1));
  }
  for (const f of callers) lines.push(`  called from ${cellLabel(f.location)}:  ${f.location.sourceLine.trim()}`);
  return { ename, evalue, traceback: lines };
}
