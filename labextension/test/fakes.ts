// Small stand-ins for a notebook's session context and kernel connection: just the members
// InspectorModel uses, with real Lumino signals, recording what is sent to the kernel.
import { Signal } from '@lumino/signaling';
import type { ISessionContext } from '@jupyterlab/apputils';
import { InspectorModel } from '../src/inspector/model';

export class FakeComm {
  constructor(readonly targetName: string) {}
  opened: unknown[] = [];
  sent: unknown[] = [];
  closed = false;
  isDisposed = false;
  onMsg: ((msg: { content: { data: unknown } }) => void) | null = null;
  onClose: (() => void) | null = null;
  open(data: unknown): void {
    this.opened.push(data);
  }
  send(data: unknown): void {
    this.sent.push(data);
  }
  close(): void {
    this.closed = true;
    this.onClose?.();
  }
  /** Delivers a comm_msg from the kernel. */
  receive(data: unknown): void {
    this.onMsg?.({ content: { data } });
  }
}

export class FakeKernel {
  constructor(readonly name: string) {}
  comms: FakeComm[] = [];
  targets = new Map<string, (comm: FakeComm, msg: unknown) => void>();
  createComm(target: string): FakeComm {
    const comm = new FakeComm(target);
    this.comms.push(comm);
    return comm;
  }
  registerCommTarget(target: string, fn: (comm: FakeComm, msg: unknown) => void): void {
    this.targets.set(target, fn);
  }
  removeCommTarget(target: string, fn: unknown): void {
    if (this.targets.get(target) === fn) {
      this.targets.delete(target);
    }
  }
}

export class FakeSessionContext {
  kernel: FakeKernel | null;
  kernelDisplayName: string;
  kernelChanged = new Signal<this, unknown>(this);
  statusChanged = new Signal<this, string>(this);
  constructor(kernel: FakeKernel | null, displayName = 'TypeScript (tsdl)') {
    this.kernel = kernel;
    this.kernelDisplayName = displayName;
  }
  get session(): { kernel: FakeKernel | null } {
    return { kernel: this.kernel };
  }
  changeKernel(kernel: FakeKernel | null, displayName: string): void {
    this.kernel = kernel;
    this.kernelDisplayName = displayName;
    this.kernelChanged.emit(null);
  }
}

/** A model on a fake tsdl kernel, with its first comm. */
export function tsdlModel(): {
  model: InspectorModel;
  kernel: FakeKernel;
  context: FakeSessionContext;
  comm: FakeComm;
} {
  const kernel = new FakeKernel('tsdl');
  const context = new FakeSessionContext(kernel);
  const model = new InspectorModel(context as unknown as ISessionContext);
  return { model, kernel, context, comm: kernel.comms[0] };
}
