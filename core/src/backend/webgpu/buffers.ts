// GPU storage and the buffer pool. Training steps allocate the same sizes every iteration, and
// creating a GPUBuffer costs far more than reusing one, so freed buffers go back to a pool
// keyed by size class and the next allocation of that class takes one.
//
// Invariants:
// - Every buffer is a multiple of 4 bytes and at least 16 (WebGPU wants 4-byte aligned,
//   non-zero sizes; bool is stored as u32, so element sizes are always 4).
// - A pooled buffer may still be read by commands that are recorded but not submitted. Reusing
//   it in later commands is safe (the queue runs them in order); destroying it is not, so
//   destruction goes through `retire`, which waits for the pending commands to be submitted.

import type { Storage } from "../backend";
import { DeviceLimitError } from "../../errors";

let nextStorageId = 1;

export class GPUStorage implements Storage {
  /** Set by free(); a freed storage must never be used again. */
  freed = false;
  /** Identifies the buffer in fusion keys (see fusion.ts). */
  readonly id = nextStorageId++;
  /** Pending fused expressions that still read this buffer (see fusion.ts). */
  holds = 0;
  /** Released by its owner while held: returned to the pool when the last hold goes. */
  dropped = false;
  /** The fuser's last leaf node over this buffer, reused while read at the same shape (fusion.ts). */
  leaf: unknown = null;
  constructor(
    readonly buffer: GPUBuffer,
    /** The size on the device: the size class, not the requested size. */
    readonly bytes: number,
  ) {}
}

export interface MemoryStats {
  liveBuffers: number;
  liveBytes: number;
  pooledBuffers: number;
  pooledBytes: number;
}

const MIN_BYTES = 16;

/**
 * The size class of a request: powers of two up to 4 KiB, then quarter steps between powers of
 * two, so at most 25% of a buffer is wasted and similar sizes share buffers.
 */
export function sizeClass(bytes: number): number {
  const n = Math.max(MIN_BYTES, Math.ceil(bytes / 4) * 4);
  if (n <= 4096) return 2 ** Math.ceil(Math.log2(n));
  const base = 2 ** Math.floor(Math.log2(n - 1));
  const step = base / 4;
  return Math.ceil(n / step) * step;
}

/**
 * The pool keeps freed buffers up to `maxPooledBytes` plus the most bytes ever live at once,
 * much as PyTorch's CUDA caching allocator keeps what a program has needed (the floor leaves
 * room for buffers of other sizes that earlier work left in the pool).
 * A fixed cap alone made every step of a working set above it create and destroy buffers:
 * on an H100, a block of 108 products of 1024 x 1024 (432 MB live) cost 1.1 ms per product
 * against 0.17 ms for the kernel, and 1M-float adds 0.8 ms each (bench/gpu.sh).
 */
export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private stats: MemoryStats = { liveBuffers: 0, liveBytes: 0, pooledBuffers: 0, pooledBytes: 0 };
  private peakLiveBytes = 0;
  /** GPU buffers created so far (a warmed-up training step creates none), for counters(). */
  created = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly maxBufferSize: number,
    /** Pooled bytes kept beyond the peak of live bytes (see the class comment). */
    private readonly maxPooledBytes: number,
    /** Destroys a buffer once the commands that may use it have been submitted. */
    private readonly retire: (buffer: GPUBuffer) => void,
  ) {}

  /** A storage of at least `bytes` bytes (contents undefined). */
  alloc(bytes: number): GPUStorage {
    const size = sizeClass(bytes);
    if (size > this.maxBufferSize) {
      throw new DeviceLimitError(
        `a tensor of ${bytes} bytes exceeds this WebGPU device's maxBufferSize (${this.maxBufferSize} bytes); ` +
          `use smaller tensors or the cpu backend: setBackend('cpu')`,
      );
    }
    const list = this.free.get(size);
    let buffer = list?.pop();
    if (buffer) {
      this.stats.pooledBuffers -= 1;
      this.stats.pooledBytes -= size;
    } else {
      this.makeRoom(size);
      this.created += 1;
      buffer = this.device.createBuffer({
        size,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      });
    }
    this.stats.liveBuffers += 1;
    this.stats.liveBytes += size;
    if (this.stats.liveBytes > this.peakLiveBytes) this.peakLiveBytes = this.stats.liveBytes;
    return new GPUStorage(buffer, size);
  }

  /**
   * Before a new buffer is created: destroys pooled buffers (sizes pooled longest ago first)
   * until live, pooled and new bytes fit the peak plus the floor again. Pooled buffers of
   * sizes a program stopped using would otherwise sit beside the new sizes of its next phase,
   * and a GPU with little memory would run out where PyTorch's allocator frees its cache.
   */
  private makeRoom(size: number): void {
    const limit = Math.max(this.peakLiveBytes, this.stats.liveBytes + size) + this.maxPooledBytes;
    for (const [bytes, list] of this.free) {
      if (this.stats.liveBytes + this.stats.pooledBytes + size <= limit) return;
      while (list.length > 0 && this.stats.liveBytes + this.stats.pooledBytes + size > limit) {
        this.retire(list.pop()!);
        this.stats.pooledBuffers -= 1;
        this.stats.pooledBytes -= bytes;
      }
      if (list.length === 0) this.free.delete(bytes);
    }
  }

  /** Returns a storage's buffer to the pool (or destroys it when the pool is full). */
  release(storage: GPUStorage): void {
    if (storage.freed) return;
    storage.freed = true;
    const size = storage.bytes;
    this.stats.liveBuffers -= 1;
    this.stats.liveBytes -= size;
    if (this.stats.pooledBytes + size > this.maxPooledBytes + this.peakLiveBytes) {
      this.retire(storage.buffer);
      return;
    }
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(storage.buffer);
    this.stats.pooledBuffers += 1;
    this.stats.pooledBytes += size;
  }

  /** Destroys every pooled buffer (live ones are untouched) and forgets the peak. */
  trim(): void {
    this.peakLiveBytes = this.stats.liveBytes;
    for (const list of this.free.values()) for (const buffer of list) this.retire(buffer);
    this.free.clear();
    this.stats.pooledBuffers = 0;
    this.stats.pooledBytes = 0;
  }

  memory(): MemoryStats {
    return { ...this.stats };
  }
}
