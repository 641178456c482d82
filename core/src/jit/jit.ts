// jit(fn): trace once per input signature, replay the recorded device program afterwards.
//
//   const step = jit((x, y) => {
//     const loss = nn.crossEntropy(model.forward(x), y);
//     opt.zeroGrad(); loss.backward(); opt.step();
//     return loss;
//   });
//   for (...) { const loss = step(x, y); ... }   // first call traces, later calls replay
//
// Like jax.jit, the function runs eagerly (for real, with its results) on its first call for a
// signature: argument shapes and dtypes, the other (non-tensor) arguments, the backend and the
// grad mode (and whether parameters' .grad was null, where the function accumulates into it).
// Later calls with that signature skip the JavaScript: only the recorded primitive
// applications run again, plus what the op layer recorded as host work (random draws,
// optimizer hyperparameters and step counters, see trace.ts). Writes to captured tensors
// (Tensor.assign, as optimizers do) and .grad are replayed too.
//
// What replay cannot see, like JAX: JavaScript control flow and values outside tensors are
// frozen at trace time. A branch on a JS variable of your own takes the traced side on every
// call; pass such values as arguments (they are part of the signature) so a change retraces.
// The exception is a module's training flag (model.train() / eval()), which the trace guards
// on, as torch.compile does: switching mode traces again, or replays that mode's trace. Reading a traced tensor's values on the host inside
// the function (item(), data(), array()) throws a JitError: an error, not torch.compile's silent
// graph break, because a fallback would hide that the step is no longer compiled, and freezing
// one call's values would be wrong. Printing one shows a placeholder, as JAX prints a tracer.
// Checks that read index values on the host (the range check of take/gather) run while
// tracing only.
//
// Results carry no autodiff graph (replay records none): differentiate inside the function
// (loss.backward() and opt.step() in it, or jit(grad(f))). grad(jit(f)), where an argument
// requires grad, runs the function without jit after a one-time warning rather than giving
// zero gradients.

import type { Tensor } from "../tensor";
import { peekNextTensorId } from "../tensor";
import { isTensor } from "../creation";
import { currentBackend } from "../backend/registry";
import { isGradEnabled } from "../autodiff/mode";
import { vmapRunning } from "../vmap/hook";
import { JitError } from "../errors";
import { Trace, active, setActive } from "./trace";
import { Program, build, type OutputLeaf, type Template } from "./program";

function detached(t: Tensor, firstId: number): Tensor {
  const d = t.requiresGrad || t.node ? t.detach() : t;
  if (d !== t || t.id >= firstId) d.fromJit = true; // not an argument returned as it is
  return d;
}

export interface Jitted<A extends unknown[], R> {
  (...args: A): R;
  /** How many times the function was traced (once per distinct signature). */
  readonly traces: number;
  /** Kernel launches per replay of the most recent trace (after dead-code removal). */
  readonly kernels: number;
  /** The most recent trace's replayed program, one step per line (for inspection). */
  describe(): string;
  /** Forgets every trace and the constant buffers they kept. */
  dispose(): void;
}

const objectIds = new WeakMap<object, number>();
let nextObjectId = 1;

/** Flattens the arguments into their tensors and a signature key (shapes, dtypes, aliasing, and
 * the non-tensor values: primitives by value, objects by identity). */
function signature(args: unknown[]): { tensors: Tensor[]; key: string } {
  const tensors: Tensor[] = [];
  const parts: string[] = [];
  const walk = (v: unknown): void => {
    if (isTensor(v)) {
      const seen = tensors.indexOf(v);
      tensors.push(v);
      parts.push(seen >= 0 ? `T=${seen}` : `T${v.device}:${v.dtype}[${v.shape.join(",")}]`);
    } else if (Array.isArray(v)) {
      parts.push("[");
      v.forEach(walk);
      parts.push("]");
    } else if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
      parts.push("{");
      for (const [k, x] of Object.entries(v)) {
        parts.push(JSON.stringify(k));
        walk(x);
      }
      parts.push("}");
    } else if ((v && typeof v === "object") || typeof v === "function") {
      let id = objectIds.get(v as object);
      if (id === undefined) objectIds.set(v as object, (id = nextObjectId++));
      parts.push(`#${id}`);
    } else {
      parts.push(typeof v === "string" ? JSON.stringify(v) : `${typeof v}:${String(v)}`);
    }
  };
  args.forEach(walk);
  return { tensors, key: parts.join(" ") };
}

/** The result's structure, with each tensor recorded as an output of the program. */
function templateOf(result: unknown, trace: Trace, outputs: OutputLeaf[], tensors: Tensor[]): Template {
  if (isTensor(result)) {
    outputs.push({ value: trace.valueOf(result), shape: result.shape.slice(), dtype: result.dtype });
    tensors.push(result);
    return { out: outputs.length - 1 };
  }
  if (Array.isArray(result)) return result.map((r) => templateOf(r, trace, outputs, tensors));
  if (result && typeof result === "object" && Object.getPrototypeOf(result) === Object.prototype) {
    return { object: Object.entries(result).map(([k, v]) => [k, templateOf(v, trace, outputs, tensors)]) };
  }
  if (result instanceof Promise) {
    throw new JitError("jit: the function returned a Promise; jit traces synchronous functions (await the results after calling it)");
  }
  return { literal: result };
}

/**
 * Traces fn on its first call per argument signature and replays the recorded device program
 * on later calls (see the top of this file for what is and is not replayed).
 */
export function jit<A extends unknown[], R>(fn: (...args: A) => R): Jitted<A, R> {
  if (typeof fn !== "function") throw new JitError(`jit: expected a function, got ${typeof fn}`);
  const cache = new Map<string, Program[]>();
  let traces = 0;
  let last: Program | null = null;
  let warned = false;

  const call = (...args: A): R => {
    // Inside another jit's trace the function is part of the outer program.
    if (active) return fn(...args);
    // Inside vmap the function's ops are batched as they run (vmap/rules.ts); jit(vmap(f)) is
    // the order that records them.
    if (vmapRunning()) return fn(...args);
    const { tensors, key: argKey } = signature(args);
    if (isGradEnabled() && tensors.some((t) => t.requiresGrad)) {
      // grad(jit(f)): the outer grad needs the graph jit does not record. Correct beats fast.
      if (!warned) {
        warned = true;
        console.warn(
          "jit: an argument requires grad (grad(jit(f)), or a tensor with requiresGrad passed in), and jit records " +
            "no autodiff graph, so this function runs without jit; use jit(grad(f)), or call backward() inside it",
        );
      }
      return fn(...args);
    }
    const key = `${currentBackend().name} grad=${isGradEnabled()} ${argKey}`;
    const cached = cache.get(key)?.find((p) => p.matches());
    if (cached) return cached.replay(tensors) as R;

    const trace = new Trace(peekNextTensorId());
    tensors.forEach((t, i) => trace.addArg(t, i));
    let program: Program;
    let result: R;
    setActive(trace);
    try {
      const value = fn(...args);
      const outputs: OutputLeaf[] = [];
      const returned: Tensor[] = [];
      const template = templateOf(value, trace, outputs, returned);
      program = new Program(trace, outputs, template);
      // Results carry no autodiff graph, on this call as on the replays (Program.replay).
      result = build(template, returned.map((t) => detached(t, trace.firstId))) as R;
    } catch (e) {
      trace.release();
      throw e;
    } finally {
      setActive(null);
      trace.trimRetained();
      trace.ids.clear(); // only needed while recording; holding the refs would keep buffers alive
    }
    traces += 1;
    cache.set(key, [...(cache.get(key) ?? []), program]);
    last = program;
    return result;
  };

  return Object.defineProperties(call, {
    traces: { get: () => traces },
    kernels: { get: () => last?.kernels ?? 0 },
    describe: { value: () => last?.describe() ?? "(not traced yet)" },
    dispose: {
      value: () => {
        for (const list of cache.values()) for (const p of list) p.dispose();
        cache.clear();
        last = null;
      },
    },
  }) as Jitted<A, R>;
}
