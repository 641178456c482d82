// Elementwise ops: dtype rules, scalar operands, broadcasting checks, then the unary/binary/
// where/cast primitives. JS numbers next to a tensor are weakly typed (see dtype.ts).

import type { Tensor } from "../tensor";
import type { BinaryFn, UnaryFn } from "./primitives";
import { type DType, promote, scalarDType, checkDType } from "../dtype";
import { DTypeError, InputError } from "../errors";
import { apply, run } from "../dispatch";
import { broadcastOrThrow } from "./broadcastError";
import { constant, isTensor } from "../creation";
import { broadcastShapes } from "./shapeRules";
import { ShapeError } from "../errors";
import { formatShape } from "../shape";

export type Operand = Tensor | number | boolean;

export function cast(x: Tensor, dtype: DType): Tensor {
  checkDType(dtype, "astype");
  if (x.dtype === dtype) return x;
  return run("cast", [x], { dtype });
}

/** Float-only math (exp, log, ...) sees ints as float32, like NumPy and PyTorch. */
const floatOnly = new Set<UnaryFn>([
  "exp", "log", "sqrt", "rsqrt", "sin", "cos", "tanh", "sigmoid", "erf", "reciprocal",
  "log1p", "expm1", "tan", "atan", "asin", "acos", "sinh", "cosh", "asinh", "acosh", "atanh",
]);
/** Rounding is the identity on integers. */
const identityOnInt = new Set<UnaryFn>(["floor", "ceil", "round"]);

export function unary(fn: UnaryFn, x: Tensor): Tensor {
  if (fn === "logicalNot") return run("unary", [cast(x, "bool")], { fn });
  if (fn === "isnan") return x.dtype === "float32" ? run("unary", [x], { fn }) : x.ne(x);
  if (floatOnly.has(fn)) return run("unary", [cast(x, "float32")], { fn });
  if (identityOnInt.has(fn) && x.dtype !== "float32") return x;
  return run("unary", [x.dtype === "bool" ? cast(x, "int32") : x], { fn });
}

const comparisons = new Set<BinaryFn>(["eq", "ne", "lt", "le", "gt", "ge"]);
const logical = new Set<BinaryFn>(["logicalAnd", "logicalOr", "logicalXor"]);
/** Functions whose result is float32 whatever the operands (1 / 2 is 0.5, atan2(1, 1) is pi / 4). */
const floatResult = new Set<BinaryFn>(["div", "atan2"]);

/** Turns the operands into tensors of one dtype (the promoted one). */
export function operands(op: string, a: Operand, b: Operand): [Tensor, Tensor] {
  if (isTensor(a) && isTensor(b)) return [a, b];
  if (isTensor(a)) return [a, scalarLike(op, b, a)];
  if (isTensor(b)) return [scalarLike(op, a, b), b];
  throw new InputError(`${op}: at least one operand must be a tensor; got ${typeof a} and ${typeof b}`);
}

function scalarLike(op: string, v: unknown, like: Tensor): Tensor {
  if (typeof v === "boolean") return constant(v ? 1 : 0, "bool", like.backend);
  if (typeof v !== "number") {
    throw new InputError(`${op}: operand must be a Tensor or a number, got ${v === null ? "null" : typeof v}`);
  }
  return constant(v, scalarDType(v, like.dtype), like.backend);
}

/** A JS scalar as a rank-0 tensor of its own dtype, on `like`'s device. */
function scalarTensor(op: string, v: unknown, like: Tensor): Tensor {
  if (typeof v === "boolean") return constant(v ? 1 : 0, "bool", like.backend);
  if (typeof v !== "number") throw new InputError(`${op}: operand must be a Tensor or a number, got ${v === null ? "null" : typeof v}`);
  const int = Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31;
  return constant(v, int ? "int32" : "float32", like.backend);
}

function resultDType(fn: BinaryFn, a: DType, b: DType): DType {
  if (logical.has(fn)) return "bool";
  if (floatResult.has(fn)) return "float32";
  const t = promote(a, b);
  if (comparisons.has(fn)) return t;
  return t === "bool" ? "int32" : t; // pow/mod/floor on two bools count them as 0 and 1
}

/**
 * Arithmetic between two bools stays bool, as in NumPy, PyTorch and JAX: + and maximum are
 * "or", * and minimum are "and". Subtracting bools is an error there too, so it is here.
 */
const onBools: Partial<Record<BinaryFn, BinaryFn>> = {
  add: "logicalOr", maximum: "logicalOr", mul: "logicalAnd", minimum: "logicalAnd",
};

export function binary(fn: BinaryFn, a: Operand, b: Operand, op: string = fn): Tensor {
  if (typeof b === "number" && isTensor(a)) {
    const r = tensorAndNumber(fn, a, b);
    if (r) return r;
  }
  const [x, y] = operands(op, a, b);
  broadcastOrThrow(op, x, y);
  if (x.dtype === "bool" && y.dtype === "bool") {
    const logicalFn = onBools[fn];
    if (logicalFn) return run("binary", [x, y], { fn: logicalFn });
    if (fn === "sub") {
      throw new DTypeError(
        `${op}: subtracting two bool tensors is not supported (as in NumPy and PyTorch); ` +
          `use a.logicalXor(b) for "differs", or cast first: a.astype("int32").sub(b)`,
      );
    }
  }
  const t = resultDType(fn, x.dtype, y.dtype);
  return run("binary", [cast(x, t), cast(y, t)], { fn });
}

/**
 * x.add(1) and the like, when the number takes the tensor's dtype and the result needs no
 * cast: a float32 tensor with any number, an int32 tensor with an int32-range integer (not
 * div or atan2, which make float32), no logical ops. A rank-0 operand broadcasts to x's shape, so the
 * general path's broadcast check and shape rule are skipped; the dtypes, the cached constant
 * and what run() records (jit trace, autodiff) are the general path's. Null: take that path.
 */
function tensorAndNumber(fn: BinaryFn, x: Tensor, v: number): Tensor | null {
  const d = x.dtype;
  if (logical.has(fn)) return null;
  if (d !== "float32" && (d !== "int32" || floatResult.has(fn) || scalarDType(v, d) !== "int32")) return null;
  const backend = x.backend;
  const c = constant(v, d, backend);
  const infos = [x.info, c.info];
  // x's own shape array: the result Tensor copies it, and nothing writes to a tensor's shape.
  const out = { shape: x.shape, dtype: comparisons.has(fn) ? ("bool" as const) : d };
  return apply(backend, "binary", [x, c], infos, out, binaryAttrs(fn));
}

/** One attrs object per function, shared by every call (kernels and autodiff only read attrs). */
const attrsByFn = new Map<BinaryFn, { fn: BinaryFn }>();
function binaryAttrs(fn: BinaryFn): { fn: BinaryFn } {
  let a = attrsByFn.get(fn);
  if (!a) attrsByFn.set(fn, (a = Object.freeze({ fn }) as { fn: BinaryFn }));
  return a;
}

/** where(cond, a, b): a where cond is true, else b; all three broadcast together. */
export function where(cond: Operand, a: Operand, b: Operand): Tensor {
  if (!isTensor(cond) && typeof cond !== "boolean") throw new InputError(`where: cond must be a bool Tensor or a boolean`);
  if (!isTensor(a) && !isTensor(b)) {
    // where(x.gt(0), 1, 0): both values are JS scalars, each with its own dtype (int32 for
    // integers, float32 otherwise, bool for booleans), on cond's device.
    if (!isTensor(cond)) throw new InputError("where: at least one of cond, ifTrue and ifFalse must be a tensor");
    a = scalarTensor("where", a, cond);
    b = scalarTensor("where", b, cond);
  }
  let [x, y] = operands("where", a, b);
  // A JS boolean cond still broadcasts the values and promotes their dtypes, as in NumPy.
  const c0 = isTensor(cond) ? cond : constant(cond ? 1 : 0, "bool", x.backend);
  const t = promote(x.dtype, y.dtype);
  x = cast(x, t);
  y = cast(y, t);
  const shape = broadcastShapes(c0.shape, x.shape, y.shape);
  if (!shape) {
    const rule = "cond, the values if true and the values if false must broadcast to one shape.";
    throw new ShapeError(
      `where: shapes ${formatShape(c0.shape)} (cond), ${formatShape(x.shape)} and ${formatShape(y.shape)} do not broadcast`,
      {
        op: "where",
        operands: [
          { role: "cond", shape: c0.shape.slice(), dtype: c0.dtype },
          { role: "ifTrue", shape: x.shape.slice(), dtype: x.dtype },
          { role: "ifFalse", shape: y.shape.slice(), dtype: y.dtype },
        ],
        conflict: [],
        rule,
        suggestions: [],
      },
    );
  }
  return run("where", [cast(c0, "bool"), x, y], {});
}

export function requireFloat(x: Tensor, op: string): void {
  if (x.dtype !== "float32") throw new DTypeError(`${op} needs a float32 tensor, got ${x.dtype}; use .astype("float32")`);
}
