// What every kernel needs: allocation with the device's binding limits checked, and one call
// that turns (WGSL source, buffers, params, workgroup count) into a recorded dispatch.

import { DeviceLimitError } from "../../errors";
import type { Storage } from "../backend";
import type { TensorInfo } from "../../ops/primitives";
import { BufferPool, GPUStorage } from "./buffers";
import type { Binding, CommandRecorder } from "./encoder";
import type { BindingKind, PipelineCache } from "./pipelines";
import { sizeOf } from "./layout";
import type { Params } from "./params";

/** Every dtype is 4 bytes on the GPU: f32, i32, and bool widened to u32. */
export const GPU_ELEMENT_BYTES = 4;

export interface KernelBinding {
  storage: Storage;
  /** Elements the shader may touch. */
  elements: number;
  kind: BindingKind;
}

export class GpuContext {
  constructor(
    readonly device: GPUDevice,
    readonly pool: BufferPool,
    readonly pipelines: PipelineCache,
    readonly recorder: CommandRecorder,
    readonly maxBindingBytes: number,
  ) {}

  /** A fresh storage for a result described by `info`. */
  alloc(info: TensorInfo): GPUStorage {
    return this.allocElements(sizeOf(info.shape));
  }

  /** Kernel results are written by a shader, so they must fit one binding: checked first. */
  allocElements(elements: number): GPUStorage {
    this.checkBinding(elements);
    return this.pool.alloc(elements * GPU_ELEMENT_BYTES);
  }

  /**
   * Records a dispatch. Bindings follow the order given, then the params block; the shader
   * declares them in the same order (see wgsl/common.ts).
   */
  run(source: string, bindings: readonly KernelBinding[], params: Params, workgroups: number): void {
    if (workgroups <= 0) return;
    // The recorder fills in the last entry, the params block (read-only).
    const gpuBindings: Binding[] = new Array(bindings.length + 1);
    let kinds = "";
    for (let k = 0; k < bindings.length; k++) {
      gpuBindings[k] = this.binding(bindings[k]);
      kinds += bindings[k].kind === "read" ? "r" : "w";
    }
    const pipeline = this.pipelines.get(source, kinds + "r");
    this.recorder.dispatch(pipeline, gpuBindings, params, workgroups);
  }

  private binding(b: KernelBinding): Binding {
    const storage = asGPU(b.storage);
    this.checkBinding(b.elements);
    // At least 16 bytes: a vec4 array binding must hold one vec4 even when the tensor is
    // empty (every pooled buffer is at least that big).
    return { buffer: storage.buffer, size: Math.max(16, b.elements * GPU_ELEMENT_BYTES) };
  }

  checkBinding(elements: number): void {
    const bytes = elements * GPU_ELEMENT_BYTES;
    if (bytes > this.maxBindingBytes) {
      throw new DeviceLimitError(
        `a tensor of ${bytes} bytes exceeds this WebGPU device's maxStorageBufferBindingSize ` +
          `(${this.maxBindingBytes} bytes), so no shader can access it whole; ` +
          `split the work into smaller tensors or use the cpu backend: setBackend('cpu')`,
      );
    }
  }
}

/** The storage as this backend's own type; anything else is a bug in the caller. */
export function asGPU(storage: Storage): GPUStorage {
  if (!(storage instanceof GPUStorage)) throw new TypeError("storage does not belong to the webgpu backend");
  if (storage.freed) throw new TypeError("use of freed webgpu storage");
  return storage;
}

/** Shorthands for building binding lists. */
export function input(storage: Storage, elements: number): KernelBinding {
  return { storage, elements, kind: "read" };
}
export function output(storage: Storage, elements: number): KernelBinding {
  return { storage, elements, kind: "write" };
}
