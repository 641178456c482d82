// unary, binary, where and cast: one generic runner over broadcast strides. The shapes are
// collapsed first, so the common case of same-shape operands runs the contiguous variant with
// no index arithmetic at all.

import type { DType } from "../../../dtype";
import type { TensorInfo } from "../../../ops/primitives";
import type { KernelTable, Storage } from "../../backend";
import { input, output, type GpuContext } from "../context";
import { broadcastStrides, collapse, isContiguous, sizeOf } from "../layout";
import { Params } from "../params";
import { load, memoSource, truth, type ComputeType } from "../wgsl/common";
import { binaryExpr, elementwiseShader, unaryExpr, WORKGROUP, type Expr } from "../wgsl/elementwise";

function runElementwise(
  ctx: GpuContext,
  inputs: readonly Storage[],
  infos: readonly TensorInfo[],
  out: TensorInfo,
  key: string,
  body: (values: string[]) => Expr,
): Storage {
  const result = ctx.alloc(out);
  const n = sizeOf(out.shape);
  if (n === 0) return result;
  const layout = collapse(out.shape, infos.map((info) => broadcastStrides(info.shape, out.shape)));
  const contiguous = isContiguous(layout);
  const dtypes = infos.map((info) => info.dtype);
  const source = memoSource(`ew|${key}|${dtypes.join(",")}|${out.dtype}|${contiguous}`, () =>
    elementwiseShader(dtypes, out.dtype, contiguous, body),
  );
  const params = new Params().u32(n);
  if (!contiguous) {
    params.u32(layout.shape.length).list(layout.shape);
    for (const strides of layout.strides) params.list(strides);
  }
  const bindings = inputs.map((s, i) => input(s, sizeOf(infos[i].shape)));
  bindings.push(output(result, n));
  ctx.run(source, bindings, params, Math.ceil(n / WORKGROUP));
  return result;
}

function computeTypeOf(d: DType): ComputeType {
  return d === "float32" ? "f32" : "i32";
}

export function elementwiseKernels(ctx: GpuContext): Pick<KernelTable, "unary" | "binary" | "where" | "cast"> {
  return {
    unary: ({ inputs, infos, out, attrs }) =>
      runElementwise(ctx, inputs, infos, out, `unary.${attrs.fn}`, ([x]) => unaryExpr(attrs.fn, x, infos[0].dtype)),

    binary: ({ inputs, infos, out, attrs }) =>
      runElementwise(ctx, inputs, infos, out, `binary.${attrs.fn}`, ([a, b]) =>
        binaryExpr(attrs.fn, a, infos[0].dtype, b, infos[1].dtype),
      ),

    where: ({ inputs, infos, out }) =>
      runElementwise(ctx, inputs, infos, out, "where", ([c, a, b]) => {
        const cond = truth(c, infos[0].dtype);
        if (infos[1].dtype === out.dtype && infos[2].dtype === out.dtype) {
          // Same dtype: select the stored bits, which also keeps bool as 0/1.
          return { prelude: "", expr: `select(${b}, ${a}, ${cond})`, type: computeTypeOf(out.dtype), helpers: [], raw: true };
        }
        const t = computeTypeOf(out.dtype);
        return {
          prelude: "",
          expr: `select(${load(b, infos[2].dtype, t)}, ${load(a, infos[1].dtype, t)}, ${cond})`,
          type: t,
          helpers: [],
        };
      }),

    cast: ({ inputs, infos, out }) =>
      runElementwise(ctx, inputs, infos, out, "cast", ([x]) => {
        const from = infos[0].dtype;
        if (out.dtype === "bool") return { prelude: "", expr: truth(x, from), type: "bool", helpers: [] };
        const t = computeTypeOf(out.dtype);
        return { prelude: "", expr: load(x, from, t), type: t, helpers: [] };
      }),
  };
}
