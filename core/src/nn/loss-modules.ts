// Losses as modules, PyTorch's criterion objects: `const criterion = new nn.CrossEntropyLoss()`
// then `criterion.forward(logits, labels)` (or .call). Each holds its options and calls the
// function of the same loss, so the two never disagree.

import type { Tensor } from "../tensor";
import { Module } from "./module";
import { builtinLayer } from "./layers";
import { crossEntropy, nllLoss, type CrossEntropyOptions, type NllLossOptions } from "./cross-entropy";
import { binaryCrossEntropy, binaryCrossEntropyWithLogits, mseLoss, type BCEOptions, type BCEWithLogitsOptions } from "./losses";
import { huberLoss, klDiv, l1Loss, smoothL1Loss, type HuberOptions, type KlDivOptions, type SmoothL1Options } from "./regression-losses";
import { lossOptions, checkReduction, type ReductionOption } from "./loss-options";

function show(v: unknown): string {
  if (typeof v === "object" && v !== null && "shape" in v) return `Tensor[${(v as Tensor).shape.join(", ")}]`;
  return typeof v === "string" ? `"${v}"` : String(v);
}

/** Options shown by describe(): numbers, strings and booleans (tensors as their shape). */
function describeOptions(name: string, o: object): string {
  const parts = Object.entries(o)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${show(v)}`);
  return `${name}(${parts.join(", ")})`;
}

abstract class Loss<O extends object> extends Module {
  constructor(readonly options: O) {
    super();
  }
  abstract override forward(input: Tensor, target: Tensor): Tensor;
  override describe(): string {
    return describeOptions(this.constructor.name, this.options);
  }
}

export class CrossEntropyLoss extends Loss<CrossEntropyOptions> {
  constructor(options: CrossEntropyOptions = {}) {
    super(lossOptions("CrossEntropyLoss", options, ["weight", "ignoreIndex", "labelSmoothing"]));
  }
  forward(logits: Tensor, labels: Tensor): Tensor {
    return crossEntropy(logits, labels, this.options);
  }
}

export class NLLLoss extends Loss<NllLossOptions> {
  constructor(options: NllLossOptions = {}) {
    super(lossOptions("NLLLoss", options, ["weight", "ignoreIndex"]));
  }
  forward(logProbs: Tensor, labels: Tensor): Tensor {
    return nllLoss(logProbs, labels, this.options);
  }
}

export class MSELoss extends Loss<ReductionOption> {
  constructor(options: ReductionOption = {}) {
    super(lossOptions("MSELoss", options));
  }
  forward(pred: Tensor, target: Tensor): Tensor {
    return mseLoss(pred, target, this.options);
  }
}

export class L1Loss extends Loss<ReductionOption> {
  constructor(options: ReductionOption = {}) {
    super(lossOptions("L1Loss", options));
  }
  forward(pred: Tensor, target: Tensor): Tensor {
    return l1Loss(pred, target, this.options);
  }
}

export class SmoothL1Loss extends Loss<SmoothL1Options> {
  constructor(options: SmoothL1Options = {}) {
    super(lossOptions("SmoothL1Loss", options, ["beta"]));
  }
  forward(pred: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(pred, target, this.options);
  }
}

export class HuberLoss extends Loss<HuberOptions> {
  constructor(options: HuberOptions = {}) {
    super(lossOptions("HuberLoss", options, ["delta"]));
  }
  forward(pred: Tensor, target: Tensor): Tensor {
    return huberLoss(pred, target, this.options);
  }
}

export class BCELoss extends Loss<BCEOptions> {
  constructor(options: BCEOptions = {}) {
    super(lossOptions("BCELoss", options, ["weight"]));
  }
  forward(p: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(p, target, this.options);
  }
}

export class BCEWithLogitsLoss extends Loss<BCEWithLogitsOptions> {
  constructor(options: BCEWithLogitsOptions = {}) {
    super(lossOptions("BCEWithLogitsLoss", options, ["weight", "posWeight"]));
  }
  forward(logits: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(logits, target, this.options);
  }
}

export class KLDivLoss extends Loss<KlDivOptions> {
  constructor(options: KlDivOptions = {}) {
    if (options.reduction !== undefined) checkReduction("KLDivLoss", options.reduction, ["batchmean"]);
    super(options);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return klDiv(input, target, this.options);
  }
}

builtinLayer(CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, SmoothL1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss, KLDivLoss);
