// The one place where ops reach a backend. Every primitive application goes through run():
// it checks operands (alive, same device), computes the result's shape and dtype from the
// shape rules, runs the backend kernel, wraps the storage in a Tensor, and records the graph
// node for autodiff. Profiling belongs here later, not in the ops. Elementwise fusion lives
// below the seam, in the WebGPU backend (backend/webgpu/fusion.ts): a kernel may return a
// storage whose values are computed later, which nothing up here needs to know.

import type { Primitive, PrimitiveAttrs, TensorInfo } from "./ops/primitives";
import type { Backend, Storage } from "./backend/backend";
import { shapeRules } from "./ops/shapeRules";
import { newBufferRef } from "./memory";
import { checkInterrupt } from "./interrupt";
import { DeviceLimitError, InputError } from "./errors";
import { formatShape, sizeOf } from "./shape";
import { isGradEnabled } from "./autodiff/mode";
import { Tensor } from "./tensor";
import { active as activeTrace } from "./jit/trace";
import { batchHook } from "./vmap/hook";

/** Largest element count of one tensor: typed arrays and WGSL indices are 32-bit. */
export const maxElements = 2 ** 31 - 1;

/** A recorded application of a primitive, kept on its output for the backward pass. */
export interface GradNode<P extends Primitive = Primitive> {
  prim: P;
  attrs: PrimitiveAttrs[P];
  inputs: Tensor[];
  /** Tensors a library composite made on the way to this node's tensor and kept only for its
   * gradient (scope.ts's internal()); a backward() that does not retain the graph frees them. */
  internals?: Tensor[];
  /** A backward() freed `internals`: going through this node again is an error. */
  released?: boolean;
}

export function commonBackend(inputs: Tensor[], what: string): Backend {
  const b = inputs[0].backend;
  for (const t of inputs) {
    if (t.backend !== b) {
      throw new InputError(
        `${what}: tensors are on different devices (${b.name} and ${t.backend.name}); ` +
          `move one to the other's device first: x = await x.to("${t.backend.name}"), or for a model: await model.to("${b.name}")`,
      );
    }
  }
  return b;
}

export function checkAllocation(info: TensorInfo, what: string): void {
  const n = sizeOf(info.shape);
  if (!Number.isFinite(n) || n > maxElements) {
    throw new DeviceLimitError(
      `${what}: a tensor of shape ${formatShape(info.shape)} has ${n} elements, more than the ` +
        `${maxElements} one tensor can hold`,
    );
  }
}

export function run<P extends Primitive>(prim: P, inputs: Tensor[], attrs: PrimitiveAttrs[P]): Tensor {
  const backend = commonBackend(inputs, prim);
  // Arrays sized up front here and below: pushing onto [] reserves room for 17 entries.
  const infos: TensorInfo[] = new Array(inputs.length);
  for (let k = 0; k < inputs.length; k++) infos[k] = inputs[k].info;
  const out = shapeRules[prim](infos, attrs);
  checkAllocation(out, prim);
  return apply(backend, prim, inputs, infos, out, attrs);
}

/**
 * run() once the operands are checked and the result's shape and dtype known: what an op that
 * computed them itself (elementwise.ts's tensor-and-number fast path) calls directly. `infos`
 * must be the inputs' infos and `out` what shapeRules[prim] would return.
 */
export function apply<P extends Primitive>(
  backend: Backend,
  prim: P,
  inputs: Tensor[],
  infos: TensorInfo[],
  out: TensorInfo,
  attrs: PrimitiveAttrs[P],
): Tensor {
  checkInterrupt();
  // Inside vmap, an op on a batched tensor runs as one op over the whole batch (vmap/rules.ts).
  if (batchHook !== null) {
    const batched = batchHook(prim, inputs, out, attrs);
    if (batched !== null) return batched;
  }
  const storages: Storage[] = new Array(inputs.length);
  for (let k = 0; k < inputs.length; k++) storages[k] = inputs[k].storage;
  const storage = backend.kernels[prim]({ inputs: storages, infos, out, attrs });
  const result = wrapResult(backend, storage, out, inputs);
  // Under jit's first call, the application is recorded for replay (jit/trace.ts).
  if (activeTrace) activeTrace.kernel(prim, attrs, inputs, infos, out, result, storage);
  if (isGradEnabled() && out.dtype === "float32" && anyRequiresGrad(inputs)) {
    result.node = { prim, attrs, inputs } as GradNode;
    result.requiresGrad = true;
  }
  return result;
}

function anyRequiresGrad(inputs: Tensor[]): boolean {
  for (const t of inputs) if (t.requiresGrad) return true;
  return false;
}

/** A kernel may return an input's storage (reshape): then the buffer is shared, not new. */
function wrapResult(backend: Backend, storage: Storage, out: TensorInfo, inputs: Tensor[]): Tensor {
  for (const t of inputs) {
    const ref = t.ref;
    if (ref && ref.storage === storage) {
      ref.refs += 1;
      return new Tensor(ref, out.shape, out.dtype);
    }
  }
  return new Tensor(newBufferRef(backend, storage), out.shape, out.dtype);
}
