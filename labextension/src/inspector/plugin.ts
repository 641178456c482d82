// Two plugins: `models` keeps one InspectorModel (one comm) per notebook for everyone, and
// `inspector` shows the active notebook's model in the right sidebar. The View menu entry
// comes from schema/inspector.json; the palette entry is added here.

import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ILayoutRestorer } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ITsdlModels } from '../tokens';
import { tensorIcon } from './icon';
import { TsdlModels } from './models';
import { InspectorPanel } from './panel';

export const OPEN_INSPECTOR = 'tsdl:open-inspector';

export const modelsPlugin: JupyterFrontEndPlugin<ITsdlModels> = {
  id: '@tsdl/labextension:models',
  description: 'Holds the tsdl.inspector comm of each open notebook.',
  autoStart: true,
  requires: [INotebookTracker],
  provides: ITsdlModels,
  activate: (_app: JupyterFrontEnd, tracker: INotebookTracker) => new TsdlModels(tracker)
};

export const inspectorPlugin: JupyterFrontEndPlugin<void> = {
  id: '@tsdl/labextension:inspector',
  description: 'A right-sidebar panel listing the tensors of the active tsdl notebook.',
  autoStart: true,
  requires: [ITsdlModels, INotebookTracker],
  optional: [ICommandPalette, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    models: ITsdlModels,
    tracker: INotebookTracker,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null
  ) => {
    const panel = new InspectorPanel();
    panel.title.icon = tensorIcon;
    const follow = (): void => {
      const current = tracker.currentWidget;
      panel.model = current ? (models.get(current) ?? null) : null;
    };
    tracker.currentChanged.connect(follow);
    models.added.connect(follow);
    follow();

    app.shell.add(panel, 'right', { rank: 600 });
    restorer?.add(panel, 'tsdl-inspector');

    app.commands.addCommand(OPEN_INSPECTOR, {
      label: 'Tensor Inspector',
      caption: 'Show the tensors of the active tsdl notebook',
      icon: tensorIcon,
      execute: () => {
        app.shell.activateById(panel.id);
        panel.model?.refresh();
      }
    });
    palette?.addItem({ command: OPEN_INSPECTOR, category: 'tsdl' });
  }
};
