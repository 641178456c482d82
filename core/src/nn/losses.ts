// Loss functions, composed from primitives. Class labels are int32 indices; the picked
// log-probabilities come from a one-hot mask (N x C), which keeps the gradient a plain mul.
// A label outside 0..C-1 would give an all-zero mask row and silently drop that sample from
// the loss; it is an error where the labels are known on the host, and a NaN loss where they
// are not (labels on the GPU, labels inside a jitted function).

import type { Tensor } from "../tensor";
import { arange } from "../creation";
import { ShapeError, DTypeError } from "../errors";
import { formatShape } from "../shape";
import { internal } from "../scope";
import { checkLabels } from "./onehot";

type Reduction = "mean" | "sum" | "none";

function reduce(x: Tensor, reduction: Reduction): Tensor {
  return reduction === "none" ? x : reduction === "sum" ? x.sum() : x.mean();
}

function sameShape(op: string, a: Tensor, b: Tensor, roles: [string, string]): void {
  if (a.shape.join() !== b.shape.join()) {
    throw new ShapeError(`${op}: ${roles[0]} shape ${formatShape(a.shape)} differs from ${roles[1]} shape ${formatShape(b.shape)}`, {
      op,
      operands: [
        { role: roles[0], shape: a.shape.slice(), dtype: a.dtype },
        { role: roles[1], shape: b.shape.slice(), dtype: b.dtype },
      ],
      conflict: [],
      rule: `${op} compares {${roles[0]}} and {${roles[1]}} element by element, so their shapes must be equal.`,
      suggestions: b.size === a.size ? [{ code: `{${roles[1]}}.reshape(${formatShape(a.shape)})`, resultShape: a.shape.slice() }] : [],
    });
  }
}

export function mseLoss(pred: Tensor, target: Tensor, reduction: Reduction = "mean"): Tensor {
  sameShape("mseLoss", pred, target, ["pred", "target"]);
  return internal(() => reduce(pred.sub(target).square(), reduction));
}

function oneHot(op: string, labels: Tensor, logits: Tensor): { mask: Tensor; checked: boolean } {
  if (labels.dtype !== "int32") throw new DTypeError(`${op}: labels must be int32 class indices, got ${labels.dtype}`);
  const [n, c] = logits.shape;
  if (logits.ndim !== 2 || labels.ndim !== 1 || labels.shape[0] !== n) {
    throw new ShapeError(`${op}: expected logits [N, C] and labels [N], got ${formatShape(logits.shape)} and ${formatShape(labels.shape)}`, {
      op,
      operands: [
        { role: "logits", shape: logits.shape.slice(), dtype: logits.dtype },
        { role: "labels", shape: labels.shape.slice(), dtype: labels.dtype },
      ],
      conflict: logits.ndim === 2 && labels.ndim === 1 ? [{ operand: 0, axis: 0 }, { operand: 1, axis: 0 }] : [],
      rule: "one integer label per row of logits: logits [N, C], labels [N].",
      suggestions: labels.ndim === 2 && labels.size === n ? [{ code: "{labels}.reshape([-1])", resultShape: [n] }] : [],
    });
  }
  const known = labels.peek();
  if (known) checkLabels(op, known, c, `logits ${formatShape(logits.shape)}`);
  const mask = labels.reshape([n, 1]).eq(arange(c).reshape([1, c])).astype("float32");
  return { mask, checked: known !== null };
}

/**
 * -log p(label) per row. Unchecked labels: divided by the mask's row sum, which is exactly 1
 * for a label in range (the loss is unchanged, bit for bit) and 0 for one out of range (0/0:
 * NaN, so the bad batch shows instead of vanishing from the mean).
 */
function pickedNll(op: string, logProbs: Tensor, labels: Tensor): Tensor {
  const { mask, checked } = oneHot(op, labels, logProbs);
  const nll = logProbs.mul(mask).sum(1).neg();
  return checked ? nll : nll.div(mask.sum(1));
}

/** Negative log-likelihood of log-probabilities [N, C] at int32 labels [N]. */
export function nllLoss(logProbs: Tensor, labels: Tensor, reduction: Reduction = "mean"): Tensor {
  return internal(() => reduce(pickedNll("nllLoss", logProbs, labels), reduction));
}

/** Cross entropy from unnormalized logits [N, C] and int32 labels [N] (stable: logSoftmax). */
export function crossEntropy(logits: Tensor, labels: Tensor, reduction: Reduction = "mean"): Tensor {
  return internal(() => reduce(pickedNll("crossEntropy", logits.logSoftmax(1), labels), reduction));
}

/** Binary cross entropy of probabilities p in (0, 1) against targets in [0, 1]. */
export function binaryCrossEntropy(p: Tensor, target: Tensor, reduction: Reduction = "mean"): Tensor {
  sameShape("binaryCrossEntropy", p, target, ["input", "target"]);
  return internal(() => {
    // log clamped at -100 like PyTorch, so p = 0 or 1 gives a large finite loss, not inf.
    const logp = p.log().maximum(-100);
    const log1mp = p.neg().add(1).log().maximum(-100);
    const t = target.astype("float32");
    return reduce(t.mul(logp).add(t.neg().add(1).mul(log1mp)).neg(), reduction);
  });
}

/** Binary cross entropy from logits z: max(z, 0) - z t + log(1 + exp(-|z|)). */
export function binaryCrossEntropyWithLogits(z: Tensor, target: Tensor, reduction: Reduction = "mean"): Tensor {
  sameShape("binaryCrossEntropyWithLogits", z, target, ["input", "target"]);
  return internal(() => {
    const t = target.astype("float32");
    return reduce(z.relu().sub(z.mul(t)).add(z.abs().neg().exp().log1p()), reduction);
  });
}
