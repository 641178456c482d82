// The inspector's variable table: sortable by any column (buttons in the headers), filtered by
// name, one selected row. Keyboard: Tab reaches the table once (roving tabindex), arrows move
// the selection, Home/End jump. It only draws rows and reports selection through a callback.

import type { IVariable } from '../tokens';
import { formatBytes, formatShape, numel } from '../render/values';

export type SortKey = 'name' | 'kind' | 'shape' | 'dtype' | 'device' | 'bytes' | 'requiresGrad';

interface IColumn {
  key: SortKey;
  title: string;
  text: (v: IVariable) => string;
}

const COLUMNS: IColumn[] = [
  { key: 'name', title: 'Name', text: v => v.name },
  { key: 'kind', title: 'Kind', text: v => v.kind },
  { key: 'shape', title: 'Shape', text: v => (v.shape ? formatShape(v.shape) : '') },
  { key: 'dtype', title: 'Dtype', text: v => v.dtype ?? '' },
  { key: 'device', title: 'Device', text: v => v.device ?? '' },
  { key: 'bytes', title: 'Size', text: v => formatBytes(v.bytes) },
  { key: 'requiresGrad', title: 'Grad', text: v => (v.requiresGrad ? 'yes' : '') }
];

/** Compares two variables by one column; shapes compare by element count, then rank. */
export function compareBy(key: SortKey): (a: IVariable, b: IVariable) => number {
  switch (key) {
    case 'bytes':
      return (a, b) => a.bytes - b.bytes;
    case 'requiresGrad':
      return (a, b) => Number(a.requiresGrad) - Number(b.requiresGrad);
    case 'shape':
      // Modules (no shape) sort before every tensor.
      return (a, b) =>
        numel(a.shape ?? [0]) - numel(b.shape ?? [0]) ||
        (a.shape?.length ?? -1) - (b.shape?.length ?? -1);
    default:
      return (a, b) => String(a[key] ?? '').localeCompare(String(b[key] ?? ''));
  }
}

/** The rows to show: names containing `filter` (any case), sorted, ties kept in name order. */
export function visibleRows(
  variables: readonly IVariable[],
  filter: string,
  key: SortKey,
  ascending: boolean
): IVariable[] {
  const needle = filter.trim().toLowerCase();
  const cmp = compareBy(key);
  return variables
    .filter(v => v.name.toLowerCase().includes(needle))
    .sort((a, b) => (ascending ? cmp(a, b) : cmp(b, a)) || a.name.localeCompare(b.name));
}

export class VariableTable {
  readonly node: HTMLTableElement;

  constructor(private readonly _onSelect: (name: string) => void) {
    this.node = document.createElement('table');
    this.node.className = 'tsdl-variables';
    this.node.setAttribute('role', 'grid');
    this.node.setAttribute('aria-label', 'Tensors in the kernel');
    const head = this.node.createTHead().insertRow();
    for (const col of COLUMNS) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.dataset.key = col.key;
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'tsdl-sort';
      button.textContent = col.title;
      button.addEventListener('click', () => this.sortBy(col.key));
      th.append(button);
      head.append(th);
    }
    this._body = this.node.createTBody();
    this._body.addEventListener('keydown', this._onKey);
  }

  get selected(): string | null {
    return this._selected;
  }

  setVariables(variables: readonly IVariable[]): void {
    this._variables = variables;
    this._render();
  }

  setFilter(filter: string): void {
    this._filter = filter;
    this._render();
  }

  /** Sorts by `key`; the same key again flips the direction. */
  sortBy(key: SortKey): void {
    this._ascending = key === this._key ? !this._ascending : true;
    this._key = key;
    this._render();
  }

  select(name: string | null, focus = false): void {
    this._selected = name;
    for (const tr of Array.from(this._body.rows)) {
      const on = tr.dataset.name === name;
      tr.setAttribute('aria-selected', String(on));
      tr.tabIndex = on ? 0 : -1;
      if (on && focus) {
        tr.focus();
      }
    }
    this._ensureTabStop();
    if (name !== null) {
      this._onSelect(name);
    }
  }

  private _render(): void {
    for (const th of Array.from(this.node.tHead!.rows[0].cells)) {
      const sorted = th.dataset.key === this._key;
      th.setAttribute('aria-sort', sorted ? (this._ascending ? 'ascending' : 'descending') : 'none');
    }
    const rows = visibleRows(this._variables, this._filter, this._key, this._ascending);
    this._body.replaceChildren();
    for (const v of rows) {
      const tr = this._body.insertRow();
      tr.dataset.name = v.name;
      tr.className = 'tsdl-variable';
      tr.setAttribute('aria-selected', String(v.name === this._selected));
      tr.tabIndex = v.name === this._selected ? 0 : -1;
      tr.addEventListener('click', () => this.select(v.name));
      for (const col of COLUMNS) {
        const td = tr.insertCell();
        td.className = `tsdl-col-${col.key}`;
        td.textContent = col.text(v);
      }
    }
    this._ensureTabStop();
  }

  // Without a selected row, the first row is where Tab lands.
  private _ensureTabStop(): void {
    const rows = Array.from(this._body.rows);
    if (rows.length && !rows.some(r => r.tabIndex === 0)) {
      rows[0].tabIndex = 0;
    }
  }

  private readonly _onKey = (event: KeyboardEvent): void => {
    const rows = Array.from(this._body.rows);
    const current = rows.findIndex(r => r === document.activeElement);
    let next = -1;
    if (event.key === 'ArrowDown') {
      next = Math.min(rows.length - 1, current + 1);
    } else if (event.key === 'ArrowUp') {
      next = Math.max(0, current - 1);
    } else if (event.key === 'Home') {
      next = 0;
    } else if (event.key === 'End') {
      next = rows.length - 1;
    } else if ((event.key === 'Enter' || event.key === ' ') && current >= 0) {
      next = current;
    }
    if (next >= 0 && rows[next]) {
      event.preventDefault();
      this.select(rows[next].dataset.name!, true);
    }
  };

  private _variables: readonly IVariable[] = [];
  private _filter = '';
  private _key: SortKey = 'name';
  private _ascending = true;
  private _selected: string | null = null;
  private readonly _body: HTMLTableSectionElement;
}
