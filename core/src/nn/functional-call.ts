// nn.functionalCall(model, params, ...inputs): the model's forward with some parameters (or
// buffers) replaced by given tensors, as torch.func.functional_call. It turns a module into a
// function of its parameters, which grad, vmap and jacobian need: per-example gradients are
// vmap(grad((p, x, y) => loss(nn.functionalCall(model, p, x), y)), { inAxes: [null, 0, 0] }).

import type { Tensor } from "../tensor";
import type { Module } from "./module";
import { InputError } from "../errors";
import { isTensor } from "../creation";
import { formatShape } from "../shape";

export function functionalCall(model: Module, params: Record<string, Tensor>, ...inputs: Tensor[]): Tensor {
  if (!params || typeof params !== "object") throw new InputError("functionalCall: params must be an object of tensors by name, e.g. Object.fromEntries(model.namedParameters())");
  const own = new Map(Object.entries(model.stateDict()));
  const swaps: { owner: Record<string, unknown>; key: string; old: unknown }[] = [];
  for (const [name, value] of Object.entries(params)) {
    const current = own.get(name);
    if (!current) {
      throw new InputError(`functionalCall: the model has no parameter or buffer named "${name}"; it has ${[...own.keys()].map((k) => `"${k}"`).join(", ")}`);
    }
    if (!isTensor(value)) throw new InputError(`functionalCall: params["${name}"] must be a tensor, got ${value === null ? "null" : typeof value}`);
    if (value.shape.join() !== current.shape.join()) {
      throw new InputError(`functionalCall: params["${name}"] has shape ${formatShape(value.shape)}, but the model's has ${formatShape(current.shape)}`);
    }
    // Walk "layers.0.weight" to the object holding the tensor (modules, and arrays of them).
    const path = name.split(".");
    let owner: any = model;
    for (const step of path.slice(0, -1)) owner = owner[step];
    const key = path[path.length - 1];
    swaps.push({ owner, key, old: owner[key] });
  }
  swaps.forEach((s, i) => (s.owner[s.key] = Object.values(params)[i]));
  try {
    return model.forward(...inputs);
  } finally {
    for (const s of swaps.reverse()) s.owner[s.key] = s.old;
  }
}
