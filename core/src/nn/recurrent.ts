// nn.RNN, nn.LSTM and nn.GRU as PyTorch's: the same parameters per layer and direction
// (weightIhL0 [gates * H, in], weightHhL0, biasIhL0, biasHhL0, "...Reverse" for the backward
// direction), the same gate order (LSTM: input, forget, cell, output; GRU: reset, update,
// new), the same init (uniform in +-1/sqrt(H)) and layouts (sequence-first unless batchFirst).
// Each layer projects the whole input sequence with one matmul, then steps through time with
// one small matmul per step; autodiff unrolls the loop (backpropagation through time).

import type { Tensor } from "../tensor";
import { Module, parameter } from "./module";
import { builtinLayer, uniformInit } from "./layers";
import { InputError, ShapeError } from "../errors";
import { formatShape } from "../shape";
import { stack, concat } from "../ops/indexing";
import { fromHost } from "../creation";
import { bernoulli } from "../random";
import { internalAll } from "../scope";

type Kind = "RNN" | "LSTM" | "GRU";
const gatesOf: Record<Kind, number> = { RNN: 1, LSTM: 4, GRU: 3 };

export interface RecurrentOptions {
  numLayers?: number;
  bias?: boolean;
  /** Inputs are [batch, length, features] (default false: [length, batch, features], as PyTorch). */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training mode. */
  dropout?: number;
  bidirectional?: boolean;
}

/** One step: the new hidden state (and cell state, for LSTM) from the projected input xw. */
type Step = (xw: Tensor, h: Tensor, c: Tensor | null, whh: Tensor, bhh: Tensor | null) => [Tensor, Tensor | null];

function cellStep(kind: Kind, nonlinearity: "tanh" | "relu", hidden: number): Step {
  const part = (t: Tensor, i: number) => t.slice(-1, i * hidden, (i + 1) * hidden);
  if (kind === "RNN") {
    return (xw, h, _c, whh, bhh) => {
      const pre = xw.add(h.matmul(whh.T));
      const z = bhh ? pre.add(bhh) : pre;
      return [nonlinearity === "tanh" ? z.tanh() : z.relu(), null];
    };
  }
  if (kind === "LSTM") {
    return (xw, h, c, whh, bhh) => {
      const hw = h.matmul(whh.T);
      const g = bhh ? xw.add(hw).add(bhh) : xw.add(hw);
      const [i, f, cand, o] = [part(g, 0).sigmoid(), part(g, 1).sigmoid(), part(g, 2).tanh(), part(g, 3).sigmoid()];
      const c2 = f.mul(c!).add(i.mul(cand));
      return [o.mul(c2.tanh()), c2];
    };
  }
  // GRU: the reset gate scales the hidden state's projection, bias included, before the tanh.
  return (xw, h, _c, whh, bhh) => {
    const hw0 = h.matmul(whh.T);
    const hw = bhh ? hw0.add(bhh) : hw0;
    const r = part(xw, 0).add(part(hw, 0)).sigmoid();
    const z = part(xw, 1).add(part(hw, 1)).sigmoid();
    const n = part(xw, 2).add(r.mul(part(hw, 2))).tanh();
    return [n.sub(n.mul(z)).add(z.mul(h)), null];
  };
}

abstract class Recurrent extends Module {
  readonly numLayers: number;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly bias: boolean;
  private readonly step: Step;

  constructor(
    private readonly kind: Kind,
    readonly inputSize: number,
    readonly hiddenSize: number,
    options: RecurrentOptions,
    nonlinearity: "tanh" | "relu" = "tanh",
  ) {
    super();
    for (const [name, v] of [["inputSize", inputSize], ["hiddenSize", hiddenSize], ["numLayers", options.numLayers ?? 1]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new InputError(`${kind}: ${name} must be a positive integer, got ${v}`);
    }
    this.numLayers = options.numLayers ?? 1;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = options.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new InputError(`${kind}: dropout must be in [0, 1), got ${this.dropout}`);
    this.bidirectional = options.bidirectional ?? false;
    this.bias = options.bias ?? true;
    this.step = cellStep(kind, nonlinearity, hiddenSize);
    const g = gatesOf[kind] * hiddenSize;
    const bound = 1 / Math.sqrt(hiddenSize);
    const self = this as unknown as Record<string, Tensor | null>;
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (const suffix of this.directions()) {
        const inSize = layer === 0 ? inputSize : hiddenSize * this.directions().length;
        self[`weightIhL${layer}${suffix}`] = parameter(uniformInit([g, inSize], bound));
        self[`weightHhL${layer}${suffix}`] = parameter(uniformInit([g, hiddenSize], bound));
        self[`biasIhL${layer}${suffix}`] = this.bias ? parameter(uniformInit([g], bound)) : null;
        self[`biasHhL${layer}${suffix}`] = this.bias ? parameter(uniformInit([g], bound)) : null;
      }
    }
  }

  private directions(): string[] {
    return this.bidirectional ? ["", "Reverse"] : [""];
  }

  private weights(layer: number, suffix: string): [Tensor, Tensor, Tensor | null, Tensor | null] {
    const self = this as unknown as Record<string, Tensor | null>;
    return [self[`weightIhL${layer}${suffix}`]!, self[`weightHhL${layer}${suffix}`]!, self[`biasIhL${layer}${suffix}`], self[`biasHhL${layer}${suffix}`]];
  }

  /** Checks the input and initial states; returns the input as [L, N, F] and states as [layers * dirs, N, H]. */
  private prepare(input: Tensor, h0: Tensor | null, c0: Tensor | null): { x: Tensor; h: Tensor | null; c: Tensor | null; unbatched: boolean } {
    const unbatched = input.ndim === 2;
    if ((input.ndim !== 2 && input.ndim !== 3) || input.shape[input.ndim - 1] !== this.inputSize) {
      const layout = this.batchFirst ? `[batch, length, ${this.inputSize}] (batchFirst)` : `[length, batch, ${this.inputSize}] (sequence first; pass { batchFirst: true } for [batch, length, ${this.inputSize}])`;
      throw new ShapeError(`${this.kind}(${this.inputSize}, ${this.hiddenSize}): input has shape ${formatShape(input.shape)}; expected ${layout} or [length, ${this.inputSize}]`, {
        op: this.kind,
        operands: [{ role: "input", shape: input.shape.slice(), dtype: input.dtype }],
        conflict: input.ndim ? [{ operand: 0, axis: input.ndim - 1 }] : [],
        rule: `the input's last dim must be the layer's inputSize (${this.inputSize}).`,
        suggestions: [],
      });
    }
    const x0 = input.astype("float32");
    const x = unbatched ? x0.unsqueeze(1) : this.batchFirst ? x0.transpose(0, 1) : x0;
    const n = x.shape[1];
    const want = [this.numLayers * this.directions().length, n, this.hiddenSize];
    const state = (s: Tensor | null, name: string) => {
      if (!s) return null;
      const t = unbatched ? s.unsqueeze(1) : s;
      if (t.shape.join() !== want.join()) {
        throw new InputError(`${this.kind}: ${name} has shape ${formatShape(s.shape)}; expected ${formatShape(unbatched ? [want[0], want[2]] : want)} (layers * directions, ${unbatched ? "" : "batch, "}hiddenSize)`);
      }
      return t;
    };
    return { x, h: state(h0, "h0"), c: state(c0, "c0"), unbatched };
  }

  /** Runs every layer; returns the last layer's outputs [L, N, dirs * H] and the final states. */
  protected run(input: Tensor, h0: Tensor | null, c0: Tensor | null): Tensor[] {
    return internalAll(() => {
      const { x, h, c, unbatched } = this.prepare(input, h0, c0);
      const [len, n] = [x.shape[0], x.shape[1]];
      // Zero states on the input's device (which need not be the current one).
      const zeros = (shape: number[]) => fromHost(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape, "float32", x.backend);
      const dirs = this.directions();
      const lastH: Tensor[] = [];
      const lastC: Tensor[] = [];
      let layerIn = x;
      for (let layer = 0; layer < this.numLayers; layer++) {
        const outs: Tensor[] = [];
        dirs.forEach((suffix, d) => {
          const [wih, whh, bih, bhh] = this.weights(layer, suffix);
          // All time steps' input projections in one product: [L, N, gates * H].
          const proj = layerIn.matmul(wih.T);
          const xw = bih ? proj.add(bih) : proj;
          const k = layer * dirs.length + d;
          let hs = h ? h.index(k) : zeros([n, this.hiddenSize]);
          let cs = this.kind === "LSTM" ? (c ? c.index(k) : zeros([n, this.hiddenSize])) : null;
          const seq: Tensor[] = new Array(len);
          for (let s = 0; s < len; s++) {
            const t = suffix ? len - 1 - s : s;
            [hs, cs] = this.step(xw.index(t), hs, cs, whh, bhh);
            seq[t] = hs;
          }
          outs.push(len ? stack(seq) : zeros([0, n, this.hiddenSize]));
          lastH.push(hs);
          if (cs) lastC.push(cs);
        });
        layerIn = outs.length > 1 ? concat(outs, -1) : outs[0];
        if (this.training && this.dropout > 0 && layer < this.numLayers - 1) {
          layerIn = layerIn.mul(bernoulli(1 - this.dropout, layerIn.shape).astype("float32")).div(1 - this.dropout);
        }
      }
      const out = unbatched ? layerIn.squeeze(1) : this.batchFirst ? layerIn.transpose(0, 1) : layerIn;
      const fin = (list: Tensor[]) => (unbatched ? stack(list).squeeze(1) : stack(list));
      return lastC.length ? [out, fin(lastH), fin(lastC)] : [out, fin(lastH)];
    });
  }

  override describe(): string {
    return `${this.kind}(${this.inputSize}, ${this.hiddenSize}, numLayers=${this.numLayers}, batchFirst=${this.batchFirst}, bidirectional=${this.bidirectional})`;
  }
}

/** RNN and GRU: one state, the hidden one. */
abstract class HiddenStateRecurrent extends Recurrent {
  /** The outputs of the last layer at every step: [L, N, dirs * H] (or [N, L, ...] with batchFirst). */
  forward(input: Tensor, h0: Tensor | null = null): Tensor {
    return this.run(input, h0, null)[0];
  }
  /** [output, hN], as PyTorch's (output, h_n). */
  forwardWithState(input: Tensor, h0: Tensor | null = null): [Tensor, Tensor] {
    const [out, h] = this.run(input, h0, null);
    return [out, h];
  }
}

/** Elman RNN: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu). */
export class RNN extends HiddenStateRecurrent {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions & { nonlinearity?: "tanh" | "relu" } = {}) {
    const nl = options.nonlinearity ?? "tanh";
    if (nl !== "tanh" && nl !== "relu") throw new InputError(`RNN: nonlinearity must be "tanh" or "relu", got ${JSON.stringify(nl)}`);
    super("RNN", inputSize, hiddenSize, options, nl);
  }
}

export class GRU extends HiddenStateRecurrent {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super("GRU", inputSize, hiddenSize, options);
  }
}

export class LSTM extends Recurrent {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super("LSTM", inputSize, hiddenSize, options);
  }
  forward(input: Tensor, state: [Tensor, Tensor] | null = null): Tensor {
    return this.run(input, state?.[0] ?? null, state?.[1] ?? null)[0];
  }
  /** [output, [hN, cN]], as PyTorch's (output, (h_n, c_n)). */
  forwardWithState(input: Tensor, state: [Tensor, Tensor] | null = null): [Tensor, [Tensor, Tensor]] {
    const [out, h, c] = this.run(input, state?.[0] ?? null, state?.[1] ?? null);
    return [out, [h, c]];
  }
}

builtinLayer(RNN, LSTM, GRU);
