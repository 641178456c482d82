// Forward-mode derivatives: jax.jvp, jax.linearize and jax.jacfwd (torch.func.jvp, jacfwd).
// tsdl records only reverse-mode graphs, so a Jacobian-vector product is the transpose of a
// pullback: pullback(u) = uᵀJ is linear in the cotangent u, and the gradient of
// u ↦ ⟨pullback(u), t⟩ is J·t, whatever u is. That costs a forward pass and two backward
// passes instead of one forward-mode pass, and needs no forward rule per primitive.

import type { Tensor } from "../tensor";
import { vjp } from "./jacobian";
import { grad } from "./grad";
import { GradError } from "../errors";
import { fromHost, isTensor, zerosLike } from "../creation";
import { formatShape, sameShape } from "../shape";
import { vmap } from "../vmap/vmap";

function checkTangents(name: string, primals: Tensor[], tangents: unknown[]): void {
  if (tangents.length !== primals.length) {
    throw new GradError(`${name}: got ${primals.length} primal(s) but ${tangents.length} tangent(s); give one tangent per primal, of its shape`);
  }
  tangents.forEach((t, i) => {
    if (!isTensor(t)) throw new GradError(`${name}: tangent ${i} must be a tensor, got ${t === undefined ? "nothing" : typeof t}`);
    if (!sameShape(t.shape, primals[i].shape)) {
      throw new GradError(`${name}: tangent ${i} has shape ${formatShape(t.shape)} but its primal has shape ${formatShape(primals[i].shape)}; they must match`);
    }
  });
}

/**
 * linearize(f, x, y) returns [f(x, y), jvp]: jvp(tx, ty) is J·(tx, ty), the change in f for a
 * small step (tx, ty) of its arguments. f runs once; jvp can be called many times.
 */
export function linearize<A extends Tensor[]>(f: (...primals: A) => Tensor, ...primals: A): [Tensor, (...tangents: Tensor[]) => Tensor] {
  const [out, pullback] = vjp(f, ...primals);
  const apply = (...tangents: Tensor[]): Tensor => {
    checkTangents("linearize", primals, tangents);
    const pairing = (u: Tensor) => {
      const back = pullback(u);
      return back.map((b, i) => b.mul(tangents[i].astype("float32")).sum()).reduce((s, x) => s.add(x));
    };
    // The pairing is linear in u, so its gradient J·t is the same at any u: zeros will do.
    return grad(pairing)(zerosLike(out)) as Tensor;
  };
  return [out, apply];
}

/**
 * jvp(f, [x, y], [tx, ty]) returns [f(x, y), J·(tx, ty)]: the directional derivative of f at
 * (x, y) along the tangents, as jax.jvp(f, (x, y), (tx, ty)).
 */
export function jvp<A extends Tensor[]>(f: (...primals: A) => Tensor, primals: A, tangents: Tensor[]): [Tensor, Tensor] {
  if (!Array.isArray(primals) || !Array.isArray(tangents)) {
    throw new GradError("jvp: pass the primals and the tangents as arrays, as JAX does: jvp(f, [x], [v])");
  }
  checkTangents("jvp", primals, tangents);
  const [out, apply] = linearize(f, ...primals);
  return [out, apply(...tangents)];
}

/**
 * jacfwd(f)(x): the Jacobian of f at x, of shape [...f(x).shape, ...x.shape], one column per
 * input element (jax.jacfwd). It equals jacobian (jacrev); jacfwd suits functions with fewer
 * inputs than outputs.
 */
export function jacfwd(f: (x: Tensor) => Tensor) {
  return (x: Tensor): Tensor => {
    if (!isTensor(x)) throw new GradError(`jacfwd: the argument must be a tensor, got ${typeof x}`);
    const [out, apply] = linearize(f, x);
    const n = x.size;
    const basis = new Float32Array(n * n);
    for (let i = 0; i < n; i++) basis[i * n + i] = 1;
    const columns = vmap((t: Tensor) => apply(t))(fromHost(basis, [n, ...x.shape], "float32", x.backend)) as Tensor;
    // columns is [n, ...out.shape]: move the input axis last, then unflatten it.
    return columns.reshape([n, out.size]).transpose().reshape([...out.shape, ...x.shape]);
  };
}

/** hvp(f, [x], [v]): the Hessian of a scalar f at x times v, without forming the Hessian. */
export function hvp(f: (x: Tensor) => Tensor, primals: [Tensor], tangents: [Tensor]): Tensor {
  return jvp(grad(f) as (x: Tensor) => Tensor, primals, tangents)[1];
}
