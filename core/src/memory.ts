// Who owns device memory. A BufferRef wraps one backend Storage and may be shared by several
// tensors (reshape and detach are free views). It is released exactly once: when the last
// sharing tensor is disposed, or when it becomes unreachable (FinalizationRegistry, the
// safety net). tidy() scopes dispose what a function created and did not return.
//
// The registry target is the BufferRef, not the Tensor, and its held value never references
// host storage: a CPU typed array is then collected together with its tensors even during a long
// synchronous loop (finalizer callbacks only run between tasks; V8 collects the arrays anyway).
// Device buffers are freed explicitly; in such a loop, those whose tensors were dropped are found
// after each pressure collection through tokens watched by WeakRefs (tokens.ts).

import type { Backend, Storage } from "./backend/backend";
import { collectIfPressured, hintIfNeverAwaited, noteRelease } from "./pressure";
import { type TokenHolder, TokenWatch } from "./tokens";

export class BufferRef implements TokenHolder {
  /** Tensors sharing this buffer that were not disposed yet (explicit disposal only). */
  refs = 1;
  storage: Storage | null;
  /** Held here only: its WeakRef clearing tells that this BufferRef was collected (tokens.ts). */
  token: object | null = null;
  tokenRef: WeakRef<object> | null = null;
  constructor(
    readonly backend: Backend,
    storage: Storage,
    readonly ticket: Ticket,
  ) {
    this.storage = storage;
  }
}

/** What the registry keeps to release a buffer: its size, and the storage when the backend
 * must free it explicitly (GPU buffers); host-memory backends leave it out. */
interface Ticket {
  backend: Backend;
  bytes: number;
  storage: Storage | undefined;
  released: boolean;
}

interface Usage {
  buffers: number;
  bytes: number;
}

const usage = new Map<string, Usage>();
let totalBuffers = 0;
let totalBytes = 0;

function account(backend: Backend, buffers: number, bytes: number): void {
  totalBuffers += buffers;
  totalBytes += bytes;
  let u = usage.get(backend.name);
  if (!u) usage.set(backend.name, (u = { buffers: 0, bytes: 0 }));
  u.buffers += buffers;
  u.bytes += bytes;
}

function releaseTicket(t: Ticket): void {
  if (t.released) return;
  t.released = true;
  account(t.backend, -1, -t.bytes);
  noteRelease(totalBuffers, totalBytes);
  if (t.storage) t.backend.free(t.storage);
}

const registry = new FinalizationRegistry<Ticket>(releaseTicket);
const watch = new TokenWatch<Ticket>((t) => t.released);

export function newBufferRef(backend: Backend, storage: Storage): BufferRef {
  const explicit = backend.name !== "cpu";
  const ticket: Ticket = {
    backend,
    bytes: storage.bytes,
    storage: explicit ? storage : undefined,
    released: false,
  };
  const ref = new BufferRef(backend, storage, ticket);
  account(backend, 1, storage.bytes);
  registry.register(ref, ticket, ref);
  watch.watch(ticket, ref); // CPU arrays need no free, but memory() counts them until then
  if (collectIfPressured(totalBuffers, totalBytes)) {
    for (const t of watch.collectDropped()) releaseTicket(t);
    hintIfNeverAwaited(totalBytes - (usage.get("cpu")?.bytes ?? 0), watch.unwatched);
  }
  return ref;
}

/** Drops one explicit reference; frees the buffer when none is left. */
export function releaseRef(ref: BufferRef): void {
  ref.refs -= 1;
  if (ref.refs > 0 || ref.storage === null) return;
  registry.unregister(ref);
  const storage = ref.storage;
  ref.storage = null;
  ref.ticket.storage = storage; // free it now, whatever kind of backend
  releaseTicket(ref.ticket);
  watch.recycle(ref);
}

/** Live buffers and bytes per backend (what tensors hold, not what a pool keeps for reuse). */
export function memory(): { buffers: number; bytes: number; byBackend: Record<string, Usage> } {
  let buffers = 0;
  let bytes = 0;
  const byBackend: Record<string, Usage> = {};
  for (const [name, u] of usage) {
    byBackend[name] = { ...u };
    buffers += u.buffers;
    bytes += u.bytes;
  }
  return { buffers, bytes, byBackend };
}
