// Similarities and distances between vectors, and the losses built on them, as PyTorch's
// F.cosine_similarity, F.pairwise_distance, F.cosine_embedding_loss and F.margin_ranking_loss.

import type { Tensor } from "../tensor";
import { internal } from "../scope";
import { InputError } from "../errors";
import { broadcastOrThrow } from "../ops/broadcastError";
import { lossOptions, numberOption, reduce, sameShape, type Reduction, type ReductionOption } from "./loss-options";

/**
 * a . b / (max(|a|, eps) max(|b|, eps)) along `dim` (default 1), as torch's cosine_similarity
 * (each norm clamped, so a zero vector gives 0, not NaN). a and b broadcast together.
 */
export function cosineSimilarity(a: Tensor, b: Tensor, dim = 1, eps = 1e-8): Tensor {
  const shape = broadcastOrThrow("cosineSimilarity", a, b, ["x1", "x2"]);
  if (!Number.isInteger(dim) || dim < -shape.length || dim >= shape.length) {
    throw new InputError(`cosineSimilarity: dim ${dim} is out of range for inputs of ${shape.length} dims`);
  }
  if (!(eps >= 0)) throw new InputError(`cosineSimilarity: eps must be >= 0, got ${eps}`);
  return internal(() => {
    const na = a.norm(dim, { keepdims: true }).maximum(eps);
    const nb = b.norm(dim, { keepdims: true }).maximum(eps);
    return a.div(na).mul(b.div(nb)).sum(dim);
  });
}

/** The p-norm of a - b + eps along the last axis, as torch's pairwise_distance (p = 2, eps = 1e-6). */
export function pairwiseDistance(a: Tensor, b: Tensor, options: { p?: number; eps?: number; keepdim?: boolean } = {}): Tensor {
  const p = numberOption("pairwiseDistance", "p", options.p, 2, (v) => v > 0, "a number > 0");
  const eps = numberOption("pairwiseDistance", "eps", options.eps, 1e-6, (v) => v >= 0, "a number >= 0");
  const shape = broadcastOrThrow("pairwiseDistance", a, b, ["x1", "x2"]);
  if (shape.length === 0) throw new InputError("pairwiseDistance: inputs must have at least one axis (the vectors' axis, last)");
  return internal(() => {
    const d = a.sub(b).add(eps);
    const axis = shape.length - 1;
    if (p === 2) return d.norm(axis, { keepdims: options.keepdim });
    return d.abs().pow(p).sum(axis, { keepdims: options.keepdim }).pow(1 / p);
  });
}

/** Checks that y is [N] of +-1 values (where the host knows them) for inputs [N, D] or [D]. */
function checkSigns(op: string, y: Tensor, n: number): void {
  if (y.ndim !== 1 || y.shape[0] !== n) {
    throw new InputError(`${op}: target must be one +1 or -1 per sample, shape [${n}], got [${y.shape.join(", ")}]`);
  }
  const known = y.peek();
  if (known) {
    for (const v of known) if (v !== 1 && v !== -1) throw new InputError(`${op}: target values must be 1 or -1, got ${v}`);
  }
}

export interface MarginOptions extends ReductionOption {
  /** Default 0. */
  margin?: number;
}

/**
 * 1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1, per row of [N, D]
 * inputs (torch's cosine_embedding_loss: cos = x1.x2 / sqrt((|x1|^2 + 1e-12)(|x2|^2 + 1e-12))).
 */
export function cosineEmbeddingLoss(x1: Tensor, x2: Tensor, y: Tensor, options?: Reduction | MarginOptions): Tensor {
  const op = "cosineEmbeddingLoss";
  const o = lossOptions<MarginOptions>(op, options, ["margin"]);
  const margin = numberOption(op, "margin", o.margin, 0, (v) => v >= -1 && v <= 1, "in [-1, 1]");
  sameShape(op, x1, x2, ["x1", "x2"]);
  if (x1.ndim !== 2) throw new InputError(`${op}: expected inputs [N, D], got [${x1.shape.join(", ")}]`);
  checkSigns(op, y, x1.shape[0]);
  return internal(() => {
    const eps = 1e-12;
    const dot = x1.mul(x2).sum(1);
    const cos = dot.div(x1.square().sum(1).add(eps).mul(x2.square().sum(1).add(eps)).sqrt());
    const pos = y.eq(1).astype("float32");
    const neg = y.eq(-1).astype("float32");
    const loss = cos.neg().add(1).mul(pos).add(cos.sub(margin).relu().mul(neg));
    return reduce(loss, o.reduction);
  });
}

/** max(0, -y (x1 - x2) + margin): y = 1 says x1 should rank above x2, y = -1 below. */
export function marginRankingLoss(x1: Tensor, x2: Tensor, y: Tensor, options?: Reduction | MarginOptions): Tensor {
  const op = "marginRankingLoss";
  const o = lossOptions<MarginOptions>(op, options, ["margin"]);
  const margin = numberOption(op, "margin", o.margin, 0, () => true, "a finite number");
  sameShape(op, x1, x2, ["x1", "x2"]);
  sameShape(op, x1, y, ["x1", "target"]);
  return internal(() => reduce(y.astype("float32").neg().mul(x1.sub(x2)).add(margin).relu(), o.reduction));
}
