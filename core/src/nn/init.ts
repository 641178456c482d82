// nn.init: fill a weight tensor in place, as torch.nn.init's functions with a trailing
// underscore do (same names in camelCase, same defaults and formulas), and calculateGain.
//
// Each fill replaces the tensor's values with assign() under noGrad, so the tensor keeps its
// identity (a module's parameter stays registered, an optimizer keeps pointing at it), its
// requiresGrad flag, and gets no autodiff history, like PyTorch's in-place fill inside
// torch.no_grad(). Random values come from the global seeded generator (manualSeed).

import type { Tensor } from "../tensor";
import { noGrad } from "../autodiff/mode";
import { tidy } from "../api";
import { fullLike, isTensor } from "../creation";
import { InputError } from "../errors";
import { describe, formatShape } from "../shape";
import { randOn, randnOn } from "../random";

/** Replaces t's values by make()'s, frees the temporaries, and returns t. */
function fill(t: Tensor, make: () => Tensor): Tensor {
  // An empty tensor has nothing to fill (PyTorch: a no-op), and its fans may be 0.
  if (t.size === 0) return t;
  noGrad(() =>
    tidy(() => {
      t.assign(make());
    }),
  );
  return t;
}

function checkTensor(t: unknown, where: string, random: boolean): asserts t is Tensor {
  if (!isTensor(t)) throw new InputError(`nn.init.${where}: expected a tensor to fill, got ${describe(t)}`);
  // The random draws are float32; an int32 or bool weight is almost surely a mistake.
  if (random && t.dtype !== "float32") {
    throw new InputError(`nn.init.${where}: needs a float32 tensor, got ${t.dtype} (convert it first with .astype("float32"))`);
  }
}

function checkNumber(v: unknown, where: string, name: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new InputError(`nn.init.${where}: ${name} must be a finite number, got ${describe(v)}`);
  return v;
}

/** Uniform values in [a, b) (torch.nn.init.uniform_). */
export function uniform_(t: Tensor, a = 0, b = 1): Tensor {
  checkTensor(t, "uniform_", true);
  checkNumber(a, "uniform_", "a");
  checkNumber(b, "uniform_", "b");
  if (a > b) throw new InputError(`nn.init.uniform_: needs a <= b (the range [a, b)), got a=${a}, b=${b}; swap them`);
  return fill(t, () => randOn(t.shape, t.backend, "nn.init.uniform_").mul(b - a).add(a));
}

/** Normal values with the given mean and standard deviation (torch.nn.init.normal_). */
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  checkTensor(t, "normal_", true);
  checkNumber(mean, "normal_", "mean");
  checkNumber(std, "normal_", "std");
  if (std < 0) throw new InputError(`nn.init.normal_: std must be >= 0, got ${std} (a standard deviation is never negative)`);
  return fill(t, () => randnOn(t.shape, t.backend, "nn.init.normal_").mul(std).add(mean));
}

/** Every element set to `value` (torch.nn.init.constant_). */
export function constant_(t: Tensor, value: number): Tensor {
  checkTensor(t, "constant_", false);
  checkNumber(value, "constant_", "value");
  return fill(t, () => fullLike(t, value));
}

/** Every element set to 0 (torch.nn.init.zeros_). */
export function zeros_(t: Tensor): Tensor {
  checkTensor(t, "zeros_", false);
  return fill(t, () => fullLike(t, 0));
}

/** Every element set to 1 (torch.nn.init.ones_). */
export function ones_(t: Tensor): Tensor {
  checkTensor(t, "ones_", false);
  return fill(t, () => fullLike(t, 1));
}

/**
 * [fanIn, fanOut] of a weight, as PyTorch computes them: dim 1 is the number of inputs, dim 0 of
 * outputs (a Linear weight is [out, in], a Conv2d weight [out, in, kh, kw]), each times the
 * receptive field (the product of the dims after the first two).
 */
export function calculateFanInAndFanOut(t: Tensor | readonly number[]): [number, number] {
  const shape = isTensor(t) ? t.shape : t;
  if (!Array.isArray(shape)) throw new InputError(`nn.init.calculateFanInAndFanOut: expected a tensor or a shape, got ${describe(t)}`);
  if (shape.length < 2) {
    throw new InputError(
      `nn.init: fan in and fan out need a tensor with at least 2 dims ([out, in, ...]), got shape ${formatShape(shape)}; ` +
        `for a bias or other 1-d tensor use uniform_, normal_, zeros_ or constant_`,
    );
  }
  let receptive = 1;
  for (let d = 2; d < shape.length; d++) receptive *= shape[d];
  return [shape[1] * receptive, shape[0] * receptive];
}

type Mode = "fanIn" | "fanOut";

/** The fan a Kaiming init scales by. PyTorch's "fan_in"/"fan_out" spellings are accepted too. */
function fanFor(t: Tensor, mode: unknown, where: string): number {
  const m = typeof mode === "string" ? snakeToCamel(mode) : mode;
  if (m !== "fanIn" && m !== "fanOut") {
    throw new InputError(`nn.init.${where}: unknown mode ${describe(mode)}; use "fanIn" (keeps the forward pass's variance) or "fanOut" (the backward pass's)`);
  }
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return m === "fanIn" ? fanIn : fanOut;
}

// ---- gains ----

/** Nonlinearity names calculateGain knows, in camelCase; PyTorch's snake_case works too. */
export type Nonlinearity =
  | "linear" | "conv1d" | "conv2d" | "conv3d" | "convTranspose1d" | "convTranspose2d" | "convTranspose3d"
  | "sigmoid" | "tanh" | "relu" | "leakyRelu" | "selu";

const gains: Record<Nonlinearity, (param: number | undefined) => number> = {
  linear: () => 1,
  conv1d: () => 1,
  conv2d: () => 1,
  conv3d: () => 1,
  convTranspose1d: () => 1,
  convTranspose2d: () => 1,
  convTranspose3d: () => 1,
  sigmoid: () => 1,
  tanh: () => 5 / 3,
  relu: () => Math.SQRT2,
  // PyTorch's default negative slope here is 0.01 (nn.LeakyReLU's default).
  leakyRelu: (slope = 0.01) => Math.sqrt(2 / (1 + slope * slope)),
  // 3/4, the value PyTorch chose so that SELU networks keep a stable variance in practice.
  selu: () => 3 / 4,
};

function snakeToCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * The recommended scale of weights for a nonlinearity (torch.nn.init.calculate_gain): 1 for
 * linear, conv and sigmoid, 5/3 for tanh, sqrt(2) for relu, sqrt(2 / (1 + slope^2)) for
 * leakyRelu (param: the negative slope, default 0.01), 3/4 for selu.
 */
export function calculateGain(nonlinearity: Nonlinearity | string, param?: number): number {
  const name = typeof nonlinearity === "string" ? snakeToCamel(nonlinearity) : nonlinearity;
  if (typeof name !== "string" || !Object.prototype.hasOwnProperty.call(gains, name)) {
    throw new InputError(`nn.init.calculateGain: unknown nonlinearity ${describe(nonlinearity)}; use one of ${Object.keys(gains).join(", ")}`);
  }
  if (param !== undefined && name === "leakyRelu") checkNumber(param, "calculateGain", "the negative slope (param)");
  return gains[name as Nonlinearity](param);
}

// ---- Xavier (Glorot) and Kaiming (He) ----

export interface XavierOptions {
  /** Scale for the nonlinearity that follows (calculateGain); default 1. */
  gain?: number;
}

function xavierStd(t: Tensor, o: XavierOptions, where: string): number {
  const gain = checkNumber(o.gain ?? 1, where, "gain");
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return gain * Math.sqrt(2 / (fanIn + fanOut));
}

/** Uniform in [-b, b) with b = gain * sqrt(6 / (fanIn + fanOut)) (torch.nn.init.xavier_uniform_). */
export function xavierUniform_(t: Tensor, o: XavierOptions = {}): Tensor {
  checkTensor(t, "xavierUniform_", true);
  // A uniform on [-b, b) has standard deviation b / sqrt(3).
  const bound = Math.sqrt(3) * xavierStd(t, o, "xavierUniform_");
  return fill(t, () => randOn(t.shape, t.backend, "nn.init.xavierUniform_").mul(2 * bound).sub(bound));
}

/** Normal with std = gain * sqrt(2 / (fanIn + fanOut)) (torch.nn.init.xavier_normal_). */
export function xavierNormal_(t: Tensor, o: XavierOptions = {}): Tensor {
  checkTensor(t, "xavierNormal_", true);
  const std = xavierStd(t, o, "xavierNormal_");
  return fill(t, () => randnOn(t.shape, t.backend, "nn.init.xavierNormal_").mul(std));
}

export interface KaimingOptions {
  /** Negative slope of the leakyRelu that follows (only used for it); default 0. */
  a?: number;
  /** "fanIn" (default) or "fanOut" (PyTorch's "fan_in"/"fan_out" also work). */
  mode?: Mode | "fan_in" | "fan_out";
  /** The nonlinearity that follows, for calculateGain; default "leakyRelu" (with a = 0: relu's gain). */
  nonlinearity?: Nonlinearity | string;
}

function kaimingStd(t: Tensor, o: KaimingOptions, where: string): number {
  const a = checkNumber(o.a ?? 0, where, "a");
  const fan = fanFor(t, o.mode ?? "fanIn", where);
  return calculateGain(o.nonlinearity ?? "leakyRelu", a) / Math.sqrt(fan);
}

/** Uniform in [-b, b) with b = gain * sqrt(3 / fan) (torch.nn.init.kaiming_uniform_). */
export function kaimingUniform_(t: Tensor, o: KaimingOptions = {}): Tensor {
  checkTensor(t, "kaimingUniform_", true);
  if (t.size === 0) return t; // as PyTorch: no fan to compute, nothing to fill
  const bound = Math.sqrt(3) * kaimingStd(t, o, "kaimingUniform_");
  return fill(t, () => randOn(t.shape, t.backend, "nn.init.kaimingUniform_").mul(2 * bound).sub(bound));
}

/** Normal with std = gain / sqrt(fan) (torch.nn.init.kaiming_normal_). */
export function kaimingNormal_(t: Tensor, o: KaimingOptions = {}): Tensor {
  checkTensor(t, "kaimingNormal_", true);
  if (t.size === 0) return t; // as PyTorch: no fan to compute, nothing to fill
  const std = kaimingStd(t, o, "kaimingNormal_");
  return fill(t, () => randnOn(t.shape, t.backend, "nn.init.kaimingNormal_").mul(std));
}
