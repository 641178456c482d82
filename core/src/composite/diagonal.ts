// Diagonals: diagonal (one diagonal of two axes, as a new last axis), diag (a vector to a
// diagonal matrix, or a matrix to its diagonal) and trace.
// diagonal moves the two axes last, flattens them and takes every (m + 1)-th element: one
// strided slice, whose gradient pads the values back in place.

import type { Tensor } from "../tensor";
import { InputError, ShapeError } from "../errors";
import { formatShape } from "../shape";
import { internal } from "../scope";
import { fromHost } from "../creation";
import { oneAxis } from "../ops/axes";
import { where } from "../ops/elementwise";

function needRank(op: string, x: Tensor, ok: boolean, what: string): void {
  if (ok) return;
  throw new ShapeError(`${op}: needs ${what}, got shape ${formatShape(x.shape)}`, {
    op,
    operands: [{ role: "input", shape: x.shape.slice(), dtype: x.dtype }],
    conflict: [],
    rule: `${op} takes ${what}.`,
    suggestions: [],
  });
}

function offsetOf(op: string, k: number): number {
  if (!Number.isInteger(k)) throw new InputError(`${op}: the diagonal offset must be an integer, got ${k}`);
  return k;
}

/**
 * The diagonal x[..., i, i + offset] of axes axis1 and axis2 (offset > 0 above the main
 * diagonal, < 0 below), as torch.diagonal: those axes are removed and the diagonal appended.
 */
export function diagonal(x: Tensor, offset = 0, axis1 = 0, axis2 = 1): Tensor {
  needRank("diagonal", x, x.ndim >= 2, "a tensor with at least 2 dims");
  const k = offsetOf("diagonal", offset);
  const a1 = oneAxis("diagonal", x, axis1);
  const a2 = oneAxis("diagonal", x, axis2);
  if (a1 === a2) throw new InputError(`diagonal: axis1 and axis2 must differ, both name axis ${a1}`);
  const n = x.shape[a1];
  const m = x.shape[a2];
  const rest = x.shape.map((_, i) => i).filter((i) => i !== a1 && i !== a2);
  const length = Math.max(0, k >= 0 ? Math.min(n, m - k) : Math.min(n + k, m));
  const start = length === 0 ? 0 : k >= 0 ? k : -k * m;
  const stop = length === 0 ? 0 : start + (length - 1) * (m + 1) + 1;
  return internal(() => {
    const flat = x.permute([...rest, a1, a2]).reshape([...rest.map((i) => x.shape[i]), n * m]);
    return flat.slice(-1, start, stop, m + 1);
  });
}

/**
 * torch.diag: a vector becomes a square matrix with it on diagonal `offset` (zeros elsewhere);
 * a matrix gives that diagonal as a vector.
 */
export function diag(x: Tensor, offset = 0): Tensor {
  needRank("diag", x, x.ndim === 1 || x.ndim === 2, "a vector or a matrix");
  const k = offsetOf("diag", offset);
  if (x.ndim === 2) return diagonal(x, k);
  const n = x.shape[0];
  const eye = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) eye[i * n + i] = 1;
  const zero = x.dtype === "bool" ? false : 0;
  return internal(() => {
    const square = where(fromHost(eye, [n, n], "bool", x.backend), x.reshape([n, 1]), zero);
    const s = Math.abs(k);
    return square.pad(k >= 0 ? [[0, s], [s, 0]] : [[s, 0], [0, s]]);
  });
}

/** The sum of a matrix's main diagonal, as torch.trace. */
export function trace(x: Tensor): Tensor {
  needRank("trace", x, x.ndim === 2, "a matrix (2 dims)");
  return internal(() => diagonal(x).sum());
}
