// nn.TransformerEncoderLayer as PyTorch's: self-attention and a two-layer feed-forward block,
// each with dropout, a residual connection and LayerNorm, after the block (post-norm, the
// default) or before it (normFirst). Submodule names follow PyTorch's (selfAttn, linear1,
// linear2, norm1, norm2), so a state dict maps name for name (snake_case to camelCase).

import type { Tensor } from "../tensor";
import { Module } from "./module";
import { Dropout, LayerNorm, Linear, builtinLayer } from "./layers";
import { MultiheadAttention } from "./attention";
import { InputError } from "../errors";

export interface TransformerEncoderLayerOptions {
  dimFeedforward?: number;
  dropout?: number;
  activation?: "relu" | "gelu";
  layerNormEps?: number;
  /** Inputs are [batch, length, dModel] (default false: [length, batch, dModel], as PyTorch). */
  batchFirst?: boolean;
  /** LayerNorm before each block (pre-norm) instead of after the residual sum. */
  normFirst?: boolean;
  bias?: boolean;
}

export interface EncoderForwardOptions {
  /** As MultiheadAttention's attnMask: bool true marks a pair that may not attend. */
  srcMask?: Tensor | null;
  /** As MultiheadAttention's keyPaddingMask: bool true marks a padding position. */
  srcKeyPaddingMask?: Tensor | null;
  isCausal?: boolean;
}

export class TransformerEncoderLayer extends Module {
  selfAttn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  readonly normFirst: boolean;
  readonly activation: "relu" | "gelu";

  constructor(readonly dModel: number, readonly nhead: number, options: TransformerEncoderLayerOptions = {}) {
    super();
    const p = options.dropout ?? 0.1;
    const ff = options.dimFeedforward ?? 2048;
    this.activation = options.activation ?? "relu";
    if (this.activation !== "relu" && this.activation !== "gelu") {
      throw new InputError(`TransformerEncoderLayer: activation must be "relu" or "gelu", got ${JSON.stringify(options.activation)}`);
    }
    const bias = options.bias ?? true;
    this.selfAttn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst: options.batchFirst ?? false, bias });
    this.linear1 = new Linear(dModel, ff, { bias });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(ff, dModel, { bias });
    this.norm1 = new LayerNorm(dModel, options.layerNormEps ?? 1e-5);
    this.norm2 = new LayerNorm(dModel, options.layerNormEps ?? 1e-5);
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.normFirst = options.normFirst ?? false;
  }

  forward(src: Tensor, options: EncoderForwardOptions = {}): Tensor {
    const attend = (x: Tensor) =>
      this.dropout1.forward(this.selfAttn.forward(x, x, x, { attnMask: options.srcMask, keyPaddingMask: options.srcKeyPaddingMask, isCausal: options.isCausal }));
    const feed = (x: Tensor) => {
      const h = this.linear1.forward(x);
      return this.dropout2.forward(this.linear2.forward(this.dropout.forward(this.activation === "gelu" ? h.gelu() : h.relu())));
    };
    let x = src;
    if (this.normFirst) {
      x = x.add(attend(this.norm1.forward(x)));
      return x.add(feed(this.norm2.forward(x)));
    }
    x = this.norm1.forward(x.add(attend(x)));
    return this.norm2.forward(x.add(feed(x)));
  }

  override describe(): string {
    return `TransformerEncoderLayer(dModel=${this.dModel}, nhead=${this.nhead}, normFirst=${this.normFirst})`;
  }
}

/**
 * A stack of numLayers copies of one TransformerEncoderLayer (deep copies, as PyTorch's
 * nn.TransformerEncoder makes: they start from the same weights), then an optional norm.
 */
export class TransformerEncoder extends Module {
  layers: TransformerEncoderLayer[];
  norm: Module | null;
  constructor(encoderLayer: TransformerEncoderLayer, readonly numLayers: number, options: { norm?: Module | null } = {}) {
    super();
    if (!(encoderLayer instanceof TransformerEncoderLayer)) throw new InputError("TransformerEncoder: the first argument must be a TransformerEncoderLayer to copy");
    if (!Number.isInteger(numLayers) || numLayers <= 0) throw new InputError(`TransformerEncoder: numLayers must be a positive integer, got ${numLayers}`);
    this.layers = Array.from({ length: numLayers }, () => encoderLayer.clone());
    this.norm = options.norm ?? null;
  }

  forward(src: Tensor, options: { mask?: Tensor | null; srcKeyPaddingMask?: Tensor | null; isCausal?: boolean } = {}): Tensor {
    let x = src;
    for (const layer of this.layers) x = layer.forward(x, { srcMask: options.mask, srcKeyPaddingMask: options.srcKeyPaddingMask, isCausal: options.isCausal });
    return this.norm ? this.norm.forward(x) : x;
  }

  override describe(): string {
    return `TransformerEncoder(numLayers=${this.numLayers})`;
  }
}

builtinLayer(TransformerEncoderLayer, TransformerEncoder);
