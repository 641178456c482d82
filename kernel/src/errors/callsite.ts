// The call expression a stack frame points at, read from the cell's syntax tree: its span for
// the caret line, the called name, and the source text of its receiver and arguments, which
// become the operand names in messages ("x", "w.T", "relu(h)").

import type * as TS from "@tslab/typescript-for-tslab";
import { ts } from "../language/tslab";
import type { CellLocation } from "../language/cells";

export interface CallSite {
  /** Zero-based columns of the call on its first line (end clipped to that line). */
  start: number;
  end: number;
  /** The called function or method name ("matmul"), or null for computed callees. */
  name: string | null;
  /** Source text of the receiver of a method call (`x` in `x.matmul(w)`), else null. */
  receiver: string | null;
  args: string[];
  /** The whole call's text. */
  text: string;
}

function parse(source: string): TS.SourceFile {
  return ts.createSourceFile("cell.ts", source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

function calleeName(callee: TS.Expression): string | null {
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  if (ts.isIdentifier(callee)) return callee.text;
  return null;
}

/** The innermost call whose callee name (or, failing that, whose text) covers the position. */
export function findCall(location: CellLocation): CallSite | null {
  const source = location.cell.source;
  const sf = parse(source);
  let pos: number;
  try {
    pos = sf.getPositionOfLineAndCharacter(location.line - 1, location.column - 1);
  } catch {
    return null;
  }
  let best: TS.CallExpression | TS.NewExpression | null = null;
  const visit = (node: TS.Node): void => {
    if (pos < node.getStart(sf) || pos >= node.getEnd()) return;
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) best = node;
    node.forEachChild(visit);
  };
  visit(sf);
  if (!best) return null;
  const call = best as TS.CallExpression | TS.NewExpression;
  const callee = call.expression;
  const first = sf.getLineAndCharacterOfPosition(call.getStart(sf));
  const last = sf.getLineAndCharacterOfPosition(call.getEnd());
  const lineText = source.split("\n")[first.line] ?? "";
  return {
    start: first.character,
    end: last.line === first.line ? last.character : lineText.trimEnd().length,
    name: calleeName(callee),
    receiver: ts.isPropertyAccessExpression(callee) ? callee.expression.getText(sf) : null,
    args: (call.arguments ?? []).map((a) => a.getText(sf)),
    text: call.getText(sf),
  };
}

/** Wraps an expression in parentheses where `.method()` after it would bind differently. */
export function asOperand(expr: string): string {
  const sf = parse(`(${expr});`);
  const stmt = sf.statements[0];
  if (!stmt || !ts.isExpressionStatement(stmt) || !ts.isParenthesizedExpression(stmt.expression)) return `(${expr})`;
  const inner = stmt.expression.expression;
  const simple =
    ts.isIdentifier(inner) ||
    ts.isPropertyAccessExpression(inner) ||
    ts.isElementAccessExpression(inner) ||
    ts.isCallExpression(inner) ||
    ts.isParenthesizedExpression(inner) ||
    ts.isArrayLiteralExpression(inner) ||
    inner.kind === ts.SyntaxKind.ThisKeyword;
  return simple ? expr : `(${expr})`;
}
