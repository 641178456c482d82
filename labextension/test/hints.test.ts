// Inline shape hints: the text per line, and the CodeMirror state field that shows them until
// the next edit.
import { strict as assert } from 'assert';
import { EditorState } from '@codemirror/state';
import { hintField, hintsFromShapes, setHints } from '../src/hints/extension';

function widgets(state: EditorState): { at: number; text: string }[] {
  const out: { at: number; text: string }[] = [];
  state.field(hintField).between(0, state.doc.length, (from, _to, deco) => {
    out.push({ at: from, text: (deco.spec.widget as { text: string }).text });
  });
  return out;
}

describe('shape hints', () => {
  it('makes one hint per line, naming tensors only when a line has several', () => {
    const hints = hintsFromShapes([
      { line: 3, name: 'b', shape: [10], dtype: 'float32' },
      { line: 1, name: 'x', shape: [128, 10], dtype: 'float32' },
      { line: 3, name: 'c', shape: [], dtype: 'int32' }
    ]);
    assert.deepEqual(hints, [
      { line: 1, text: '// [128, 10] float32' },
      { line: 3, text: '// b: [10] float32, c: [] int32' }
    ]);
  });

  it('puts hints at the ends of their lines and drops them on the next edit', () => {
    let state = EditorState.create({ doc: 'const x = a;\nconst y = b;', extensions: [hintField] });
    state = state.update({ effects: setHints.of([{ line: 2, text: '// [2] float32' }, { line: 9, text: 'gone' }]) }).state;
    assert.deepEqual(widgets(state), [{ at: 25, text: '// [2] float32' }]);
    state = state.update({ selection: { anchor: 3 } }).state;
    assert.equal(widgets(state).length, 1, 'moving the cursor keeps them');
    state = state.update({ changes: { from: 0, insert: ' ' } }).state;
    assert.deepEqual(widgets(state), []);
  });
});
