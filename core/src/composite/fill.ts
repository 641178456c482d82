// Replacing values: nanToNum (NaN and infinities by numbers) and maskedFill (where a mask is
// true, by a value). Both keep the input's shape and dtype; gradients flow to the kept values.

import type { Tensor } from "../tensor";
import { DTypeError, InputError, ShapeError } from "../errors";
import { formatShape } from "../shape";
import { internal } from "../scope";
import { isTensor } from "../creation";
import { where } from "../ops/elementwise";
import { broadcastShapes } from "../ops/shapeRules";

const FLOAT32_MAX = 3.4028234663852886e38;

export interface NanToNumOptions {
  nan?: number;
  /** Default: the largest float32, as PyTorch. */
  posinf?: number;
  /** Default: the most negative float32. */
  neginf?: number;
}

/** NaN -> nan (0), +inf -> posinf, -inf -> neginf, as torch.nan_to_num. Ints are returned as they are. */
export function nanToNum(x: Tensor, o: NanToNumOptions = {}): Tensor {
  const nan = o.nan ?? 0;
  const posinf = o.posinf ?? FLOAT32_MAX;
  const neginf = o.neginf ?? -FLOAT32_MAX;
  for (const [k, v] of Object.entries({ nan, posinf, neginf })) {
    if (typeof v !== "number") throw new InputError(`nanToNum: ${k} must be a number, got ${typeof v}`);
  }
  if (x.dtype !== "float32") return x;
  return internal(() => where(x.isnan(), nan, where(x.eq(Infinity), posinf, where(x.eq(-Infinity), neginf, x))));
}

/**
 * x with `value` wherever mask is true, as torch.masked_fill: mask is bool and broadcasts to
 * x's shape; value (a number, boolean or 0-d tensor) is converted to x's dtype.
 */
export function maskedFill(x: Tensor, mask: Tensor, value: number | boolean | Tensor): Tensor {
  if (!isTensor(mask) || mask.dtype !== "bool") {
    throw new DTypeError(`maskedFill: mask must be a bool tensor, got ${isTensor(mask) ? mask.dtype : typeof mask} (compare first, e.g. x.lt(0))`);
  }
  if (isTensor(value) && value.ndim !== 0) {
    throw new InputError(`maskedFill: value must be a number or a 0-d tensor, got a tensor of shape ${formatShape(value.shape)}`);
  }
  const out = broadcastShapes(mask.shape, x.shape);
  if (!out || out.length !== x.ndim || out.some((d, i) => d !== x.shape[i])) {
    throw new ShapeError(`maskedFill: mask of shape ${formatShape(mask.shape)} does not broadcast to the input's shape ${formatShape(x.shape)}`, {
      op: "maskedFill",
      operands: [
        { role: "input", shape: x.shape.slice(), dtype: x.dtype },
        { role: "mask", shape: mask.shape.slice(), dtype: mask.dtype },
      ],
      conflict: [],
      rule: "the mask must broadcast to the input's shape (the result has the input's shape).",
      suggestions: [],
    });
  }
  return internal(() => where(mask, value, x).astype(x.dtype));
}
