// Reductions along axes (sum, prod, max, min, all, any) and argmax/argmin along one axis.

import type { Tensor } from "../tensor";
import type { ReduceFn, ArgReduceFn } from "./primitives";
import { run } from "../dispatch";
import { binary, cast, unary } from "./elementwise";
import { axesOf, oneAxis } from "./axes";
import { ShapeError } from "../errors";
import { formatShape } from "../shape";

export function reduce(fn: ReduceFn, x: Tensor, axis?: number | number[], keepdims = false): Tensor {
  const axes = axesOf(fn, x, axis);
  if ((fn === "max" || fn === "min") && axes.some((a) => x.shape[a] === 0)) {
    throw new ShapeError(`${fn}: cannot take the ${fn} over an empty axis of shape ${formatShape(x.shape)}`, {
      op: fn,
      operands: [{ role: "input", shape: x.shape.slice(), dtype: x.dtype }],
      conflict: axes.filter((a) => x.shape[a] === 0).map((a) => ({ operand: 0, axis: a })),
      rule: `${fn} needs at least one element along each reduced axis.`,
      suggestions: [],
    });
  }
  if (x.dtype === "bool") {
    const r = run("reduce", [cast(x, "int32")], { fn, axes, keepdims });
    return fn === "max" || fn === "min" ? cast(r, "bool") : r;
  }
  return run("reduce", [x], { fn, axes, keepdims });
}

// all/any count (true) elements instead of taking a min/max, so that an empty axis gives
// NumPy's answer (all: true, any: false) rather than the error of a min over nothing. The count
// cannot overflow: a tensor has fewer than 2^31 elements.
export function all(x: Tensor, axis?: number | number[], keepdims = false): Tensor {
  return binary("eq", reduce("sum", unary("logicalNot", x), axis, keepdims), 0);
}

export function any(x: Tensor, axis?: number | number[], keepdims = false): Tensor {
  return binary("gt", reduce("sum", cast(x, "bool"), axis, keepdims), 0);
}

/** argmax/argmin; without an axis, over the flattened tensor (like NumPy). */
export function argReduce(fn: ArgReduceFn, x: Tensor, axis?: number, keepdims = false): Tensor {
  const input = x.dtype === "bool" ? cast(x, "int32") : x;
  if (axis === undefined) {
    if (x.size === 0) throw new ShapeError(`${fn}: the tensor is empty`, emptyDetail(fn, x));
    return run("argReduce", [input.reshape([x.size])], { fn, axis: 0, keepdims: false });
  }
  const a = oneAxis(fn, x, axis);
  if (x.shape[a] === 0) throw new ShapeError(`${fn}: axis ${axis} of shape ${formatShape(x.shape)} is empty`, emptyDetail(fn, x));
  return run("argReduce", [input], { fn, axis: a, keepdims });
}

function emptyDetail(op: string, x: Tensor) {
  return {
    op,
    operands: [{ role: "input", shape: x.shape.slice(), dtype: x.dtype }],
    conflict: [],
    rule: `${op} needs at least one element.`,
    suggestions: [],
  };
}
