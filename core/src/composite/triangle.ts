// tril / triu: the lower or upper triangle of the last two axes, the rest zero (causal
// attention masks, triangular solves by hand). A bool mask made on the host selects with
// where, so the gradient is zero outside the triangle.

import type { Tensor } from "../tensor";
import { InputError } from "../errors";
import { formatShape } from "../shape";
import { fromHost } from "../creation";
import { where } from "../ops/elementwise";

function triangle(x: Tensor, k: number, lower: boolean, name: string): Tensor {
  if (x.ndim < 2) throw new InputError(`${name}: needs a tensor with at least 2 dims (rows and columns), got shape ${formatShape(x.shape)}`);
  if (!Number.isInteger(k)) throw new InputError(`${name}: the diagonal offset must be an integer, got ${k}`);
  const [n, m] = x.shape.slice(-2);
  const mask = new Uint8Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) mask[i * m + j] = (lower ? j - i <= k : j - i >= k) ? 1 : 0;
  const zero = x.dtype === "bool" ? false : 0;
  return where(fromHost(mask, [n, m], "bool", x.backend), x, zero);
}

/** Keeps x[..., i, j] for j - i <= k (k = 0: the diagonal and below), as torch.tril. */
export const tril = (x: Tensor, k = 0) => triangle(x, k, true, "tril");
/** Keeps x[..., i, j] for j - i >= k (k = 0: the diagonal and above), as torch.triu. */
export const triu = (x: Tensor, k = 0) => triangle(x, k, false, "triu");
