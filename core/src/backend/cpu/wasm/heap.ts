// A WebAssembly memory with an allocator, so that float32 tensors can live where the wasm
// kernels compute. The matmul engine and the SIMD maps copied every operand into their own
// memory and every result out of it: in the bench's MLP step those copies took about 0.25 ms
// of 3.5 (the forward product alone copied 1.2 MB in and 128 KB out). An operand that is
// already a view on this memory is passed by address instead.
//
// The memory is shared where the platform allows (worker threads compute on it), and a shared
// memory's views stay valid when it grows: growing only makes a longer buffer object. A memory
// that is not shared detaches its views on growth, so it holds only a kernel's temporaries.
//
// Blocks are 64-byte aligned and sized in 64-byte steps, so a kernel's last vector, which may
// run up to 12 bytes past a view's end, stays inside the view's own block. Free blocks are kept
// sorted by address and merged with their neighbours; a free block at the top lowers the top.
//
// Zeroing and copies inside the memory go through wasm's memory.fill and memory.copy: V8's
// TypedArray fill() and set() on a SharedArrayBuffer use a relaxed-atomic loop so as not to
// race with other threads, and measured 4.7x (fill) and 1.5x (set) slower than on ordinary
// arrays, which made the cpu convnet step 12% slower before this.

import { Body, encodeModule, i32 } from "./emit";

const PAGE = 65536;
const ALIGN = 64;

const roundUp = (bytes: number): number => Math.ceil(Math.max(bytes, 1) / ALIGN) * ALIGN;

export interface HeapOptions {
  /** The memory's maximum size in bytes (a shared memory reserves it up front). */
  maxBytes: number;
  /** Ask for a shared memory (falls back to a private one where sharing is unavailable). */
  shared: boolean;
}

export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  readonly shared: boolean;
  readonly maxBytes: number;
  /** Live blocks: address to size. */
  private readonly live = new Map<number, number>();
  /**
   * Free blocks below the top, sorted by address. Each change is one assignment or splice of a
   * whole entry, so a script that V8 terminates mid-call (an interrupted notebook cell) leaves
   * at worst a block lost, never two blocks overlapping.
   */
  private readonly freeList: { readonly at: number; readonly size: number }[] = [];
  private top = 0;
  /** Addresses at or above this were never handed out, so they still hold zeros. */
  private clean = 0;
  /** Buffer objects of this memory handed out in views (a shared memory gets a new one per growth). */
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  private readonly bulk: { fill(at: number, byte: number, n: number): void; copy(to: number, from: number, n: number): void };

  constructor(opts: HeapOptions) {
    this.maxBytes = Math.floor(opts.maxBytes / PAGE) * PAGE;
    const maximum = this.maxBytes / PAGE;
    let memory: WebAssembly.Memory | undefined;
    if (opts.shared) {
      try {
        memory = new WebAssembly.Memory({ initial: 1, maximum, shared: true });
      } catch {
        // No shared memory here (e.g. no SharedArrayBuffer): a private one, used for temporaries.
      }
    }
    this.shared = memory !== undefined;
    this.memory = memory ?? new WebAssembly.Memory({ initial: 1, maximum });
    const fill = new Body([i32, i32, i32]).get(0).get(1).get(2).memoryFill();
    const copy = new Body([i32, i32, i32]).get(0).get(1).get(2).memoryCopy();
    const bytes = encodeModule({
      memory: { initialPages: 1, maximumPages: maximum, shared: this.shared },
      functions: [{ name: "fill", body: fill }, { name: "copy", body: copy }],
    });
    this.bulk = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: this.memory } }).exports as unknown as WasmHeap["bulk"];
  }

  /** Sets `bytes` bytes at `at` to zero. */
  zero(at: number, bytes: number): void {
    this.bulk.fill(at, 0, bytes);
  }

  /** Copies `bytes` bytes from `from` to `to` (overlap allowed). */
  copy(to: number, from: number, bytes: number): void {
    this.bulk.copy(to, from, bytes);
  }

  /** Bytes in live blocks. */
  get usedBytes(): number {
    let sum = 0;
    for (const size of this.live.values()) sum += size;
    return sum;
  }

  /** The memory's size now (it only grows). */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /**
   * A block of at least `bytes` (zeroed if `zero`), as its byte address; -1 when it would take
   * the memory past its maximum or growing fails. On a private memory, views made before a
   * call may be detached by it.
   */
  alloc(bytes: number, zero = false): number {
    const size = roundUp(bytes);
    const list = this.freeList;
    let best = -1;
    for (let i = 0; i < list.length; i++) {
      if (list[i].size >= size && (best < 0 || list[i].size < list[best].size)) best = i;
    }
    let at: number;
    if (best >= 0) {
      const b = list[best];
      at = b.at;
      if (b.size === size) list.splice(best, 1);
      else list[best] = { at: b.at + size, size: b.size - size };
    } else {
      at = this.top;
      if (at + size > this.maxBytes || !this.reserve(at + size)) return -1;
      this.top = at + size;
    }
    this.live.set(at, size);
    if (zero && at < this.clean) this.zero(at, Math.min(size, this.clean - at));
    this.clean = Math.max(this.clean, at + size);
    return at;
  }

  /** Gives back a block from alloc(); other addresses are ignored. */
  free(at: number): void {
    const size = this.live.get(at);
    if (size === undefined) return;
    this.live.delete(at);
    // Insert in address order, merging with the free neighbours.
    const list = this.freeList;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].at < at) lo = mid + 1;
      else hi = mid;
    }
    let start = at;
    let end = at + size;
    if (lo > 0 && list[lo - 1].at + list[lo - 1].size === start) {
      lo -= 1;
      start = list[lo].at;
      list.splice(lo, 1);
    }
    if (lo < list.length && list[lo].at === end) {
      end += list[lo].size;
      list.splice(lo, 1);
    }
    if (end === this.top) this.top = start;
    else list.splice(lo, 0, { at: start, size: end - start });
  }

  /** The size of the live block at `at`, or 0. */
  blockBytes(at: number): number {
    return this.live.get(at) ?? 0;
  }

  /** A float32 view of `n` values at byte address `at`. */
  f32(at: number, n: number): Float32Array {
    const buffer = this.memory.buffer;
    this.buffers.add(buffer);
    return new Float32Array(buffer, at, n);
  }

  /** The byte address of a view on this memory made by f32() (or a subarray of one), else -1. */
  addressOf(a: ArrayBufferView): number {
    return this.buffers.has(a.buffer) ? a.byteOffset : -1;
  }

  private reserve(end: number): boolean {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return true;
    try {
      this.memory.grow(Math.ceil((end - have) / PAGE));
      return true;
    } catch {
      return false;
    }
  }
}
