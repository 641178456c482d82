// A traced program, compiled once and replayed on every later call with the same signature.
//
// Compilation: transposes around matmuls are rewritten away (rewrite.ts); steps whose results reach no output, assign or gradient are dropped (dead code:
// e.g. reshapes whose buffer is shared, or forward values backward never needed); a reduction
// of an elementwise result moves after the matmul that computes that result anyway (schedule.ts); every
// intermediate gets the step after which nothing reads it, so replay frees its buffer right
// there (the pooled GPU buffer is then reused by the next allocation of its size, the same
// reuse the eager path only gets at the end of a tidy()).
//
// Replay calls the backend kernels directly with the recorded shapes and attributes: no shape
// rules, device checks, Tensor objects, scopes or autodiff nodes for intermediates. Only the
// results that leave the function (outputs, assigned parameters, .grad) become Tensors.

import type { Backend, Storage } from "../backend/backend";
import type { DType } from "../dtype";
import type { Tensor as TensorT } from "../tensor";
import { Tensor } from "../tensor";
import { BufferRef, newBufferRef } from "../memory";
import { keep } from "../scope";
import { JitError } from "../errors";
import { checkInterrupt } from "../interrupt";
import type { KernelStep, Step, Target, Trace, ValueSource } from "./trace";
import { rewrite } from "./rewrite";
import { reduceAfterMaterialize } from "./schedule";

/** A tensor in the function's result: which value, with the shape and dtype it was returned as. */
export interface OutputLeaf {
  value: number;
  shape: number[];
  dtype: DType;
}

/** The result's structure, tensors replaced by indices into `outputs`. */
export type Template = { out: number } | { literal: unknown } | Template[] | { object: [string, Template][] };

interface CompiledKernel extends KernelStep {
  /** Intermediates whose last reader is this step. */
  frees: number[];
}

type Compiled = CompiledKernel | Exclude<Step, KernelStep>;

export class Program {
  private readonly steps: Compiled[] = [];
  private readonly values: ValueSource[];
  private readonly backend: Backend | null;
  private readonly assigns: { target: Target; value: number; shape: number[]; dtype: DType }[];
  private readonly grads: { target: Target; value: number | null; shape: number[]; dtype: DType }[];
  private readonly gradGuards: [TensorT, boolean][];
  private readonly flagGuards: { read: () => unknown; value: unknown }[];
  /** Kernel launches per replay (after dead-code removal), for tests and profiling. */
  readonly kernels: number;

  constructor(
    private readonly trace: Trace,
    private outputs: OutputLeaf[],
    private readonly template: Template,
  ) {
    this.values = trace.values;
    this.gradGuards = [...trace.gradGuards];
    this.flagGuards = [...trace.flagGuards.values()];
    this.backend = trace.backend;
    const assigns = [...trace.assigns].map(([t, a]) => ({ ...a, shape: t.shape, dtype: t.dtype }));
    const grads = [...trace.grads].map(([t, g]) => ({ ...g, shape: t.shape, dtype: t.dtype }));
    const escapes = () => {
      const set = new Set<number>([...this.outputs.map((o) => o.value), ...assigns.map((a) => a.value)]);
      for (const g of grads) if (g.value !== null) set.add(g.value);
      return set;
    };
    // TSDL_JIT_REWRITE=0 replays the trace as recorded (for A/B measurements).
    const rewrites = typeof process === "undefined" || process.env?.TSDL_JIT_REWRITE !== "0";
    const { steps, alias } = rewrites ? rewrite(trace.steps, this.values, escapes()) : { steps: trace.steps, alias: new Map<number, number>() };
    const resolve = (v: number) => alias.get(v) ?? v;
    this.outputs = this.outputs.map((o) => ({ ...o, value: resolve(o.value) }));
    this.assigns = assigns.map((a) => ({ ...a, value: resolve(a.value) }));
    this.grads = grads.map((g) => ({ ...g, value: g.value === null ? null : resolve(g.value) }));
    const escaping = escapes();

    // Dead-code removal, backwards from what escapes. Sources and effects always run: skipping a
    // random draw would shift the generator's stream relative to eager execution.
    const live = new Set(escaping);
    const keepStep = steps.map(() => false);
    for (let i = steps.length - 1; i >= 0; i--) {
      const s = steps[i];
      if (s.kind !== "kernel") keepStep[i] = true;
      else if (live.has(s.result)) {
        keepStep[i] = true;
        for (const v of s.inputs) live.add(v);
      }
    }
    const kept = steps.filter((_, i) => keepStep[i]);
    const lastUse = new Map<number, CompiledKernel>();
    for (const s of rewrites ? reduceAfterMaterialize(kept) : kept) {
      if (s.kind !== "kernel") {
        this.steps.push(s);
        continue;
      }
      const c: CompiledKernel = { ...s, frees: [] };
      for (const v of s.inputs) if (this.values[v].kind === "step") lastUse.set(v, c);
      this.steps.push(c);
    }
    for (const [v, step] of lastUse) if (!escaping.has(v)) step.frees.push(v);
    this.kernels = this.steps.filter((s) => s.kind === "kernel").length;
  }

  /** Whether the JS state the trace depended on is as it was (see Trace.gradGuards). */
  matches(): boolean {
    return (
      this.gradGuards.every(([owner, wasNull]) => (owner.peekGrad() === null) === wasNull) &&
      this.flagGuards.every((g) => g.read() === g.value)
    );
  }

  /** Runs the program on new arguments (the tensors of the call, in flattening order). */
  replay(args: TensorT[]): unknown {
    checkInterrupt();
    const storages: Storage[] = new Array(this.values.length);
    const sources: (TensorT | undefined)[] = new Array(this.values.length);
    this.values.forEach((v, i) => {
      if (v.kind === "arg") storages[i] = args[v.slot].storage;
      else if (v.kind === "const") storages[i] = constStorage(v);
    });
    const backend = this.backend;
    for (const s of this.steps) {
      if (s.kind === "kernel") {
        const inputs = s.inputs.map((v) => storages[v]);
        // The step pairs prim and attrs as dispatch.run did; the table's per-primitive types
        // cannot see that through a union, hence the cast.
        storages[s.result] = backend!.kernels[s.prim]({ inputs, infos: s.infos, out: s.out, attrs: s.attrs as never });
        for (const v of s.frees) backend!.free(storages[v]);
      } else if (s.kind === "source") {
        const t = s.make();
        sources[s.result] = t;
        storages[s.result] = t.storage;
      } else {
        s.run();
      }
    }

    // One BufferRef per escaping intermediate, shared by every tensor that receives it.
    const refs = new Map<number, BufferRef>();
    const refOf = (v: number): BufferRef => {
      const src = this.values[v];
      let ref: BufferRef | undefined;
      if (src.kind === "step") {
        ref = refs.get(v);
        if (!ref) {
          refs.set(v, (ref = newBufferRef(backend!, storages[v])));
          return ref;
        }
      } else if (src.kind === "source") ref = sources[v]!.ref!;
      else if (src.kind === "arg") ref = args[src.slot].ref!;
      else ref = constRef(src);
      ref.refs += 1;
      return ref;
    };
    const targetOf = (t: Target): TensorT => ("slot" in t ? args[t.slot] : t.resolve());
    for (const a of this.assigns) targetOf(a.target).adoptRef(refOf(a.value));
    for (const g of this.grads) {
      const owner = targetOf(g.target);
      owner.setOwnedGrad(g.value === null ? null : keep(new Tensor(refOf(g.value), g.shape, g.dtype)));
    }
    const outs = this.outputs.map((o) => {
      const t = new Tensor(refOf(o.value), o.shape, o.dtype);
      t.fromJit = true;
      return t;
    });
    for (const t of sources) t?.dispose();
    return build(this.template, outs);
  }

  /** One line per replayed step, like jax.make_jaxpr: `%3 = matmul(%1, %2) [128,784]x[784,256] -> [128,256]`. */
  describe(): string {
    const name = (v: number) => {
      const src = this.values[v];
      return src.kind === "arg" ? `arg${src.slot}` : src.kind === "const" ? `c${v}` : `%${v}`;
    };
    return this.steps
      .map((s) => {
        if (s.kind === "effect") return "(host effect)";
        if (s.kind === "source") return `${name(s.result)} = host source`;
        const attrs = Object.keys(s.attrs).length ? ` ${JSON.stringify(s.attrs)}` : "";
        const shapes = s.infos.map((i) => `[${i.shape.join(",")}]`).join("x");
        return `${name(s.result)} = ${s.prim}(${s.inputs.map(name).join(", ")})${attrs} ${shapes} -> [${s.out.shape.join(",")}]`;
      })
      .join("\n");
  }

  /** Releases the buffers the trace kept for constants it made. */
  dispose(): void {
    this.trace.release();
  }
}

function constTensor(v: Extract<ValueSource, { kind: "const" }>): TensorT | null {
  const t = v.resolve();
  return t.isDisposed ? null : t;
}

function constStorage(v: Extract<ValueSource, { kind: "const" }>): Storage {
  const t = constTensor(v);
  if (t) return t.storage;
  if (v.retained?.storage) return v.retained.storage;
  throw new JitError(
    "jit: a tensor that the function captured when it was traced has been disposed since; keep it alive " +
      "while the jitted function is in use, or make a new jit() after replacing it",
  );
}

function constRef(v: Extract<ValueSource, { kind: "const" }>): BufferRef {
  const t = constTensor(v);
  return t ? t.ref! : v.retained!;
}

export function build(t: Template, outs: TensorT[]): unknown {
  if (Array.isArray(t)) return t.map((x) => build(x, outs));
  if ("out" in t) return outs[t.out];
  if ("literal" in t) return t.literal;
  return Object.fromEntries(t.object.map(([k, v]) => [k, build(v, outs)]));
}
