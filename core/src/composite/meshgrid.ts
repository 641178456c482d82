// meshgrid: coordinate grids from 1-D tensors, as broadcast views (no copies), like
// torch.meshgrid. "ij" (PyTorch's default) gives shape [n0, n1, ...]; "xy" (NumPy's default)
// swaps the first two, so the first input varies along columns, as for plotting.

import type { Tensor } from "../tensor";
import { InputError, ShapeError } from "../errors";
import { formatShape } from "../shape";
import { isTensor } from "../creation";
import { commonBackend } from "../dispatch";

export interface MeshgridOptions {
  indexing?: "ij" | "xy";
}

/** meshgrid(x, y, ..., { indexing }) or meshgrid([x, y, ...], { indexing }). */
export function meshgrid(...args: (Tensor | Tensor[] | MeshgridOptions)[]): Tensor[] {
  const last = args[args.length - 1];
  const options = last !== undefined && !isTensor(last) && !Array.isArray(last) ? (args.pop() as MeshgridOptions) : {};
  const xs = (args.length === 1 && Array.isArray(args[0]) ? args[0] : args) as Tensor[];
  const indexing = options.indexing ?? "ij";
  if (indexing !== "ij" && indexing !== "xy") throw new InputError(`meshgrid: indexing must be "ij" or "xy", got ${JSON.stringify(indexing)}`);
  if (xs.length === 0 || !xs.every(isTensor)) throw new InputError("meshgrid: expected one or more tensors");
  commonBackend(xs, "meshgrid");
  xs.forEach((x, i) => {
    if (x.ndim > 1) {
      throw new ShapeError(`meshgrid: input ${i} has shape ${formatShape(x.shape)}; each input must be 1-D (or 0-D)`, {
        op: "meshgrid",
        operands: xs.map((u, j) => ({ role: `input${j}`, shape: u.shape.slice(), dtype: u.dtype })),
        conflict: [],
        rule: "meshgrid takes 1-D tensors of coordinates.",
        suggestions: [{ code: `{input${i}}.flatten()`, resultShape: [x.size] }],
      });
    }
  });
  // The axis each input varies along: its position, but "xy" swaps the first two.
  const axisOf = xs.map((_, i) => (indexing === "xy" && i < 2 && xs.length >= 2 ? 1 - i : i));
  const shape = new Array<number>(xs.length);
  xs.forEach((x, i) => (shape[axisOf[i]] = x.size));
  return xs.map((x, i) => {
    const at = shape.map((_, k) => (k === axisOf[i] ? x.size : 1));
    return x.reshape(at).broadcastTo(shape);
  });
}
