// Save and load tensors in the safetensors format (https://huggingface.co/docs/safetensors):
// 8 bytes little-endian header length N, N bytes of JSON {name: {dtype, shape, data_offsets}}
// (padded with spaces to a multiple of 8), then the raw little-endian bytes. PyTorch and JAX
// tooling read the files we write. dtypes map to F32, I32 and BOOL.

import * as fs from "node:fs";
import type { Tensor } from "../tensor";
import type { DType } from "../dtype";
import { fromHost } from "../creation";
import { InputError } from "../errors";
import type { Module } from "../nn/module";

const codes: Record<DType, string> = { float32: "F32", int32: "I32", bool: "BOOL" };
const fromCode: Record<string, DType> = { F32: "float32", I32: "int32", BOOL: "bool" };

/** The bytes of a safetensors file holding `tensors` (names sorted, like the reference writer). */
export async function serialize(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Promise<Uint8Array> {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    const data = await t.data();
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    header[name] = { dtype: codes[t.dtype], shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    blobs.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let p = 8 + head.length;
  for (const b of blobs) {
    out.set(b, p);
    p += b.length;
  }
  return out;
}

export function deserialize(bytes: Uint8Array): Record<string, Tensor> {
  if (bytes.length < 8) throw new InputError("safetensors: file is shorter than its 8-byte header length");
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  if (8 + n > bytes.length) throw new InputError(`safetensors: header length ${n} runs past the end of the file`);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const base = 8 + n;
  const out: Record<string, Tensor> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const dtype = fromCode[info.dtype];
    if (!dtype) throw new InputError(`safetensors: tensor ${name} has dtype ${info.dtype}; tsdl reads F32, I32 and BOOL`);
    const [a, b] = info.data_offsets;
    const raw = bytes.slice(base + a, base + b);
    const count = info.shape.reduce((p, q) => p * q, 1);
    const data = dtype === "float32" ? new Float32Array(raw.buffer) : dtype === "int32" ? new Int32Array(raw.buffer) : new Uint8Array(raw.buffer);
    if (data.length !== count) throw new InputError(`safetensors: tensor ${name} has ${data.length} values for shape [${info.shape}]`);
    out[name] = fromHost(data, info.shape, dtype);
  }
  return out;
}

/** Saves a module's parameters (or a record of tensors) to a .safetensors file. */
export async function save(what: Module | Record<string, Tensor>, file: string): Promise<void> {
  const tensors = "stateDict" in what && typeof what.stateDict === "function" ? (what as Module).stateDict() : (what as Record<string, Tensor>);
  fs.writeFileSync(file, await serialize(tensors));
}

/** Loads a .safetensors file as a record of tensors (pass it to model.loadStateDict). */
export function load(file: string): Record<string, Tensor> {
  return deserialize(new Uint8Array(fs.readFileSync(file)));
}
