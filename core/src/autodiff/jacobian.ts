// jax.vjp, jax.jacrev (as jacobian) and jax.hessian. vjp records f once and hands back its
// pullback; jacobian maps the pullback over the rows of an identity matrix with vmap, so a
// Jacobian costs one forward pass and one batched backward pass, not one backward per output.

import type { Tensor } from "../tensor";
import { backprop, dependsOnOuter, topoOrder } from "./backprop";
import { withGradMode } from "./mode";
import { grad, type GradOptions } from "./grad";
import { GradError } from "../errors";
import { fromHost, isTensor, zerosLike } from "../creation";
import { formatShape, sameShape } from "../shape";
import { vmap } from "../vmap/vmap";

/**
 * vjp(f, x, y) returns [f(x, y), pullback]: pullback(ct) is [ct·∂f/∂x, ct·∂f/∂y] for a
 * cotangent ct of f's result shape. The pullback can be called many times (under vmap too).
 */
export function vjp<A extends Tensor[]>(f: (...primals: A) => Tensor, ...primals: A): [Tensor, (cotangent: Tensor) => Tensor[]] {
  const leaves = primals.map((p, i) => {
    if (!isTensor(p)) throw new GradError(`vjp: primal ${i} must be a tensor, got ${typeof p}`);
    if (p.dtype !== "float32") throw new GradError(`vjp: primal ${i} has dtype ${p.dtype}; only float32 tensors have gradients`);
    // Under an outer grad p carries a graph: a reshape-to-itself keeps the link (as grad does).
    return p.requiresGrad ? withGradMode(true, () => p.reshape([...p.shape, 1]).reshape(p.shape)) : p.detach().requiresGrad_();
  }) as A;
  const out = withGradMode(true, () => f(...leaves));
  if (!isTensor(out)) throw new GradError(`vjp: the function must return a tensor; it returned ${out === null ? "null" : typeof out}`);
  if (out.dtype !== "float32") throw new GradError(`vjp: the function returned a ${out.dtype} tensor; only float32 results have gradients`);
  const stops = new Set<Tensor>(leaves);
  const order = out.requiresGrad ? topoOrder(out, stops) : [];
  // Record the backward pass when an outer grad will differentiate it (hessian, grad of a jacobian).
  const record = leaves.some((l) => l.node !== null) || (out.requiresGrad && dependsOnOuter(out, stops));
  const pullback = (cotangent: Tensor): Tensor[] => {
    if (!isTensor(cotangent) || !sameShape(cotangent.shape, out.shape)) {
      throw new GradError(
        `vjp: the cotangent must have the result's shape ${formatShape(out.shape)}; got ` +
          (isTensor(cotangent) ? formatShape(cotangent.shape) : String(cotangent)),
      );
    }
    const grads = out.requiresGrad ? backprop(out, cotangent.astype("float32"), stops, record || cotangent.requiresGrad, order) : new Map();
    return leaves.map((l) => grads.get(l) ?? zerosLike(l));
  };
  return [record ? out : out.detach(), pullback];
}

/**
 * jacobian(f)(x): the Jacobian of f at x, of shape [...f(x).shape, ...x.shape] (jax.jacrev,
 * torch.func.jacrev). argnums picks the arguments, as in grad; an array gives one Jacobian each.
 */
export function jacobian<A extends unknown[]>(f: (...args: A) => Tensor, options: GradOptions = {}) {
  const nums = options.argnums ?? 0;
  const argnums = Array.isArray(nums) ? nums : [nums];
  return (...args: A): any => {
    const primals = argnums.map((i) => {
      const a = args[i];
      if (!isTensor(a)) throw new GradError(`jacobian: argument ${i} must be a tensor, got ${a === undefined ? "nothing" : typeof a}`);
      return a;
    });
    const g = (...ps: Tensor[]) => {
      const full = args.slice() as A;
      argnums.forEach((i, k) => (full[i] = ps[k]));
      return f(...full);
    };
    const [out, pullback] = vjp(g, ...primals);
    const m = out.size;
    // One cotangent per output element: the rows of the identity, shaped like the output.
    const basis = new Float32Array(m * m);
    for (let i = 0; i < m; i++) basis[i * m + i] = 1;
    const rows = vmap(pullback)(fromHost(basis, [m, ...out.shape], "float32", out.backend)) as Tensor[];
    const jacs = rows.map((r, k) => r.reshape([...out.shape, ...primals[k].shape]));
    return Array.isArray(nums) ? jacs : jacs[0];
  };
}

/** hessian(f)(x): the matrix of second derivatives of a scalar f, of shape [...x.shape, ...x.shape]. */
export function hessian<A extends unknown[]>(f: (...args: A) => Tensor, options: { argnums?: number } = {}) {
  if (Array.isArray(options.argnums)) throw new GradError("hessian: argnums must be one argument index");
  return jacobian(grad(f, options) as (...args: A) => Tensor, options);
}
