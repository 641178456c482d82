// customVjp for functions with several results (slogdet's sign and log, eigh's values and
// vectors): the results travel packed in one tensor, so they share one graph node, and are
// cut apart again by slices, whose own gradients put each cotangent back in its place.

import type { Tensor } from "../tensor";
import { customVjp } from "../autodiff/custom";
import { concat } from "../ops/indexing";
import { sizeOf } from "../shape";
import { internalAll } from "../scope";

function unpack(packed: Tensor, shapes: number[][], batchRank: number): Tensor[] {
  let offset = 0;
  return shapes.map((shape) => {
    const size = sizeOf(shape.slice(batchRank));
    const part = packed.slice(-1, offset, offset + size).reshape(shape);
    offset += size;
    return part;
  });
}

/**
 * Like customVjp, for a forward with several float32 results that share the leading
 * `batchRank` dims. `backward` gets one cotangent per result (zeros for unused ones).
 */
export function customVjpMany(
  inputs: Tensor[],
  batchRank: number,
  forward: () => Tensor[],
  backward: (gs: Tensor[], needs: boolean[]) => (Tensor | null)[],
): Tensor[] {
  let shapes: number[][] = [];
  const pack = () => {
    const outs = forward();
    shapes = outs.map((o) => o.shape.slice());
    return concat(outs.map((o) => o.reshape([...o.shape.slice(0, batchRank), sizeOf(o.shape.slice(batchRank))])), -1);
  };
  // internalAll: the packed tensor is freed (or handed to the graph) like any intermediate.
  return internalAll(() => {
    const packed = customVjp(inputs, pack, (g, needs) => backward(unpack(g, shapes, batchRank), needs));
    return unpack(packed, shapes, batchRank);
  });
}
