// One InspectorModel per open notebook, created as the notebook tracker sees panels come and
// disposed with them. The inspector panel and the inline hints both look models up here, so a
// notebook has exactly one comm to its kernel however many views use it.

import { Signal } from '@lumino/signaling';
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { ITsdlModels } from '../tokens';
import { InspectorModel } from './model';

export class TsdlModels implements ITsdlModels {
  constructor(tracker: INotebookTracker) {
    tracker.forEach(panel => this._add(panel));
    tracker.widgetAdded.connect((_, panel) => this._add(panel));
  }

  get added(): Signal<this, { panel: NotebookPanel; model: InspectorModel }> {
    return this._added;
  }

  get(panel: NotebookPanel): InspectorModel | undefined {
    return this._models.get(panel);
  }

  forEach(fn: (model: InspectorModel, panel: NotebookPanel) => void): void {
    this._models.forEach(fn);
  }

  private _add(panel: NotebookPanel): void {
    if (this._models.has(panel)) {
      return;
    }
    const model = new InspectorModel(panel.sessionContext);
    this._models.set(panel, model);
    panel.disposed.connect(() => {
      this._models.delete(panel);
      model.dispose();
    });
    this._added.emit({ panel, model });
  }

  private readonly _models = new Map<NotebookPanel, InspectorModel>();
  private readonly _added = new Signal<this, { panel: NotebookPanel; model: InspectorModel }>(
    this
  );
}
