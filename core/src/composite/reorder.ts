// flip and roll: the same elements in another order along some axes. flip gathers with
// reversed indices (slices only take positive steps); roll joins the two pieces of each axis
// in swapped order. Both are views' copies with gradients from gather and concat.

import type { Tensor } from "../tensor";
import { InputError } from "../errors";
import { internal } from "../scope";
import { fromHost } from "../creation";
import { axesOf, oneAxis } from "../ops/axes";
import { concat, gatherAlong } from "../ops/indexing";

/** x reversed along each of `axes` (all axes when none are given, as NumPy), as torch.flip. */
export function flip(x: Tensor, axes?: number | number[]): Tensor {
  const list = axesOf("flip", x, axes);
  return internal(() => {
    let y = x;
    for (const a of list) {
      const n = x.shape[a];
      if (n < 2) continue;
      const reversed = Int32Array.from({ length: n }, (_, i) => n - 1 - i);
      y = gatherAlong(y, fromHost(reversed, [n], "int32", x.backend), a, "flip");
    }
    return y === x ? x.clone() : y; // a new tensor either way, as torch.flip
  });
}

/**
 * Elements shifted `shifts` places along each axis, wrapping around, as torch.roll: without
 * axes the flattened tensor is rolled and reshaped back. shifts and axes pair up.
 */
export function roll(x: Tensor, shifts: number | number[], axes?: number | number[]): Tensor {
  const s = Array.isArray(shifts) ? shifts : [shifts];
  if (s.some((v) => !Number.isInteger(v))) throw new InputError(`roll: shifts must be integers, got ${JSON.stringify(shifts)}`);
  if (axes === undefined) {
    if (s.length !== 1) throw new InputError(`roll: ${s.length} shifts need as many axes; without axes roll takes one shift`);
    return internal(() => roll(x.flatten(), s[0], 0).reshape(x.shape));
  }
  const list = Array.isArray(axes) ? axes : [axes];
  if (list.length !== s.length) {
    throw new InputError(`roll: got ${s.length} shifts and ${list.length} axes; give one shift per axis`);
  }
  const canonical = list.map((a) => oneAxis("roll", x, a));
  return internal(() => {
    let y = x;
    canonical.forEach((a, i) => {
      const n = x.shape[a];
      const k = n === 0 ? 0 : ((s[i] % n) + n) % n;
      if (k === 0) return;
      y = concat([y.slice(a, n - k, n), y.slice(a, 0, n - k)], a);
    });
    return y === x ? x.clone() : y;
  });
}
