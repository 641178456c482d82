// Records many dispatches into one command encoder and submits them together: a submit costs
// about as much as a dispatch on lavapipe, so eager ops would otherwise pay twice. Work is
// submitted before any readback, when the params arena is full, and every MAX_PENDING
// dispatches so the GPU starts early on long op sequences.
//
// Each dispatch's small parameter block (shapes, strides, counts) is appended to a host-side
// arena and bound through a dynamic offset into one GPU arena buffer (so bind groups can be
// cached, see bindgroups.ts); the arena is written with a single queue.writeBuffer just before
// the submit. Queue operations run in order, so the next batch can
// overwrite the arena as soon as this batch is submitted. Small uploads ride the same arena and
// are copied into place by the encoder, which keeps them in order with the recorded dispatches.

import { DeviceLimitError } from "../../errors";
import { BindGroupCache } from "./bindgroups";
import { sizeClass } from "./buffers";
import { WaitPacer } from "./pacing";
import type { Params } from "./params";
import type { CachedPipeline } from "./pipelines";

/** A buffer range to bind; `size` is what the shader may touch (a multiple of 4). */
export interface Binding {
  buffer: GPUBuffer;
  size: number;
}

const MAX_PENDING = 64;
const ARENA_BYTES = 1 << 18;
/** Uploads up to this size go through the arena; bigger ones use queue.writeBuffer. */
const SMALL_UPLOAD = 1 << 14;
/** The params window each shader sees (its `p` array): 256 words. */
const PARAMS_BYTES = 1024;
/** Readback staging buffers kept for reuse, at most this many bytes in all. */
const STAGING_POOL_BYTES = 1 << 24;

export class CommandRecorder {
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private pending = 0;
  private readonly arena: GPUBuffer;
  private readonly arenaHost = new Uint8Array(ARENA_BYTES);
  /** The same bytes as words, for params blocks. */
  private readonly arenaWords = new Uint32Array(this.arenaHost.buffer);
  /** The params block's binding (its offset is dynamic), the same object for every dispatch. */
  private readonly paramsBinding: Binding;
  /** The dynamic offsets argument of setBindGroup, reused (Dawn copies it). */
  private readonly offsets = new Uint32Array(1);
  /** The pipeline the open pass last set. */
  private passPipeline: GPUComputePipeline | null = null;
  private arenaUsed = 0;
  private retired: GPUBuffer[] = [];
  private readonly align: number;
  private readonly maxPerDim: number;
  private readonly bindGroups: BindGroupCache;
  /** Dispatches recorded since creation, for tests and profiling. */
  dispatches = 0;
  /**
   * Mappable staging buffers by size class, unmapped and free: a training step reads its loss
   * back every step, and creating a buffer per readback is an allocation per step.
   */
  private readonly staging = new Map<number, GPUBuffer[]>();
  private stagingBytes = 0;
  /** Staging buffers created so far, for counters(). */
  stagingCreated = 0;

  /** Sleeps through most of a wait on software adapters (see pacing.ts). */
  readonly pacer: WaitPacer;

  constructor(
    private readonly device: GPUDevice,
    pacedWaits = false,
  ) {
    this.pacer = new WaitPacer(pacedWaits);
    this.align = device.limits.minStorageBufferOffsetAlignment;
    this.maxPerDim = device.limits.maxComputeWorkgroupsPerDimension;
    this.bindGroups = new BindGroupCache(device);
    this.arena = device.createBuffer({
      size: ARENA_BYTES,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    this.paramsBinding = { buffer: this.arena, size: PARAMS_BYTES };
  }

  /**
   * Records one dispatch of `workgroups` workgroups. The shader's bindings are `bindings` in
   * order, whose last entry is left for the params block (this sets it). More than
   * maxComputeWorkgroupsPerDimension workgroups become a 2-D grid; shaders compute their
   * linear workgroup index as wid.x + wid.y * nwg.x and return when it is past the end.
   */
  dispatch(pipeline: CachedPipeline, bindings: Binding[], params: Params, workgroups: number): void {
    if (workgroups <= 0) return;
    const x = Math.min(workgroups, this.maxPerDim);
    const y = Math.ceil(workgroups / x);
    if (y > this.maxPerDim) {
      throw new DeviceLimitError(`a dispatch of ${workgroups} workgroups exceeds this WebGPU device's grid limit`);
    }
    const bytes = params.length * 4;
    if (bytes > PARAMS_BYTES) {
      throw new DeviceLimitError(`a kernel needs ${bytes} bytes of shape parameters; tensors of rank > 16 are not supported`);
    }
    const offset = this.stageParams(params);
    bindings[bindings.length - 1] = this.paramsBinding;
    const group = this.bindGroups.get(pipeline.layout, pipeline.layoutId, bindings);
    if (!this.pass) {
      this.pass = this.commandEncoder().beginComputePass();
      this.passPipeline = null;
    }
    // Consecutive dispatches of one kernel (a chain of fused ops) set it once: each call
    // into Dawn is validated and costs microseconds.
    if (this.passPipeline !== pipeline.pipeline) {
      this.pass.setPipeline(pipeline.pipeline);
      this.passPipeline = pipeline.pipeline;
    }
    this.offsets[0] = offset;
    this.pass.setBindGroup(0, group, this.offsets, 0, 1);
    this.pass.dispatchWorkgroups(x, y);
    this.pacer.noteDispatch(pipeline, workgroups);
    this.dispatches += 1;
    if (++this.pending >= MAX_PENDING) this.flush();
  }

  /** Copies `data` into `dst` at offset 0, in order with the recorded dispatches. */
  upload(dst: GPUBuffer, data: Uint8Array): void {
    const size = Math.ceil(data.byteLength / 4) * 4;
    if (size === 0) return;
    if (size <= SMALL_UPLOAD) {
      const offset = this.stage(data, 4);
      this.endPass();
      this.commandEncoder().copyBufferToBuffer(this.arena, offset, dst, 0, size);
      this.pending += 1;
      return;
    }
    // writeBuffer runs before the next submit: submit earlier commands first so that a pooled
    // buffer that they still read is not overwritten under them.
    if (this.pending > 0) this.flush();
    if (data.byteLength % 4 === 0) {
      this.device.queue.writeBuffer(dst, 0, data.buffer, data.byteOffset, data.byteLength);
    } else {
      const padded = new Uint8Array(size);
      padded.set(data);
      this.device.queue.writeBuffer(dst, 0, padded.buffer, 0, size);
    }
  }

  /** Copies `size` bytes of `src` to the host. Submits all pending work first. */
  async readback(src: GPUBuffer, size: number): Promise<ArrayBuffer> {
    const bytes = Math.max(4, Math.ceil(size / 4) * 4);
    const staging = this.takeStaging(sizeClass(bytes));
    this.endPass();
    this.commandEncoder().copyBufferToBuffer(src, 0, staging, 0, bytes);
    this.flush();
    let reusable = false;
    try {
      await this.pacer.wait(() => staging.mapAsync(GPUMapMode.READ));
      const out = staging.getMappedRange(0, bytes).slice(0, size);
      staging.unmap();
      reusable = true;
      return out;
    } finally {
      if (reusable) this.returnStaging(staging);
      else staging.destroy();
    }
  }

  /** A free staging buffer of `size` bytes (a size class), created if none is pooled. */
  private takeStaging(size: number): GPUBuffer {
    const buffer = this.staging.get(size)?.pop();
    if (buffer) {
      this.stagingBytes -= size;
      return buffer;
    }
    this.stagingCreated += 1;
    return this.device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }

  private returnStaging(buffer: GPUBuffer): void {
    const size = buffer.size;
    if (size > STAGING_POOL_BYTES) {
      buffer.destroy();
      return;
    }
    // Over the cap, the sizes used longest ago go: the size just read is the likeliest to be
    // read again (a loop reads the same loss or batch each step), where keeping the old ones
    // made such a loop create a staging buffer per read.
    for (const [oldSize, list] of this.staging) {
      if (this.stagingBytes + size <= STAGING_POOL_BYTES) break;
      while (list.length > 0 && this.stagingBytes + size > STAGING_POOL_BYTES) {
        list.pop()!.destroy();
        this.stagingBytes -= oldSize;
      }
      if (list.length === 0) this.staging.delete(oldSize);
    }
    let list = this.staging.get(size);
    if (list) this.staging.delete(size); // re-inserted last: most recently used
    else list = [];
    this.staging.set(size, list);
    list.push(buffer);
    this.stagingBytes += size;
  }

  /** Bind groups created so far, for counters(). */
  get bindGroupsCreated(): number {
    return this.bindGroups.created;
  }

  /** Destroys `buffer` after the commands recorded so far are submitted. */
  retire(buffer: GPUBuffer): void {
    if (this.encoder) this.retired.push(buffer);
    else buffer.destroy();
  }

  /** Submits everything recorded so far. */
  flush(): void {
    if (!this.encoder) return;
    this.endPass();
    if (this.arenaUsed > 0) this.device.queue.writeBuffer(this.arena, 0, this.arenaHost.buffer, 0, this.arenaUsed);
    this.device.queue.submit([this.encoder.finish()]);
    this.pacer.noteSubmit();
    this.encoder = null;
    this.pending = 0;
    this.arenaUsed = 0;
    for (const buffer of this.retired) buffer.destroy();
    this.retired = [];
  }

  /**
   * After a script was terminated inside a call (recover.ts), the encoder and pass may be in
   * any state: a pass ended but still referenced, an encoder finished but not dropped. What was
   * recorded is submitted inside a validation error scope, so a half-made batch is dropped
   * rather than reported as a backend bug; either way recording starts afresh. False: dropped.
   */
  async recover(): Promise<boolean> {
    this.device.pushErrorScope("validation");
    let threw = false;
    try {
      this.flush();
    } catch {
      threw = true;
    }
    this.encoder = null;
    this.pass = null;
    this.pending = 0;
    this.arenaUsed = 0;
    for (const buffer of this.retired) buffer.destroy();
    this.retired = [];
    const error = await this.device.popErrorScope();
    return !threw && error === null;
  }

  /** Submits everything and waits until the queue has run it. */
  async settle(): Promise<void> {
    this.flush();
    await this.pacer.wait(() => this.device.queue.onSubmittedWorkDone());
  }

  destroy(): void {
    this.flush();
    this.arena.destroy();
    for (const list of this.staging.values()) for (const buffer of list) buffer.destroy();
    this.staging.clear();
    this.stagingBytes = 0;
  }

  /**
   * Appends bytes to the arena at an `align`ed offset, submitting first when it is full.
   * `window` bytes from the offset must lie inside the arena (what a binding may see).
   */
  private stage(data: Uint8Array, align: number, window = 0): number {
    const size = Math.ceil(data.byteLength / 4) * 4;
    let offset = Math.ceil(this.arenaUsed / align) * align;
    if (offset + Math.max(size, window) > ARENA_BYTES) {
      this.flush();
      offset = 0;
    }
    this.commandEncoder(); // the arena is only written at flush, which needs an open encoder
    this.arenaHost.set(data, offset);
    this.arenaHost.fill(0, offset + data.byteLength, offset + size);
    this.arenaUsed = offset + Math.max(size, 4);
    return offset;
  }

  /** Appends a params block to the arena (like stage, but words straight from `params`). */
  private stageParams(params: Params): number {
    const size = params.length * 4;
    let offset = Math.ceil(this.arenaUsed / this.align) * this.align;
    if (offset + Math.max(size, PARAMS_BYTES) > ARENA_BYTES) {
      this.flush();
      offset = 0;
    }
    this.commandEncoder(); // the arena is only written at flush, which needs an open encoder
    params.writeInto(this.arenaWords, offset / 4);
    this.arenaUsed = offset + Math.max(size, 4);
    return offset;
  }

  private commandEncoder(): GPUCommandEncoder {
    return (this.encoder ??= this.device.createCommandEncoder());
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
  }
}
