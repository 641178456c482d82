// One-hot encoding of int32 class labels (PyTorch's F.one_hot, jax.nn.one_hot), and the check
// of labels against a class count that the losses share. A GPU kernel cannot throw, so labels
// are checked where the host knows them (JS arrays, cpu tensors, tensors read back).

import type { Tensor } from "../tensor";
import type { DType } from "../dtype";
import { arange, isTensor, tensor, type TensorData } from "../creation";
import { DTypeError, InputError } from "../errors";
import { internal } from "../scope";

/** Throws unless every label is in 0..classes-1; `what` describes the classes' source. */
export function checkLabels(op: string, labels: ArrayLike<number>, classes: number, what: string): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < labels.length; i++) {
    lo = Math.min(lo, labels[i]);
    hi = Math.max(hi, labels[i]);
  }
  if (labels.length === 0 || (lo >= 0 && hi < classes)) return;
  const bad = lo < 0 ? lo : hi;
  const fromOne = lo >= 1 && hi === classes ? " They look counted from 1: pass labels.sub(1)." : "";
  throw new InputError(`${op}: label ${bad} is out of range for ${classes} classes (${what}); labels must be in 0..${classes - 1}.${fromOne}`);
}

/**
 * labels (int32, any shape) as one-hot vectors: [...labels.shape, numClasses], 1 at each
 * label and 0 elsewhere, float32 unless `dtype` says otherwise. Labels the host knows must be
 * in 0..numClasses-1 (an error, as in PyTorch); labels computed on the GPU that are out of
 * range give rows of zeros (as in JAX).
 */
export function oneHot(labels: Tensor | TensorData, numClasses: number, options: { dtype?: DType } = {}): Tensor {
  const y = isTensor(labels) ? labels : tensor(labels);
  if (y.dtype !== "int32") throw new DTypeError(`oneHot: labels must be int32 class indices, got ${y.dtype}`);
  if (!Number.isInteger(numClasses) || numClasses <= 0) throw new InputError(`oneHot: numClasses must be a positive integer, got ${numClasses}`);
  const known = y.peek();
  if (known) checkLabels("oneHot", known, numClasses, `numClasses ${numClasses}`);
  const dtype = options.dtype ?? "float32";
  return internal(() => y.unsqueeze(-1).eq(arange(numClasses)).astype(dtype));
}
