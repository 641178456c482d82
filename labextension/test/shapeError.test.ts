// The shape-error renderer: locating the failing call, filling roles with the user's names,
// aligning dims as the op compares them, and what Apply asks for.
import { strict as assert } from 'assert';
import { rewrite } from '../src/render/apply';
import { fillCode, fillRule, findCallSpan } from '../src/render/callSpan';
import { dimOffsets } from '../src/render/dims';
import { IApplyRequest, renderShapeError } from '../src/render/shapeError';
import { IShapeErrorData } from '../src/tokens';

// The detail core's matmul rule builds for [2, 3] @ [4, 3], plus what the kernel adds.
const matmulError: IShapeErrorData = {
  op: 'matmul',
  operands: [
    { role: 'left', shape: [2, 3], dtype: 'float32', expr: 'x' },
    { role: 'right', shape: [4, 3], dtype: 'float32', expr: 'w' }
  ],
  conflict: [{ operand: 0, axis: 1 }, { operand: 1, axis: 0 }],
  rule: "matmul needs {left}'s last dim (3) to equal {right}'s second-to-last dim (4).",
  suggestions: [
    { code: '{left}.matmul({right}.T)', resultShape: [2, 4] },
    { code: '{right}.matmul({left})', resultShape: [4, 3] }
  ],
  location: { line: 2, column: 11, source: 'const y = x.matmul(w);' }
};

const slice = (s: string, span: { start: number; end: number } | null) =>
  span && s.slice(span.start, span.end);

describe('findCallSpan', () => {
  it('finds the call from a column at the receiver or at the method name', () => {
    const s = 'const y = x.matmul(w);';
    assert.equal(slice(s, findCallSpan(s, 'matmul', 11)), 'x.matmul(w)');
    assert.equal(slice(s, findCallSpan(s, 'matmul', 13)), 'x.matmul(w)');
  });
  it('takes in receiver chains and nested arguments', () => {
    const s = '  const h = relu(a.add(b)).T.matmul(w.reshape([3, 4])) + 1;';
    assert.equal(slice(s, findCallSpan(s, 'matmul', 13)), 'relu(a.add(b)).T.matmul(w.reshape([3, 4]))');
  });
  it('handles function-style calls and picks the call nearest the column', () => {
    const s = 'const z = add(a, b).mul(add(c, d));';
    assert.equal(slice(s, findCallSpan(s, 'add', 29)), 'add(c, d)');
    assert.equal(slice(s, findCallSpan(s, 'add', 11)), 'add(a, b)');
  });
  it('falls back to the call at the column when the op name is not in the line', () => {
    const s = 'const p = x.softmax(1)';
    assert.equal(slice(s, findCallSpan(s, 'exp', 11)), 'x.softmax(1)');
    assert.equal(findCallSpan('const a = b', 'exp', 11), null);
  });
});

describe('filling roles', () => {
  const names = { left: 'x', right: 'h.add(b)', input: 'a + b' };
  it('puts the user expressions into suggestion code, parenthesised when needed', () => {
    assert.equal(fillCode('{left}.matmul({right}.T)', names), 'x.matmul(h.add(b).T)');
    assert.equal(fillCode('{input}.reshape([-1])', names), '(a + b).reshape([-1])');
  });
  it('splits the rule into prose and code', () => {
    const parts = fillRule("{left}'s last dim (3) must equal {right}'s", names);
    assert.deepEqual(parts, [
      { text: 'x', code: true },
      { text: "'s last dim (3) must equal ", code: false },
      { text: 'h.add(b)', code: true },
      { text: "'s", code: false }
    ]);
  });
});

describe('dimOffsets', () => {
  it('right-aligns for broadcasting', () => {
    assert.deepEqual(dimOffsets([[2, 3, 4], [4]], 'broadcast'), { offsets: [0, 2], columns: 3 });
  });
  it('puts the inner dims of a matmul in one column', () => {
    // left's axis 1 and right's axis 0 share column 1.
    assert.deepEqual(dimOffsets([[2, 3], [4, 5]], 'matmul'), { offsets: [0, 1], columns: 3 });
    assert.deepEqual(dimOffsets([[8, 2, 3], [3]], 'matmul'), { offsets: [0, 2], columns: 3 });
  });
});

describe('renderShapeError', () => {
  it('underlines the failing call in its line', () => {
    const root = renderShapeError(matmulError, null);
    assert.equal(root.querySelector('.tsdl-se-call')!.textContent, 'x.matmul(w)');
    assert.equal(root.querySelector('.tsdl-se-source code')!.textContent, 'const y = x.matmul(w);');
    assert.equal(root.querySelector('.tsdl-se-lineno')!.textContent, 'line 2');
    assert.equal(root.getAttribute('aria-label'), 'Shape error in matmul');
  });

  it('shows operands as rows of dims, the conflicting ones highlighted and facing', () => {
    const root = renderShapeError(matmulError, null);
    const rows = Array.from(root.querySelectorAll('tr.tsdl-dims-row'));
    assert.deepEqual(
      rows.map(r => r.querySelector('th')!.textContent),
      ['left x', 'right w']
    );
    const columnOf = (row: Element, text: string) =>
      Array.from(row.querySelectorAll('td')).findIndex(td => td.textContent === text);
    assert.equal(columnOf(rows[0], '3'), columnOf(rows[1], '4'), 'inner dims in one column');
    const conflicts = Array.from(root.querySelectorAll('.tsdl-dim-conflict')).map(d => d.getAttribute('aria-label'));
    assert.deepEqual(conflicts, ['axis 1: 3, conflicting', 'axis 0: 4, conflicting']);
  });

  it('states the rule with the user names and lists fixes with result shapes', () => {
    const root = renderShapeError(matmulError, null);
    assert.equal(
      root.querySelector('.tsdl-se-rule')!.textContent,
      "matmul needs x's last dim (3) to equal w's second-to-last dim (4)."
    );
    const fixes = Array.from(root.querySelectorAll('.tsdl-se-suggestion')).map(li => [
      li.querySelector('.tsdl-se-code')!.textContent,
      li.querySelector('.tsdl-chip-shape')!.textContent
    ]);
    assert.deepEqual(fixes, [['x.matmul(w.T)', '[2, 4]'], ['w.matmul(x)', '[4, 3]']]);
  });

  it('asks its Apply handler to replace the call, and shows the answer', async () => {
    const requests: IApplyRequest[] = [];
    const root = renderShapeError(matmulError, async r => {
      requests.push(r);
      return 'Applied';
    });
    root.querySelector<HTMLButtonElement>('.tsdl-apply')!.click();
    await new Promise(resolve => setTimeout(resolve, 0));
    assert.equal(requests.length, 1);
    const { line, source, span, code } = requests[0];
    assert.deepEqual({ line, source, span, code }, {
      line: 2, source: 'const y = x.matmul(w);', span: { start: 10, end: 21 }, code: 'x.matmul(w.T)'
    });
    assert.equal(root.querySelector('.tsdl-se-status')!.textContent, 'Applied');
  });

  it('disables Apply without a handler', () => {
    const root = renderShapeError(matmulError, null);
    assert.equal(root.querySelector<HTMLButtonElement>('.tsdl-apply')!.disabled, true);
  });
});

describe('rewrite', () => {
  const request = { line: 2, source: 'const y = x.matmul(w);', span: { start: 10, end: 21 }, code: 'x.matmul(w.T)' };
  it('maps the span of the reported line to offsets in the cell', () => {
    const text = 'const x = ones([2, 3]);\nconst y = x.matmul(w);\ny';
    const at = rewrite(text, request)!;
    assert.equal(text.slice(at.start, at.end), 'x.matmul(w)');
    assert.equal(at.line, 1);
  });
  it('finds the line again after lines were added above, and gives up if it changed', () => {
    const moved = '// note\nconst x = ones([2, 3]);\nconst y = x.matmul(w);';
    assert.equal(rewrite(moved, request)!.line, 2);
    assert.equal(rewrite('const y = x.matmul(w.T);', request), null);
  });
});
