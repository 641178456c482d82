// Recording a program while jit() runs a function eagerly for the first time. The op layer calls
// the hooks below from its few choke points (dispatch.run, Tensor.assign and .grad, host reads,
// random draws, optimizer hyperparameters); each is a single null check when no trace is open.
//
// Values are identified by their BufferRef, not by Tensor object: detach(), assign() and
// storage-sharing reshapes make new Tensors over the same buffer, and all of them must resolve to
// the same program value. A tensor that the trace did not make and that is not an argument is a
// captured constant (a module parameter, an optimizer's state, a scalar operand): the program
// reads its *current* buffer on every replay, so assigning to it between calls is respected.

import type { Backend, Storage } from "../backend/backend";
import type { Primitive, PrimitiveAttrs, TensorInfo } from "../ops/primitives";
import { type BufferRef, releaseRef } from "../memory";
import type { Tensor } from "../tensor";
import { JitError } from "../errors";

/** Where a program value comes from. */
export type ValueSource =
  | { kind: "arg"; slot: number }
  /** A tensor from outside the trace (or made on the host inside it): read at replay through
   * `resolve`; `retained` keeps the trace-time buffer for tensors the function later disposed. */
  | { kind: "const"; resolve: () => Tensor; retained: BufferRef | null }
  /** The result of a kernel step (or of one a rewrite added). */
  | { kind: "step" }
  /** The tensor a source step makes. */
  | { kind: "source" };

export interface KernelStep {
  kind: "kernel";
  prim: Primitive;
  attrs: PrimitiveAttrs[Primitive];
  inputs: number[];
  infos: TensorInfo[];
  out: TensorInfo;
  result: number;
}

/** A tensor made on the host on every call (random draws, hyperparameters read from JS). */
export interface SourceStep {
  kind: "source";
  make: () => Tensor;
  result: number;
}

/** Host-side bookkeeping that must happen on every call (an optimizer's step counter). */
export interface EffectStep {
  kind: "effect";
  run: () => void;
}

export type Step = KernelStep | SourceStep | EffectStep;

/** A tensor outside the program that the function wrote to: `target` is an argument slot or
 * a captured tensor. */
export type Target = { slot: number } | { resolve: () => Tensor };

export class Trace {
  readonly values: ValueSource[] = [];
  readonly steps: Step[] = [];
  /** Final writes, in order: target.assign(value) and target.grad = value (null: cleared). */
  readonly assigns = new Map<Tensor, { target: Target; value: number }>();
  readonly grads = new Map<Tensor, { target: Target; value: number | null }>();
  readonly ids = new Map<BufferRef, number>();
  /** Guards: tensors whose .grad the function read before writing it, and whether it was null.
   * backward() branches on that (accumulate or start), so a replay is only valid when it matches
   * (jit traces again otherwise, like torch.compile's guards). */
  readonly gradGuards = new Map<Tensor, boolean>();
  /** Guards on JS state the op layer knows the function branched on (a module's training
   * flag): a replay is only valid while each reads as it did (jit traces again otherwise). */
  readonly flagGuards = new Map<object, { read: () => unknown; value: unknown }>();
  private readonly gradTouched = new Set<Tensor>();
  /** Tensors made after this id were created inside the trace. */
  readonly firstId: number;
  backend: Backend | null = null;

  constructor(firstTensorId: number) {
    this.firstId = firstTensorId;
  }

  addArg(t: Tensor, slot: number): void {
    if (this.ids.has(t.ref!)) return; // the same tensor twice: the cache key records the aliasing
    this.ids.set(t.ref!, this.values.push({ kind: "arg", slot }) - 1);
  }

  /** Whether t is an argument or computed from one (its values are unknown while tracing). */
  isTraced(t: Tensor): boolean {
    const id = t.ref ? this.ids.get(t.ref) : undefined;
    return id !== undefined && this.values[id].kind !== "const";
  }

  /** The value id of t, registering it as a captured constant on first sight. */
  valueOf(t: Tensor, resolve?: () => Tensor): number {
    const ref = t.ref!;
    const known = this.ids.get(ref);
    if (known !== undefined) return known;
    let retained: BufferRef | null = null;
    if (t.id >= this.firstId) {
      // Made inside the trace on the host (onesLike(loss) in backward, optimizer state): the
      // function may dispose it before returning, so the program keeps the buffer.
      ref.refs += 1;
      retained = ref;
    }
    const id = this.values.push({ kind: "const", resolve: resolve ?? (() => t), retained }) - 1;
    this.ids.set(ref, id);
    return id;
  }

  kernel<P extends Primitive>(prim: P, attrs: PrimitiveAttrs[P], inputs: Tensor[], infos: TensorInfo[], out: TensorInfo, result: Tensor, storage: Storage): void {
    this.backend ??= result.backend;
    const ids = inputs.map((t) => this.valueOf(t));
    // A kernel that returned an input's buffer (reshape) adds no value: consumers read that
    // input's buffer with their own recorded shapes, and the step drops out of the program.
    const shared = inputs.findIndex((t) => t.storage === storage);
    if (shared >= 0) return;
    const id = this.values.push({ kind: "step" }) - 1;
    this.steps.push({ kind: "kernel", prim, attrs: attrs as PrimitiveAttrs[Primitive], inputs: ids, infos, out, result: id });
    this.ids.set(result.ref!, id);
  }

  source(t: Tensor, make: () => Tensor): void {
    const id = this.values.push({ kind: "source" }) - 1;
    this.steps.push({ kind: "source", make, result: id });
    this.ids.set(t.ref!, id);
  }

  effect(run: () => void): void {
    this.steps.push({ kind: "effect", run });
  }

  /** How a write to `t` reaches it on replay; null for tensors the trace itself computed. */
  private target(t: Tensor): Target | null {
    const id = this.valueOf(t);
    const v = this.values[id];
    if (v.kind === "arg") return { slot: v.slot };
    if (v.kind === "const") return { resolve: () => t };
    return null;
  }

  assign(target: Tensor, value: Tensor): void {
    const where = this.target(target);
    if (where) this.assigns.set(target, { target: where, value: this.valueOf(value) });
  }

  setGrad(owner: Tensor, g: Tensor | null): void {
    this.gradTouched.add(owner);
    if (owner.isDisposed) return;
    const where = this.target(owner);
    if (where) this.grads.set(owner, { target: where, value: g ? this.valueOf(g) : null });
  }

  /** The function read a flag of `owner` (e.g. Module.training) that decides what it computes. */
  readFlag(owner: object, read: () => unknown): void {
    if (!this.flagGuards.has(owner)) this.flagGuards.set(owner, { read, value: read() });
  }

  /** A gradient read from outside the trace (accumulation without zeroGrad) is owner.grad at
   * replay time, not the trace-time tensor. */
  readGrad(owner: Tensor, g: Tensor | null): void {
    if (!this.gradTouched.has(owner)) {
      this.gradTouched.add(owner);
      this.gradGuards.set(owner, g === null);
    }
    if (g?.ref && !this.ids.has(g.ref)) {
      this.valueOf(g, () => {
        const now = owner.peekGrad();
        if (!now) throw new JitError("jit: the function reads a parameter's .grad that was set when it was traced and is null now; call zeroGrad() inside the function, or call it on a new jit()");
        return now;
      });
    }
  }

  /** Gives back the trace-time buffers of constants that are alive and were assigned a new
   * buffer since (optimizer state): replay reads their current one, the first is garbage. */
  trimRetained(): void {
    for (const v of this.values) {
      if (v.kind !== "const" || !v.retained) continue;
      let t: Tensor | null = null;
      try {
        t = v.resolve();
      } catch {
        continue; // a .grad that is gone: keep what we have
      }
      if (!t.isDisposed && t.ref !== v.retained) {
        releaseRef(v.retained);
        v.retained = null;
      }
    }
  }

  /** Gives back the buffers kept for constants made inside the trace. */
  release(): void {
    for (const v of this.values) if (v.kind === "const" && v.retained) releaseRef(v.retained);
  }
}

/** The trace being recorded, if any (jit's first call per input signature). */
export let active: Trace | null = null;

export function setActive(t: Trace | null): void {
  active = t;
}

/** Throws for a host read of a traced value: its values differ on every call of the function. */
export function checkHostRead(t: Tensor, what: string): void {
  if (active && active.isTraced(t)) {
    throw new JitError(
      `jit: ${what} reads a tensor's values on the host while jit is tracing the function; the values ` +
        `change on every call, but only the device operations are replayed. Return the tensor from the ` +
        `function and read it after the call (e.g. const loss = step(x, y); await loss.item()), or call ` +
        `the function without jit`,
    );
  }
}

/**
 * A tensor made on the host (random numbers, a hyperparameter): recorded so that every replay
 * makes it again (fresh random numbers, the current learning rate) instead of reusing the
 * trace's values.
 */
export function hostSource(make: () => Tensor): Tensor {
  const t = make();
  active?.source(t, make);
  return t;
}

/** Host bookkeeping done now and, under jit, again on every replay. */
export function hostEffect(run: () => void): void {
  run();
  active?.effect(run);
}
