// Elementwise CPU kernels with NumPy broadcasting (broadcast itself is one: a copy). Each runs a
// loop generated for its operation, dtypes and layout (loops.ts), or several fused into one
// (fusion.ts); math.ts keeps the per-element reference functions they match.

import type { KernelTable, Storage } from "../backend";
import type { CpuFuser } from "./fusion";
import type { TensorInfo } from "../../ops/primitives";
import type { DType } from "../../dtype";
import { broadcastStrides, sizeOf, stridesOf } from "../../shape";
import { alloc, data } from "./storage";
import { binaryExpr, castExpr, unaryExpr, whereExpr } from "./expressions";

import { blockPlan, runMap } from "./loops";

/** One elementwise operation: its inputs' loaded values (`v[k]`) to its result, as code. */
export interface ElementwiseOp {
  /** Identifies the operation given its dtypes. */
  key: string;
  expr: (v: string[]) => string;
}

/** Computes `op` over inputs broadcast to `out`'s shape into a new storage. */
export function computeElementwise(op: ElementwiseOp, inputs: readonly Storage[], infos: readonly TensorInfo[], out: TensorInfo): Storage {
  const r = alloc(out.dtype, sizeOf(out.shape));
  const plan = blockPlan(out.shape, [...infos.map((i) => broadcastStrides(i.shape, out.shape)), stridesOf(out.shape)]);
  const body = {
    key: op.key,
    dtypes: infos.map((i) => i.dtype),
    code: () => ({ prelude: "", expr: op.expr(infos.map((_, k) => `l${k}`)) }),
    ops: [{ key: op.key, args: infos.map((_, k) => k) }],
  };
  runMap(body, r.data, plan, inputs.map(data), out.dtype);
  return r;
}

export const unaryOp = (fn: Parameters<typeof unaryExpr>[0], out: TensorInfo): ElementwiseOp => ({
  key: `unary.${fn}>${out.dtype}`,
  expr: ([a]) => unaryExpr(fn, out.dtype, a),
});

type BinaryFn = Parameters<typeof binaryExpr>[0];
/** One op object per function and dtype, made once: not an object, key string and closure per call. */
const binaryOps = new Map<BinaryFn, Map<DType, ElementwiseOp>>();

export const binaryOp = (fn: BinaryFn, infos: readonly TensorInfo[]): ElementwiseOp => {
  const dtype = infos[0].dtype;
  let byDType = binaryOps.get(fn);
  if (!byDType) binaryOps.set(fn, (byDType = new Map()));
  let op = byDType.get(dtype);
  if (!op) {
    op = { key: `binary.${fn}(${dtype})`, expr: ([a, b]) => binaryExpr(fn, dtype, a, b) };
    byDType.set(dtype, op);
  }
  return op;
};

/** The value itself (broadcast). */
export const copyOp: ElementwiseOp = { key: "copy", expr: ([a]) => a };

export const whereOp: ElementwiseOp = { key: "where", expr: ([c, a, b]) => whereExpr(c, a, b) };

export const castOp = (out: TensorInfo): ElementwiseOp => ({
  key: `cast>${out.dtype}`,
  expr: ([a]) => castExpr(out.dtype, a),
});

/** The elementwise kernels; `fuser` decides whether they compute now or defer (fusion.ts). */
export function elementwiseKernels(fuser: CpuFuser): Pick<KernelTable, "unary" | "binary" | "where" | "cast" | "broadcast"> {
  return {
    unary: ({ inputs, infos, out, attrs }) => fuser.elementwise(unaryOp(attrs.fn, out), inputs, infos, out),
    binary: ({ inputs, infos, out, attrs }) => fuser.elementwise(binaryOp(attrs.fn, infos), inputs, infos, out),
    where: ({ inputs, infos, out }) => fuser.elementwise(whereOp, inputs, infos, out),
    cast: ({ inputs, infos, out }) => fuser.elementwise(castOp(out), inputs, infos, out),
    broadcast: ({ inputs, infos, out }) => fuser.elementwise(copyOp, inputs, infos, out),
  };
}
