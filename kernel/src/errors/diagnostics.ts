// TypeScript errors of a cell, with the code underlined, and rewritten where the compiler's
// words do not help a student: arithmetic operators on tensors ("Operator '+' cannot be
// applied to types 'Tensor' and 'Tensor'") become the method to call instead.

import type * as TS from "@tslab/typescript-for-tslab";
import type { Diagnostic } from "tslab/dist/converter";
import { ts } from "../language/tslab";
import type { CellRecord } from "../language/cells";
import { asOperand } from "./callsite";
import type { ErrorReport } from "./report";
import { pointAt } from "./stack";
import { CORE_NAMESPACE } from "../preload";

const CORE_QUALIFIER = new RegExp(`\\b${CORE_NAMESPACE}\\.`, "g");

/** JavaScript operators and the Tensor methods (and core functions) that do the same. */
export const OPERATOR_METHODS: Record<string, string> = {
  "+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow", "%": "mod",
  "<": "lt", "<=": "le", ">": "gt", ">=": "ge",
};

const OPERATOR_CODES = new Set([2365, 2362, 2363]);

const parseCell = (source: string) => ts.createSourceFile("cell.ts", source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);

/** The innermost node of one kind that contains a zero-based offset of the cell. */
function innermostAt<T extends TS.Node>(sf: TS.SourceFile, offset: number, is: (n: TS.Node) => n is T): T | null {
  let found: T | null = null;
  const visit = (node: TS.Node): void => {
    if (offset < node.getStart(sf) || offset >= node.getEnd()) return;
    if (is(node)) found = node;
    node.forEachChild(visit);
  };
  visit(sf);
  return found;
}

/** The type the checker gives the expression at a zero-based position, as quick-info text. */
export type TypeAt = (offset: number) => string | null;

function operatorHint(source: string, d: Diagnostic, typeAt: TypeAt): string | null {
  if (!OPERATOR_CODES.has(d.code)) return null;
  const sf = parseCell(source);
  const bin = innermostAt(sf, d.start.offset, ts.isBinaryExpression);
  if (!bin) return null;
  const opText = bin.operatorToken.getText(sf);
  const compound = opText.length > 1 && opText.endsWith("=") && !["<=", ">=", "==", "!="].includes(opText);
  const op = compound ? opText.slice(0, -1) : opText;
  const method = OPERATOR_METHODS[op];
  if (!method) return null;
  const isTensor = (e: TS.Expression) => /\bTensor\b/.test(typeAt(e.getStart(sf)) ?? "");
  const mentions = /\bTensor\b/.test(d.messageText) || isTensor(bin.left) || isTensor(bin.right);
  if (!mentions) return null;
  const left = bin.left.getText(sf);
  const right = bin.right.getText(sf);
  const call = `${asOperand(left)}.${method}(${right})`;
  const fix = compound ? `${left} = ${call}` : call;
  return `Tensors do not support the ${op} operator; write  ${fix}  (or ${method}(${left}, ${right})).`;
}

/** Arrays where a Tensor is expected: say how to make one from the array the user wrote. */
function arrayHint(source: string, d: Diagnostic): string | null {
  if (!/'(number|boolean)(\[\])+'/.test(d.messageText) || !/'Tensor'/.test(d.messageText)) return null;
  const sf = parseCell(source);
  let text = source.slice(d.start.offset, d.end.offset);
  const visit = (node: TS.Node): void => {
    if (d.start.offset < node.getStart(sf) || d.start.offset >= node.getEnd()) return;
    // `const q: Tensor = [1, 2]` is reported at `q`; the array is the initializer.
    if (ts.isVariableDeclaration(node) && node.initializer && ts.isArrayLiteralExpression(node.initializer)) text = node.initializer.getText(sf);
    node.forEachChild(visit);
  };
  visit(sf);
  return text.trim().startsWith("[") ? `An array is not a Tensor; make one with  tensor(${text.trim()}).` : null;
}

/** PyTorch's Tensor methods that tsdl spells otherwise, and what to write instead ({x}: the tensor). */
export const PYTORCH_TENSOR_METHODS: Record<string, string> = {
  numpy: "await {x}.data() (a flat typed array) or await {x}.array() (nested arrays)",
  tolist: "await {x}.array()",
  cuda: 'await {x}.to("webgpu")',
  cpu: 'await {x}.to("cpu")',
  dim: "{x}.ndim",
  numel: "{x}.size",
  size: "{x}.shape, e.g. {x}.shape[0] ({x}.size is the number of elements, as in NumPy)",
  add_: "{x}.assign({x}.add(y)) (tsdl's ops make new tensors; assign() writes one into another)",
  zero_: "{x}.assign(zerosLike({x}))",
};

/** A PyTorch Tensor method used on a tensor: "x.numpy()" -> what tsdl calls it. */
function pytorchHint(source: string, d: Diagnostic, typeAt: TypeAt): string | null {
  // 2339: Property 'numpy' does not exist on type 'Tensor'. 2349: This expression is not callable (x.size(0)).
  if (d.code !== 2339 && d.code !== 2349 && d.code !== 2551) return null;
  const sf = parseCell(source);
  const pa = innermostAt(sf, d.start.offset, ts.isPropertyAccessExpression);
  if (!pa) return null;
  const name = pa.name.text;
  const instead = PYTORCH_TENSOR_METHODS[name];
  // A missing property's message names the type; for size(0) the quick info of `size` does
  // ("(property) Tensor.size: number"), and the object's own type is the last resort.
  const onTensor = (text: string | null) => /\bTensor\b/.test(text ?? "");
  if (!instead || !(onTensor(d.messageText) || onTensor(typeAt(pa.name.getStart(sf))) || onTensor(typeAt(pa.expression.getStart(sf))))) return null;
  const x = asOperand(pa.expression.getText(sf));
  return `${x}.${name}() is PyTorch's; in tsdl write  ${instead.replace(/\{x\}/g, x)}.`;
}

/** Types from modules print as import("/abs/path/module").Name, and the preloaded core's as
 * __tsdl_core.Name (the namespace its global aliases go through); the name alone reads better. */
export function shortenTypeNames(message: string): string {
  return message.replace(/import\("[^"]*"\)\./g, "").replace(CORE_QUALIFIER, "");
}

/** Diagnostics of one place: tslab lists a message chain as several entries at one span. */
function groups(diags: Diagnostic[]): Diagnostic[][] {
  const out: Diagnostic[][] = [];
  for (const d of diags) {
    const last = out[out.length - 1];
    const head = last?.[0];
    if (head && head.start.offset === d.start.offset && head.end.offset === d.end.offset && head.fileName === d.fileName) last.push(d);
    else out.push([d]);
  }
  return out;
}

export function reportDiagnostics(all: Diagnostic[], cell: CellRecord, typeAt: TypeAt): ErrorReport {
  const diags = all.map((d) => ({ ...d, messageText: shortenTypeNames(d.messageText) }));
  const lines: string[] = [];
  let evalue = "";
  const sourceLines = cell.source.split("\n");
  for (const group of groups(diags)) {
    const [d, ...chain] = group;
    const hint = d.fileName ? null : (operatorHint(cell.source, d, typeAt) ?? arrayHint(cell.source, d) ?? pytorchHint(cell.source, d, typeAt));
    const message = hint ?? d.messageText;
    if (!evalue) evalue = message;
    if (d.fileName) {
      lines.push(`  ${d.fileName}, line ${d.start.line + 1}:${d.start.character + 1}: ${d.messageText}`);
      continue;
    }
    const location = { cell, line: d.start.line + 1, column: d.start.character + 1, sourceLine: sourceLines[d.start.line] ?? "" };
    const end = d.end.line === d.start.line ? d.end.character : location.sourceLine.length;
    lines.push(...pointAt(location, d.start.character, end));
    if (hint) lines.push(`  ${hint}`, `  (TypeScript: ${d.messageText})`);
    else lines.push(`  ${d.messageText}`, ...chain.map((c) => `    ${c.messageText}`));
  }
  const count = groups(diags).length;
  const where = cell.executionCount === null ? "this cell" : `cell ${cell.executionCount}`;
  const title = count === 1 ? `TypeScriptError: ${evalue}` : `TypeScriptError: ${count} type errors in ${where}`;
  return { ename: "TypeScriptError", evalue, traceback: [title, ...lines] };
}
