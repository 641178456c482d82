// The inspector panel with a real model on a fake kernel: empty states, the sortable and
// filterable table, keyboard selection, and previews chosen by shape.
import { strict as assert } from 'assert';
import type { ISessionContext } from '@jupyterlab/apputils';
import { InspectorModel } from '../src/inspector/model';
import { InspectorPanel } from '../src/inspector/panel';
import { histogram, imageLayout, previewKind, renderPreview, valueAt } from '../src/inspector/preview';
import { visibleRows } from '../src/inspector/table';
import { IVariable, TENSOR_MIME } from '../src/tokens';
import { FakeKernel, FakeSessionContext, tsdlModel } from './fakes';

const v = (name: string, shape: number[], bytes: number, requiresGrad = false): IVariable => ({
  name, kind: 'tensor', shape, dtype: 'float32', device: 'cpu', bytes, requiresGrad
});
const vars = [v('x', [2, 3], 24), v('weights', [128, 10], 5120, true), v('b', [10], 40, true)];
const model_: IVariable = {
  name: 'net', kind: 'module', shape: null, dtype: null, device: 'cpu', bytes: 5160, requiresGrad: true
};

function rowNames(panel: InspectorPanel): string[] {
  return Array.from(panel.node.querySelectorAll<HTMLElement>('tr.tsdl-variable')).map(r => r.dataset.name!);
}

describe('InspectorPanel', () => {
  it('says what to do when no notebook or no tsdl kernel is active', () => {
    const panel = new InspectorPanel();
    assert.match(panel.node.querySelector('.tsdl-empty')!.textContent!, /Open a notebook/);
    const context = new FakeSessionContext(new FakeKernel('python3'), 'Python 3 (ipykernel)');
    panel.model = new InspectorModel(context as unknown as ISessionContext);
    const empty = panel.node.querySelector<HTMLElement>('.tsdl-empty')!;
    assert.match(empty.textContent!, /runs Python 3 \(ipykernel\).*TypeScript \(tsdl\)/);
    assert.equal(panel.node.querySelector<HTMLElement>('table.tsdl-variables')!.hidden, true);
  });

  it('lists the variables of a snapshot with their shapes', () => {
    const { model, comm } = tsdlModel();
    const panel = new InspectorPanel();
    panel.model = model;
    assert.match(panel.node.querySelector('.tsdl-empty')!.textContent!, /No tensors yet/);
    comm.receive({ type: 'variables', variables: vars, memory: { bytes: 5184, buffers: 3 } });
    assert.deepEqual(rowNames(panel), ['b', 'weights', 'x']);
    const x = panel.node.querySelector('tr[data-name="x"]')!;
    assert.equal(x.querySelector('.tsdl-col-shape')!.textContent, '[2, 3]');
    assert.match(panel.node.querySelector('.tsdl-inspector-status')!.textContent!, /3 variables · 5.1 KiB in 3 buffers/);
  });

  it('sorts by a header and filters by name', () => {
    const { model, comm } = tsdlModel();
    const panel = new InspectorPanel();
    panel.model = model;
    comm.receive({ type: 'variables', variables: vars, memory: { bytes: 0, buffers: 0 } });
    const sizeHeader = panel.node.querySelector<HTMLElement>('th[data-key="bytes"]')!;
    sizeHeader.querySelector('button')!.click();
    assert.equal(sizeHeader.getAttribute('aria-sort'), 'ascending');
    assert.deepEqual(rowNames(panel), ['x', 'b', 'weights']);
    sizeHeader.querySelector('button')!.click();
    assert.deepEqual(rowNames(panel), ['weights', 'b', 'x']);
    const filter = panel.node.querySelector<HTMLInputElement>('.tsdl-filter')!;
    filter.value = 'W';
    filter.dispatchEvent(new Event('input'));
    assert.deepEqual(rowNames(panel), ['weights']);
    const withModule = [...vars, model_];
    assert.deepEqual(visibleRows(withModule, '', 'shape', true).map(r => r.name), ['net', 'x', 'b', 'weights']);
  });

  it('selects with the keyboard, asks for a preview and shows it', () => {
    const { model, comm } = tsdlModel();
    const panel = new InspectorPanel();
    document.body.append(panel.node);
    panel.model = model;
    comm.receive({ type: 'variables', variables: vars, memory: { bytes: 0, buffers: 0 } });
    const first = panel.node.querySelector<HTMLElement>('tr.tsdl-variable')!;
    assert.equal(first.tabIndex, 0, 'the table is one tab stop');
    first.focus();
    first.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true }));
    const selected = panel.node.querySelector('tr[aria-selected="true"]') as HTMLElement;
    assert.equal(selected.dataset.name, 'x');
    assert.equal(document.activeElement, selected);
    assert.deepEqual(comm.sent[comm.sent.length - 1], { type: 'preview', name: 'x' });
    const tensor = { shape: [2, 3], dtype: 'float32', device: 'cpu', values: [[1, 2, 3], [4, 5, 6]], truncated: false };
    comm.receive({ type: 'preview', name: 'x', bundle: { [TENSOR_MIME]: tensor } });
    const preview = panel.node.querySelector<HTMLElement>('.tsdl-preview')!;
    assert.equal(preview.dataset.kind, 'table');
    assert.equal(preview.querySelectorAll('table.tsdl-values td').length, 6);
    panel.node.remove();
  });
});

describe('preview', () => {
  it('picks the view from the shape', () => {
    assert.equal(previewKind([2, 3]), 'table');
    assert.equal(previewKind([128, 10]), 'heatmap');
    assert.equal(previewKind([16, 28, 28]), 'images');
    assert.equal(previewKind([8, 3, 32, 32]), 'images');
    assert.equal(previewKind([8, 5, 32, 32]), 'histogram');
    assert.equal(previewKind([1000]), 'histogram');
    assert.deepEqual(imageLayout([8, 1, 28, 28]), { count: 8, channels: 1, height: 28, width: 28 });
  });

  it('reads values by index, and not past an elision', () => {
    const values = [[1, 2], null, [5, 6]];
    assert.equal(valueAt(values, [0, 1]), 2);
    assert.equal(valueAt(values, [2, 0]), undefined);
  });

  it('counts a histogram and labels the pictures', () => {
    assert.deepEqual(histogram([0, 0, 1, 2, 3, 4], 4), [2, 1, 1, 2]);
    const t = (shape: number[], values: unknown) =>
      ({ shape, dtype: 'float32', device: 'cpu', values, truncated: false }) as never;
    const ramp = Array.from({ length: 100 }, (_, i) => i);
    const hist = renderPreview('h', t([100], ramp), document.body);
    assert.match(hist.querySelector('.tsdl-histogram-bars')!.getAttribute('aria-label')!, /histogram of 100 values from 0\. to 99\./);
    const images = renderPreview('imgs', t([2, 8, 8], [0, 1].map(() => Array(8).fill(Array(8).fill(0.5)))), document.body);
    assert.deepEqual(
      Array.from(images.querySelectorAll('canvas')).map(c => c.getAttribute('aria-label')),
      ['image 0 of 2, 8 by 8', 'image 1 of 2, 8 by 8']
    );
    const heat = renderPreview('w', t([10, 10], Array(10).fill(ramp.slice(0, 10))), document.body);
    assert.match(heat.querySelector('canvas')!.getAttribute('aria-label')!, /heatmap of 10 by 10 values/);
  });
});
