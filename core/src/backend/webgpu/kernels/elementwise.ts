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
import type { GPUStorage } from "../buffers";
import type { Fuser, Program } from "../fusion";
import { binaryExpr, elementGroups, elementwiseShader, unaryExpr, WORKGROUP, type Access, type Expr } from "../wgsl/elementwise";

/** How the vectorized layout can read `info` broadcast to `out` (n elements), if it can. */
function accessOf(info: TensorInfo, out: TensorInfo, n: number): { access: Access; block: number } | null {
  const size = sizeOf(info.shape);
  if (size === 1) return { access: "scalar", block: 0 };
  // An input that broadcasts to the output with as many elements is the output's own layout.
  if (size === n) return { access: "full", block: 0 };
  const c = collapse(out.shape, [broadcastStrides(info.shape, out.shape)]);
  if (c.shape.length !== 2 || c.shape[1] % 4 !== 0) return null;
  const [outer, inner] = c.strides[0];
  if (outer === 0 && inner === 1) return { access: "row", block: c.shape[1] };
  if (outer === 1 && inner === 0) return { access: "col", block: c.shape[1] };
  return null;
}

export function runElementwise(
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
  const dtypes = infos.map((info) => info.dtype);
  const accesses = infos.map((info) => accessOf(info, out, n));
  const params = new Params().u32(n);
  const round4 = (k: number) => Math.ceil(k / 4) * 4;
  if (accesses.every((a) => a !== null)) {
    const modes = accesses.map((a) => a!.access);
    const key = `ew|${key0}|${dtypes.join(",")}|${out.dtype}|${modes.join(",")}`;
    const source = memoSource(key, () => elementwiseShader(dtypes, out.dtype, modes, body));
    for (const a of accesses) {
      const quads = a!.block / 4;
      if (quads > 0) params.u32(quads).divisor(quads, Math.ceil(n / 4));
      else params.u32(0, 0, 0);
    }
    // vec4 access reads and writes whole groups of 4: bind the rounded-up sizes.
    const bindings = inputs.map((s, i) => input(s, modes[i] === "full" ? round4(sizes[i]) : sizes[i]));
    bindings.push(output(result, round4(n)));
    ctx.run(source, bindings, params, Math.ceil(n / 4 / WORKGROUP));
    return result;
  }
  const layout = collapse(out.shape, infos.map((info) => broadcastStrides(info.shape, out.shape)));
  const rank = layout.shape.length <= 4 ? layout.shape.length : null;
  const key = `ew|${key0}|${dtypes.join(",")}|${out.dtype}|strided${rank}`;
  const source = memoSource(key, () => elementwiseShader(dtypes, out.dtype, null, body, rank));
  params.u32(layout.shape.length).axes(layout.shape, n);
  for (const strides of layout.strides) params.list(strides);
  const bindings = inputs.map((s, i) => input(s, sizes[i]));
  bindings.push(output(result, n));
  ctx.run(source, bindings, params, elementGroups(n));
  return result;
}

function computeTypeOf(d: DType): ComputeType {
  return d === "float32" ? "f32" : "i32";
}

/** Runs a (possibly fused) program into a new buffer. */
export function executeProgram(ctx: GpuContext, p: Program, out: TensorInfo): GPUStorage {
  return runElementwise(ctx, p.storages, p.infos, out, p.key, p.body) as GPUStorage;
}

type BinaryFn = Parameters<typeof binaryExpr>[0];
interface BinaryOp {
  key: string;
  body: (values: string[]) => Expr;
}
/** A binary node's key and body per function and operand dtypes, made once, not per call. */
const binaryOps = new Map<BinaryFn, Map<DType, Map<DType, BinaryOp>>>();

function binaryOp(fn: BinaryFn, da: DType, db: DType): BinaryOp {
  let byA = binaryOps.get(fn);
  if (!byA) binaryOps.set(fn, (byA = new Map()));
  let byB = byA.get(da);
  if (!byB) byA.set(da, (byB = new Map()));
  let op = byB.get(db);
  if (!op) {
    op = { key: `binary.${fn}`, body: ([a, b]) => binaryExpr(fn, a, da, b, db) };
    byB.set(db, op);
  }
  return op;
}

/** unary, binary, where, cast and broadcast: pending results that fuse (see fusion.ts). */
export function elementwiseKernels(fuser: Fuser): Pick<KernelTable, "unary" | "binary" | "where" | "cast" | "broadcast"> {
  const fuse = (
    inputs: readonly Storage[],
    infos: readonly TensorInfo[],
    out: TensorInfo,
    key: string,
    body: (values: string[]) => Expr,
  ) => fuser.elementwise(key, inputs, infos, out, body);
  return {
    // A broadcast is a read through broadcast strides: an identity node over the input.
    broadcast: ({ inputs, infos, out }) =>
      fuse(inputs, infos, out, "copy", ([x]) => ({ prelude: "", expr: x, type: "f32", helpers: [], raw: true })),

    unary: ({ inputs, infos, out, attrs }) =>
      fuse(inputs, infos, out, `unary.${attrs.fn}`, ([x]) => unaryExpr(attrs.fn, x, infos[0].dtype)),

    binary: ({ inputs, infos, out, attrs }) => {
      const op = binaryOp(attrs.fn, infos[0].dtype, infos[1].dtype);
      return fuse(inputs, infos, out, op.key, op.body);
    },

    where: ({ inputs, infos, out }) =>
      fuse(inputs, infos, out, "where", ([c, a, b]) => {
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
      fuse(inputs, infos, out, "cast", ([x]) => {
        const from = infos[0].dtype;
        if (out.dtype === "bool") return { prelude: "", expr: truth(x, from), type: "bool", helpers: [] };
        const t = computeTypeOf(out.dtype);
        return { prelude: "", expr: load(x, from, t), type: t, helpers: [] };
      }),
  };
}
