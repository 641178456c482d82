// Attention, as PyTorch has it: F.scaled_dot_product_attention as scaledDotProductAttention,
// and nn.MultiheadAttention with the same parameters (inProjWeight [3E, E], inProjBias,
// outProj), defaults (sequence-first unless batchFirst) and mask conventions. Composed from
// matmul, softmax and where, so autodiff, jit and vmap need nothing of their own.

import type { Tensor } from "../tensor";
import { Module, parameter } from "./module";
import { Linear, builtinLayer, uniformInit } from "./layers";
import { InputError, ShapeError } from "../errors";
import { formatShape } from "../shape";
import { fromHost, zeros } from "../creation";
import { bernoulli } from "../random";
import { where } from "../ops/elementwise";
import { internal, internalAll } from "../scope";

export interface AttentionOptions {
  /**
   * Bool: true where a query may attend to a key (F.scaled_dot_product_attention's convention);
   * float: added to the scores. Broadcasts against [..., L, S].
   */
  attnMask?: Tensor | null;
  /** Each query attends only to keys at its own position or before (a lower-triangular mask). */
  isCausal?: boolean;
  /** Multiplies the scores; default 1 / sqrt(E). */
  scale?: number;
  /** Drops attention weights with this probability (always, as F.scaled_dot_product_attention). */
  dropoutP?: number;
}

/** True where query i may see key j (j <= i), on q's device. */
function causalMask(q: Tensor, k: Tensor): Tensor {
  const [l, s] = [q.shape[q.ndim - 2], k.shape[k.ndim - 2]];
  const m = new Uint8Array(l * s);
  for (let i = 0; i < l; i++) for (let j = 0; j <= Math.min(i, s - 1); j++) m[i * s + j] = 1;
  return fromHost(m, [l, s], "bool", q.backend);
}

/** softmax(q k^T * scale + mask) v, and the weights. */
function attend(q: Tensor, k: Tensor, v: Tensor, o: AttentionOptions & { dropout?: number }): [Tensor, Tensor] {
  const e = q.shape[q.ndim - 1];
  let scores = q.matmul(k.transpose(-2, -1)).mul(o.scale ?? 1 / Math.sqrt(e));
  if (o.isCausal) scores = where(causalMask(q, k), scores, -Infinity);
  const m = o.attnMask;
  if (m) scores = m.dtype === "bool" ? where(m, scores, -Infinity) : scores.add(m);
  let w = scores.softmax(-1);
  const p = o.dropout ?? 0;
  if (p > 0) w = w.mul(bernoulli(1 - p, w.shape).astype("float32")).div(1 - p);
  return [w.matmul(v), w];
}

function checkQkv(q: Tensor, k: Tensor, v: Tensor, op: string): void {
  const bad = (why: string) =>
    new ShapeError(`${op}: query ${formatShape(q.shape)}, key ${formatShape(k.shape)} and value ${formatShape(v.shape)} do not fit: ${why}`, {
      op,
      operands: [
        { role: "query", shape: q.shape.slice(), dtype: q.dtype },
        { role: "key", shape: k.shape.slice(), dtype: k.dtype },
        { role: "value", shape: v.shape.slice(), dtype: v.dtype },
      ],
      conflict: [],
      rule: "query [..., L, E] and key [..., S, E] share E; key and value [..., S, Ev] share S.",
      suggestions: [],
    });
  if (q.ndim < 2 || k.ndim < 2 || v.ndim < 2) throw bad("each needs at least 2 dims ([..., length, features])");
  if (q.shape[q.ndim - 1] !== k.shape[k.ndim - 1]) throw bad(`the query's and key's last dims differ (${q.shape[q.ndim - 1]} and ${k.shape[k.ndim - 1]})`);
  if (k.shape[k.ndim - 2] !== v.shape[v.ndim - 2]) throw bad(`key and value have different lengths (${k.shape[k.ndim - 2]} and ${v.shape[v.ndim - 2]})`);
}

/** softmax(q k^T / sqrt(E) + mask) v over the last two axes (F.scaled_dot_product_attention). */
export function scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, options: AttentionOptions = {}): Tensor {
  checkQkv(query, key, value, "scaledDotProductAttention");
  const p = options.dropoutP ?? 0;
  if (!(p >= 0 && p < 1)) throw new InputError(`scaledDotProductAttention: dropoutP must be in [0, 1), got ${p}`);
  return internal(() => attend(query, key, value, { ...options, dropout: p })[0]);
}

export interface MultiheadAttentionOptions {
  bias?: boolean;
  /** Inputs are [batch, length, embedDim] (default false: [length, batch, embedDim], as PyTorch). */
  batchFirst?: boolean;
  /** Dropout on the attention weights in training mode. */
  dropout?: number;
  /** Feature sizes of key and value when they differ from embedDim. */
  kdim?: number;
  vdim?: number;
}

export interface MultiheadForwardOptions {
  /** [batch, S] (or [S] unbatched). Bool: true marks a key to ignore (PyTorch's convention here); float: added. */
  keyPaddingMask?: Tensor | null;
  /** [L, S] or [batch * numHeads, L, S]. Bool: true marks a pair that may NOT attend (nn.MultiheadAttention's convention); float: added. */
  attnMask?: Tensor | null;
  /** Queries attend only to keys at their own position or before. */
  isCausal?: boolean;
  /** Average the weights over heads (default true) or return them per head. */
  averageAttnWeights?: boolean;
}

export class MultiheadAttention extends Module {
  /** [3 * embedDim, embedDim]: the query, key and value projections stacked (when kdim = vdim = embedDim). */
  inProjWeight: Tensor | null;
  qProjWeight: Tensor | null;
  kProjWeight: Tensor | null;
  vProjWeight: Tensor | null;
  inProjBias: Tensor | null;
  outProj: Linear;
  readonly headDim: number;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly kdim: number;
  readonly vdim: number;

  constructor(readonly embedDim: number, readonly numHeads: number, options: MultiheadAttentionOptions = {}) {
    super();
    for (const [name, v] of [["embedDim", embedDim], ["numHeads", numHeads]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new InputError(`MultiheadAttention: ${name} must be a positive integer, got ${v}`);
    }
    if (embedDim % numHeads !== 0) {
      throw new InputError(`MultiheadAttention: embedDim (${embedDim}) must be divisible by numHeads (${numHeads}); each head gets embedDim / numHeads features`);
    }
    this.headDim = embedDim / numHeads;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = options.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new InputError(`MultiheadAttention: dropout must be in [0, 1), got ${this.dropout}`);
    this.kdim = options.kdim ?? embedDim;
    this.vdim = options.vdim ?? embedDim;
    // PyTorch's init: Xavier-uniform projections, zero biases.
    const xavier = (rows: number, cols: number) => parameter(uniformInit([rows, cols], Math.sqrt(6 / (rows + cols))));
    const same = this.kdim === embedDim && this.vdim === embedDim;
    this.inProjWeight = same ? xavier(3 * embedDim, embedDim) : null;
    this.qProjWeight = same ? null : xavier(embedDim, embedDim);
    this.kProjWeight = same ? null : xavier(embedDim, this.kdim);
    this.vProjWeight = same ? null : xavier(embedDim, this.vdim);
    const bias = options.bias ?? true;
    this.inProjBias = bias ? parameter(zeros([3 * embedDim])) : null;
    this.outProj = new Linear(embedDim, embedDim, { bias });
    if (bias) this.outProj.bias = parameter(zeros([embedDim]));
  }

  /** The attention output, [L, N, E] (or [N, L, E] with batchFirst, [L, E] unbatched). Self-attention: forward(x). */
  forward(query: Tensor, key: Tensor = query, value: Tensor = key, options: MultiheadForwardOptions = {}): Tensor {
    return this.forwardWithWeights(query, key, value, options)[0];
  }

  /** [output, weights]: weights [N, L, S] averaged over heads, or [N, numHeads, L, S]; as PyTorch's (attn_output, attn_output_weights). */
  forwardWithWeights(query: Tensor, key: Tensor = query, value: Tensor = key, options: MultiheadForwardOptions = {}): [Tensor, Tensor] {
    return this.attendAll(query, key, value, options) as [Tensor, Tensor];
  }

  private attendAll(query: Tensor, key: Tensor, value: Tensor, options: MultiheadForwardOptions): Tensor[] {
    const unbatched = query.ndim === 2;
    const fix = (t: Tensor, name: string, dim: number) => {
      const rank = unbatched ? 2 : 3;
      if (t.ndim !== rank || t.shape[t.ndim - 1] !== dim) {
        throw new ShapeError(
          `MultiheadAttention(${this.embedDim}, ${this.numHeads}): ${name} has shape ${formatShape(t.shape)}; expected ` +
            (unbatched ? `[length, ${dim}]` : this.batchFirst ? `[batch, length, ${dim}] (batchFirst)` : `[length, batch, ${dim}] (sequence first; pass { batchFirst: true } for [batch, length, ${dim}])`),
          {
            op: "MultiheadAttention",
            operands: [{ role: name, shape: t.shape.slice(), dtype: t.dtype }],
            conflict: [],
            rule: `the ${name}'s last dim must be ${dim} and all inputs batched or all unbatched.`,
            suggestions: [],
          },
        );
      }
      // To [N, length, features].
      return unbatched ? t.unsqueeze(0) : this.batchFirst ? t : t.transpose(0, 1);
    };
    const E = this.embedDim;
    return internalAll(() => {
      const q0 = fix(query, "query", E);
      const k0 = fix(key, "key", this.kdim);
      const v0 = fix(value, "value", this.vdim);
      const [n, l, s] = [q0.shape[0], q0.shape[1], k0.shape[1]];
      if (k0.shape[0] !== n || v0.shape[0] !== n || v0.shape[1] !== s) {
        throw new InputError(`MultiheadAttention: query, key and value must share the batch size and key and value the length; got ${formatShape(query.shape)}, ${formatShape(key.shape)}, ${formatShape(value.shape)}`);
      }
      const w = (i: number) => (this.inProjWeight ? this.inProjWeight.slice(0, i * E, (i + 1) * E) : [this.qProjWeight!, this.kProjWeight!, this.vProjWeight!][i]);
      const b = (i: number) => this.inProjBias?.slice(0, i * E, (i + 1) * E) ?? null;
      const proj = (x: Tensor, i: number, len: number) => {
        const y = x.matmul(w(i).T);
        // [N, len, E] -> [N, heads, len, headDim]
        return (b(i) ? y.add(b(i)!) : y).reshape([n, len, this.numHeads, this.headDim]).permute(0, 2, 1, 3);
      };
      const [q, k, v] = [proj(q0, 0, l), proj(k0, 1, s), proj(v0, 2, s)];
      let mask: Tensor | null = null;
      const am = options.attnMask;
      if (am) {
        // nn.MultiheadAttention's bool mask marks pairs that may NOT attend: flip it for attend().
        const shaped = am.ndim === 3 ? am.reshape([n, this.numHeads, l, s]) : am;
        mask = am.dtype === "bool" ? shaped.logicalNot() : shaped;
      }
      const kp = options.keyPaddingMask;
      if (kp) {
        const shaped = kp.reshape([unbatched ? 1 : n, 1, 1, s]);
        const add = kp.dtype === "bool" ? where(shaped, -Infinity, 0) : shaped;
        mask = mask ? (mask.dtype === "bool" ? where(mask, add, -Infinity) : mask.add(add)) : add;
      }
      const [out, weights] = attend(q, k, v, { attnMask: mask, isCausal: options.isCausal, dropout: this.training ? this.dropout : 0 });
      const merged = out.permute(0, 2, 1, 3).reshape([n, l, E]);
      const y = this.outProj.forward(merged);
      const shapedOut = unbatched ? y.squeeze(0) : this.batchFirst ? y : y.transpose(0, 1);
      const avg = options.averageAttnWeights ?? true;
      const wts = avg ? weights.mean(1) : weights;
      return [shapedOut, unbatched ? wts.squeeze(0) : wts];
    });
  }

  override describe(): string {
    return `MultiheadAttention(embedDim=${this.embedDim}, numHeads=${this.numHeads}, batchFirst=${this.batchFirst})`;
  }
}

builtinLayer(MultiheadAttention);
