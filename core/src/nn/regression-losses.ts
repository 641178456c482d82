// Regression and distribution losses with PyTorch's names, defaults and formulas: F.l1_loss,
// F.smooth_l1_loss (beta), F.huber_loss (delta), F.kl_div (log-probability input,
// "batchmean"), F.poisson_nll_loss and F.gaussian_nll_loss. Each is a few elementwise ops, so
// the gradients come from the primitives.

import type { Tensor } from "../tensor";
import { internal } from "../scope";
import { InputError } from "../errors";
import { xlogy } from "../composite/math";
import { where } from "../ops/elementwise";
import { broadcastOrThrow } from "../ops/broadcastError";
import { checkReduction, lossOptions, numberOption, reduce, sameShape, type Reduction, type ReductionOption } from "./loss-options";

/** Mean absolute error |pred - target|. */
export function l1Loss(pred: Tensor, target: Tensor, options?: Reduction | ReductionOption): Tensor {
  const o = lossOptions("l1Loss", options);
  sameShape("l1Loss", pred, target, ["pred", "target"]);
  return internal(() => reduce(pred.sub(target).abs(), o.reduction));
}

export interface SmoothL1Options extends ReductionOption {
  /** Where the loss turns from quadratic to linear, >= 0 (default 1; 0 gives l1Loss). */
  beta?: number;
}

/** 0.5 d^2 / beta where |d| < beta, |d| - 0.5 beta elsewhere (d = pred - target). */
export function smoothL1Loss(pred: Tensor, target: Tensor, options?: Reduction | SmoothL1Options): Tensor {
  const o = lossOptions<SmoothL1Options>("smoothL1Loss", options, ["beta"]);
  const beta = numberOption("smoothL1Loss", "beta", o.beta, 1, (v) => v >= 0, "a number >= 0");
  sameShape("smoothL1Loss", pred, target, ["pred", "target"]);
  return internal(() => {
    const a = pred.sub(target).abs();
    if (beta === 0) return reduce(a, o.reduction);
    // With m = min(|d|, beta): 0.5 m^2 / beta + (|d| - m) is both branches in one expression.
    const m = a.minimum(beta);
    return reduce(m.square().mul(0.5 / beta).add(a.sub(m)), o.reduction);
  });
}

export interface HuberOptions extends ReductionOption {
  /** Where the loss turns from quadratic to linear, > 0 (default 1). */
  delta?: number;
}

/** 0.5 d^2 where |d| <= delta, delta (|d| - 0.5 delta) elsewhere: delta times smoothL1Loss with beta = delta. */
export function huberLoss(pred: Tensor, target: Tensor, options?: Reduction | HuberOptions): Tensor {
  const o = lossOptions<HuberOptions>("huberLoss", options, ["delta"]);
  const delta = numberOption("huberLoss", "delta", o.delta, 1, (v) => v > 0, "a number > 0");
  sameShape("huberLoss", pred, target, ["pred", "target"]);
  return internal(() => {
    const a = pred.sub(target).abs();
    const m = a.minimum(delta);
    return reduce(m.square().mul(0.5).add(a.sub(m).mul(delta)), o.reduction);
  });
}

export interface KlDivOptions {
  /** "mean" (PyTorch's default: over all elements), "batchmean" (the true KL divergence per
   * sample: the sum divided by the batch size), "sum" or "none". */
  reduction?: Reduction | "batchmean";
  /** The target holds log-probabilities too (default false: probabilities). */
  logTarget?: boolean;
}

/**
 * KL(target || model) as torch's F.kl_div: `input` holds the model's log-probabilities, the
 * target probabilities (or log-probabilities with logTarget). Pointwise target (log target -
 * input), 0 where the target is 0.
 */
export function klDiv(input: Tensor, target: Tensor, options: KlDivOptions = {}): Tensor {
  if (typeof options !== "object" || options === null) {
    throw new InputError(`klDiv: options must be an object such as { reduction: "batchmean" }, got ${String(options)}`);
  }
  for (const k of Object.keys(options)) {
    if (k !== "reduction" && k !== "logTarget") throw new InputError(`klDiv: unknown option "${k}"; the options are reduction, logTarget`);
  }
  const reduction = options.reduction === undefined ? "mean" : checkReduction("klDiv", options.reduction, ["batchmean"]);
  sameShape("klDiv", input, target, ["input", "target"]);
  return internal(() => {
    const t = target.astype("float32");
    const pointwise = options.logTarget ? t.exp().mul(t.sub(input)) : xlogy(t, t).sub(t.mul(input));
    if (options.reduction === "batchmean") return pointwise.sum().div(input.ndim ? input.shape[0] : 1);
    return reduce(pointwise, reduction);
  });
}

export interface PoissonNllOptions extends ReductionOption {
  /** The input is the log of the rate (default true): exp(input) - target input. */
  logInput?: boolean;
  /** Add Stirling's approximation of log(target!) (default false). */
  full?: boolean;
  /** Keeps log(input + eps) finite when logInput is false (default 1e-8). */
  eps?: number;
}

/** Negative log-likelihood of a Poisson target, as torch's F.poisson_nll_loss. */
export function poissonNllLoss(input: Tensor, target: Tensor, options?: Reduction | PoissonNllOptions): Tensor {
  const o = lossOptions<PoissonNllOptions>("poissonNllLoss", options, ["logInput", "full", "eps"]);
  const eps = numberOption("poissonNllLoss", "eps", o.eps, 1e-8, (v) => v > 0, "a number > 0");
  sameShape("poissonNllLoss", input, target, ["input", "target"]);
  return internal(() => {
    const t = target.astype("float32");
    let loss = o.logInput === false ? input.sub(t.mul(input.add(eps).log())) : input.exp().sub(t.mul(input));
    if (o.full) {
      // t log t - t + 0.5 log(2 pi t), only where t > 1 (PyTorch's mask).
      const stirling = xlogy(t, t).sub(t).add(t.mul(2 * Math.PI).log().mul(0.5));
      loss = loss.add(where(t.gt(1), stirling, 0));
    }
    return reduce(loss, o.reduction);
  });
}

export interface GaussianNllOptions extends ReductionOption {
  /** Add the constant 0.5 log(2 pi) (default false). */
  full?: boolean;
  /** The variance is clamped to at least eps (default 1e-6). */
  eps?: number;
}

/**
 * 0.5 (log var + (input - target)^2 / var), as torch's F.gaussian_nll_loss; `variance` has the
 * input's shape or one that broadcasts to it (a trailing 1, one variance for all).
 */
export function gaussianNllLoss(input: Tensor, target: Tensor, variance: Tensor, options?: Reduction | GaussianNllOptions): Tensor {
  const o = lossOptions<GaussianNllOptions>("gaussianNllLoss", options, ["full", "eps"]);
  const eps = numberOption("gaussianNllLoss", "eps", o.eps, 1e-6, (v) => v > 0, "a number > 0");
  sameShape("gaussianNllLoss", input, target, ["input", "target"]);
  broadcastOrThrow("gaussianNllLoss", input, variance, ["input", "variance"]);
  return internal(() => {
    // PyTorch clamps the variance without letting the clamp stop its gradient: v + (clamped - v) detached.
    const v = variance.astype("float32");
    const clamped = v.add(v.maximum(eps).sub(v).detach());
    let loss = clamped.log().add(input.sub(target).square().div(clamped)).mul(0.5);
    if (o.full) loss = loss.add(0.5 * Math.log(2 * Math.PI));
    return reduce(loss, o.reduction);
  });
}
