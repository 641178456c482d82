// Norms, as torch.linalg: vectorNorm (any p, ±inf, 0), matrixNorm ("fro", "nuc", ±1, ±2,
// ±inf) and norm, which picks one of the two the way torch.linalg.norm does.

import type { Tensor } from "../tensor";
import { InputError } from "../errors";
import { oneAxis } from "../ops/axes";
import { internal } from "../scope";
import { floatMatrix } from "./checks";
import { svdvals } from "./svd";
import { pNorm, safeSqrt } from "../composite/stats";

export interface NormOptions {
  /** The axis or axes to reduce; default all (vectorNorm) or the last two (matrixNorm). */
  dim?: number | number[];
  keepdim?: boolean;
}

export type MatrixOrd = "fro" | "nuc" | number;

function axesOf(name: string, x: Tensor, dim: number | number[] | undefined): number[] {
  if (dim === undefined) return x.shape.map((_, i) => i);
  const list = Array.isArray(dim) ? dim : [dim];
  const axes = list.map((a) => oneAxis(name, x, a));
  if (new Set(axes).size !== axes.length) throw new InputError(`${name}: dim ${JSON.stringify(dim)} names an axis twice`);
  return axes;
}

/**
 * The p-norm of x over `dim` (all elements by default), as torch.linalg.vector_norm:
 * ord 2 (default) sqrt(Σ x²), 1 Σ|x|, Infinity max|x|, -Infinity min|x|, 0 the count of
 * nonzeros, other p (Σ|x|^p)^(1/p).
 */
export function vectorNorm(x: Tensor, ord = 2, options: NormOptions = {}): Tensor {
  const name = "linalg.vectorNorm";
  const a = floatMatrix(name, "x", x);
  if (typeof ord !== "number" || Number.isNaN(ord)) throw new InputError(`${name}: ord must be a number (2, 1, Infinity, -Infinity, 0 or any p), got ${String(ord)}`);
  const axes = axesOf(name, a, options.dim);
  return internal(() => pNorm(a, axes, ord, options.keepdim ?? false));
}

/**
 * A matrix norm over the last two axes (or the two in `dim`), as torch.linalg.matrix_norm:
 * "fro" (default) sqrt(Σ a²), "nuc" the sum of singular values, 2 / -2 the largest / smallest
 * singular value, 1 / -1 the max / min column sum of |a|, Infinity / -Infinity the max / min
 * row sum.
 */
export function matrixNorm(A: Tensor, ord: MatrixOrd = "fro", options: NormOptions = {}): Tensor {
  const name = "linalg.matrixNorm";
  const a = floatMatrix(name, "A", A);
  const dim = options.dim ?? [-2, -1];
  if (!Array.isArray(dim) || dim.length !== 2) throw new InputError(`${name}: dim must be two axes [rows, columns], got ${JSON.stringify(dim)}`);
  const [r, c] = axesOf(name, a, dim);
  const keepdim = options.keepdim ?? false;
  const ords: MatrixOrd[] = ["fro", "nuc", 1, -1, 2, -2, Infinity, -Infinity];
  if (!ords.includes(ord)) throw new InputError(`${name}: ord must be one of "fro", "nuc", 1, -1, 2, -2, Infinity, -Infinity; got ${JSON.stringify(ord) ?? String(ord)}`);
  return internal(() => {
    if (ord === "fro") return safeSqrt(a.square().sum([r, c], { keepdims: keepdim }));
    if (ord === 1 || ord === -1 || ord === Infinity || ord === -Infinity) {
      // Column sums (ord ±1) sum over the rows; row sums (±inf) over the columns.
      const [sumAxis, pickAxis] = Math.abs(ord) === 1 ? [r, c] : [c, r];
      const sums = a.abs().sum(sumAxis, { keepdims: true });
      const picked = ord > 0 ? sums.max(pickAxis, { keepdims: true }) : sums.min(pickAxis, { keepdims: true });
      return keepdim ? picked : picked.squeeze([r, c]);
    }
    // Singular values: move the two axes last.
    const rest = a.shape.map((_, i) => i).filter((i) => i !== r && i !== c);
    const S = svdvals(a.permute([...rest, r, c]));
    const k = S.shape[S.ndim - 1];
    let v = ord === "nuc" ? S.sum(-1) : ord === 2 ? S.slice(-1, 0, 1).squeeze(-1) : S.slice(-1, k - 1, k).squeeze(-1);
    if (keepdim) for (const axis of [Math.min(r, c), Math.max(r, c)]) v = v.unsqueeze(axis);
    return v;
  });
}

/**
 * torch.linalg.norm: with `ord` and no `dim`, a vector norm of a 1-D x or a matrix norm of a
 * 2-D one; with neither, the 2-norm of all elements flattened; a `dim` of one axis gives a
 * vector norm, of two axes a matrix norm.
 */
export function norm(x: Tensor, ord?: MatrixOrd, options: NormOptions = {}): Tensor {
  const name = "linalg.norm";
  const a = floatMatrix(name, "x", x);
  const dim = options.dim;
  const matrix = Array.isArray(dim) ? dim.length === 2 : dim === undefined && ord !== undefined && a.ndim === 2;
  if (dim === undefined && ord !== undefined && a.ndim !== 1 && a.ndim !== 2) {
    throw new InputError(`${name}: with ord and no dim, x must be 1-D or 2-D, got ${a.ndim}-D; give dim (one axis: a vector norm, two: a matrix norm)`);
  }
  if (matrix) return matrixNorm(a, ord ?? "fro", { dim: (dim as number[] | undefined) ?? [-2, -1], keepdim: options.keepdim });
  if (typeof ord === "string") throw new InputError(`${name}: ord "${ord}" is a matrix norm; it needs a 2-D x or dim with two axes`);
  return vectorNorm(a, ord ?? 2, options);
}
