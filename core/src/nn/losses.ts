// Losses between a prediction and a target of the same shape, as PyTorch's F.mse_loss,
// F.binary_cross_entropy and F.binary_cross_entropy_with_logits. The last argument is a
// reduction ("mean", "sum", "none") or an options object with PyTorch's keyword names.
// Class-label losses are in cross-entropy.ts, robust regression losses in regression-losses.ts.

import type { Tensor } from "../tensor";
import { internal } from "../scope";
import { lossOptions, reduce, sameShape, tensorOption, type Reduction, type ReductionOption } from "./loss-options";
import { broadcastOrThrow } from "../ops/broadcastError";
import { softplus } from "../composite/math";

export function mseLoss(pred: Tensor, target: Tensor, options?: Reduction | ReductionOption): Tensor {
  const o = lossOptions("mseLoss", options);
  sameShape("mseLoss", pred, target, ["pred", "target"]);
  return internal(() => reduce(pred.sub(target).square(), o.reduction));
}

export interface BCEOptions extends ReductionOption {
  /** Multiplies each element's loss; broadcasts to the input's shape. */
  weight?: Tensor;
}

export interface BCEWithLogitsOptions extends BCEOptions {
  /** Weight of the positive term per class (broadcast along the last axis), as torch's pos_weight. */
  posWeight?: Tensor;
}

function weighted(op: string, loss: Tensor, weight: Tensor | undefined): Tensor {
  if (!weight) return loss;
  broadcastOrThrow(op, loss, weight, ["input", "weight"]);
  return loss.mul(weight);
}

/** Binary cross entropy of probabilities p in (0, 1) against targets in [0, 1]. */
export function binaryCrossEntropy(p: Tensor, target: Tensor, options?: Reduction | BCEOptions): Tensor {
  const o = lossOptions<BCEOptions>("binaryCrossEntropy", options, ["weight"]);
  const weight = tensorOption("binaryCrossEntropy", "weight", o.weight);
  sameShape("binaryCrossEntropy", p, target, ["input", "target"]);
  return internal(() => {
    // log clamped at -100 like PyTorch, so p = 0 or 1 gives a large finite loss, not inf.
    const logp = p.log().maximum(-100);
    const log1mp = p.neg().add(1).log().maximum(-100);
    const t = target.astype("float32");
    return reduce(weighted("binaryCrossEntropy", t.mul(logp).add(t.neg().add(1).mul(log1mp)).neg(), weight), o.reduction);
  });
}

/**
 * Binary cross entropy from logits z, stable for any z: (1 - t) z + l softplus(-z) with
 * l = 1 + (posWeight - 1) t, PyTorch's formula (l = 1 without posWeight).
 */
export function binaryCrossEntropyWithLogits(z: Tensor, target: Tensor, options?: Reduction | BCEWithLogitsOptions): Tensor {
  const op = "binaryCrossEntropyWithLogits";
  const o = lossOptions<BCEWithLogitsOptions>(op, options, ["weight", "posWeight"]);
  const weight = tensorOption(op, "weight", o.weight);
  const posWeight = tensorOption(op, "posWeight", o.posWeight);
  sameShape(op, z, target, ["input", "target"]);
  if (posWeight) broadcastOrThrow(op, z, posWeight, ["input", "posWeight"]);
  return internal(() => {
    const t = target.astype("float32");
    const softplusNeg = softplus(z.neg());
    const l = posWeight ? posWeight.sub(1).mul(t).add(1) : null;
    const loss = t.neg().add(1).mul(z).add(l ? softplusNeg.mul(l) : softplusNeg);
    return reduce(weighted(op, loss, weight), o.reduction);
  });
}
