// The tensor renderer and the value helpers it is built from.
import { strict as assert } from 'assert';
import { renderTensor, TensorRenderer } from '../src/render/tensor';
import { formatBytes, formatScalar, toSlices } from '../src/render/values';
import { ITensorData, TENSOR_MIME } from '../src/tokens';

const x: ITensorData = {
  shape: [2, 3], dtype: 'float32', device: 'webgpu', values: [[1, 2, 3], [4, 5, 6]],
  truncated: false, stats: { min: 1, max: 6, mean: 3.5 }
};

function cells(root: HTMLElement): string[][] {
  return Array.from(root.querySelectorAll('table.tsdl-values tr')).map(tr =>
    Array.from(tr.querySelectorAll('td')).map(td => td.textContent!)
  );
}

describe('value formatting', () => {
  it('formats floats short, ints exact, and marks elisions', () => {
    assert.equal(formatScalar(0.123456, 'float32'), '0.1235');
    assert.equal(formatScalar(2, 'float32'), '2.');
    assert.equal(formatScalar(7, 'int32'), '7');
    assert.equal(formatScalar(1e-7, 'float32'), '1.000e-7');
    assert.equal(formatScalar(null, 'float32'), '\u2026');
    assert.equal(formatScalar('NaN', 'float32'), 'NaN');
    assert.equal(formatBytes(1536), '1.5 KiB');
  });

  it('splits 3-D tensors into labelled 2-D slices and pads truncated axes', () => {
    const slices = toSlices([2, 2, 3], [[[1, 2, 3], [4, 5]], [[7, 8, 9], [10, 11, 12]]]);
    assert.deepEqual(slices.map(s => s.label), ['[0, :, :]', '[1, :, :]']);
    assert.equal(slices[0].rows[1].length, 3, 'a short row gets an ellipsis');
    const gap = toSlices([1000], [0, 1, null, 998, 999]);
    assert.equal(gap[0].rows[0].length, 5);
  });
});

describe('renderTensor', () => {
  it('shows shape, dtype and device chips and the stats', () => {
    const root = renderTensor(x);
    const chips = Array.from(root.querySelectorAll('.tsdl-chip')).map(c => c.textContent);
    assert.deepEqual(chips, ['[2, 3]', 'float32', 'webgpu']);
    assert.equal(root.querySelector('.tsdl-chip-shape')!.getAttribute('aria-label'), 'shape [2, 3]');
    assert.match(root.querySelector('.tsdl-tensor-stats')!.textContent!, /min 1\. · max 6\. · mean 3\.5/);
  });

  it('shows the values as a table', () => {
    assert.deepEqual(cells(renderTensor(x)), [['1.', '2.', '3.'], ['4.', '5.', '6.']]);
  });

  it('colours a 2-D tensor as a heatmap when toggled', () => {
    const root = renderTensor(x);
    document.body.append(root);
    const button = root.querySelector<HTMLButtonElement>('.tsdl-heat-toggle')!;
    assert.equal(button.getAttribute('aria-pressed'), 'false');
    assert.equal(root.querySelector('td[data-heat]'), null);
    button.click();
    assert.equal(button.getAttribute('aria-pressed'), 'true');
    const heat = Array.from(root.querySelectorAll<HTMLElement>('td[data-heat]')).map(td => td.dataset.heat);
    assert.deepEqual(heat, ['0.000', '0.200', '0.400', '0.600', '0.800', '1.000']);
    assert.ok(root.querySelector('.tsdl-tensor-values.tsdl-heat'));
    button.click();
    assert.equal(root.querySelector('td[data-heat]'), null);
    root.remove();
  });

  it('offers no heatmap for 1-D tensors and collapses big ones', () => {
    const big: ITensorData = {
      shape: [1000], dtype: 'int32', device: 'cpu', values: [0, 1, 2, null, 997, 998, 999],
      truncated: true
    };
    const root = renderTensor(big);
    assert.equal(root.querySelector('.tsdl-heat-toggle'), null);
    const collapse = root.querySelector<HTMLButtonElement>('.tsdl-collapse-toggle')!;
    const values = root.querySelector<HTMLElement>('.tsdl-tensor-values')!;
    assert.equal(collapse.getAttribute('aria-controls'), values.id);
    collapse.click();
    assert.equal(values.hidden, true);
    assert.equal(collapse.getAttribute('aria-expanded'), 'false');
    assert.equal(collapse.textContent, 'Show values');
    assert.match(root.querySelector('.tsdl-note')!.textContent!, /part of 1,000 values/);
    assert.deepEqual(cells(root)[0], ['0', '1', '2', '\u2026', '997', '998', '999']);
  });

  it('renders a scalar and is a MIME renderer widget', async () => {
    const widget = new TensorRenderer({ mimeType: TENSOR_MIME } as never);
    const scalar = { shape: [], dtype: 'float32', device: 'cpu', values: 0.5, truncated: false };
    await widget.renderModel({ data: { [TENSOR_MIME]: scalar } } as never);
    assert.deepEqual(cells(widget.node), [['0.5']]);
    assert.ok(widget.hasClass('tsdl-tensor-output'));
  });
});
