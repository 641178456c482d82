// Broadcasting with an error that says which axis fails after right-alignment, and fixes.

import { ShapeError } from "../errors";
import { formatShape } from "../shape";
import { broadcastShapes } from "./shapeRules";
import type { Tensor } from "../tensor";

/** The broadcast shape of two operands of a binary op, or a ShapeError naming the axis. */
export function broadcastOrThrow(op: string, a: Tensor, b: Tensor, roles = ["left", "right"]): number[] {
  const out = broadcastShapes(a.shape, b.shape);
  if (out) return out;
  const rank = Math.max(a.ndim, b.ndim);
  const conflict: { operand: number; axis: number }[] = [];
  let fromRight = 0;
  for (let k = 1; k <= rank; k++) {
    const da = a.shape[a.ndim - k];
    const db = b.shape[b.ndim - k];
    if (da !== undefined && db !== undefined && da !== db && da !== 1 && db !== 1) {
      conflict.push({ operand: 0, axis: a.ndim - k }, { operand: 1, axis: b.ndim - k });
      fromRight = k;
      break;
    }
  }
  const [l, r] = roles;
  const da = a.shape[a.ndim - fromRight];
  const db = b.shape[b.ndim - fromRight];
  const rule =
    `Broadcasting lines shapes up from the right; each pair of dims must be equal or one of them 1. ` +
    `At axis -${fromRight}, {${l}} has ${da} and {${r}} has ${db}.`;
  const message =
    `${op}: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} do not broadcast: ` +
    `at axis -${fromRight} (counting from the right) the sizes ${da} and ${db} differ and neither is 1`;
  throw new ShapeError(message, {
    op,
    operands: [
      { role: l, shape: a.shape.slice(), dtype: a.dtype },
      { role: r, shape: b.shape.slice(), dtype: b.dtype },
    ],
    conflict,
    rule,
    suggestions: broadcastSuggestions(op, a.shape, b.shape, l, r),
  });
}

/** Fixes that make the shapes broadcast: a trailing unsqueeze of the shorter operand (align
 * it with the leading axes instead of the trailing ones) or a transpose of a 2-D operand. */
function broadcastSuggestions(op: string, a: readonly number[], b: readonly number[], l: string, r: string) {
  const out: { code: string; resultShape: number[] }[] = [];
  const method = op;
  const tryShape = (code: string, sa: readonly number[], sb: readonly number[]) => {
    const s = broadcastShapes(sa, sb);
    if (s && !out.some((o) => o.code === code)) out.push({ code, resultShape: s });
  };
  const ones = (n: number) => new Array<number>(n).fill(1);
  if (b.length < a.length) {
    for (let extra = 1; extra <= a.length - b.length; extra++) {
      const nb = [...b, ...ones(extra)];
      tryShape(`{${l}}.${method}({${r}}.reshape(${formatShape(nb)}))`, a, nb);
    }
  } else if (a.length < b.length) {
    for (let extra = 1; extra <= b.length - a.length; extra++) {
      const na = [...a, ...ones(extra)];
      tryShape(`{${l}}.reshape(${formatShape(na)}).${method}({${r}})`, na, b);
    }
  }
  if (b.length === 2) tryShape(`{${l}}.${method}({${r}}.T)`, a, [b[1], b[0]]);
  if (a.length === 2) tryShape(`{${l}}.T.${method}({${r}})`, [a[1], a[0]], b);
  return out.slice(0, 3);
}
