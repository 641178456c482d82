// GroupNorm and InstanceNorm2d, as in PyTorch: each sample's channels are split into groups
// (InstanceNorm: one channel per group, over H and W) and each group is normalized by its own
// mean and biased variance, in training and eval alike, so no batch statistics are needed.
// InstanceNorm2d may keep running estimates (trackRunningStats), as BatchNorm does, and then
// uses them in eval mode.

import type { Tensor } from "../tensor";
import { Module, buffer, parameter } from "./module";
import { builtinLayer } from "./layers";
import { ones, zeros } from "../creation";
import { noGrad } from "../autodiff/mode";
import { tidy } from "../api";
import { internal } from "../scope";
import { InputError, ShapeError } from "../errors";
import { formatShape } from "../shape";

function positiveInt(op: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0) throw new InputError(`${op}: ${name} must be a positive integer, got ${v}`);
}

function channelError(op: string, x: Tensor, channels: number, layout: string): ShapeError {
  return new ShapeError(`${op} expects input ${layout} with C = ${channels}, got shape ${formatShape(x.shape)}`, {
    op,
    operands: [{ role: "input", shape: x.shape.slice(), dtype: x.dtype }],
    conflict: x.ndim >= 2 ? [{ operand: 0, axis: 1 }] : [],
    rule: `${op} normalizes the input's channels, dim 1, which must be ${channels}; the input must be ${layout}.`,
    suggestions: [],
  });
}

/** x [N, C, ...] with per-channel weight and bias [C], broadcast along every other axis. */
function affine(y: Tensor, weight: Tensor | null, bias: Tensor | null): Tensor {
  if (!weight || !bias) return y;
  const perChannel = y.shape.map((d, i) => (i === 1 ? d : 1));
  return y.mul(weight.reshape(perChannel)).add(bias.reshape(perChannel));
}

export interface GroupNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** A learned per-channel scale (weight) and shift (bias) (default true). */
  affine?: boolean;
}

/** Normalizes [N, C, ...] over groups of C / numGroups channels (and all positions), per sample. */
export class GroupNorm extends Module {
  weight: Tensor | null;
  bias: Tensor | null;
  readonly eps: number;
  constructor(readonly numGroups: number, readonly numChannels: number, options: GroupNormOptions = {}) {
    super();
    positiveInt("GroupNorm", "numGroups", numGroups);
    positiveInt("GroupNorm", "numChannels", numChannels);
    if (numChannels % numGroups !== 0) throw new InputError(`GroupNorm: numChannels (${numChannels}) must be divisible by numGroups (${numGroups})`);
    this.eps = options.eps ?? 1e-5;
    if (!(this.eps >= 0)) throw new InputError(`GroupNorm: eps must be >= 0, got ${this.eps}`);
    const withAffine = options.affine ?? true;
    this.weight = withAffine ? parameter(ones([numChannels])) : null;
    this.bias = withAffine ? parameter(zeros([numChannels])) : null;
  }
  forward(x: Tensor): Tensor {
    if (x.ndim < 2 || x.shape[1] !== this.numChannels) throw channelError(`GroupNorm(${this.numGroups}, ${this.numChannels})`, x, this.numChannels, "[N, C, ...]");
    return internal(() => {
      const g = x.astype("float32").reshape([x.shape[0], this.numGroups, -1]);
      const d = g.sub(g.mean(2, { keepdims: true }));
      const v = d.square().mean(2, { keepdims: true });
      return affine(d.mul(v.add(this.eps).rsqrt()).reshape(x.shape), this.weight, this.bias);
    });
  }
  override describe(): string {
    return `GroupNorm(${this.numGroups}, ${this.numChannels}, eps=${this.eps}, affine=${this.weight !== null})`;
  }
}

export interface InstanceNormOptions extends GroupNormOptions {
  /** Weight of the new batch in the running estimates (default 0.1). */
  momentum?: number;
  /** Keep running estimates and use them in eval mode (default false, as PyTorch). */
  trackRunningStats?: boolean;
}

/** Normalizes each channel of each image [N, C, H, W] (or [C, H, W]) over H and W. */
export class InstanceNorm2d extends Module {
  weight: Tensor | null;
  bias: Tensor | null;
  runningMean: Tensor | null;
  runningVar: Tensor | null;
  readonly eps: number;
  readonly momentum: number;
  constructor(readonly numFeatures: number, options: InstanceNormOptions = {}) {
    super();
    positiveInt("InstanceNorm2d", "numFeatures", numFeatures);
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
    if (!(this.eps >= 0)) throw new InputError(`InstanceNorm2d: eps must be >= 0, got ${this.eps}`);
    if (!(this.momentum >= 0 && this.momentum <= 1)) throw new InputError(`InstanceNorm2d: momentum must be in [0, 1], got ${this.momentum}`);
    const withAffine = options.affine ?? false;
    this.weight = withAffine ? parameter(ones([numFeatures])) : null;
    this.bias = withAffine ? parameter(zeros([numFeatures])) : null;
    const track = options.trackRunningStats ?? false;
    this.runningMean = track ? buffer(zeros([numFeatures])) : null;
    this.runningVar = track ? buffer(ones([numFeatures])) : null;
  }
  forward(input: Tensor): Tensor {
    const unbatched = input.ndim === 3;
    if ((input.ndim !== 4 && !unbatched) || input.shape[input.ndim - 3] !== this.numFeatures) {
      throw channelError(`InstanceNorm2d(${this.numFeatures})`, input, this.numFeatures, "[N, C, H, W] or [C, H, W]");
    }
    const count = input.shape[input.ndim - 1] * input.shape[input.ndim - 2];
    const batchStats = this.training || !this.runningMean;
    if (this.training && count <= 1) {
      throw new InputError(`InstanceNorm2d: expected more than 1 spatial element when training, got input of shape ${formatShape(input.shape)}`);
    }
    return internal(() => {
      const x = unbatched ? input.astype("float32").unsqueeze(0) : input.astype("float32");
      const c = this.numFeatures;
      let y: Tensor;
      if (batchStats) {
        const mean = x.mean([2, 3], { keepdims: true });
        const d = x.sub(mean);
        const variance = d.square().mean([2, 3], { keepdims: true });
        if (this.training && this.runningMean) this.track(mean, variance, count);
        y = d.mul(variance.add(this.eps).rsqrt());
      } else {
        y = x.sub(this.runningMean!.reshape([1, c, 1, 1])).mul(this.runningVar!.reshape([1, c, 1, 1]).add(this.eps).rsqrt());
      }
      y = affine(y, this.weight, this.bias);
      return unbatched ? y.squeeze(0) : y;
    });
  }
  /** PyTorch's update: the images' means and unbiased variances, averaged over the batch. */
  private track(mean: Tensor, variance: Tensor, count: number): void {
    const m = this.momentum;
    const c = this.numFeatures;
    noGrad(() =>
      tidy(() => {
        this.runningMean!.assign(this.runningMean!.mul(1 - m).add(mean.reshape([-1, c]).mean(0).mul(m)));
        this.runningVar!.assign(this.runningVar!.mul(1 - m).add(variance.reshape([-1, c]).mean(0).mul((m * count) / (count - 1))));
      }),
    );
  }
  override describe(): string {
    const flags = `affine=${this.weight !== null}, trackRunningStats=${this.runningMean !== null}`;
    return `InstanceNorm2d(${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, ${flags})`;
  }
}

builtinLayer(GroupNorm, InstanceNorm2d);
