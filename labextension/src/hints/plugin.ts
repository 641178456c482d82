// Inline shape hints: the CodeMirror extension goes into every editor through the editor
// extension registry; the shapes the kernel reports for a cell (matched by cell id) are sent to
// that cell's editor as an effect. The `enabled` setting turns them off and clears them.

import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import type { Cell } from '@jupyterlab/cells';
import type { CodeMirrorEditor } from '@jupyterlab/codemirror';
import { EditorExtensionRegistry, IEditorExtensionRegistry } from '@jupyterlab/codemirror';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IShapeLine, ITsdlModels } from '../tokens';
import type { InspectorModel } from '../inspector/model';
import { hintField, hintsFromShapes, IHint, setHints } from './extension';

const PLUGIN_ID = '@tsdl/labextension:shape-hints';

async function showHints(cell: Cell, hints: IHint[]): Promise<void> {
  await cell.ready;
  const view = (cell.editor as CodeMirrorEditor | null)?.editor;
  view?.dispatch({ effects: setHints.of(hints) });
}

export const hintsPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Shows the shape of each tensor a cell assigns at the end of its line.',
  autoStart: true,
  requires: [ITsdlModels, INotebookTracker, IEditorExtensionRegistry],
  optional: [ISettingRegistry],
  activate: (
    _app: JupyterFrontEnd,
    models: ITsdlModels,
    tracker: INotebookTracker,
    extensions: IEditorExtensionRegistry,
    settings: ISettingRegistry | null
  ) => {
    extensions.addExtension({
      name: 'tsdl:shape-hints',
      factory: () => EditorExtensionRegistry.createImmutableExtension(hintField)
    });

    let enabled = true;
    const onShapes = (panel: NotebookPanel, msg: { cellId: string; lines: IShapeLine[] }) => {
      const cell = panel.content.widgets.find(c => c.model.id === msg.cellId);
      if (enabled && cell) {
        void showHints(cell, hintsFromShapes(msg.lines));
      }
    };
    const watch = (model: InspectorModel, panel: NotebookPanel): void => {
      model.shapes.connect((_, msg) => onShapes(panel, msg));
    };
    models.forEach((model, panel) => watch(model, panel));
    models.added.connect((_, { model, panel }) => watch(model, panel));

    if (settings) {
      void settings.load(PLUGIN_ID).then(s => {
        const update = (): void => {
          enabled = s.get('enabled').composite !== false;
          if (!enabled) {
            tracker.forEach(panel => panel.content.widgets.forEach(c => void showHints(c, [])));
          }
        };
        update();
        s.changed.connect(update);
      });
    }
  }
};
