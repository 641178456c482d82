// diff: n-th forward differences along an axis, as torch.diff / numpy.diff: each pass
// subtracts neighbours (x[1:] - x[:-1]), so the axis shrinks by one per pass; bool tensors
// take "differs" (xor), as both libraries do.

import type { Tensor } from "../tensor";
import { InputError } from "../errors";
import { internal } from "../scope";
import { oneAxis } from "../ops/axes";
import { concat } from "../ops/indexing";

export interface DiffOptions {
  /** Values put before x along the axis first (same shape outside the axis). */
  prepend?: Tensor;
  /** Values put after x along the axis first. */
  append?: Tensor;
}

export function diff(x: Tensor, n = 1, axis = -1, o: DiffOptions = {}): Tensor {
  if (x.ndim === 0) throw new InputError("diff: needs a tensor with at least one dim, got a 0-d tensor");
  if (!Number.isInteger(n) || n < 0) throw new InputError(`diff: n must be a non-negative integer, got ${n}`);
  const a = oneAxis("diff", x, axis);
  return internal(() => {
    let y = o.prepend || o.append ? concat([o.prepend, x, o.append].filter((t): t is Tensor => t !== undefined), a) : x;
    for (let i = 0; i < n && y.shape[a] > 0; i++) {
      const len = y.shape[a];
      const later = y.slice(a, 1, len);
      const earlier = y.slice(a, 0, len - 1);
      y = y.dtype === "bool" ? later.logicalXor(earlier) : later.sub(earlier);
    }
    return y === x ? x.clone() : y;
  });
}
