// Statistics and normalizations composed from reductions: mean, var, std, norm, logsumexp,
// softmax, logSoftmax. Integer inputs give float32 results (mean of [[1,2],[3,4]] is 2.5).

import type { Tensor } from "../tensor";
import { axesOf } from "../ops/axes";
import { noGrad } from "../autodiff/mode";
import { where } from "../ops/elementwise";
import { internal } from "../scope";
import { InputError } from "../errors";

type Axes = number | number[] | undefined;

function count(x: Tensor, axes: number[]): number {
  return axes.reduce((n, a) => n * x.shape[a], 1);
}

export function mean(x: Tensor, axis?: Axes, keepdims = false): Tensor {
  const axes = axesOf("mean", x, axis);
  return internal(() => x.astype("float32").sum(axes, { keepdims }).div(count(x, axes)));
}

/** Variance with `correction` subtracted from the count: 0 (NumPy/JAX default) or 1 (PyTorch's). */
export function variance(x: Tensor, axis?: Axes, o: { keepdims?: boolean; correction?: number } = {}): Tensor {
  const axes = axesOf("var", x, axis);
  return internal(() => {
    const xf = x.astype("float32");
    const d = xf.sub(xf.mean(axes, { keepdims: true }));
    return d.mul(d).sum(axes, { keepdims: o.keepdims ?? false }).div(Math.max(0, count(x, axes) - (o.correction ?? 0)));
  });
}

export function std(x: Tensor, axis?: Axes, o: { keepdims?: boolean; correction?: number } = {}): Tensor {
  return internal(() => variance(x, axis, o).sqrt());
}

/**
 * The vector norm over `axis` (all axes by default), as torch.linalg.vector_norm and PyTorch's
 * x.norm(): ord 2 (Euclidean; a matrix's Frobenius norm), 1 or Infinity. The 2-norm of a zero
 * vector has gradient 0 (a subgradient, as PyTorch gives), not sqrt's NaN: zero biases at
 * initialization would otherwise make a norm penalty's gradient NaN.
 */
export function norm(x: Tensor, axis?: Axes, o: { keepdims?: boolean; ord?: number } = {}): Tensor {
  const axes = axesOf("norm", x, axis);
  const ord = o.ord ?? 2;
  if (ord !== 1 && ord !== 2 && ord !== Infinity) throw new InputError(`norm: ord must be 1, 2 or Infinity, got ${ord}`);
  return internal(() => pNorm(x.astype("float32"), axes, ord, o.keepdims ?? false));
}

/** sqrt with derivative 0 at 0: sqrt only sees positive values; where s is 0 the other branch
 * (a constant 0) is taken, so no infinite derivative is multiplied by 0. */
export function safeSqrt(s: Tensor): Tensor {
  const positive = s.gt(0);
  return where(positive, where(positive, s, 1).sqrt(), 0);
}

/**
 * The p-norm of float x over `axes` (shared by x.norm() and linalg.vectorNorm): 2 sqrt(Σ x²),
 * 1 Σ|x|, Infinity max|x|, -Infinity min|x|, 0 the count of nonzeros, other p (Σ|x|^p)^(1/p).
 */
export function pNorm(x: Tensor, axes: number[], ord: number, keepdims: boolean): Tensor {
  const o = { keepdims };
  if (ord === 2) return safeSqrt(x.square().sum(axes, o));
  if (ord === 1) return x.abs().sum(axes, o);
  if (ord === Infinity) return x.abs().max(axes, o);
  if (ord === -Infinity) return x.abs().min(axes, o);
  if (ord === 0) return x.ne(0).astype("float32").sum(axes, o);
  return x.abs().pow(ord).sum(axes, o).pow(1 / ord);
}

/** The max with infinities replaced by 0, as a constant shift (no gradient needed: it cancels). */
function stableShift(x: Tensor, axes: number[]): Tensor {
  return noGrad(() => {
    const m = x.max(axes, { keepdims: true });
    return where(m.abs().lt(Infinity), m, 0);
  });
}

export function logsumexp(x: Tensor, axis?: Axes, keepdims = false): Tensor {
  const axes = axesOf("logsumexp", x, axis);
  return internal(() => {
    const xf = x.astype("float32");
    if (x.size === 0) return xf.exp().sum(axes, { keepdims }).log();
    const m = stableShift(xf, axes);
    const out = xf.sub(m).exp().sum(axes, { keepdims: true }).log().add(m);
    return keepdims ? out : out.squeeze(axes);
  });
}

export function softmax(x: Tensor, axis = -1): Tensor {
  const axes = axesOf("softmax", x, axis);
  return internal(() => {
    const xf = x.astype("float32");
    const e = xf.sub(stableShift(xf, axes)).exp();
    return e.div(e.sum(axes, { keepdims: true }));
  });
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const axes = axesOf("logSoftmax", x, axis);
  return internal(() => x.astype("float32").sub(logsumexp(x, axes, true)));
}
