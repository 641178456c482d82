// chunk: torch.chunk's split into n pieces of ceil(size / n) along an axis (the last smaller,
// and fewer than n pieces when the size does not allow n).

import type { Tensor } from "../tensor";
import { InputError } from "../errors";
import { oneAxis } from "../ops/axes";
import { split } from "../ops/indexing";

export function chunk(x: Tensor, n: number, axis = 0): Tensor[] {
  if (!Number.isInteger(n) || n <= 0) throw new InputError(`chunk: the number of chunks must be a positive integer, got ${n}`);
  const a = oneAxis("chunk", x, axis);
  const size = x.shape[a];
  if (size === 0) return [x.clone()];
  return split(x, Math.ceil(size / n), a);
}
