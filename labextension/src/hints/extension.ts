// Inline shape hints as a CodeMirror 6 extension: a state field of end-of-line widgets set by
// an effect, and dropped by any edit of the document, because after an edit the line numbers
// and values the kernel reported may no longer hold. The hints are decorations, never text.

import { EditorState, RangeSetBuilder, StateEffect, StateField } from '@codemirror/state';
import { Decoration, DecorationSet, EditorView, WidgetType } from '@codemirror/view';
import type { IShapeLine } from '../tokens';
import { formatShape } from '../render/values';

/** The text shown at the end of one line (1-based). */
export interface IHint {
  line: number;
  text: string;
}

/** Hints for the kernel's per-line shapes; several names on a line are joined and named. */
export function hintsFromShapes(lines: readonly IShapeLine[]): IHint[] {
  const byLine = new Map<number, IShapeLine[]>();
  for (const l of lines) {
    byLine.set(l.line, [...(byLine.get(l.line) ?? []), l]);
  }
  return [...byLine.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([line, ls]) => ({
      line,
      text:
        '// ' +
        ls
          .map(l => `${ls.length > 1 ? `${l.name}: ` : ''}${formatShape(l.shape)} ${l.dtype}`)
          .join(', ')
    }));
}

/** Replaces the editor's hints (an empty list clears them). */
export const setHints = StateEffect.define<IHint[]>();

class HintWidget extends WidgetType {
  constructor(readonly text: string) {
    super();
  }
  eq(other: HintWidget): boolean {
    return other.text === this.text;
  }
  toDOM(): HTMLElement {
    const span = document.createElement('span');
    span.className = 'tsdl-shape-hint';
    span.textContent = this.text;
    return span;
  }
}

function build(state: EditorState, hints: readonly IHint[]): DecorationSet {
  const builder = new RangeSetBuilder<Decoration>();
  for (const h of hints) {
    if (h.line >= 1 && h.line <= state.doc.lines) {
      const end = state.doc.line(h.line).to;
      builder.add(end, end, Decoration.widget({ widget: new HintWidget(h.text), side: 1 }));
    }
  }
  return builder.finish();
}

export const hintField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(hints, tr) {
    for (const effect of tr.effects) {
      if (effect.is(setHints)) {
        return build(tr.state, effect.value);
      }
    }
    return tr.docChanged ? Decoration.none : hints;
  },
  provide: field => EditorView.decorations.from(field)
});
