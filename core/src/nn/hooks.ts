// Forward hooks on modules (PyTorch's register_forward_hook and register_forward_pre_hook): a
// function that sees each call's inputs and output, to record activations (their statistics
// show dead ReLUs and saturated sigmoids) or to change them. A module with hooks gets its own
// non-enumerable `forward` that runs them around the class's forward; it is removed with the
// last hook. Containers call their children's forward, so the hooks see those calls too.

import type { Tensor } from "../tensor";
import type { Module } from "./module";
import { InputError } from "../errors";
import type { HookHandle } from "../autodiff/hooks";
import { outsideInternals } from "../scope";
import { isTensor } from "../creation";

/** Sees a call's inputs and output; a returned value replaces the output. */
export type ForwardHook = (module: Module, inputs: any[], output: Tensor) => Tensor | void | undefined;
/** Sees a call's inputs before forward; a returned array replaces them. */
export type ForwardPreHook = (module: Module, inputs: any[]) => any[] | void | undefined;

interface Installed {
  pre: ForwardPreHook[];
  post: ForwardHook[];
  /** The module's own forward property before hooks, if it had one (an arrow-function field). */
  own: PropertyDescriptor | undefined;
}

const installed = new WeakMap<Module, Installed>();

function install(m: Module): Installed {
  const found = installed.get(m);
  if (found) return found;
  const entry: Installed = { pre: [], post: [], own: Object.getOwnPropertyDescriptor(m, "forward") };
  const inner = m.forward;
  const hooked = (...args: any[]): Tensor => {
    let inputs = args;
    // A hook may keep what it sees (activations to plot), so none of it is freed as a
    // container's intermediate; what the hook computes belongs to the user's scope.
    const seen = () => inputs.filter(isTensor);
    for (const hook of entry.pre.slice()) {
      const out = outsideInternals(seen(), () => hook(m, inputs));
      if (out !== undefined && out !== null) {
        if (!Array.isArray(out)) throw new InputError(`a forward pre-hook must return nothing or an array of inputs; it returned ${typeof out}`);
        inputs = out;
      }
    }
    let output = inner.apply(m, inputs);
    for (const hook of entry.post.slice()) {
      const out = outsideInternals([...seen(), output], () => hook(m, inputs, output));
      if (out !== undefined && out !== null) output = out;
    }
    return output;
  };
  Object.defineProperty(m, "forward", { value: hooked, configurable: true, writable: true, enumerable: false });
  installed.set(m, entry);
  return entry;
}

function handle(m: Module, list: unknown[], hook: unknown): HookHandle {
  return {
    remove() {
      const at = list.indexOf(hook);
      if (at >= 0) list.splice(at, 1);
      const entry = installed.get(m);
      if (!entry || entry.pre.length || entry.post.length) return;
      installed.delete(m);
      if (entry.own) Object.defineProperty(m, "forward", entry.own);
      else delete (m as unknown as { forward?: unknown }).forward;
    },
  };
}

function checkFunction(hook: unknown, what: string): void {
  if (typeof hook !== "function") throw new InputError(`${what}: expected a function, got ${typeof hook}`);
}

export function addForwardHook(m: Module, hook: ForwardHook): HookHandle {
  checkFunction(hook, "registerForwardHook");
  const { post } = install(m);
  post.push(hook);
  return handle(m, post, hook);
}

export function addForwardPreHook(m: Module, hook: ForwardPreHook): HookHandle {
  checkFunction(hook, "registerForwardPreHook");
  const { pre } = install(m);
  pre.push(hook);
  return handle(m, pre, hook);
}
