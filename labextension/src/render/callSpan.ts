// Where the failing call sits in its source line, and the user's names put into the {role}
// placeholders of core's rule and suggestions. The kernel sends the line and a column; the
// column may point at the receiver (`x` in `x.matmul(w)`) or at the method name (as V8 stack
// frames do), so the span is found from the op's name and the brackets around it.

import type { IShapeErrorData } from '../tokens';

/** A half-open range [start, end) of 0-based character indices in one line. */
export interface ISpan {
  start: number;
  end: number;
}

const OPEN: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
const CLOSE: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** Index of the bracket that closes the one at `open`, skipping string literals; -1 if none. */
function matchForward(s: string, open: number): number {
  const stack: string[] = [];
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === '"' || c === "'" || c === '`') {
      const endQuote = s.indexOf(c, i + 1);
      i = endQuote < 0 ? s.length : endQuote;
    } else if (CLOSE[c]) {
      stack.push(CLOSE[c]);
    } else if (c === stack[stack.length - 1]) {
      stack.pop();
      if (!stack.length) {
        return i;
      }
    }
  }
  return -1;
}

/** Index of the bracket that opens the one at `close`; -1 if none. */
function matchBackward(s: string, close: number): number {
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    if (OPEN[s[i]]) {
      depth++;
    } else if (CLOSE[s[i]] && --depth === 0) {
      return i;
    }
  }
  return -1;
}

/** Start of the receiver chain ending just before `dot` (`relu(h).T` in `relu(h).T.matmul`). */
function receiverStart(s: string, dot: number): number {
  let i = dot - 1;
  while (i >= 0) {
    const c = s[i];
    if (OPEN[c]) {
      const open = matchBackward(s, i);
      if (open < 0) {
        break;
      }
      i = open - 1;
    } else if (/[\w$.?]/.test(c)) {
      i--;
    } else {
      break;
    }
  }
  return i + 1;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The span of the failing call `receiver.op(args)` or `op(args)` in `source`.
 * `column` is 1-based; among several calls of `op`, the one nearest to it wins. When the op's
 * name is not in the line (a composite op failing inside), the first call at `column` is used.
 */
export function findCallSpan(source: string, op: string, column = 1): ISpan | null {
  const col = Math.max(0, column - 1);
  const calls = [...source.matchAll(new RegExp(`\\b${escapeRegExp(op)}\\s*\\(`, 'g'))];
  let nameStart: number;
  let paren: number;
  if (calls.length) {
    const near = calls.reduce((a, b) =>
      Math.abs(b.index! - col) < Math.abs(a.index! - col) ? b : a
    );
    nameStart = near.index!;
    paren = nameStart + near[0].length - 1;
  } else {
    paren = source.indexOf('(', col);
    if (paren < 0) {
      return null;
    }
    nameStart = col;
  }
  const close = matchForward(source, paren);
  const end = close < 0 ? source.replace(/[;\s]+$/, '').length : close + 1;
  let start = nameStart;
  const dot = source[nameStart - 1] === '.' ? nameStart - 1 : -1;
  if (dot > 0) {
    start = receiverStart(source, source[dot - 1] === '?' ? dot - 1 : dot);
  }
  return { start, end };
}

/** An expression that can take `.method()` after it as it stands; others get parentheses. */
function isPostfixChain(expr: string): boolean {
  return /^[\w$]+(\??\.[\w$]+|\([^()]*\)|\[[^[\]]*\])*$/.test(expr.trim());
}

/** The expression each role stands for: the user's source text, else the role's name. */
export function roleNames(detail: IShapeErrorData): Record<string, string> {
  const names: Record<string, string> = {};
  for (const o of detail.operands) {
    names[o.role] = o.expr?.trim() || o.role;
  }
  return names;
}

/** Suggestion code with the user's expressions in place of {role}. */
export function fillCode(code: string, names: Record<string, string>): string {
  return code.replace(/\{(\w+)\}/g, (m, role: string) => {
    const expr = names[role];
    if (expr === undefined) {
      return role;
    }
    return isPostfixChain(expr) ? expr : `(${expr})`;
  });
}

/** The rule split into prose and the user's expressions, so the view can set code apart. */
export function fillRule(
  rule: string,
  names: Record<string, string>
): { text: string; code: boolean }[] {
  const parts: { text: string; code: boolean }[] = [];
  let last = 0;
  for (const m of rule.matchAll(/\{(\w+)\}/g)) {
    if (m.index! > last) {
      parts.push({ text: rule.slice(last, m.index), code: false });
    }
    parts.push({ text: names[m[1]] ?? m[1], code: true });
    last = m.index! + m[0].length;
  }
  if (last < rule.length) {
    parts.push({ text: rule.slice(last), code: false });
  }
  return parts;
}
