// Small pieces the linalg algorithms share: masks of rows made on the host (which row a step
// works on, which rows lie below it), the diagonal of a batch of matrices, and identities.
// The masks are uploaded rather than computed by comparisons so that a step of an algorithm
// costs one upload instead of one more kernel dispatch.

import type { Tensor } from "../tensor";
import type { Backend } from "../backend/backend";
import { fromHost } from "../creation";

/** A bool column [n, 1] (or row [1, n] with `row`) that is true where pred(i) holds. */
export function mask(n: number, pred: (i: number) => boolean, backend: Backend, row = false): Tensor {
  const m = new Uint8Array(n);
  for (let i = 0; i < n; i++) m[i] = pred(i) ? 1 : 0;
  return fromHost(m, row ? [1, n] : [n, 1], "bool", backend);
}

/** The diagonal of the last two axes of a square batch [..., n, n]: [..., n]. */
export function diagonal(x: Tensor): Tensor {
  const n = x.shape[x.ndim - 1];
  const flat = x.reshape([...x.shape.slice(0, -2), n * n]);
  return flat.slice(-1, 0, n * n, n + 1);
}

/** The n x n identity on a backend (float32). */
export function identity(n: number, backend: Backend): Tensor {
  const host = new Float32Array(n * n);
  for (let i = 0; i < n; i++) host[i * n + i] = 1;
  return fromHost(host, [n, n], "float32", backend);
}

/** diag(v) for v [..., n]: [..., n, n]. */
export function diagMatrix(v: Tensor): Tensor {
  const n = v.shape[v.ndim - 1];
  return v.unsqueeze(-1).mul(identity(n, v.backend));
}

/** (x + xᵀ) / 2 over the last two axes. */
export function symmetrize(x: Tensor): Tensor {
  return x.add(x.mT).mul(0.5);
}
