// The operands of a shape error as rows of dimension boxes, lined up the way the op compares
// them: broadcasting compares trailing dims, so rows are right-aligned; matmul contracts the
// left's last dim with the right's second-to-last, so those two boxes sit one above the other.

import type { IShapeErrorData } from '../tokens';

export type Alignment = 'broadcast' | 'matmul' | 'start';

const MATMUL_OPS = new Set(['matmul', 'mm', 'bmm', 'dot', 'linear']);
// Ops that compare dims position by position from the first axis.
const START_ALIGNED = new Set([
  'reshape', 'view', 'concat', 'cat', 'stack', 'permute', 'transpose', 'slice', 'gather',
  'indexSelect', 'squeeze', 'unsqueeze', 'flatten', 'sum', 'mean', 'max', 'min', 'softmax'
]);

export function alignmentOf(detail: IShapeErrorData): Alignment {
  if (MATMUL_OPS.has(detail.op)) {
    return 'matmul';
  }
  if (detail.operands.length >= 2 && !START_ALIGNED.has(detail.op)) {
    return 'broadcast';
  }
  return 'start';
}

/** The grid column where each operand's axis 0 goes, and the number of columns. */
export function dimOffsets(
  shapes: readonly number[][],
  alignment: Alignment
): { offsets: number[]; columns: number } {
  const ranks = shapes.map(s => s.length);
  let offsets: number[];
  if (alignment === 'broadcast') {
    const most = Math.max(0, ...ranks);
    offsets = ranks.map(r => most - r);
  } else if (alignment === 'matmul' && shapes.length === 2) {
    // Anchor axes: left's last, right's second-to-last (its only one when it is a vector).
    const anchors = [Math.max(0, ranks[0] - 1), Math.max(0, ranks[1] - 2)];
    const at = Math.max(...anchors);
    offsets = anchors.map(a => at - a);
  } else {
    offsets = ranks.map(() => 0);
  }
  const columns = Math.max(0, ...ranks.map((r, i) => offsets[i] + r));
  return { offsets, columns };
}

/** A table with one row per operand: its role, its expression, and one box per dim. */
export function dimsTable(detail: IShapeErrorData, names: Record<string, string>): HTMLElement {
  const shapes = detail.operands.map(o => o.shape);
  const { offsets, columns } = dimOffsets(shapes, alignmentOf(detail));
  const table = document.createElement('table');
  table.className = 'tsdl-dims';
  table.setAttribute('aria-label', 'operand shapes');
  const body = table.createTBody();
  detail.operands.forEach((operand, k) => {
    const tr = body.insertRow();
    tr.className = 'tsdl-dims-row';
    const head = document.createElement('th');
    head.scope = 'row';
    head.className = 'tsdl-dims-label';
    const role = document.createElement('span');
    role.className = 'tsdl-dims-role';
    role.textContent = operand.role;
    const expr = document.createElement('code');
    expr.textContent = names[operand.role] ?? operand.role;
    head.append(role, ' ', expr);
    tr.append(head);
    for (let c = 0; c < columns; c++) {
      const td = tr.insertCell();
      const axis = c - offsets[k];
      if (axis < 0 || axis >= operand.shape.length) {
        continue;
      }
      const box = document.createElement('span');
      box.className = 'tsdl-dim';
      box.textContent = String(operand.shape[axis]);
      const conflict = detail.conflict.some(x => x.operand === k && x.axis === axis);
      box.classList.toggle('tsdl-dim-conflict', conflict);
      box.title = `axis ${axis}`;
      box.setAttribute(
        'aria-label',
        `axis ${axis}: ${operand.shape[axis]}${conflict ? ', conflicting' : ''}`
      );
      td.append(box);
    }
    const dtype = tr.insertCell();
    dtype.className = 'tsdl-dims-dtype';
    dtype.textContent = operand.dtype;
  });
  return table;
}
