// nn.Module: a container of parameters and submodules, found by walking the module's own
// properties in the order they were assigned (PyTorch registers them in __setattr__; in
// TypeScript assignment order is enough). A parameter is a float32 tensor with requiresGrad.

import { Tensor } from "../tensor";
import type { BackendName } from "../backend/backend";
import { isTensor } from "../creation";
import { InputError } from "../errors";
import { formatShape } from "../shape";
import { active as activeTrace } from "../jit/trace";
import { torchNames, torchOnly } from "./torch-names";
import { addForwardHook, addForwardPreHook, type ForwardHook, type ForwardPreHook } from "./hooks";
import type { HookHandle } from "../autodiff/hooks";

export abstract class Module {
  private _training = true;
  /** Training mode (e.g. Dropout active). Under jit, reading it makes the trace depend on it:
   * after model.eval() or train() the function is traced again (or an earlier trace for that
   * mode replays), as torch.compile guards on it. */
  get training(): boolean {
    if (activeTrace) activeTrace.readFlag(this, () => this._training);
    return this._training;
  }
  set training(on: boolean) {
    this._training = on;
  }

  // any: a module's forward takes what it needs (attention: query, key, value and options).
  abstract forward(...inputs: any[]): Tensor;

  /** Same as forward(): modules are called like functions in PyTorch. */
  call(...inputs: any[]): Tensor {
    return this.forward(...inputs);
  }

  /**
   * Calls hook(module, inputs, output) after every forward of this module, as PyTorch's
   * register_forward_hook; a returned tensor replaces the output. E.g. recording activations:
   * model.layers[0].registerForwardHook((m, inputs, out) => { acts.push(out.detach()); }).
   * A clone() has no hooks.
   */
  registerForwardHook(hook: ForwardHook): HookHandle {
    return addForwardHook(this, hook);
  }

  /** Calls hook(module, inputs) before every forward; a returned array replaces the inputs. */
  registerForwardPreHook(hook: ForwardPreHook): HookHandle {
    return addForwardPreHook(this, hook);
  }

  /** Direct submodules with their property names (arrays of modules get "name.i"). */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [k, v] of Object.entries(this)) {
      if (v instanceof Module) out.push([k, v]);
      else if (Array.isArray(v)) v.forEach((m, i) => m instanceof Module && out.push([`${k}.${i}`, m]));
    }
    return out;
  }

  /** Every parameter with its dotted path, e.g. "layers.0.weight". */
  namedParameters(prefix = ""): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [k, v] of Object.entries(this)) {
      if (isTensor(v) && v.requiresGrad) out.push([prefix + k, v]);
    }
    for (const [k, m] of this.namedChildren()) out.push(...m.namedParameters(`${prefix}${k}.`));
    return out;
  }

  /** Each parameter once, even when shared by two layers (tied weights), so an optimizer
   * steps it once, as PyTorch's parameters() does. */
  parameters(): Tensor[] {
    return [...new Set(this.namedParameters().map(([, p]) => p))];
  }

  /** Every buffer (state that is saved but not trained, see buffer()) with its dotted path. */
  namedBuffers(prefix = ""): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [k, v] of Object.entries(this)) {
      if (isTensor(v) && buffers.has(v)) out.push([prefix + k, v]);
    }
    for (const [k, m] of this.namedChildren()) out.push(...m.namedBuffers(`${prefix}${k}.`));
    return out;
  }

  modules(): Module[] {
    return [this, ...this.namedChildren().flatMap(([, m]) => m.modules())];
  }

  /**
   * Calls fn on every submodule, then on this module (PyTorch's model.apply): the usual way to
   * initialize a whole model, e.g. model.apply((m) => { if (m instanceof nn.Linear) nn.init.xavierUniform_(m.weight); }).
   */
  apply(fn: (m: Module) => void): this {
    for (const [, child] of this.namedChildren()) child.apply(fn);
    fn(this);
    return this;
  }

  /** Training mode (dropout active) or evaluation mode, for this module and all below it. */
  train(on = true): this {
    for (const m of this.modules()) m.training = on;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /**
   * Moves every parameter and buffer (and gradient) to another device in place, as PyTorch's
   * model.to(device): the same tensor objects, so references to them stay valid. Create the
   * optimizer after moving, as in PyTorch (its state lives where the parameters were).
   */
  async to(device: BackendName): Promise<this> {
    for (const [, t] of [...this.namedParameters(), ...this.namedBuffers()]) {
      if (t.device === device) continue;
      t.assign(await t.to(device));
      const g = t.peekGrad();
      if (g) t.grad = await g.to(device);
    }
    return this;
  }

  /**
   * A deep copy (Python's copy.deepcopy(model)): new parameters and buffers with the same
   * values, submodules copied too, tensors shared inside the module (tied weights) still shared
   * in the copy; no gradients. Other properties are copied by reference.
   */
  clone(): this {
    return cloneValue(this, new Map()) as this;
  }

  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * Parameters, then buffers (BatchNorm's running statistics), by name; shared, not copied.
   * `{ names: "pytorch" }` names them as PyTorch would (running_mean, layers of a Sequential as
   * 0, 1, ...), for a file that torch's load_state_dict reads.
   */
  stateDict(options: { names?: "tsdl" | "pytorch" } = {}): Record<string, Tensor> {
    const entries = [...this.namedParameters(), ...this.namedBuffers()];
    if (options.names !== "pytorch") return Object.fromEntries(entries);
    const torch = torchNames(this);
    return Object.fromEntries(entries.map(([k, v]) => [torch.get(k)!, v]));
  }

  /**
   * Copies values into the parameters and buffers; names and shapes must match exactly. Names
   * may be this module's or PyTorch's (a state dict saved from the same model in PyTorch);
   * PyTorch's num_batches_tracked counters are skipped.
   */
  loadStateDict(state: Record<string, Tensor>): void {
    const own = new Map([...this.namedParameters(), ...this.namedBuffers()]);
    let named = state;
    if (!Object.keys(state).every((k) => own.has(k))) {
      const fromTorch = new Map([...torchNames(this)].map(([ours, theirs]) => [theirs, ours]));
      const keys = Object.keys(state).filter((k) => !torchOnly(k));
      if (keys.length && keys.every((k) => fromTorch.has(k))) named = Object.fromEntries(keys.map((k) => [fromTorch.get(k)!, state[k]]));
    }
    const missing = [...own.keys()].filter((k) => !(k in named));
    const extra = Object.keys(named).filter((k) => !own.has(k));
    if (missing.length || extra.length) {
      const torch = [...torchNames(this).values()];
      throw new InputError(
        `loadStateDict: missing ${JSON.stringify(missing)}, unexpected ${JSON.stringify(extra)}; ` +
          `this module's names are ${JSON.stringify([...own.keys()])} (PyTorch's: ${JSON.stringify(torch)})`,
      );
    }
    for (const [k, p] of own) {
      const v = named[k];
      if (v.shape.join() !== p.shape.join()) {
        throw new InputError(`loadStateDict: ${k} has shape ${formatShape(v.shape)} but the module's is ${formatShape(p.shape)}`);
      }
      p.assign(v.astype(p.dtype).detach());
    }
  }

  /** A PyTorch-like summary, e.g. "Linear(in=784, out=10)". */
  describe(): string {
    return this.constructor.name;
  }

  toString(indent = ""): string {
    const kids = this.namedChildren();
    if (!kids.length) return this.describe();
    const inner = kids.map(([k, m]) => `${indent}  (${k}): ${m.toString(indent + "  ")}`).join("\n");
    return `${this.describe()}(\n${inner}\n${indent})`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    const n = this.parameters().reduce((s, p) => s + p.size, 0);
    return `${this.toString()}\n${n.toLocaleString("en-US")} parameters`;
  }
}

const buffers = new WeakSet<Tensor>();

/**
 * Makes a tensor a module buffer, as PyTorch's register_buffer: float32 state that stateDict()
 * saves and loadStateDict() restores but that is not a parameter (no gradient, not given to
 * optimizers). Update it with assign(), so that it keeps its identity (and jit replays it).
 */
export function buffer(t: Tensor): Tensor {
  const b = t.astype("float32").detach();
  buffers.add(b);
  return b;
}

/** Makes a tensor a trainable parameter (float32, requiresGrad, no history). */
export function parameter(t: Tensor): Tensor {
  const p = t.astype("float32").detach();
  p.requiresGrad = true;
  return p;
}

/** deepcopy for what modules hold: modules, tensors (parameters stay parameters, buffers
 * buffers), arrays and plain objects; `seen` keeps shared objects shared. */
function cloneValue(v: unknown, seen: Map<unknown, unknown>): unknown {
  if (v === null || typeof v !== "object") return v;
  if (seen.has(v)) return seen.get(v);
  let out: unknown;
  if (isTensor(v)) {
    const copy = noGradClone(v);
    if (v.requiresGrad) copy.requiresGrad = true;
    if (buffers.has(v)) buffers.add(copy);
    out = copy;
  } else if (v instanceof Module) {
    const m = Object.create(Object.getPrototypeOf(v)) as Record<string, unknown>;
    seen.set(v, m);
    for (const [k, x] of Object.entries(v)) m[k] = cloneValue(x, seen);
    return m;
  } else if (Array.isArray(v)) {
    const a: unknown[] = [];
    seen.set(v, a);
    for (const x of v) a.push(cloneValue(x, seen));
    return a;
  } else if (Object.getPrototypeOf(v) === Object.prototype) {
    const o: Record<string, unknown> = {};
    seen.set(v, o);
    for (const [k, x] of Object.entries(v)) o[k] = cloneValue(x, seen);
    return o;
  } else {
    out = v;
  }
  seen.set(v, out);
  return out;
}

/** A copy of t's values with no autodiff history. */
function noGradClone(t: Tensor): Tensor {
  return t.detach().clone();
}
