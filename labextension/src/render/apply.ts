// Apply for the shape-error renderer: find the notebook cell whose output holds the error, make
// it the active cell, and replace the failing call in its source. The edit goes through the
// cell's shared model in one transaction, which is what the cell editor's undo history records,
// so Ctrl+Z in the editor takes it back.

import type { INotebookTracker } from '@jupyterlab/notebook';
import type { ApplyHandler, IApplyRequest } from './shapeError';

/** The 0-based line in `lines` that still reads `source`: the reported one, else the only match. */
export function locateLine(lines: readonly string[], line: number, source: string): number {
  if (lines[line - 1] === source) {
    return line - 1;
  }
  const matches = lines.flatMap((l, i) => (l === source ? [i] : []));
  return matches.length === 1 ? matches[0] : -1;
}

/** The cell source after the rewrite, with the offsets it touched; null if the line is gone. */
export function rewrite(
  text: string,
  request: Pick<IApplyRequest, 'line' | 'source' | 'span' | 'code'>
): { start: number; end: number; line: number } | null {
  const lines = text.split('\n');
  const index = locateLine(lines, request.line, request.source);
  if (index < 0) {
    return null;
  }
  const lineStart = lines.slice(0, index).reduce((n, l) => n + l.length + 1, 0);
  return {
    start: lineStart + request.span.start,
    end: lineStart + request.span.end,
    line: index
  };
}

type Panel = NonNullable<INotebookTracker['currentWidget']>;

/** The notebook panel and cell index whose cell node contains `node`. */
function cellOf(tracker: INotebookTracker, node: HTMLElement): { panel: Panel; index: number } | null {
  const panels: Panel[] = [];
  tracker.forEach(p => panels.push(p));
  for (const panel of panels) {
    const index = panel.content.widgets.findIndex(cell => cell.node.contains(node));
    if (index >= 0) {
      return { panel, index };
    }
  }
  return null;
}

export function makeApplyHandler(tracker: INotebookTracker): ApplyHandler {
  return async request => {
    const found = cellOf(tracker, request.node);
    if (!found) {
      return 'Open this output in its notebook to apply a fix.';
    }
    const { panel, index } = found;
    const notebook = panel.content;
    notebook.activeCellIndex = index;
    const cell = notebook.activeCell!;
    const shared = cell.model.sharedModel;
    const at = rewrite(shared.getSource(), request);
    if (!at) {
      return 'The cell has changed since it ran; fix it by hand.';
    }
    shared.updateSource(at.start, at.end, request.code);
    const column = request.span.start + request.code.length;
    cell.editor?.setCursorPosition({ line: at.line, column });
    notebook.mode = 'edit';
    cell.editor?.focus();
    return 'Applied: run the cell again. Undo with Ctrl+Z.';
  };
}
