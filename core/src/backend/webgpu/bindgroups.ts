// Bind groups cached by (layout, buffers, binding sizes). Creating a bind group costs tens of
// microseconds in Dawn on lavapipe, more than recording the dispatch itself, and a training
// loop binds the same pooled buffers step after step. The params block is bound with a
// dynamic offset (see encoder.ts), so it does not enter the key.
//
// Entries whose buffers were destroyed can no longer be hit (a new buffer gets a new id) and
// age out of the LRU order.

export interface BufferRange {
  buffer: GPUBuffer;
  size: number;
}

export class BindGroupCache {
  private readonly ids = new WeakMap<GPUBuffer, number>();
  private nextId = 1;
  /** Map iteration order is insertion order: the first key is the least recently used. */
  private readonly groups = new Map<string, GPUBindGroup>();
  /** Bind groups created so far, for counters(). */
  created = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly maxEntries = 4096,
  ) {}

  get(layout: GPUBindGroupLayout, layoutId: number, ranges: readonly BufferRange[]): GPUBindGroup {
    let key = String(layoutId);
    for (const r of ranges) key += `|${this.id(r.buffer)}:${r.size}`;
    let group = this.groups.get(key);
    if (group) {
      this.groups.delete(key);
    } else {
      this.created += 1;
      group = this.device.createBindGroup({
        layout,
        entries: ranges.map((r, binding) => ({ binding, resource: { buffer: r.buffer, offset: 0, size: r.size } })),
      });
      if (this.groups.size >= this.maxEntries) this.groups.delete(this.groups.keys().next().value as string);
    }
    this.groups.set(key, group);
    return group;
  }

  private id(buffer: GPUBuffer): number {
    let id = this.ids.get(buffer);
    if (id === undefined) this.ids.set(buffer, (id = this.nextId++));
    return id;
  }
}
