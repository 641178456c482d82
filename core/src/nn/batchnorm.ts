// BatchNorm1d and BatchNorm2d, as in PyTorch: in training mode each channel is normalized by
// the batch's mean and (biased) variance, and running estimates of both are kept (momentum
// 0.1, the variance unbiased); in eval mode the running estimates are used instead.
//
// The running statistics are buffers (module.ts): saved and loaded with the parameters, and
// updated with assign() under noGrad, so a jitted training step replays the update and a
// model.eval() makes jit trace the eval branch (Module.training is a trace guard).

import type { Tensor } from "../tensor";
import { Module, buffer, parameter } from "./module";
import { builtinLayer } from "./layers";
import { ones, zeros } from "../creation";
import { noGrad } from "../autodiff/mode";
import { tidy } from "../api";
import { internal } from "../scope";
import { InputError, ShapeError } from "../errors";
import { formatShape } from "../shape";

export interface BatchNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Weight of the new batch in the running estimates (default 0.1). */
  momentum?: number;
  /** A learned per-channel scale (weight) and shift (bias) (default true). */
  affine?: boolean;
  /** Keep running estimates for eval mode; without them eval uses batch statistics too (default true). */
  trackRunningStats?: boolean;
}

abstract class BatchNorm extends Module {
  weight: Tensor | null;
  bias: Tensor | null;
  runningMean: Tensor | null;
  runningVar: Tensor | null;
  readonly eps: number;
  readonly momentum: number;

  constructor(readonly numFeatures: number, options: BatchNormOptions = {}) {
    super();
    const name = this.constructor.name;
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) throw new InputError(`${name}: numFeatures must be a positive integer, got ${numFeatures}`);
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
    if (!(this.eps >= 0)) throw new InputError(`${name}: eps must be >= 0, got ${this.eps}`);
    if (!(this.momentum >= 0 && this.momentum <= 1)) throw new InputError(`${name}: momentum must be in [0, 1], got ${this.momentum}`);
    const affine = options.affine ?? true;
    this.weight = affine ? parameter(ones([numFeatures])) : null;
    this.bias = affine ? parameter(zeros([numFeatures])) : null;
    const track = options.trackRunningStats ?? true;
    this.runningMean = track ? buffer(zeros([numFeatures])) : null;
    this.runningVar = track ? buffer(ones([numFeatures])) : null;
  }

  /** The input ranks this layer takes, and how to describe them. */
  protected abstract readonly ranks: number[];
  protected abstract readonly layout: string;

  forward(input: Tensor): Tensor {
    this.check(input);
    const c = this.numFeatures;
    const axes = Array.from({ length: input.ndim }, (_, i) => i).filter((i) => i !== 1);
    // Per-channel values broadcast along every axis but the channel axis.
    const perChannel = input.shape.map((d, i) => (i === 1 ? c : 1));
    const count = input.size / c;
    const batchStats = this.training || !this.runningMean;
    if (batchStats && this.training && count <= 1) {
      throw new InputError(`${this.constructor.name}: expected more than 1 value per channel when training, got input of shape ${formatShape(input.shape)} (use a batch of 2 or more, or model.eval())`);
    }
    return internal(() => {
      const x = input.astype("float32");
      let y: Tensor;
      if (batchStats) {
        const mean = x.mean(axes, { keepdims: true });
        const d = x.sub(mean);
        const variance = d.square().mean(axes, { keepdims: true });
        if (this.training && this.runningMean && this.runningVar) this.track(mean, variance, count);
        y = d.mul(variance.add(this.eps).rsqrt());
      } else {
        const mean = this.runningMean!.reshape(perChannel);
        const variance = this.runningVar!.reshape(perChannel);
        y = x.sub(mean).mul(variance.add(this.eps).rsqrt());
      }
      if (this.weight && this.bias) y = y.mul(this.weight.reshape(perChannel)).add(this.bias.reshape(perChannel));
      return y;
    });
  }

  /** running = (1 - momentum) running + momentum batch, with the variance made unbiased (PyTorch). */
  private track(mean: Tensor, variance: Tensor, count: number): void {
    const m = this.momentum;
    const c = this.numFeatures;
    noGrad(() =>
      tidy(() => {
        this.runningMean!.assign(this.runningMean!.mul(1 - m).add(mean.reshape([c]).mul(m)));
        this.runningVar!.assign(this.runningVar!.mul(1 - m).add(variance.reshape([c]).mul((m * count) / (count - 1))));
      }),
    );
  }

  private check(x: Tensor): void {
    const name = this.constructor.name;
    const ranks = this.ranks;
    if (ranks.includes(x.ndim) && x.shape[1] === this.numFeatures) return;
    const rankOk = ranks.includes(x.ndim);
    const suggestions = [];
    if (name === "BatchNorm2d" && x.ndim === 3 && x.shape[0] === this.numFeatures) {
      suggestions.push({ code: "{input}.unsqueeze(0)", resultShape: [1, ...x.shape] });
    }
    throw new ShapeError(
      `${name}(${this.numFeatures}) expects input ${this.layout} with C = ${this.numFeatures}, got shape ${formatShape(x.shape)}`,
      {
        op: name,
        operands: [{ role: "input", shape: x.shape.slice(), dtype: x.dtype }],
        conflict: rankOk ? [{ operand: 0, axis: 1 }] : [],
        rule: `${name} normalizes each channel, the input's dim 1, which must be numFeatures (${this.numFeatures}); the input must be ${this.layout}.`,
        suggestions,
      },
    );
  }

  override describe(): string {
    return `${this.constructor.name}(${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}, trackRunningStats=${this.runningMean !== null})`;
  }
}

/** Batch normalization of [N, C] or [N, C, L] inputs, per channel C. */
export class BatchNorm1d extends BatchNorm {
  protected readonly ranks = [2, 3];
  protected readonly layout = "[N, C] or [N, C, L]";
}

/** Batch normalization of images [N, C, H, W], per channel C. */
export class BatchNorm2d extends BatchNorm {
  protected readonly ranks = [4];
  protected readonly layout = "[N, C, H, W]";
}

builtinLayer(BatchNorm1d, BatchNorm2d);
