// vmap(f): f written for one example, run on a batch (jax.vmap, torch.func.vmap). Each mapped
// argument is replaced by a BatchedTensor for the call; ops on it run once over the batch
// (rules.ts), and the results come back with the batch axis where outAxes says. Composes with
// grad in both orders: vmap(grad(f)) gives per-example gradients, grad(vmap(f)) differentiates
// the batched computation, and jit(vmap(f)) records the batched kernels.

import type { Primitive, PrimitiveAttrs, TensorInfo } from "../ops/primitives";
import { Tensor } from "../tensor";
import { BatchedTensor, type Level } from "./batched";
import { batchRules, type Operand } from "./rules";
import { setBatchHook, setRandomHook } from "./hook";
import { isGradEnabled } from "../autodiff/mode";
import { mapTree } from "../autodiff/grad";
import { run, type GradNode } from "../dispatch";
import { InputError } from "../errors";
import { formatShape } from "../shape";
import { openScope, popScope, trackInScope } from "../scope";

export interface VmapOptions {
  /**
   * Which axis of each positional argument holds the examples: one entry per argument (null:
   * not mapped, the same for every example), or one number for all. Default 0. An argument
   * that is an array or object of tensors maps all of them along its axis.
   */
  inAxes?: number | null | (number | null)[];
  /** Where the examples go in each result: one number, or one per element of a returned array. Default 0. */
  outAxes?: number | number[];
  /**
   * Random draws inside the function (dropout, noise), as torch.func.vmap's option: "error"
   * (the default) refuses them, "different" draws independently for every example, "same"
   * draws once for all.
   */
  randomness?: "error" | "same" | "different";
}

const levels: Level[] = [];

function hook<P extends Primitive>(prim: P, inputs: Tensor[], out: TensorInfo, attrs: PrimitiveAttrs[P]): Tensor | null {
  // The innermost vmap batches first; tensors batched by an outer one are constants here, and
  // their own level batches the ops this rule runs on them.
  let level: Level | null = null;
  for (const t of inputs) {
    if (t instanceof BatchedTensor && (!level || t.level.depth > level.depth)) level = t.level;
  }
  if (!level) return null;
  const ins: Operand[] = inputs.map((t) => (t instanceof BatchedTensor && t.level === level ? { t: t.inner, b: true } : { t, b: false }));
  // What the rule makes is this call's to free (vmap's sweep), not an enclosing tidy()'s.
  const scope = openScope();
  let inner: Tensor;
  try {
    inner = batchRules[prim](ins, attrs, out, level.size);
  } finally {
    for (const t of popScope(scope)) level.made.push(t);
  }
  if (inner.ndim !== out.shape.length + 1 || inner.shape[0] !== level.size || out.shape.some((d, i) => inner.shape[i + 1] !== d)) {
    throw new Error(`internal: vmap's ${prim} rule made ${formatShape(inner.shape)} for ${level.size} examples of ${formatShape(out.shape)}`);
  }
  const result = new BatchedTensor(inner, level, false);
  // Autodiff at this level: per-example shapes, so a grad inside vmap sees one example.
  if (isGradEnabled() && out.dtype === "float32" && inputs.some((t) => t.requiresGrad)) {
    result.node = { prim, attrs, inputs } as GradNode;
    result.requiresGrad = true;
  }
  return result;
}

/**
 * A random draw inside running vmaps: every level drawing "different" values adds its batch
 * axis in front (outermost first), and the draw is wrapped level by level, so each example of
 * each level gets its own values.
 */
function randomDraw(where: string, shape: number[], draw: (shape: number[]) => Tensor): Tensor {
  const refusing = levels.find((l) => l.randomness === "error");
  if (refusing) {
    throw new InputError(
      `${where} inside vmap: a draw here would be the same for every example; pass { randomness: "different" } ` +
        `to vmap for a draw per example (dropout), { randomness: "same" } for one shared draw, or draw outside ` +
        `the function with the batch axis included and pass the values in`,
    );
  }
  const batched = levels.filter((l) => l.randomness === "different");
  let t = draw([...batched.map((l) => l.size), ...shape]);
  for (const l of batched) t = new BatchedTensor(t, l, true);
  return t;
}

function moveAxis(t: Tensor, from: number, to: number): Tensor {
  if (from === to) return t;
  const perm = Array.from({ length: t.ndim }, (_, i) => i).filter((i) => i !== from);
  perm.splice(to, 0, from);
  return run("permute", [t], { perm });
}

function inAxesFor(options: VmapOptions, nargs: number): (number | null)[] {
  const a = options.inAxes === undefined ? 0 : options.inAxes;
  if (!Array.isArray(a)) return new Array(nargs).fill(a);
  if (a.length !== nargs) {
    throw new InputError(`vmap: inAxes has ${a.length} entries, but the function was called with ${nargs} arguments; give one entry per argument (null for one that is not mapped)`);
  }
  return a;
}

function checkAxis(ax: unknown, what: string): void {
  if (ax !== null && !Number.isInteger(ax)) throw new InputError(`vmap: ${what} must be an integer axis or null, got ${String(ax)}`);
}

/** Tensors the results still need: themselves, and an autodiff graph through them to tensors
 * outside (grad of a vmapped function differentiates through the batched ops). */
function needed(results: Tensor[]): Set<Tensor> {
  const seen = new Set<Tensor>();
  const stack = [...results];
  while (stack.length) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    const node = t.node;
    if (node) stack.push(...node.inputs, ...(node.internals ?? []));
  }
  return seen;
}

/**
 * vmap(f) runs f, written for one example, over a batch: vmap(f)(xs) stacks f(x) for every x
 * along xs's axis 0, in one op per op of f. Per-example gradients: vmap(grad(loss), { inAxes:
 * [null, 0, 0] })(params, xs, ys).
 */
export function vmap<A extends unknown[], R>(fn: (...args: A) => R, options: VmapOptions = {}): (...args: A) => R {
  if (typeof fn !== "function") throw new InputError(`vmap: expected a function, got ${typeof fn}`);
  const randomness = options.randomness ?? "error";
  if (!["error", "same", "different"].includes(randomness)) {
    throw new InputError(`vmap: randomness must be "error", "same" or "different", got ${JSON.stringify(randomness)}`);
  }
  const outAxes = options.outAxes ?? 0;
  for (const a of Array.isArray(outAxes) ? outAxes : [outAxes]) checkAxis(a, "outAxes");
  return (...args: A): R => {
    const axes = inAxesFor(options, args.length);
    axes.forEach((a, i) => checkAxis(a, `inAxes[${i}]`));
    // Find the batch size: every mapped tensor must agree.
    const sizes: string[] = [];
    let size = -1;
    args.forEach((arg, i) => {
      const ax = axes[i];
      if (ax === null) return;
      mapTree(arg, (t) => {
        if (ax < -t.ndim || ax >= t.ndim || t.ndim === 0) {
          throw new InputError(`vmap: argument ${i} has shape ${formatShape(t.shape)}, which has no axis ${ax} to map over (inAxes[${i}] = ${ax}); use null for an argument that is the same for every example`);
        }
        const n = t.shape[ax < 0 ? ax + t.ndim : ax];
        sizes.push(`argument ${i} has ${n} along axis ${ax} of ${formatShape(t.shape)}`);
        if (size < 0) size = n;
        else if (n !== size) throw new InputError(`vmap: the mapped axes have different sizes: ${sizes.join(", ")}; every mapped axis must have the same size (the number of examples)`);
        return t;
      });
    });
    if (size < 0) {
      throw new InputError("vmap: no argument is mapped: give at least one tensor argument with a non-null entry in inAxes");
    }
    const level: Level = { depth: levels.length + 1, size, made: [], closed: false, randomness: options.randomness ?? "error" };
    levels.push(level);
    setBatchHook(hook);
    setRandomHook(randomDraw);
    let results: Tensor[] = [];
    try {
      const batched = args.map((arg, i) => {
        const ax = axes[i];
        if (ax === null) return arg;
        return mapTree(arg, (t) => {
          const a = ax < 0 ? ax + t.ndim : ax;
          if (a === 0) return new BatchedTensor(t, level, false);
          const moved = moveAxis(t, a, 0);
          return new BatchedTensor(moved, level, true);
        });
      });
      const value = fn(...(batched as A));
      if (value instanceof Promise) throw new InputError("vmap: the function must be synchronous (it returned a Promise)");
      let k = 0;
      const out = mapTree(value, (t) => {
        const slot = k++;
        const to = Array.isArray(outAxes) ? outAxes[slot] : outAxes;
        if (to === undefined) throw new InputError(`vmap: outAxes has ${(outAxes as number[]).length} entries, but the function returned more tensors`);
        // A result that does not depend on the batch is the same for every example.
        const stacked = t instanceof BatchedTensor && t.level === level ? t.inner : run("broadcast", [run("reshape", [t], { shape: [1, ...t.shape] })], { shape: [size, ...t.shape] });
        if (to < -stacked.ndim || to >= stacked.ndim) {
          throw new InputError(`vmap: outAxes ${to} is out of range for a result of shape ${formatShape(stacked.shape)} (the examples' axis included)`);
        }
        const r = moveAxis(stacked, 0, to < 0 ? to + stacked.ndim : to);
        results.push(r);
        return r;
      });
      if (k === 0) throw new InputError(`vmap: the function must return a tensor, or an array or object of tensors; it returned ${value === null ? "null" : typeof value}`);
      return out as R;
    } catch (e) {
      results = [];
      throw e;
    } finally {
      levels.pop();
      level.closed = true;
      if (levels.length === 0) {
        setBatchHook(null);
        setRandomHook(null);
      }
      const keep = needed(results);
      for (const t of level.made) {
        if (keep.has(t)) trackInScope(t);
        else t.dispose();
      }
    }
  };
}
