// The basic layers, with PyTorch's default initialisation (uniform in +-1/sqrt(fan_in) for
// Linear and Conv2d weights and biases, N(0, 1) for Embedding, ones/zeros for LayerNorm).

import type { Tensor } from "../tensor";
import { Module, parameter } from "./module";
import { rand, randn, bernoulli } from "../random";
import { ones, zeros } from "../creation";
import { InputError, ShapeError } from "../errors";
import { formatShape } from "../shape";
import { take } from "../ops/indexing";
import { matmulT } from "../ops/matmul";
import { internal } from "../scope";

/** Layers of this library: their forward keeps none of the tensors it makes (see Sequential). */
const builtinLayers = new Set<Function>();
export function builtinLayer(...classes: Function[]): void {
  for (const c of classes) builtinLayers.add(c);
}

/** Uniform in [-bound, bound). */
export function uniformInit(shape: number[], bound: number): Tensor {
  return rand(shape).mul(2 * bound).sub(bound);
}

function checkPositiveInt(v: number, what: string): void {
  if (!Number.isInteger(v) || v <= 0) throw new InputError(`${what} must be a positive integer, got ${v}`);
}

/** y = x W^T + b, with W of shape [out, in] as in PyTorch (so weights interoperate). */
export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;
  constructor(readonly inFeatures: number, readonly outFeatures: number, options: { bias?: boolean } = {}) {
    super();
    checkPositiveInt(inFeatures, "Linear: inFeatures");
    checkPositiveInt(outFeatures, "Linear: outFeatures");
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = parameter(uniformInit([outFeatures, inFeatures], bound));
    this.bias = options.bias === false ? null : parameter(uniformInit([outFeatures], bound));
  }
  forward(x: Tensor): Tensor {
    const last = x.shape[x.ndim - 1];
    if (x.ndim === 0 || last !== this.inFeatures) {
      throw new ShapeError(
        `Linear(${this.inFeatures}, ${this.outFeatures}) expects inputs whose last dim is ${this.inFeatures}, got shape ${formatShape(x.shape)}`,
        {
          op: "linear",
          operands: [
            { role: "input", shape: x.shape.slice(), dtype: x.dtype },
            { role: "weight", shape: this.weight.shape.slice(), dtype: this.weight.dtype },
          ],
          conflict: x.ndim ? [{ operand: 0, axis: x.ndim - 1 }, { operand: 1, axis: 1 }] : [],
          rule: `the input's last dim must equal the layer's inFeatures (${this.inFeatures}).`,
          suggestions: x.ndim > 1 ? [{ code: "{input}.flatten(1)", resultShape: [x.shape[0], x.size / x.shape[0]] }] : [],
        },
      );
    }
    return internal(() => {
      // x W^T with W read transposed in place (no copy of W.T each step).
      const x2 = x.astype("float32");
      const y = x2.ndim === 1 ? matmulT(x2.reshape([1, last]), this.weight, false, true).reshape([this.outFeatures]) : matmulT(x2, this.weight, false, true);
      return this.bias ? y.add(this.bias) : y;
    });
  }
  override describe(): string {
    return `Linear(in=${this.inFeatures}, out=${this.outFeatures}, bias=${this.bias !== null})`;
  }
}

export class Sequential extends Module {
  layers: Module[];
  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
  }
  /**
   * The outputs between layers are the Sequential's own (freed once a backward() is done with
   * them, or at once without autodiff) when every layer is one of the library's: a layer of
   * the user's might keep one (say, to plot activations), so then they are left to GC.
   */
  forward(x: Tensor): Tensor {
    const run = () => this.layers.reduce((h, layer) => layer.forward(h), x);
    return this.ownsIntermediates() ? internal(run) : run();
  }
  private ownsIntermediates(): boolean {
    return this.layers.every((l) => builtinLayers.has(l.constructor) && (!(l instanceof Sequential) || l.ownsIntermediates()));
  }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return x.relu();
  }
}
export class GELU extends Module {
  forward(x: Tensor): Tensor {
    return x.gelu();
  }
}
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return x.tanh();
  }
}

/** x for x > 0, negativeSlope * x otherwise (PyTorch's default slope 0.01). */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
    if (!Number.isFinite(negativeSlope)) throw new InputError(`LeakyReLU: negativeSlope must be a finite number, got ${negativeSlope}`);
  }
  forward(x: Tensor): Tensor {
    // relu(x) - slope relu(-x): two maps that the backends fuse, with the gradient 1 or slope.
    return internal(() => x.relu().sub(x.neg().relu().mul(this.negativeSlope)));
  }
  override describe(): string {
    return `LeakyReLU(negativeSlope=${this.negativeSlope})`;
  }
}
/** x * sigmoid(x), also called swish. */
export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    return internal(() => x.mul(x.sigmoid()));
  }
}
/** softmax along `dim` (PyTorch's nn.Softmax(dim)); the last axis by default. */
export class Softmax extends Module {
  constructor(readonly dim = -1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.softmax(this.dim);
  }
  override describe(): string {
    return `Softmax(dim=${this.dim})`;
  }
}
/** log(softmax(x)) along `dim`, computed stably. */
export class LogSoftmax extends Module {
  constructor(readonly dim = -1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.logSoftmax(this.dim);
  }
  override describe(): string {
    return `LogSoftmax(dim=${this.dim})`;
  }
}

/** Flattens all dims after the first (batch) one. */
export class Flatten extends Module {
  forward(x: Tensor): Tensor {
    return x.flatten(1);
  }
}

/** Splits axis `dim` into `sizes` (Flatten's inverse in a decoder), as torch.nn.Unflatten. */
export class Unflatten extends Module {
  constructor(readonly dim: number, readonly sizes: number[]) {
    super();
    if (!Array.isArray(sizes) || !sizes.length || sizes.some((d) => !Number.isInteger(d) || (d <= 0 && d !== -1))) {
      throw new InputError(`Unflatten: sizes must be positive integers (one may be -1), got ${JSON.stringify(sizes)}`);
    }
  }
  forward(x: Tensor): Tensor {
    const d = this.dim < 0 ? this.dim + x.ndim : this.dim;
    return x.reshape([...x.shape.slice(0, d), ...this.sizes, ...x.shape.slice(d + 1)]);
  }
  override describe(): string {
    return `Unflatten(dim=${this.dim}, sizes=[${this.sizes.join(", ")}])`;
  }
}

/** Returns its input: a placeholder layer (a skipped block, a head to replace later). */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** Zeroes each element with probability p in training mode and scales the rest by 1/(1-p). */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p < 1)) throw new InputError(`Dropout: p must be in [0, 1), got ${p}`);
  }
  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    return internal(() => x.mul(bernoulli(1 - this.p, x.shape).astype("float32")).div(1 - this.p));
  }
  override describe(): string {
    return `Dropout(p=${this.p})`;
  }
}

/** Normalizes over the last dims (normalizedShape) with a learned scale and shift. */
export class LayerNorm extends Module {
  weight: Tensor;
  bias: Tensor;
  readonly normalizedShape: number[];
  constructor(normalizedShape: number | number[], readonly eps = 1e-5) {
    super();
    this.normalizedShape = Array.isArray(normalizedShape) ? normalizedShape : [normalizedShape];
    this.weight = parameter(ones(this.normalizedShape));
    this.bias = parameter(zeros(this.normalizedShape));
  }
  forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    const tail = x.shape.slice(x.ndim - k);
    if (tail.join() !== this.normalizedShape.join()) {
      throw new ShapeError(`LayerNorm(${formatShape(this.normalizedShape)}) got input of shape ${formatShape(x.shape)}`, {
        op: "layerNorm",
        operands: [{ role: "input", shape: x.shape.slice(), dtype: x.dtype }],
        conflict: [],
        rule: `the input's last ${k} dims must be ${formatShape(this.normalizedShape)}.`,
        suggestions: [],
      });
    }
    const axes = this.normalizedShape.map((_, i) => x.ndim - k + i);
    return internal(() => {
      const d = x.sub(x.mean(axes, { keepdims: true }));
      const v = d.square().mean(axes, { keepdims: true });
      return d.mul(v.add(this.eps).rsqrt()).mul(this.weight).add(this.bias);
    });
  }
}

/** A lookup table: int32 indices of any shape -> vectors of size dim. */
export class Embedding extends Module {
  weight: Tensor;
  constructor(readonly numEmbeddings: number, readonly dim: number) {
    super();
    checkPositiveInt(numEmbeddings, "Embedding: numEmbeddings");
    checkPositiveInt(dim, "Embedding: dim");
    this.weight = parameter(randn([numEmbeddings, dim]));
  }
  forward(indices: Tensor): Tensor {
    return take(this.weight, indices, 0);
  }
}

builtinLayer(Linear, Sequential, ReLU, GELU, Sigmoid, Tanh, LeakyReLU, SiLU, Softmax, LogSoftmax, Flatten, Unflatten, Identity, Dropout, LayerNorm, Embedding);
