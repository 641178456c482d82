// unary, binary, where and cast: one generic runner. Operands that are the output's shape or a
// single value (the common cases) take the vec4 layout with no index arithmetic; real
// broadcasts read through collapsed broadcast strides.

import type { DType } from "../../../dtype";
import type { TensorInfo } from "../../../ops/primitives";
import type { KernelTable, Storage } from "../../backend";
import { input, output, type GpuContext } from "../context";
import { broadcastStrides, collapse, sizeOf } from "../layout";
import { Params } from "../params";
import { load, memoSource, truth, type ComputeType } from "../wgsl/common";
import { binaryExpr, elementGroups, elementwiseShader, unaryExpr, WORKGROUP, type Access, type Expr } from "../wgsl/elementwise";

function runElementwise(
  ctx: GpuContext,
  inputs: readonly Storage[],
  infos: readonly TensorInfo[],
  out: TensorInfo,
  key0: string,
  body: (values: string[]) => Expr,
): Storage {
  const result = ctx.alloc(out);
  const n = sizeOf(out.shape);
  if (n === 0) return result;
  const sizes = infos.map((info) => sizeOf(info.shape));
  // An input that broadcasts to the output with as many elements is the output's own layout.
  const access = sizes.map((size): Access => (size === 1 ? "scalar" : size === n ? "full" : "strided"));
  const vectorized = access.every((a) => a !== "strided");
  const dtypes = infos.map((info) => info.dtype);
  const key = `ew|${key0}|${dtypes.join(",")}|${out.dtype}|${vectorized ? access.join(",") : "strided"}`;
  const source = memoSource(key, () => elementwiseShader(dtypes, out.dtype, vectorized ? access : null, body));
  const params = new Params().u32(n);
  let workgroups = Math.ceil(n / 4 / WORKGROUP);
  if (!vectorized) {
    const layout = collapse(out.shape, infos.map((info) => broadcastStrides(info.shape, out.shape)));
    params.u32(layout.shape.length).axes(layout.shape, n);
    for (const strides of layout.strides) params.list(strides);
    workgroups = elementGroups(n);
  }
  // vec4 access reads and writes whole groups of 4: bind the rounded-up size.
  const round = (k: number) => (vectorized ? Math.ceil(k / 4) * 4 : k);
  const bindings = inputs.map((s, i) => input(s, access[i] === "full" ? round(sizes[i]) : sizes[i]));
  bindings.push(output(result, round(n)));
  ctx.run(source, bindings, params, workgroups);
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
