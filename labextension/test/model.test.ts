// The comm model against a fake kernel: when it opens the comm, what it sends, and how kernel
// messages become state and signals.
import { strict as assert } from 'assert';
import type { ISessionContext } from '@jupyterlab/apputils';
import { InspectorModel, isTsdlKernel, tensorFromBundle } from '../src/inspector/model';
import { COMM_TARGET, TENSOR_MIME } from '../src/tokens';
import { FakeKernel, FakeSessionContext, tsdlModel } from './fakes';

const x = {
  name: 'x', kind: 'tensor', shape: [2, 3], dtype: 'float32', device: 'cpu', bytes: 24,
  requiresGrad: false
};

describe('InspectorModel', () => {
  it('opens the tsdl.inspector comm on a tsdl kernel and asks for a snapshot', () => {
    const { model, kernel, comm } = tsdlModel();
    assert.equal(model.kernelKind, 'tsdl');
    assert.equal(model.connected, true);
    assert.equal(comm.targetName, COMM_TARGET);
    assert.deepEqual(comm.opened, [{}]);
    assert.deepEqual(comm.sent, [{ type: 'refresh' }]);
    assert.ok(kernel.targets.has(COMM_TARGET), 'accepts a comm the kernel opens');
  });

  it('keeps the variables and memory of a snapshot and emits changed', () => {
    const { model, comm } = tsdlModel();
    let changes = 0;
    model.changed.connect(() => changes++);
    comm.receive({ type: 'variables', variables: [x], memory: { bytes: 24, buffers: 1 } });
    assert.equal(changes, 1);
    assert.deepEqual(model.variables, [x]);
    assert.deepEqual(model.memory, { bytes: 24, buffers: 1 });
  });

  it('emits the shapes of an executed cell', () => {
    const { model, comm } = tsdlModel();
    const seen: unknown[] = [];
    model.shapes.connect((_, s) => seen.push(s));
    const lines = [{ line: 1, name: 'x', shape: [2, 3], dtype: 'float32' }];
    comm.receive({ type: 'shapes', cellId: 'cell-1', lines });
    assert.deepEqual(seen, [{ cellId: 'cell-1', lines }]);
  });

  it('requests previews and unwraps the tensor from the answer bundle', () => {
    const { model, comm } = tsdlModel();
    const seen: { name: string; tensor: unknown }[] = [];
    model.preview.connect((_, p) => seen.push(p));
    model.requestPreview('x');
    assert.deepEqual(comm.sent[1], { type: 'preview', name: 'x' });
    const tensor = { shape: [2], dtype: 'float32', device: 'cpu', values: [1, 2], truncated: false };
    comm.receive({ type: 'preview', name: 'x', bundle: { [TENSOR_MIME]: tensor, 'text/plain': 'x' } });
    assert.deepEqual(seen, [{ name: 'x', tensor }]);
  });

  it('shows no comm and an "other" kernel for non-tsdl kernels', () => {
    const kernel = new FakeKernel('python3');
    const context = new FakeSessionContext(kernel, 'Python 3 (ipykernel)');
    const model = new InspectorModel(context as unknown as ISessionContext);
    assert.equal(model.kernelKind, 'other');
    assert.equal(kernel.comms.length, 0);
    assert.equal(model.kernelDisplayName, 'Python 3 (ipykernel)');
  });

  it('follows a kernel change: closes the old comm, opens one on the new tsdl kernel', () => {
    const kernel = new FakeKernel('python3');
    const context = new FakeSessionContext(kernel, 'Python 3');
    const model = new InspectorModel(context as unknown as ISessionContext);
    const tsdl = new FakeKernel('tsdl');
    context.changeKernel(tsdl, 'TypeScript (tsdl)');
    assert.equal(model.kernelKind, 'tsdl');
    assert.equal(tsdl.comms.length, 1);
    context.changeKernel(null, 'No Kernel');
    assert.equal(model.kernelKind, 'none');
    assert.equal(tsdl.comms[0].closed, true);
    assert.equal(tsdl.targets.size, 0, 'the comm target is removed from the old kernel');
  });

  it('reopens the comm once after a restart, not after every idle', () => {
    const { model, kernel, context, comm } = tsdlModel();
    comm.receive({ type: 'variables', variables: [x], memory: { bytes: 24, buffers: 1 } });
    context.statusChanged.emit('restarting');
    assert.equal(model.connected, false);
    assert.deepEqual(model.variables, []);
    context.statusChanged.emit('idle');
    context.statusChanged.emit('busy');
    context.statusChanged.emit('idle');
    assert.equal(kernel.comms.length, 2);
    assert.equal(model.connected, true);
  });

  it('adopts a comm that the kernel opens', () => {
    const { model, kernel, comm } = tsdlModel();
    const opener = kernel.targets.get(COMM_TARGET)!;
    const theirs = kernel.createComm(COMM_TARGET);
    opener(theirs, { content: { data: { type: 'variables', variables: [x], memory: null } } });
    assert.equal(comm.closed, true);
    assert.deepEqual(model.variables, [x]);
    model.refresh();
    assert.deepEqual(theirs.sent, [{ type: 'refresh' }]);
  });

  it('closes its comm when disposed', () => {
    const { model, comm } = tsdlModel();
    model.dispose();
    assert.equal(comm.closed, true);
    assert.equal(model.isDisposed, true);
  });
});

describe('isTsdlKernel and tensorFromBundle', () => {
  it('recognises tsdl kernelspec names only', () => {
    assert.equal(isTsdlKernel('tsdl'), true);
    assert.equal(isTsdlKernel('tsdl-dev'), true);
    assert.equal(isTsdlKernel('tslab'), false);
    assert.equal(isTsdlKernel(undefined), false);
  });
  it('accepts a bare tensor payload and rejects others', () => {
    const t = { shape: [], dtype: 'int32', device: 'cpu', values: 3, truncated: false };
    assert.deepEqual(tensorFromBundle(t), t);
    assert.deepEqual(tensorFromBundle({ data: { [TENSOR_MIME]: t, 'text/plain': '3' }, metadata: {} }), t);
    assert.equal(tensorFromBundle({ data: { 'text/plain': 'm is not defined' }, metadata: {} }), null);
    assert.equal(tensorFromBundle({ 'text/plain': '3' }), null);
    assert.equal(tensorFromBundle(null), null);
  });
});
