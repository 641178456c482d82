// What every loss shares: the reduction ("mean" | "sum" | "none", PyTorch's names and default),
// given either positionally (the original signature, loss(a, b, "sum")) or inside an options
// object (PyTorch's keyword arguments), and the checks of options and shapes that name the
// loss, the option and the value.

import type { Tensor } from "../tensor";
import { isTensor } from "../creation";
import { InputError, ShapeError } from "../errors";
import { formatShape } from "../shape";

export type Reduction = "mean" | "sum" | "none";

export interface ReductionOption {
  /** "mean" (default), "sum", or "none" for the per-element losses. */
  reduction?: Reduction;
}

/** The options object, whether the caller passed a reduction string or options. */
export function lossOptions<O extends ReductionOption>(op: string, arg: Reduction | O | undefined, allowed: readonly string[] = []): O {
  if (arg === undefined) return {} as O;
  if (typeof arg === "string") return { reduction: checkReduction(op, arg) } as O;
  if (typeof arg !== "object" || arg === null) throw new InputError(`${op}: expected a reduction string or an options object, got ${String(arg)}`);
  for (const key of Object.keys(arg)) {
    if (key !== "reduction" && !allowed.includes(key)) {
      throw new InputError(`${op}: unknown option "${key}"; the options are ${["reduction", ...allowed].join(", ")}`);
    }
  }
  if (arg.reduction !== undefined) checkReduction(op, arg.reduction);
  return arg;
}

export function checkReduction(op: string, r: string, extra: readonly string[] = []): Reduction {
  const ok = ["mean", "sum", "none", ...extra];
  if (!ok.includes(r)) throw new InputError(`${op}: reduction must be ${ok.map((v) => `"${v}"`).join(", ")}; got ${JSON.stringify(r)}`);
  return r as Reduction;
}

export function reduce(x: Tensor, reduction: Reduction = "mean"): Tensor {
  return reduction === "none" ? x : reduction === "sum" ? x.sum() : x.mean();
}

/** A number option: finite and passing `ok`, else an error naming option, value and range. */
export function numberOption(op: string, name: string, v: unknown, fallback: number, ok: (v: number) => boolean, range: string): number {
  if (v === undefined) return fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || !ok(v)) throw new InputError(`${op}: ${name} must be ${range}, got ${String(v)}`);
  return v;
}

/** An optional tensor option (a class weight, posWeight), float32 on use. */
export function tensorOption(op: string, name: string, v: unknown): Tensor | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isTensor(v)) throw new InputError(`${op}: ${name} must be a Tensor, got ${typeof v}`);
  return v.astype("float32");
}

export function sameShape(op: string, a: Tensor, b: Tensor, roles: [string, string]): void {
  if (a.shape.join() !== b.shape.join()) {
    throw new ShapeError(`${op}: ${roles[0]} shape ${formatShape(a.shape)} differs from ${roles[1]} shape ${formatShape(b.shape)}`, {
      op,
      operands: [
        { role: roles[0], shape: a.shape.slice(), dtype: a.dtype },
        { role: roles[1], shape: b.shape.slice(), dtype: b.dtype },
      ],
      conflict: [],
      rule: `${op} compares {${roles[0]}} and {${roles[1]}} element by element, so their shapes must be equal.`,
      suggestions: b.size === a.size ? [{ code: `{${roles[1]}}.reshape(${formatShape(a.shape)})`, resultShape: a.shape.slice() }] : [],
    });
  }
}
