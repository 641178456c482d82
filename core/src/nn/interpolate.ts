// Resizing images [N, C, H, W], as torch's F.interpolate and nn.Upsample: "nearest" and
// "bilinear" (alignCorners false or true). Which source rows and columns each output reads,
// and with what weights, depends only on the sizes, so it is worked out on the host and the
// resize is two gathers (take) per axis and a weighted sum: gradients come from take's.
//
// Source coordinates follow PyTorch (aten/src/ATen/native/UpSample.h): a given scaleFactor is
// used as it is (1 / scaleFactor per output step), a given size as in / out; nearest picks
// floor(dst * scale) in float32 as torch's kernels do; bilinear without alignCorners maps pixel
// centres, (dst + 0.5) scale - 0.5 clamped at 0, and with alignCorners maps corner to corner.

import type { Tensor } from "../tensor";
import { Module } from "./module";
import { builtinLayer } from "./layers";
import { tensor } from "../creation";
import { InputError } from "../errors";
import { formatShape } from "../shape";
import { internal } from "../scope";
import { imageError } from "./conv";

export type InterpolateMode = "nearest" | "bilinear";

export interface InterpolateOptions {
  /** The output's [H, W] (or one number for both); give this or scaleFactor. */
  size?: number | [number, number];
  /** Output = floor(input * scaleFactor) per axis (one number for both). */
  scaleFactor?: number | [number, number];
  /** "nearest" (default) or "bilinear". */
  mode?: InterpolateMode;
  /** bilinear only: map the corner pixels' centres onto each other (default false). */
  alignCorners?: boolean;
}

interface Axis {
  out: number;
  i0: number[];
  i1: number[];
  w1: number[];
}

function pairOf(op: string, name: string, v: number | [number, number], ok: (v: number) => boolean, range: string): [number, number] {
  const p: unknown[] = Array.isArray(v) ? v : [v, v];
  if (p.length !== 2 || p.some((e) => typeof e !== "number" || !ok(e))) {
    throw new InputError(`${op}: ${name} must be ${range} or a pair of them, got ${JSON.stringify(v)}`);
  }
  return p as [number, number];
}

/** Sources and weights of one axis resized from `size` to `out`. */
function axisPlan(mode: InterpolateMode, size: number, out: number, scaleFactor: number | undefined, alignCorners: boolean): Axis {
  const i0: number[] = [];
  const i1: number[] = [];
  const w1: number[] = [];
  const scale = scaleFactor !== undefined ? 1 / scaleFactor : size / out;
  for (let d = 0; d < out; d++) {
    if (mode === "nearest") {
      i0.push(Math.min(Math.floor(Math.fround(d * Math.fround(scale))), size - 1));
      continue;
    }
    let src: number;
    if (alignCorners) src = out > 1 ? (d * (size - 1)) / (out - 1) : 0;
    else src = Math.max((d + 0.5) * scale - 0.5, 0);
    const lo = Math.min(Math.floor(src), size - 1);
    i0.push(lo);
    i1.push(Math.min(lo + 1, size - 1));
    w1.push(src - lo);
  }
  return { out, i0, i1, w1 };
}

/** x resized along `axis` by a plan: one gather (nearest) or two and a lerp (bilinear). */
function resizeAxis(x: Tensor, axis: number, plan: Axis, mode: InterpolateMode): Tensor {
  if (mode === "nearest") return x.take(plan.i0, axis);
  const shape = x.shape.map((_, i) => (i === axis ? plan.out : 1));
  const w1 = tensor(plan.w1, { dtype: "float32" }).reshape(shape);
  const w0 = tensor(plan.w1.map((w) => 1 - w), { dtype: "float32" }).reshape(shape);
  return x.take(plan.i0, axis).mul(w0).add(x.take(plan.i1, axis).mul(w1));
}

interface Parsed {
  mode: InterpolateMode;
  align: boolean;
  size?: [number, number];
  factors?: [number, number];
}

/** The options checked without an input, so that nn.Upsample fails at construction. */
function parse(op: string, options: InterpolateOptions): Parsed {
  if (typeof options !== "object" || options === null) throw new InputError(`${op}: options must be an object such as { scaleFactor: 2 }, got ${String(options)}`);
  for (const k of Object.keys(options)) {
    if (!["size", "scaleFactor", "mode", "alignCorners"].includes(k)) {
      throw new InputError(`${op}: unknown option "${k}"; the options are size, scaleFactor, mode, alignCorners`);
    }
  }
  const mode = options.mode ?? "nearest";
  if (mode !== "nearest" && mode !== "bilinear") throw new InputError(`${op}: mode must be "nearest" or "bilinear", got ${JSON.stringify(mode)}`);
  if (options.alignCorners !== undefined && mode !== "bilinear") {
    throw new InputError(`${op}: alignCorners can only be set with mode "bilinear" (got mode "${mode}")`);
  }
  if ((options.size === undefined) === (options.scaleFactor === undefined)) {
    throw new InputError(`${op}: give exactly one of size and scaleFactor, got ${options.size === undefined ? "neither" : "both"}`);
  }
  const align = options.alignCorners ?? false;
  if (options.size !== undefined) return { mode, align, size: pairOf(op, "size", options.size, (v) => Number.isInteger(v) && v > 0, "a positive integer") };
  return { mode, align, factors: pairOf(op, "scaleFactor", options.scaleFactor!, (v) => Number.isFinite(v) && v > 0, "a positive number") };
}

function resize(op: string, x: Tensor, o: Parsed): Tensor {
  if (x.ndim !== 4) throw imageError(op, x, null);
  const [h, w] = [x.shape[2], x.shape[3]];
  const out = o.size ?? [Math.floor(h * o.factors![0]), Math.floor(w * o.factors![1])];
  if (out[0] === 0 || out[1] === 0) throw new InputError(`${op}: scaleFactor ${JSON.stringify(o.factors)} makes an empty output from input ${formatShape(x.shape)}`);
  const rows = axisPlan(o.mode, h, out[0], o.factors?.[0], o.align);
  const cols = axisPlan(o.mode, w, out[1], o.factors?.[1], o.align);
  return internal(() => resizeAxis(resizeAxis(x.astype("float32"), 2, rows, o.mode), 3, cols, o.mode));
}

/**
 * Resizes images [N, C, H, W] to `size` or by `scaleFactor`, as torch's F.interpolate. E.g.
 * interpolate(x, { scaleFactor: 2, mode: "bilinear" }) doubles H and W.
 */
export function interpolate(x: Tensor, options: InterpolateOptions): Tensor {
  return resize("interpolate", x, parse("interpolate", options));
}

/** interpolate as a layer, as torch's nn.Upsample (mode "nearest" by default). */
export class Upsample extends Module {
  private readonly parsed: Parsed;
  constructor(readonly options: InterpolateOptions) {
    super();
    this.parsed = parse("Upsample", options);
  }
  forward(x: Tensor): Tensor {
    return resize("Upsample", x, this.parsed);
  }
  override describe(): string {
    const o = this.options;
    const parts = [o.size !== undefined ? `size=${JSON.stringify(o.size)}` : `scaleFactor=${JSON.stringify(o.scaleFactor)}`, `mode="${o.mode ?? "nearest"}"`];
    if (o.alignCorners !== undefined) parts.push(`alignCorners=${o.alignCorners}`);
    return `Upsample(${parts.join(", ")})`;
  }
}

builtinLayer(Upsample);
