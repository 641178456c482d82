// Training checkpoints: a model, optimizer, scheduler, epoch and any JSON in one file, so that a
// run can stop and resume (PyTorch's torch.save of a dict of state dicts, and torch.load).
//
// The file is plain safetensors (see safetensors.ts), which holds flat named tensors only. So
// the nested structure goes into the header's __metadata__ as JSON under "tsdl_checkpoint",
// each tensor replaced by {"__tensor__": its name}; the names are the tensors' paths, such as
// "optimizer/state/0/exp_avg", so other safetensors readers list them readably. JSON has no
// Infinity or NaN (ReduceLROnPlateau's best starts at Infinity): such numbers are written as
// {"__number__": "Infinity"}.
//
//   await saveCheckpoint("ckpt.safetensors", { model, optimizer: opt, scheduler: sched, epoch });
//   const { epoch } = loadCheckpoint("ckpt.safetensors", { model, optimizer: opt, scheduler: sched });

import * as fs from "node:fs";
import type { Tensor } from "../tensor";
import { isTensor } from "../creation";
import { InputError } from "../errors";
import { describe } from "../shape";
import { serialize, deserialize, metadataOf } from "./safetensors";

/** What a checkpoint can restore: a module, optimizer or scheduler. */
export interface Stateful {
  stateDict(): unknown;
  loadStateDict(state: never): void;
}

const KEY = "tsdl_checkpoint";

/**
 * Writes `contents` to `file`: modules, optimizers and schedulers as their stateDict(), tensors,
 * and numbers, strings, booleans, null, arrays and plain objects of them. Async because tensor
 * values are read from the device (on WebGPU, a read waits for the GPU).
 */
export async function saveCheckpoint(file: string, contents: Record<string, unknown>): Promise<void> {
  const tensors: Record<string, Tensor> = {};
  const skeleton = encode(contents, [], tensors);
  fs.writeFileSync(file, await serialize(tensors, { [KEY]: JSON.stringify(skeleton) }));
}

/**
 * Reads a checkpoint written by saveCheckpoint and returns its contents (state dicts as plain
 * objects of tensors and numbers). For each entry of `restore`, calls its loadStateDict with the
 * saved entry of the same key, in the order given: pass the optimizer before its scheduler.
 */
export function loadCheckpoint(file: string, restore: Record<string, Stateful> = {}): Record<string, unknown> {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const text = metadataOf(bytes)[KEY];
  if (text === undefined) {
    throw new InputError(`loadCheckpoint: ${file} is a safetensors file but not a checkpoint (use safetensors.load for plain tensors)`);
  }
  const contents = decode(JSON.parse(text), deserialize(bytes)) as Record<string, unknown>;
  for (const key of Object.keys(restore)) {
    if (!(key in contents)) {
      throw new InputError(`loadCheckpoint: the checkpoint has no ${JSON.stringify(key)}; it holds ${Object.keys(contents).join(", ")}`);
    }
  }
  for (const [key, target] of Object.entries(restore)) {
    if (typeof target?.loadStateDict !== "function") {
      throw new InputError(`loadCheckpoint: restore.${key} must be a module, optimizer or scheduler, got ${describe(target)}`);
    }
    target.loadStateDict(contents[key] as never);
  }
  return contents;
}

/** The JSON skeleton of `v`, collecting its tensors into `tensors` under their paths. */
function encode(v: unknown, path: string[], tensors: Record<string, Tensor>): unknown {
  const where = () => path.join("/") || "the contents";
  if (isTensor(v)) {
    const name = path.join("/");
    if (name in tensors) throw new InputError(`saveCheckpoint: two tensors would both be named ${JSON.stringify(name)}; rename a key`);
    tensors[name] = v;
    return { __tensor__: name };
  }
  if (typeof v === "number") return Number.isFinite(v) ? v : { __number__: String(v) };
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (Array.isArray(v)) return v.map((x, i) => encode(x, [...path, String(i)], tensors));
  if (typeof v === "object" && typeof (v as Stateful).stateDict === "function") return encode((v as Stateful).stateDict(), path, tensors);
  if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x !== undefined) out[k] = encode(x, [...path, k], tensors);
    }
    return out;
  }
  throw new InputError(
    `saveCheckpoint: cannot store ${describe(v)} at ${where()}; a checkpoint holds modules, optimizers, schedulers, ` +
      "tensors, and numbers, strings, booleans, null, arrays and plain objects of them",
  );
}

/** The inverse of encode: placeholders replaced by the loaded tensors and numbers. */
function decode(v: unknown, tensors: Record<string, Tensor>): unknown {
  if (Array.isArray(v)) return v.map((x) => decode(x, tensors));
  if (v === null || typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  if (typeof o.__tensor__ === "string") {
    const t = tensors[o.__tensor__];
    if (!t) throw new InputError(`loadCheckpoint: the file lacks tensor ${JSON.stringify(o.__tensor__)} (is it truncated?)`);
    return t;
  }
  if (typeof o.__number__ === "string") return Number(o.__number__);
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decode(x, tensors)]));
}
