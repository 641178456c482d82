// Vector-Jacobian products, one per primitive (and per unary/binary function). Each takes the
// cotangent g of the output and returns one cotangent per input (null: no gradient flows).
// They are written with Tensor ops, so they are differentiable again: grad(grad(f)) works.
// Gradients may have the broadcast output shape; backprop sums them to each input's shape.

import type { Tensor } from "../tensor";
import type { BinaryFn, Primitive, PrimitiveAttrs, UnaryFn } from "./primitives";
import { run } from "../dispatch";
import { where } from "./elementwise";
import { zerosLike } from "../creation";
import { matmulT } from "./matmul";

/** `needs[i]` says whether input i wants a cotangent; expensive rules skip the others. */
type Vjp<P extends Primitive> = (g: Tensor, inputs: Tensor[], out: Tensor, attrs: PrimitiveAttrs[P], needs: boolean[]) => (Tensor | null)[];
type UnaryVjp = (g: Tensor, x: Tensor, out: Tensor) => Tensor | null;
type BinaryVjp = (g: Tensor, x: Tensor, y: Tensor, out: Tensor, needs: boolean[]) => [Tensor | null, Tensor | null];

const zero = (x: Tensor) => zerosLike(x);
const oneMinusSquare = (x: Tensor) => x.neg().add(1).mul(x.add(1));

const unaryVjps: { [F in UnaryFn]: UnaryVjp } = {
  neg: (g) => g.neg(),
  abs: (g, x) => g.mul(x.sign()),
  exp: (g, _x, out) => g.mul(out),
  log: (g, x) => g.div(x),
  sqrt: (g, _x, out) => g.div(out.mul(2)),
  rsqrt: (g, _x, out) => g.mul(out.mul(out).mul(out).mul(-0.5)),
  sin: (g, x) => g.mul(x.cos()),
  cos: (g, x) => g.mul(x.sin().neg()),
  tanh: (g, _x, out) => g.mul(out.mul(out).neg().add(1)),
  sigmoid: (g, _x, out) => g.mul(out.mul(out.neg().add(1))),
  relu: (g, x) => g.mul(x.gt(0).astype("float32")),
  erf: (g, x) => g.mul(x.mul(x).neg().exp().mul(2 / Math.sqrt(Math.PI))),
  sign: (_g, x) => zero(x),
  floor: (_g, x) => zero(x),
  ceil: (_g, x) => zero(x),
  round: (_g, x) => zero(x),
  reciprocal: (g, _x, out) => g.mul(out.mul(out)).neg(),
  logicalNot: () => null,
  isnan: () => null,
  log1p: (g, x) => g.div(x.add(1)),
  expm1: (g, _x, out) => g.mul(out.add(1)),
  tan: (g, _x, out) => g.mul(out.mul(out).add(1)),
  atan: (g, x) => g.div(x.mul(x).add(1)),
  // 1 - x^2 as (1 - x)(1 + x): exact near |x| = 1, where the derivative is largest.
  asin: (g, x) => g.mul(oneMinusSquare(x).rsqrt()),
  acos: (g, x) => g.mul(oneMinusSquare(x).rsqrt()).neg(),
  sinh: (g, x) => g.mul(x.cosh()),
  cosh: (g, x) => g.mul(x.sinh()),
  asinh: (g, x) => g.mul(x.mul(x).add(1).rsqrt()),
  acosh: (g, x) => g.mul(x.sub(1).mul(x.add(1)).rsqrt()),
  atanh: (g, x) => g.div(oneMinusSquare(x)),
};

/** Ties of maximum/minimum split the gradient evenly, as PyTorch and JAX do. */
function tieSplit(g: Tensor, x: Tensor, y: Tensor, pickX: Tensor): [Tensor, Tensor] {
  const tie = x.eq(y).astype("float32").mul(0.5);
  const wx = pickX.astype("float32").add(tie);
  const wy = pickX.logicalNot().astype("float32").sub(tie);
  return [g.mul(wx), g.mul(wy)];
}

const binaryVjps: { [F in BinaryFn]: BinaryVjp } = {
  add: (g) => [g, g],
  sub: (g) => [g, g.neg()],
  mul: (g, x, y, _o, n) => [n[0] ? g.mul(y) : null, n[1] ? g.mul(x) : null],
  div: (g, _x, y, out, n) => [n[0] ? g.div(y) : null, n[1] ? g.mul(out).div(y).neg() : null],
  pow: (g, x, y, out) => [
    g.mul(y).mul(x.pow(y.sub(1))),
    // d/dy x^y = x^y log x, taken as 0 where x <= 0 (the limit at x = 0, as in PyTorch).
    g.mul(where(x.gt(0), out.mul(where(x.gt(0), x, 1).log()), 0)),
  ],
  maximum: (g, x, y) => tieSplit(g, x, y, x.gt(y)),
  minimum: (g, x, y) => tieSplit(g, x, y, x.lt(y)),
  mod: (g, x, y) => [g, g.mul(x.div(y).floor()).neg()],
  eq: () => [null, null],
  ne: () => [null, null],
  lt: () => [null, null],
  le: () => [null, null],
  gt: () => [null, null],
  ge: () => [null, null],
  logicalAnd: () => [null, null],
  logicalOr: () => [null, null],
  logicalXor: () => [null, null],
  // atan2(y, x) is the angle of the point (x, y): d/dy = x / r^2, d/dx = -y / r^2 (NaN at the
  // origin, as in PyTorch).
  atan2: (g, y, x, _o, n) => {
    const r2 = x.mul(x).add(y.mul(y));
    return [n[0] ? g.mul(x).div(r2) : null, n[1] ? g.mul(y).div(r2).neg() : null];
  },
};

/** g reshaped so its reduced axes are size 1, ready to broadcast against the input. */
function keepDims(g: Tensor, shape: readonly number[], axes: number[], keepdims: boolean): Tensor {
  return keepdims ? g : g.reshape(shape.map((d, i) => (axes.includes(i) ? 1 : d)));
}

export const vjpRules: { [P in Primitive]: Vjp<P> } = {
  unary: (g, [x], out, { fn }) => [unaryVjps[fn](g, x, out)],
  binary: (g, [x, y], out, { fn }, needs) => binaryVjps[fn](g, x, y, out, needs),
  where: (g, [c]) => [null, where(c, g, 0), where(c, 0, g)],
  reduce: (g, [x], out, { fn, axes, keepdims }) => {
    const gk = keepDims(g, x.shape, axes, keepdims).broadcastTo(x.shape);
    if (fn === "sum") return [gk];
    const ok = keepDims(out, x.shape, axes, keepdims);
    if (fn === "prod") return [gk.mul(ok).div(x)];
    // max/min: the gradient goes to the extreme elements, shared evenly between ties.
    const hit = x.eq(ok).astype("float32");
    return [gk.mul(hit).div(hit.sum(axes, { keepdims: true }))];
  },
  argReduce: () => [null],
  argsort: () => [null],
  // C = op(A) op(B) with op = identity or transpose (the attrs): dop(A) = g op(B)^T and
  // dop(B) = op(A)^T g, each written as one matmul with flags so no transpose is copied.
  matmul: (g, [a, b], _o, { transA = false, transB = false }, n) => [
    n[0] ? (transA ? matmulT(b, g, transB, true) : matmulT(g, b, false, !transB)) : null,
    n[1] ? (transB ? matmulT(g, a, true, transA) : matmulT(a, g, !transA, false)) : null,
  ],
  reshape: (g, [x]) => [g.reshape(x.shape)],
  permute: (g, _i, _o, { perm }) => {
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return [g.permute(inv)];
  },
  broadcast: (g) => [g], // backprop sums it back to the input's shape
  slice: (g, [x], _o, { starts, steps, shape }) => {
    if (shape.some((d) => d === 0)) return [zerosLike(x)];
    const high = x.shape.map((n, i) => n - (starts[i] + (shape[i] - 1) * steps[i] + 1));
    return [run("pad", [g], { low: starts, high, interior: steps.map((s) => s - 1), value: 0 })];
  },
  pad: (g, [x], _o, { low, interior }) => [
    run("slice", [g], { starts: low, steps: interior.map((i) => i + 1), shape: x.shape.slice() }),
  ],
  concat: (g, xs, _o, { axis }) => {
    let start = 0;
    return xs.map((x) => {
      const starts = g.shape.map((_, i) => (i === axis ? start : 0));
      start += x.shape[axis];
      return run("slice", [g], { starts, steps: g.shape.map(() => 1), shape: x.shape.slice() });
    });
  },
  // Each window position's values go back where they were read, summed where windows overlap.
  windows: (g, [x], _o, { kernel: [kh, kw], stride: [s0, s1] }) => {
    const [n, h, w, c] = x.shape;
    const [, ho, wo] = g.shape;
    let sum: Tensor | null = null;
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const part = run("slice", [g], { starts: [0, 0, 0, a, b, 0], steps: [1, 1, 1, 1, 1, 1], shape: [n, ho, wo, 1, 1, c] }).reshape([n, ho, wo, c]);
        const high = [0, h - (a + (ho - 1) * s0 + 1), w - (b + (wo - 1) * s1 + 1), 0];
        const placed = run("pad", [part], { low: [0, a, b, 0], high, interior: [0, s0 - 1, s1 - 1, 0], value: 0 });
        sum = sum ? sum.add(placed) : placed;
      }
    }
    return [sum!];
  },
  gather: (g, [x, idx], _o, { axis }) => [run("scatterAdd", [g, idx], { axis, size: x.shape[axis] }), null],
  scatterAdd: (g, [, idx], _o, { axis }) => [run("gather", [g, idx], { axis }), null],
  cast: (g, [x]) => [x.dtype === "float32" ? g : null],
};
