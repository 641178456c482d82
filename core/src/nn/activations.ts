// Activation functions beyond ReLU/GELU/SiLU, with PyTorch's names, defaults and formulas:
// elu, softplus (beta, threshold), mish, hardtanh, relu6, prelu, glu, hardswish, hardsigmoid,
// softsign and tanhshrink as functions (nn.elu(x)), and as layers (new nn.ELU()). Each is a
// few elementwise ops, so gradients and kernels come from the primitives.

import type { Tensor } from "../tensor";
import { Module, parameter } from "./module";
import { builtinLayer } from "./layers";
import { full } from "../creation";
import { where } from "../ops/elementwise";
import { InputError, ShapeError } from "../errors";
import { formatShape } from "../shape";
import { internal } from "../scope";
import { softplus as stableSoftplus } from "../composite/math";

function finite(op: string, name: string, v: number): void {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new InputError(`${op}: ${name} must be a finite number, got ${String(v)}`);
}

/** x where x > 0, alpha (exp(x) - 1) elsewhere (alpha = 1). */
export function elu(x: Tensor, alpha = 1): Tensor {
  finite("elu", "alpha", alpha);
  // exp sees min(x, 0), so large positive x cannot overflow the unused branch.
  return internal(() => x.relu().add(x.minimum(0).expm1().mul(alpha)));
}

/** log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (beta 1, threshold 20). */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  finite("softplus", "beta", beta);
  finite("softplus", "threshold", threshold);
  if (beta === 0) throw new InputError("softplus: beta must be nonzero, got 0");
  return internal(() => {
    const bx = x.mul(beta);
    return where(bx.gt(threshold), x, stableSoftplus(bx).div(beta));
  });
}

/** x tanh(softplus(x)). */
export function mish(x: Tensor): Tensor {
  return internal(() => x.mul(stableSoftplus(x).tanh()));
}

/** x clipped to [minVal, maxVal] (-1, 1). */
export function hardtanh(x: Tensor, minVal = -1, maxVal = 1): Tensor {
  finite("hardtanh", "minVal", minVal);
  finite("hardtanh", "maxVal", maxVal);
  if (minVal > maxVal) throw new InputError(`hardtanh: minVal (${minVal}) must not exceed maxVal (${maxVal})`);
  return internal(() => x.maximum(minVal).minimum(maxVal));
}

/** min(max(x, 0), 6). */
export function relu6(x: Tensor): Tensor {
  return hardtanh(x, 0, 6);
}

/** x * relu6(x + 3) / 6. */
export function hardswish(x: Tensor): Tensor {
  return internal(() => x.mul(relu6(x.add(3)).div(6)));
}

/** relu6(x + 3) / 6. */
export function hardsigmoid(x: Tensor): Tensor {
  return internal(() => relu6(x.add(3)).div(6));
}

/** x / (1 + |x|). */
export function softsign(x: Tensor): Tensor {
  return internal(() => x.div(x.abs().add(1)));
}

/** x - tanh(x). */
export function tanhshrink(x: Tensor): Tensor {
  return internal(() => x.sub(x.tanh()));
}

/**
 * x where x > 0, weight * x elsewhere; weight has one entry, or one per channel (axis 1 of
 * [N, C, ...], axis 0 of a 1-d input), as torch's F.prelu.
 */
export function prelu(x: Tensor, weight: Tensor): Tensor {
  const k = weight.size;
  const axis = x.ndim >= 2 ? 1 : 0;
  if (weight.ndim > 1 || (k !== 1 && (x.ndim === 0 || x.shape[axis] !== k))) {
    const channels = x.ndim ? x.shape[axis] : 0;
    const message = `prelu: weight of shape ${formatShape(weight.shape)} needs 1 entry or one per channel; input ${formatShape(x.shape)} has ${channels} channels (axis ${axis})`;
    throw new ShapeError(message, {
      op: "prelu",
      operands: [
        { role: "input", shape: x.shape.slice(), dtype: x.dtype },
        { role: "weight", shape: weight.shape.slice(), dtype: weight.dtype },
      ],
      conflict: x.ndim ? [{ operand: 0, axis }, { operand: 1, axis: 0 }] : [],
      rule: "prelu's weight has one slope for all channels, or one per channel (the input's axis 1).",
      suggestions: [],
    });
  }
  return internal(() => {
    const w = k === 1 ? weight.reshape([]) : weight.reshape(x.shape.map((d, i) => (i === axis ? k : 1)));
    return x.relu().sub(x.neg().relu().mul(w));
  });
}

/** a * sigmoid(b), where a and b are the two halves of x along dim (-1), as torch's F.glu. */
export function glu(x: Tensor, dim = -1): Tensor {
  const a = dim < 0 ? dim + x.ndim : dim;
  if (!Number.isInteger(dim) || a < 0 || a >= x.ndim) throw new InputError(`glu: dim ${dim} is out of range for an input of ${x.ndim} dims`);
  if (x.shape[a] % 2 !== 0) {
    throw new ShapeError(`glu: the size of dim ${dim} must be even to halve it, got ${x.shape[a]} (input ${formatShape(x.shape)})`, {
      op: "glu",
      operands: [{ role: "input", shape: x.shape.slice(), dtype: x.dtype }],
      conflict: [{ operand: 0, axis: a }],
      rule: "glu splits the input in two equal halves along dim.",
      suggestions: [],
    });
  }
  return internal(() => {
    const [first, second] = x.chunk(2, a);
    return first.mul(second.sigmoid());
  });
}

/** A layer of a parameter-free function, with describe() showing its arguments. */
abstract class Activation extends Module {
  /** The settings describe() shows in parentheses; none by default. */
  protected args(): string {
    return "";
  }
  override describe(): string {
    const a = this.args();
    return a ? `${this.constructor.name}(${a})` : this.constructor.name;
  }
}

export class ELU extends Activation {
  constructor(readonly alpha = 1) {
    super();
    finite("ELU", "alpha", alpha);
  }
  forward(x: Tensor): Tensor {
    return elu(x, this.alpha);
  }
  protected override args(): string {
    return `alpha=${this.alpha}`;
  }
}

export class Softplus extends Activation {
  constructor(readonly beta = 1, readonly threshold = 20) {
    super();
    finite("Softplus", "beta", beta);
    finite("Softplus", "threshold", threshold);
    if (beta === 0) throw new InputError("Softplus: beta must be nonzero, got 0");
  }
  forward(x: Tensor): Tensor {
    return softplus(x, this.beta, this.threshold);
  }
  protected override args(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

export class Mish extends Activation {
  forward(x: Tensor): Tensor {
    return mish(x);
  }
}

export class Hardtanh extends Activation {
  constructor(readonly minVal = -1, readonly maxVal = 1) {
    super();
    finite("Hardtanh", "minVal", minVal);
    finite("Hardtanh", "maxVal", maxVal);
    if (minVal > maxVal) throw new InputError(`Hardtanh: minVal (${minVal}) must not exceed maxVal (${maxVal})`);
  }
  forward(x: Tensor): Tensor {
    return hardtanh(x, this.minVal, this.maxVal);
  }
  protected override args(): string {
    return `minVal=${this.minVal}, maxVal=${this.maxVal}`;
  }
}

export class ReLU6 extends Activation {
  forward(x: Tensor): Tensor {
    return relu6(x);
  }
}

export class Hardswish extends Activation {
  forward(x: Tensor): Tensor {
    return hardswish(x);
  }
}

export class Hardsigmoid extends Activation {
  forward(x: Tensor): Tensor {
    return hardsigmoid(x);
  }
}

export class Softsign extends Activation {
  forward(x: Tensor): Tensor {
    return softsign(x);
  }
}

export class Tanhshrink extends Activation {
  forward(x: Tensor): Tensor {
    return tanhshrink(x);
  }
}

export class GLU extends Activation {
  constructor(readonly dim = -1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return glu(x, this.dim);
  }
  protected override args(): string {
    return `dim=${this.dim}`;
  }
}

/** A learned negative slope, one for all channels or one per channel (init 0.25), as torch's nn.PReLU. */
export class PReLU extends Activation {
  weight: Tensor;
  constructor(readonly numParameters = 1, init = 0.25) {
    super();
    if (!Number.isInteger(numParameters) || numParameters <= 0) throw new InputError(`PReLU: numParameters must be a positive integer, got ${numParameters}`);
    finite("PReLU", "init", init);
    this.weight = parameter(full([numParameters], init));
  }
  forward(x: Tensor): Tensor {
    return prelu(x, this.weight);
  }
  protected override args(): string {
    return `numParameters=${this.numParameters}`;
  }
}

builtinLayer(ELU, Softplus, Mish, Hardtanh, ReLU6, Hardswish, Hardsigmoid, Softsign, Tanhshrink, GLU, PReLU);
