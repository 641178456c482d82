// indexAdd: torch's x.index_add(axis, index, source): slice j of source along axis is added
// to slice index[j] of x (repeated indices add up). It is x plus the scatterAdd primitive
// (gather's transpose), so both gradients exist: x's passes through, source's is a gather.
// The WebGPU scatterAdd loops over all J indices for every output element (no float
// atomics in WGSL), so its cost is x.size * J.

import type { Tensor } from "../tensor";
import { DTypeError, InputError, ShapeError } from "../errors";
import { formatShape } from "../shape";
import { internal } from "../scope";
import { constant, isTensor } from "../creation";
import { run, commonBackend } from "../dispatch";
import { oneAxis } from "../ops/axes";
import { checkIndices, checkRange } from "../ops/indexing";
import { cast, where } from "../ops/elementwise";

export function indexAdd(x: Tensor, axis: number, index: Tensor, source: Tensor, o: { alpha?: number } = {}): Tensor {
  const a = oneAxis("indexAdd", x, axis);
  if (!isTensor(index) || !isTensor(source)) throw new InputError("indexAdd: index and source must be tensors");
  checkIndices(index, "indexAdd");
  commonBackend([x, index, source], "indexAdd");
  if (index.ndim > 1) throw new InputError(`indexAdd: index must be 1-D, got shape ${formatShape(index.shape)}`);
  const want = x.shape.map((d, i) => (i === a ? index.size : d));
  if (source.ndim !== x.ndim || source.shape.some((d, i) => d !== want[i])) {
    throw new ShapeError(
      `indexAdd: source of shape ${formatShape(source.shape)} should have shape ${formatShape(want)}: the input's shape with axis ${a} the length of index (${index.size})`,
      {
        op: "indexAdd",
        operands: [
          { role: "input", shape: x.shape.slice(), dtype: x.dtype },
          { role: "index", shape: index.shape.slice(), dtype: index.dtype },
          { role: "source", shape: source.shape.slice(), dtype: source.dtype },
        ],
        conflict: [],
        rule: "source has the input's shape except along axis, where it has one slice per index.",
        suggestions: [],
      },
    );
  }
  if (x.dtype === "bool") throw new DTypeError("indexAdd: the input must be float32 or int32, got bool");
  const n = x.shape[a];
  const known = index.peek();
  if (known) checkRange("indexAdd", x, a, known);
  const alpha = o.alpha ?? 1;
  return internal(() => {
    // Negative indices count from the end, as in gather.
    const idx = where(index.lt(0), index.add(constant(n, "int32", x.backend)), index).reshape([index.size]);
    const src = cast(alpha === 1 ? source : source.mul(alpha), x.dtype);
    return x.add(run("scatterAdd", [src, idx], { axis: a, size: n }));
  });
}
