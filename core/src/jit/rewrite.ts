// Rewrites of a traced program that the eager op layer cannot make, because it sees one
// operation at a time. Both remove transposes that autodiff leaves around matmuls:
//
// - A permute of a permute that composes to the identity is its input. Linear's weight
//   gradient for x @ W.T produces permute(permute(W)) in the input gradient g @ (W.T).T.
// - permute_T(matmul(permute_T(x), b)) = matmul(permute_T(b), x), where permute_T swaps the last
//   two axes. The weight gradient of x @ W.T is (x.T @ g).T: two transposes of the big
//   operands ([128,784] and [784,256] in the bench MLP) become one of the small g ([128,256]);
//   only where that moves fewer elements (not in a convolution's weight gradient).
//   The product sums the same terms in the same k order; kernels may block them differently,
//   so results can differ from eager in the last bits, as under jax.jit.
// - matmul(a, permute_T(w)) = permute_T(matmul(w, permute_T(a))) for 2-D operands when the
//   transposes of a [m,k] and of the product [m,n] move fewer elements than that of w [n,k]:
//   Linear's forward x @ W.T with a batch smaller than the layer (bench MLP: 133k elements
//   moved instead of 200k; measured on lavapipe, the [256,784] transpose took ~7 ms against
//   ~3 + ~1.3 ms for the other two, and [256,784] x [784,128] ran no slower than
//   [128,784] x [784,256]; on the cpu backend ~2.7 ms against ~0.8 + ~0.3 ms).
//
// Values are SSA (each value is written once), so a rewrite only redirects the uses that come
// after it; steps left without readers are removed by the program's dead-code pass.

import type { PrimitiveAttrs, TensorInfo } from "../ops/primitives";
import type { KernelStep, Step, ValueSource } from "./trace";

const isSwap = (perm: number[]) => {
  const n = perm.length;
  return n >= 2 && perm[n - 1] === n - 2 && perm[n - 2] === n - 1 && perm.slice(0, -2).every((p, i) => p === i);
};

const size = (info: TensorInfo) => info.shape.reduce((p, d) => p * d, 1);

const swapInfo = (info: TensorInfo): TensorInfo => {
  const s = info.shape.slice();
  [s[s.length - 2], s[s.length - 1]] = [s[s.length - 1], s[s.length - 2]];
  return { shape: s, dtype: info.dtype };
};

/** Returns the rewritten steps and, for each value replaced by another, that value. */
export function rewrite(steps: Step[], values: ValueSource[], escaping: Set<number>): { steps: Step[]; alias: Map<number, number> } {
  const producer = new Map<number, KernelStep>();
  const uses = new Map<number, number>();
  for (const s of steps) {
    if (s.kind !== "kernel") continue;
    producer.set(s.result, s);
    for (const v of s.inputs) uses.set(v, (uses.get(v) ?? 0) + 1);
  }
  for (const v of escaping) uses.set(v, (uses.get(v) ?? 0) + 1);
  const alias = new Map<number, number>();
  const resolve = (v: number) => alias.get(v) ?? v;
  /** The step that made value v, if the consumer reads it with the shape it was made with: a
   * storage-sharing reshape in between leaves no step of its own (see trace.ts), and then the
   * producer's operation is not the consumer's operand. */
  const made = (v: number, info: TensorInfo): KernelStep | undefined => {
    const p = producer.get(v);
    return p && p.out.shape.length === info.shape.length && p.out.shape.every((d, i) => d === info.shape[i]) ? p : undefined;
  };
  const out: Step[] = [];

  /** The last-two-axes transpose of value v (of `info`): an existing one, or a new step. */
  const transposed = (v: number, info: TensorInfo): [number, TensorInfo] => {
    const p = made(v, info);
    if (p?.prim === "permute" && isSwap((p.attrs as PrimitiveAttrs["permute"]).perm)) return [p.inputs[0], p.infos[0]];
    const result = values.push({ kind: "step" }) - 1;
    const perm = info.shape.map((_, i) => i);
    const n = perm.length;
    [perm[n - 2], perm[n - 1]] = [n - 1, n - 2];
    const step: KernelStep = { kind: "kernel", prim: "permute", attrs: { perm }, inputs: [v], infos: [info], out: swapInfo(info), result };
    out.push(step);
    producer.set(result, step);
    return [result, step.out];
  };

  /** Whether b.T costs fewer moved elements than the transposes of a's input and of the
   * product: in a convolution's weight gradient b (the output gradient, [N*H*W, O]) is the
   * biggest operand, and the split-k kernel is tuned for the original orientation. */
  const cheaper = (a: KernelStep, product: KernelStep): boolean => {
    const b = made(product.inputs[1], product.infos[1]);
    const bT = b?.prim === "permute" && isSwap((b.attrs as PrimitiveAttrs["permute"]).perm) ? 0 : size(product.infos[1]);
    return bT < (uses.get(a.result) === 1 ? size(a.out) : 0) + size(product.out);
  };

  for (const s0 of steps) {
    if (s0.kind !== "kernel") {
      out.push(s0);
      continue;
    }
    const s: KernelStep = { ...s0, inputs: s0.inputs.map(resolve) };
    if (s.prim === "permute") {
      const perm = (s.attrs as PrimitiveAttrs["permute"]).perm;
      const src = made(s.inputs[0], s.infos[0]);
      if (src?.prim === "permute") {
        const inner = (src.attrs as PrimitiveAttrs["permute"]).perm;
        if (perm.every((p, i) => inner[p] === i)) {
          alias.set(s.result, src.inputs[0]);
          continue;
        }
      }
      if (src?.prim === "matmul" && isSwap(perm) && uses.get(src.result) === 1) {
        const a = made(src.inputs[0], src.infos[0]);
        if (a?.prim === "permute" && isSwap((a.attrs as PrimitiveAttrs["permute"]).perm) && cheaper(a, src)) {
          const [bT, bTInfo] = transposed(src.inputs[1], src.infos[1]);
          const step: KernelStep = { ...s, prim: "matmul", attrs: {}, inputs: [bT, a.inputs[0]], infos: [bTInfo, a.infos[0]] };
          out.push(step);
          producer.set(s.result, step);
          continue;
        }
      }
    }
    if (s.prim === "matmul" && s.infos[0].shape.length === 2 && s.infos[1].shape.length === 2 && uses.get(s.inputs[1]) === 1) {
      const b = made(s.inputs[1], s.infos[1]);
      const [m, k] = s.infos[0].shape;
      const n = s.out.shape[1];
      if (b?.prim === "permute" && isSwap((b.attrs as PrimitiveAttrs["permute"]).perm) && m * k + m * n < n * k) {
        const [aT, aTInfo] = transposed(s.inputs[0], s.infos[0]);
        const product = values.push({ kind: "step" }) - 1;
        const info = swapInfo(s.out);
        out.push({ kind: "kernel", prim: "matmul", attrs: {}, inputs: [b.inputs[0], aT], infos: [b.infos[0], aTInfo], out: info, result: product });
        const step: KernelStep = { ...s, prim: "permute", attrs: { perm: [1, 0] }, inputs: [product], infos: [info] };
        out.push(step);
        producer.set(s.result, step);
        continue;
      }
    }
    out.push(s);
    producer.set(s.result, s);
  }
  return { steps: out, alias };
}
