// The renderer of `application/vnd.tsdl.tensor+json`: a header of chips (shape, dtype, device,
// stats) over the values. Big tensors can be collapsed; 2-D ones can be coloured as a heatmap.
// Only textContent is ever set from the data, so the renderer is safe for untrusted notebooks.

import { Widget } from '@lumino/widgets';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { ITensorData, TENSOR_MIME } from '../tokens';
import {
  flatNumbers,
  formatScalar,
  formatShape,
  numel,
  range,
  toSlices,
  valueTable
} from './values';

/** Tensors with more elements than this get a collapse button. */
export const BIG_TENSOR = 100;

let nextId = 0;

function chip(kind: string, text: string, label: string): HTMLElement {
  const el = document.createElement('span');
  el.className = `tsdl-chip tsdl-chip-${kind}`;
  el.textContent = text;
  el.title = label;
  el.setAttribute('aria-label', `${label} ${text}`);
  return el;
}

function toggleButton(text: string, className: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = `tsdl-button ${className}`;
  b.textContent = text;
  return b;
}

/** The header chips of a tensor: shape, dtype, device and (when sent) min/max/mean. */
export function tensorHeader(data: ITensorData): HTMLElement {
  const header = document.createElement('div');
  header.className = 'tsdl-tensor-header';
  header.append(
    chip('shape', formatShape(data.shape), 'shape'),
    chip('dtype', data.dtype, 'dtype'),
    chip('device', data.device, 'device')
  );
  if (data.stats) {
    const s = data.stats;
    const stats = document.createElement('span');
    stats.className = 'tsdl-tensor-stats';
    // min and max are values of the tensor; the mean of integers is still a fraction.
    stats.textContent = [
      `min ${formatScalar(s.min, data.dtype)}`,
      `max ${formatScalar(s.max, data.dtype)}`,
      `mean ${formatScalar(s.mean, 'float32')}`
    ].join(' \u00b7 ');
    header.append(stats);
  }
  return header;
}

/** The values of a tensor as one table per 2-D slice; `heat` colours the cells. */
export function tensorValues(data: ITensorData, heat: boolean): HTMLElement {
  const box = document.createElement('div');
  box.className = 'tsdl-tensor-values';
  const nums = flatNumbers(data.values);
  const span = data.stats ?? range(nums);
  for (const slice of toSlices(data.shape, data.values)) {
    if (slice.label) {
      const caption = document.createElement('div');
      caption.className = 'tsdl-slice-label';
      caption.textContent = slice.label;
      box.append(caption);
    }
    if (slice.rows.length) {
      box.append(valueTable(slice.rows, data.dtype, heat ? span : undefined));
    }
  }
  if (data.truncated) {
    const note = document.createElement('div');
    note.className = 'tsdl-note';
    note.textContent = `Showing part of ${numel(data.shape).toLocaleString('en-US')} values.`;
    box.append(note);
  }
  return box;
}

/** The whole tensor view: header, buttons, and values; buttons keep their state on the node. */
export function renderTensor(data: ITensorData): HTMLElement {
  const root = document.createElement('div');
  root.className = 'tsdl-tensor';
  const header = tensorHeader(data);
  root.append(header);

  let heat = false;
  let values = tensorValues(data, heat);
  values.id = `tsdl-tensor-values-${nextId++}`;
  root.append(values);

  if (data.shape.length === 2) {
    const heatButton = toggleButton('Heatmap', 'tsdl-heat-toggle');
    heatButton.setAttribute('aria-pressed', 'false');
    heatButton.addEventListener('click', () => {
      heat = !heat;
      heatButton.setAttribute('aria-pressed', String(heat));
      const next = tensorValues(data, heat);
      next.id = values.id;
      next.hidden = values.hidden;
      next.classList.toggle('tsdl-heat', heat);
      values.replaceWith(next);
      values = next;
    });
    header.append(heatButton);
  }
  if (numel(data.shape) > BIG_TENSOR) {
    const collapse = toggleButton('Hide values', 'tsdl-collapse-toggle');
    collapse.setAttribute('aria-expanded', 'true');
    collapse.setAttribute('aria-controls', values.id);
    collapse.addEventListener('click', () => {
      values.hidden = !values.hidden;
      collapse.setAttribute('aria-expanded', String(!values.hidden));
      collapse.textContent = values.hidden ? 'Show values' : 'Hide values';
    });
    header.append(collapse);
  }
  return root;
}

/** The MIME renderer widget JupyterLab puts into output areas. */
export class TensorRenderer extends Widget implements IRenderMime.IRenderer {
  constructor(options: IRenderMime.IRendererOptions) {
    super();
    this._mimeType = options.mimeType;
    this.addClass('tsdl-tensor-output');
  }

  renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const data = model.data[this._mimeType] as unknown as ITensorData;
    this.node.replaceChildren(renderTensor(data));
    return Promise.resolve();
  }

  private readonly _mimeType: string;
}

export const tensorRendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [TENSOR_MIME],
  defaultRank: 10,
  createRenderer: options => new TensorRenderer(options)
};
