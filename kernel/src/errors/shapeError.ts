// A core ShapeError told in the user's own words: the operands named by the source text the
// user wrote, the line of the cell with the failing call underlined, the rule, and fixes that
// would work, e.g.
//
//   ShapeError: cannot matmul x (shape [1, 2]) with w (shape [1, 2])
//     cell 3, line 2:  const y = x.matmul(w);
//                                ^^^^^^^^^^^
//     matmul needs x's last dim (2) to equal w's second-to-last dim (1).
//     Did you mean  x.matmul(w.T)  -> [1, 1]   or   x.T.matmul(w)  -> [2, 2]?
//
// plus the structured detail for JupyterLab (application/vnd.tsdl.shape-error+json).

import type { ShapeErrorDetail } from "@tsdl/core";
import type { CellFrame } from "./stack";
import { cellLabel, pointAt } from "./stack";
import { CallSite, asOperand, findCall } from "./callsite";
import type { ErrorReport } from "./report";

export const SHAPE_ERROR_MIME = "application/vnd.tsdl.shape-error+json";

export interface ShapeErrorLike {
  name: string;
  message: string;
  stack?: string;
  detail: ShapeErrorDetail;
}

export function isShapeError(e: unknown): e is ShapeErrorLike {
  const d = (e as { detail?: Partial<ShapeErrorDetail> } | null)?.detail;
  return (
    e instanceof Error && e.name === "ShapeError" && !!d && typeof d.op === "string" && Array.isArray(d.operands) && typeof d.rule === "string"
  );
}

/** Method names that reach an op of another name. */
const OP_ALIASES: Record<string, string[]> = { matmul: ["mm", "dot"] };

const shape = (s: readonly number[]) => `[${s.join(", ")}]`;

/** Operand expressions for the detail's operands, when the call is the op itself. */
function operandExprs(detail: ShapeErrorDetail, call: CallSite | null, isNamespace: (expr: string) => boolean): string[] | null {
  if (!call || !call.name) return null;
  if (call.name !== detail.op && !(OP_ALIASES[detail.op] ?? []).includes(call.name)) return null;
  const n = detail.operands.length;
  const methodStyle = call.receiver !== null && !isNamespace(call.receiver);
  // einsum's first argument is its spec string; the tensors follow it.
  const args = detail.op === "einsum" ? call.args.slice(1) : call.args;
  const candidates = methodStyle ? [call.receiver as string, ...args] : args;
  return candidates.length >= n ? candidates.slice(0, n) : null;
}

function fill(text: string, names: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (m, role: string) => names[role] ?? role);
}

function headline(detail: ShapeErrorDetail, exprs: string[], call: CallSite | null): string {
  const ops = detail.operands;
  const described = ops.map((o, i) => `${exprs[i]} (shape ${shape(o.shape)})`);
  if (ops.length === 2) return `cannot ${detail.op} ${described[0]} with ${described[1]}`;
  if (ops.length === 1 && call && call.args.length > 0 && ["reshape", "broadcastTo", "view"].includes(detail.op)) {
    return `cannot ${detail.op} ${described[0]} to ${call.args.join(", ")}`;
  }
  return `cannot ${detail.op} ${described.join(", ")}`;
}

function suggestionsLine(detail: ShapeErrorDetail, names: Record<string, string>): string | null {
  const items = detail.suggestions.slice(0, 3).map((s) => `${fill(s.code, names)}  -> ${shape(s.resultShape)}`);
  return items.length ? `  Did you mean  ${items.join("   or   ")}?` : null;
}

export function reportShapeError(error: ShapeErrorLike, frames: CellFrame[], isNamespace: (expr: string) => boolean): ErrorReport {
  const detail = error.detail;
  const where = frames[0]?.location ?? null;
  const call = where ? findCall(where) : null;
  const fromCall = operandExprs(detail, call, isNamespace);
  const exprs = fromCall ?? detail.operands.map((o) => o.role);
  const names: Record<string, string> = {};
  detail.operands.forEach((o, i) => (names[o.role] = fromCall ? asOperand(exprs[i]) : o.role));
  // Roles read as names in the rule text ("x's last dim"), without parentheses.
  const plainNames: Record<string, string> = {};
  detail.operands.forEach((o, i) => (plainNames[o.role] = exprs[i]));

  const evalue = headline(detail, exprs, call);
  const lines = [`ShapeError: ${evalue}`];
  if (where) lines.push(...pointAt(where, call?.start ?? where.column - 1, call?.end ?? where.column));
  for (const f of frames.slice(1)) lines.push(`  called from ${cellLabel(f.location)}:  ${f.location.sourceLine.trim()}`);
  const rule = fill(detail.rule, plainNames).trim();
  lines.push(`  ${/[.!?]$/.test(rule) ? rule : rule + "."}`);
  if (fromCall) {
    const s = suggestionsLine(detail, names);
    if (s) lines.push(s);
  } else {
    lines.push(`  (${error.message})`);
  }

  const rich = {
    ...detail,
    operands: detail.operands.map((o, i) => ({ ...o, expr: exprs[i] })),
    location: where ? { line: where.line, column: (call?.start ?? where.column - 1) + 1, source: where.sourceLine } : null,
    cell: where?.cell.executionCount ?? null,
    message: error.message,
    stack: error.stack ?? "",
  };
  return {
    ename: "ShapeError",
    evalue,
    traceback: lines,
    // The text above is the error output every frontend shows; this bundle's text/plain stays
    // empty so the message is not printed twice where the rich renderer is missing.
    display: { data: { [SHAPE_ERROR_MIME]: rich, "text/plain": "" }, metadata: {} },
  };
}
