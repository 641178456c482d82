// The inspector model of one notebook: it holds the `tsdl.inspector` comm to that notebook's
// kernel and turns the kernel's messages into state and Signals. It knows nothing of widgets, so
// the panel, the inline hints and the unit tests all use it the same way.
//
// Who opens the comm: the frontend does, whenever the notebook's kernel is a tsdl kernel and is
// idle without one (first connect, kernel change, restart). It also accepts a comm that the
// kernel opens on the same target, so either side may start the conversation.

import { Signal } from '@lumino/signaling';
import type { ISessionContext } from '@jupyterlab/apputils';
import type { Kernel, KernelMessage as KM } from '@jupyterlab/services';
import {
  COMM_TARGET,
  FrontendMessage,
  IShapeLine,
  ITensorData,
  IVariable,
  KernelMessage,
  TENSOR_MIME
} from '../tokens';

/** What the notebook runs: no kernel, a kernel that is not tsdl, or tsdl. */
export type KernelKind = 'none' | 'other' | 'tsdl';

/** A kernelspec is tsdl's when its name is `tsdl` (or a variant such as `tsdl-dev`). */
export function isTsdlKernel(name: string | undefined): boolean {
  return !!name && (name === 'tsdl' || name.startsWith('tsdl-'));
}

/**
 * The tensor payload inside a preview answer: a display bundle `{data: {mime: ...}}` as the
 * kernel sends it, a bare MIME bundle, or the payload itself. Null for values without one.
 */
export function tensorFromBundle(bundle: unknown): ITensorData | null {
  if (!bundle || typeof bundle !== 'object') {
    return null;
  }
  const b = bundle as Record<string, unknown>;
  const data = (b.data && typeof b.data === 'object' ? b.data : b) as Record<string, unknown>;
  const inner = (data[TENSOR_MIME] ?? data) as Partial<ITensorData>;
  return Array.isArray(inner.shape) ? (inner as ITensorData) : null;
}

export class InspectorModel {
  constructor(private readonly _context: ISessionContext) {
    _context.kernelChanged.connect(this._onKernelChanged, this);
    _context.statusChanged.connect(this._onStatus, this);
    this._attach(_context.session?.kernel ?? null);
  }

  /** Emitted when the kernel kind, the variables or the memory totals change. */
  get changed(): Signal<this, void> {
    return this._changed;
  }
  /** Emitted for each `{type: "shapes"}` message: the shapes of one executed cell. */
  get shapes(): Signal<this, { cellId: string; lines: IShapeLine[] }> {
    return this._shapes;
  }
  /** Emitted for each preview answer. */
  get preview(): Signal<this, { name: string; tensor: ITensorData | null }> {
    return this._preview;
  }

  get kernelKind(): KernelKind {
    return this._kind;
  }
  get kernelDisplayName(): string {
    return this._context.kernelDisplayName;
  }
  get variables(): readonly IVariable[] {
    return this._variables;
  }
  get memory(): { bytes: number; buffers: number } | null {
    return this._memory;
  }
  /** Whether a comm is open, so refresh and preview requests reach the kernel. */
  get connected(): boolean {
    return this._comm !== null;
  }
  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Asks the kernel for a fresh variable snapshot. */
  refresh(): void {
    this._send({ type: 'refresh' });
  }

  /** Asks the kernel for the values of one variable; the answer comes through `preview`. */
  requestPreview(name: string): void {
    this._send({ type: 'preview', name });
  }

  /** Handles one message from the kernel; public so a kernel-opened comm can feed it too. */
  handleMessage(data: unknown): void {
    const msg = data as KernelMessage;
    if (!msg || typeof msg !== 'object') {
      return;
    }
    switch (msg.type) {
      case 'variables':
        this._variables = Array.isArray(msg.variables) ? msg.variables : [];
        this._memory = msg.memory ?? null;
        this._changed.emit();
        break;
      case 'shapes':
        this._shapes.emit({ cellId: msg.cellId, lines: msg.lines ?? [] });
        break;
      case 'preview':
        this._preview.emit({ name: msg.name, tensor: tensorFromBundle(msg.bundle) });
        break;
    }
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._context.kernelChanged.disconnect(this._onKernelChanged, this);
    this._context.statusChanged.disconnect(this._onStatus, this);
    this._closeComm();
    Signal.clearData(this);
  }

  private _onKernelChanged(): void {
    this._attach(this._context.session?.kernel ?? null);
  }

  private _onStatus(_: ISessionContext, status: Kernel.Status): void {
    // A restarted kernel has lost its side of the comm and its variables.
    if (status === 'restarting' || status === 'autorestarting' || status === 'dead') {
      this._closeComm();
      this._setVariables([]);
      this._wantComm = this._kind === 'tsdl';
    } else if (status === 'idle' && this._wantComm && this._kernel) {
      this._openComm(this._kernel);
    }
  }

  private _attach(kernel: Kernel.IKernelConnection | null): void {
    this._closeComm();
    if (this._kernel) {
      this._kernel.removeCommTarget(COMM_TARGET, this._onKernelOpen);
    }
    this._kernel = kernel;
    this._kind = !kernel ? 'none' : isTsdlKernel(kernel.name) ? 'tsdl' : 'other';
    this._variables = [];
    this._memory = null;
    if (kernel && this._kind === 'tsdl') {
      kernel.registerCommTarget(COMM_TARGET, this._onKernelOpen);
      this._openComm(kernel);
    }
    this._changed.emit();
  }

  private _openComm(kernel: Kernel.IKernelConnection): void {
    // Reopened only after a restart, never after the kernel closes it: opening makes the
    // kernel busy, then idle, which would otherwise reopen it forever.
    this._wantComm = false;
    try {
      const comm = kernel.createComm(COMM_TARGET);
      this._adopt(comm);
      comm.open({});
      this.refresh();
    } catch (err) {
      // A kernel not yet connected: the next 'idle' status tries again.
      this._comm = null;
      this._wantComm = true;
      console.debug('tsdl: could not open the inspector comm yet', err);
    }
  }

  // Bound once so that removeCommTarget gets the same function registerCommTarget got.
  private readonly _onKernelOpen = (comm: Kernel.IComm, msg: KM.ICommOpenMsg): void => {
    this._closeComm();
    this._adopt(comm);
    this.handleMessage(msg.content.data);
  };

  private _adopt(comm: Kernel.IComm): void {
    this._comm = comm;
    comm.onMsg = msg => this.handleMessage(msg.content.data);
    comm.onClose = () => {
      if (this._comm === comm) {
        this._comm = null;
      }
    };
  }

  private _closeComm(): void {
    const comm = this._comm;
    this._comm = null;
    if (comm && !comm.isDisposed) {
      try {
        comm.close();
      } catch {
        // The kernel is already gone; nothing to tell it.
      }
    }
  }

  private _send(msg: FrontendMessage): void {
    if (this._comm && !this._comm.isDisposed) {
      this._comm.send(msg as unknown as KM.ICommMsgMsg['content']['data']);
    }
  }

  private _setVariables(variables: IVariable[]): void {
    this._variables = variables;
    this._memory = null;
    this._changed.emit();
  }

  private _kernel: Kernel.IKernelConnection | null = null;
  private _comm: Kernel.IComm | null = null;
  private _kind: KernelKind = 'none';
  private _wantComm = false;
  private _variables: IVariable[] = [];
  private _memory: { bytes: number; buffers: number } | null = null;
  private _disposed = false;
  private readonly _changed = new Signal<this, void>(this);
  private readonly _shapes = new Signal<this, { cellId: string; lines: IShapeLine[] }>(this);
  private readonly _preview = new Signal<this, { name: string; tensor: ITensorData | null }>(
    this
  );
}
