// The inspector panel: a view of whichever InspectorModel it is given (the plugin hands it the
// active notebook's). Filter box, refresh button, the variable table, and a preview of the
// selected tensor. Without a tsdl kernel it says so and what to do instead.

import { Widget } from '@lumino/widgets';
import type { ITensorData } from '../tokens';
import type { InspectorModel } from './model';
import { renderPreview } from './preview';
import { VariableTable } from './table';
import { formatBytes } from '../render/values';

export class InspectorPanel extends Widget {
  constructor() {
    super();
    this.id = 'tsdl-inspector';
    this.addClass('tsdl-inspector');
    this.title.caption = 'Tensor inspector (tsdl)';

    const toolbar = document.createElement('div');
    toolbar.className = 'tsdl-inspector-toolbar';
    this._filter = document.createElement('input');
    this._filter.type = 'search';
    this._filter.className = 'tsdl-filter jp-mod-styled';
    this._filter.placeholder = 'Filter by name';
    this._filter.setAttribute('aria-label', 'Filter tensors by name');
    this._filter.addEventListener('input', () => this._table.setFilter(this._filter.value));
    const refresh = document.createElement('button');
    refresh.type = 'button';
    refresh.className = 'tsdl-button tsdl-refresh';
    refresh.textContent = 'Refresh';
    refresh.addEventListener('click', () => this._model?.refresh());
    toolbar.append(this._filter, refresh);

    this._status = document.createElement('div');
    this._status.className = 'tsdl-inspector-status';
    this._status.setAttribute('role', 'status');
    this._empty = document.createElement('div');
    this._empty.className = 'tsdl-empty';
    this._table = new VariableTable(name => this._select(name));
    this._preview = document.createElement('div');
    this._preview.className = 'tsdl-preview-host';
    this._preview.setAttribute('aria-live', 'polite');
    const scroll = document.createElement('div');
    scroll.className = 'tsdl-table-scroll';
    scroll.append(this._table.node);
    this.node.append(toolbar, this._status, this._empty, scroll, this._preview);
    this._update();
  }

  get model(): InspectorModel | null {
    return this._model;
  }

  /** Shows another notebook's model (null: no notebook is active). */
  set model(model: InspectorModel | null) {
    if (model === this._model) {
      return;
    }
    this._model?.changed.disconnect(this._update, this);
    this._model?.preview.disconnect(this._onPreview, this);
    this._model = model;
    model?.changed.connect(this._update, this);
    model?.preview.connect(this._onPreview, this);
    this._table.select(null);
    this._preview.replaceChildren();
    this._update();
  }

  private _update(): void {
    const m = this._model;
    const kind = m?.kernelKind ?? 'none';
    const variables = kind === 'tsdl' ? m!.variables : [];
    this._table.setVariables(variables);
    this._table.node.hidden = variables.length === 0;
    this._empty.hidden = variables.length > 0;
    if (!m) {
      this._empty.textContent = 'Open a notebook that uses the TypeScript (tsdl) kernel to see its tensors here.';
    } else if (kind === 'none') {
      this._empty.textContent = 'This notebook has no kernel. Choose TypeScript (tsdl) to inspect tensors.';
    } else if (kind === 'other') {
      this._empty.textContent =
        `This notebook runs ${m.kernelDisplayName}. The tensor inspector works with the ` +
        'TypeScript (tsdl) kernel: use Kernel \u2192 Change Kernel\u2026 to switch.';
    } else {
      this._empty.textContent = 'No tensors yet. Run a cell that creates one.';
    }
    const memory = kind === 'tsdl' ? m!.memory : null;
    this._status.textContent = memory
      ? `${variables.length} variables \u00b7 ${formatBytes(memory.bytes)} in ${memory.buffers} buffers`
      : '';
    // A preview of a variable that no longer exists would mislead; one that does may have
    // new values after the execution that sent this snapshot.
    const selected = this._table.selected;
    if (selected !== null && !variables.some(v => v.name === selected)) {
      this._table.select(null);
      this._preview.replaceChildren();
    } else if (selected !== null) {
      m?.requestPreview(selected);
    }
  }

  private _select(name: string): void {
    if (!this._model) {
      return;
    }
    const loading = document.createElement('div');
    loading.className = 'tsdl-note';
    loading.textContent = `Loading ${name}\u2026`;
    this._preview.replaceChildren(loading);
    this._model.requestPreview(name);
  }

  private _onPreview(_: InspectorModel, p: { name: string; tensor: ITensorData | null }): void {
    if (p.name !== this._table.selected) {
      return; // An answer to an earlier selection.
    }
    if (!p.tensor) {
      const note = document.createElement('div');
      note.className = 'tsdl-note';
      note.textContent = `${p.name} has no values to preview.`;
      this._preview.replaceChildren(note);
      return;
    }
    this._preview.replaceChildren(renderPreview(p.name, p.tensor, this.node));
  }

  private _model: InspectorModel | null = null;
  private readonly _filter: HTMLInputElement;
  private readonly _status: HTMLElement;
  private readonly _empty: HTMLElement;
  private readonly _table: VariableTable;
  private readonly _preview: HTMLElement;
}
