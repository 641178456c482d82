// Statistics and normalizations composed from reductions: mean, var, std, logsumexp,
// softmax, logSoftmax. Integer inputs give float32 results (mean of [[1,2],[3,4]] is 2.5).

import type { Tensor } from "../tensor";
import { axesOf } from "../ops/axes";
import { noGrad } from "../autodiff/mode";
import { where } from "../ops/elementwise";
import { internal } from "../scope";

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
