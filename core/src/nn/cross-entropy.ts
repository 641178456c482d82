// Classification losses, PyTorch's F.cross_entropy and F.nll_loss: class weights, an ignored
// label (ignoreIndex, -100 by default), label smoothing, probabilities as targets, and inputs
// [N, C, d1, ...] with labels [N, d1, ...] (a class per pixel). The class axis is moved last
// and the rest flattened to rows, so every case is a loss per row of an [M, C] matrix.
//
// The picked log-probabilities come from a one-hot mask (M x C), which keeps the gradient a
// plain mul. A label outside 0..C-1 would give an all-zero mask row and silently drop that
// sample; it is an error where the labels are known on the host, and a NaN loss where they are
// not (labels on the GPU, labels inside a jitted function). ignoreIndex labels are neither.

import type { Tensor } from "../tensor";
import { arange } from "../creation";
import { ShapeError, DTypeError, InputError } from "../errors";
import { formatShape } from "../shape";
import { internal } from "../scope";
import { checkLabels } from "./onehot";
import { lossOptions, numberOption, tensorOption, type Reduction, type ReductionOption } from "./loss-options";

export interface NllLossOptions extends ReductionOption {
  /** A weight per class, float [C]; the mean divides by the summed weights of the targets. */
  weight?: Tensor;
  /** Targets with this label add nothing to the loss and are left out of the mean (default -100). */
  ignoreIndex?: number;
}

export interface CrossEntropyOptions extends NllLossOptions {
  /** In [0, 1]: the target becomes (1 - s) one-hot + s / C uniform (default 0). */
  labelSmoothing?: number;
}

interface Parsed {
  reduction: Reduction;
  weight?: Tensor;
  ignoreIndex: number;
  smoothing: number;
}

function parse(op: string, arg: Reduction | CrossEntropyOptions | undefined, classes: number, smoothing: boolean): Parsed {
  const o = lossOptions<CrossEntropyOptions>(op, arg, smoothing ? ["weight", "ignoreIndex", "labelSmoothing"] : ["weight", "ignoreIndex"]);
  const weight = tensorOption(op, "weight", o.weight);
  if (weight && (weight.ndim !== 1 || weight.shape[0] !== classes)) {
    throw new InputError(`${op}: weight must have one entry per class, shape [${classes}], got ${formatShape(weight.shape)}`);
  }
  const ignoreIndex = numberOption(op, "ignoreIndex", o.ignoreIndex, -100, Number.isInteger, "an integer");
  const s = numberOption(op, "labelSmoothing", o.labelSmoothing, 0, (v) => v >= 0 && v <= 1, "in [0, 1]");
  return { reduction: o.reduction ?? "mean", weight, ignoreIndex, smoothing: s };
}

function shapeError(op: string, input: Tensor, labels: Tensor): ShapeError {
  const n = input.shape[0];
  const want = input.ndim >= 2 ? formatShape([n, ...input.shape.slice(2)]) : "[]";
  return new ShapeError(
    `${op}: expected logits [N, C] and labels [N] (or logits [N, C, d1, ...] and labels [N, d1, ...]), got ${formatShape(input.shape)} and ${formatShape(labels.shape)}`,
    {
      op,
      operands: [
        { role: "logits", shape: input.shape.slice(), dtype: input.dtype },
        { role: "labels", shape: labels.shape.slice(), dtype: labels.dtype },
      ],
      conflict: input.ndim === 2 && labels.ndim === 1 ? [{ operand: 0, axis: 0 }, { operand: 1, axis: 0 }] : [],
      rule: `one integer label per row of logits: for logits ${formatShape(input.shape)} the labels must be ${want} (the logits' shape without the class axis 1).`,
      suggestions: labels.ndim === 2 && labels.size === n && input.ndim === 2 ? [{ code: "{labels}.reshape([-1])", resultShape: [n] }] : [],
    },
  );
}

/** [N, C, d1, ...] -> [N * d1 * ..., C]: the class axis last, one row per prediction. */
function rows(x: Tensor): Tensor {
  if (x.ndim === 2) return x;
  const perm = [0, ...Array.from({ length: x.ndim - 2 }, (_, i) => i + 2), 1];
  return x.permute(perm).reshape([-1, x.shape[1]]);
}

/**
 * The loss of log-probabilities logp (class axis 1) at `target`: int32 labels of logp's shape
 * without axis 1, or (crossEntropy only) float probabilities of logp's shape.
 */
function classLoss(op: string, logp: Tensor, target: Tensor, o: Parsed, probabilities: boolean): Tensor {
  const c = logp.shape[1];
  const m = logp.size / c;
  const lp = rows(logp);
  const w = o.weight?.reshape([1, c]);
  if (probabilities) {
    // PyTorch: -(sum over classes of w_c t_c log p_c), and a plain mean over the rows.
    let t = rows(target.astype("float32"));
    if (o.smoothing > 0) t = t.mul(1 - o.smoothing).add(o.smoothing / c);
    const wt = w ? t.mul(w) : t;
    const loss = lp.mul(wt).sum(1).neg();
    return o.reduction === "none" ? loss.reshape(outShape(logp)) : o.reduction === "sum" ? loss.sum() : loss.mean();
  }
  const labels = target.reshape([m]);
  const known = labels.peek();
  if (known) {
    const counted = Array.from(known).filter((v) => v !== o.ignoreIndex);
    checkLabels(op, counted, c, `logits ${formatShape(logp.shape)}`);
  }
  const mask = labels.reshape([m, 1]).eq(arange(c).reshape([1, c])).astype("float32");
  const valid = labels.ne(o.ignoreIndex).astype("float32");
  let picked = lp.mul(mask).sum(1).neg();
  // Unchecked labels: divided by the mask's row sum, exactly 1 for a label in range (the loss is
  // unchanged, bit for bit) and 0 for one out of range (0/0: NaN, so the bad batch shows
  // instead of vanishing from the mean); an ignored row adds 1 so that it stays 0.
  if (!known) picked = picked.div(mask.sum(1).add(valid.neg().add(1)));
  // Each row's weight: the weight of its class, 0 where ignored.
  const rowWeight = w ? mask.mul(w).sum(1).mul(valid) : valid;
  let loss = picked.mul(rowWeight);
  if (o.smoothing > 0) {
    // PyTorch mixes (1 - s) of the weighted NLL with s / C of the weighted sum over all classes.
    const all = (w ? lp.mul(w) : lp).sum(1).neg().mul(valid);
    loss = loss.mul(1 - o.smoothing).add(all.mul(o.smoothing / c));
  }
  if (o.reduction === "none") return loss.reshape(outShape(logp));
  return o.reduction === "sum" ? loss.sum() : loss.sum().div(rowWeight.sum());
}

function outShape(x: Tensor): number[] {
  return [x.shape[0], ...x.shape.slice(2)];
}

/** Checks the input and target and returns whether the target holds probabilities. */
function checkTarget(op: string, input: Tensor, target: Tensor, allowProbabilities: boolean): boolean {
  if (target.dtype !== "int32") {
    if (allowProbabilities && target.dtype.startsWith("float") && target.shape.join() === input.shape.join() && input.ndim >= 2) return true;
    const probs = allowProbabilities ? `, or float probabilities of the logits' shape ${formatShape(input.shape)}` : "";
    throw new DTypeError(`${op}: labels must be int32 class indices${probs}, got ${target.dtype}${allowProbabilities ? ` of shape ${formatShape(target.shape)}` : ""}`);
  }
  const ok = input.ndim >= 2 && target.ndim === input.ndim - 1 && target.shape.every((d, i) => d === input.shape[i === 0 ? 0 : i + 1]);
  if (!ok) throw shapeError(op, input, target);
  return false;
}

/** Adds the batch axis to an unbatched input [C] with a 0-d label, as PyTorch accepts. */
function batched(input: Tensor, target: Tensor): [Tensor, Tensor, boolean] {
  if (input.ndim === 1 && (target.ndim === 0 || target.shape.join() === input.shape.join())) return [input.unsqueeze(0), target.unsqueeze(0), true];
  return [input, target, false];
}

/**
 * Negative log-likelihood of log-probabilities [N, C] (or [N, C, d1, ...]) at int32 labels [N]
 * (or [N, d1, ...]), as torch's F.nll_loss. The third argument is a reduction or
 * { reduction, weight, ignoreIndex }.
 */
export function nllLoss(logProbs: Tensor, labels: Tensor, options?: Reduction | NllLossOptions): Tensor {
  const o = parse("nllLoss", options, logProbs.shape[logProbs.ndim === 1 ? 0 : 1], false);
  const [x, y, unbatched] = batched(logProbs, labels);
  checkTarget("nllLoss", x, y, false);
  return internal(() => {
    const loss = classLoss("nllLoss", x.astype("float32"), y, o, false);
    return unbatched && o.reduction === "none" ? loss.reshape([]) : loss;
  });
}

/**
 * Cross entropy from unnormalized logits [N, C] (or [N, C, d1, ...]) and int32 labels [N] (or
 * [N, d1, ...]) or float class probabilities of the logits' shape, as torch's F.cross_entropy
 * (stable: logSoftmax). The third argument is a reduction or { reduction, weight, ignoreIndex,
 * labelSmoothing }. E.g. crossEntropy(logits, labels, { labelSmoothing: 0.1 }).
 */
export function crossEntropy(logits: Tensor, labels: Tensor, options?: Reduction | CrossEntropyOptions): Tensor {
  const o = parse("crossEntropy", options, logits.shape[logits.ndim === 1 ? 0 : 1], true);
  const [x, y, unbatched] = batched(logits, labels);
  const probabilities = checkTarget("crossEntropy", x, y, true);
  return internal(() => {
    const loss = classLoss("crossEntropy", x.logSoftmax(1), y, o, probabilities);
    return unbatched && o.reduction === "none" ? loss.reshape([]) : loss;
  });
}
