// Rewrites of a traced program that the eager op layer cannot make, because it sees one
// operation at a time. They remove transposes around matmuls, which the matmul primitive can
// read in place through its transA/transB flags (ops/matmul.ts), so no data moves at all:
//
// - A permute of a permute that composes to the identity is its input (x.T.T).
// - A matmul operand made by a last-two-axes transpose is read from the transpose's input with
//   the operand's flag flipped: x.T @ g becomes matmul(x, g, transA).
// - A last-two-axes transpose of a matmul's product is the product of the swapped operands
//   with both flags flipped, (op(A) op(B)).T = op(B).T op(A).T: the weight gradient
//   (x.T @ g).T of x @ W.T becomes one matmul reading g and x in place.
// The products sum the same terms; kernels may block them differently, so results can differ
// from eager in the last bits, as under jax.jit.
//
// Values are SSA (each value is written once), so a rewrite only redirects the uses that come
// after it; steps left without readers are removed by the program's dead-code pass.

import type { PrimitiveAttrs, TensorInfo } from "../ops/primitives";
import type { KernelStep, Step, ValueSource } from "./trace";

type MatmulAttrs = PrimitiveAttrs["matmul"];

const isSwap = (perm: number[]) => {
  const n = perm.length;
  return n >= 2 && perm[n - 1] === n - 2 && perm[n - 2] === n - 1 && perm.slice(0, -2).every((p, i) => p === i);
};

const sameShape = (a: TensorInfo, b: TensorInfo) => a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);

/** Returns the rewritten steps and, for each value replaced by another, that value. */
export function rewrite(steps: Step[], _values: ValueSource[], escaping: Set<number>): { steps: Step[]; alias: Map<number, number> } {
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
    return p && sameShape(p.out, info) ? p : undefined;
  };
  /** The input of a last-two-axes transpose that made value v, if one did. */
  const untransposed = (v: number, info: TensorInfo): [number, TensorInfo] | undefined => {
    const p = made(v, info);
    return p?.prim === "permute" && isSwap((p.attrs as PrimitiveAttrs["permute"]).perm) ? [p.inputs[0], p.infos[0]] : undefined;
  };
  const out: Step[] = [];

  for (const s0 of steps) {
    if (s0.kind !== "kernel") {
      out.push(s0);
      continue;
    }
    let s: KernelStep = { ...s0, inputs: s0.inputs.map(resolve) };
    if (s.prim === "permute") {
      const perm = (s.attrs as PrimitiveAttrs["permute"]).perm;
      const src = made(s.inputs[0], s.infos[0]);
      if (src?.prim === "permute" && perm.every((p, i) => (src.attrs as PrimitiveAttrs["permute"]).perm[p] === i)) {
        alias.set(s.result, src.inputs[0]);
        continue;
      }
      if (src?.prim === "matmul" && isSwap(perm) && uses.get(src.result) === 1) {
        const { transA = false, transB = false } = src.attrs as MatmulAttrs;
        s = { ...s, prim: "matmul", attrs: { transA: !transB, transB: !transA }, inputs: [src.inputs[1], src.inputs[0]], infos: [src.infos[1], src.infos[0]] };
      }
    }
    if (s.prim === "matmul") {
      const attrs = { ...(s.attrs as MatmulAttrs) };
      const inputs = s.inputs.slice();
      const infos = s.infos.slice();
      for (const [i, flag] of [[0, "transA"], [1, "transB"]] as const) {
        const src = untransposed(inputs[i], infos[i]);
        if (!src) continue;
        [inputs[i], infos[i]] = src;
        attrs[flag] = !attrs[flag];
      }
      s = { ...s, attrs, inputs, infos };
    }
    out.push(s);
    producer.set(s.result, s);
  }
  return { steps: out, alias };
}
