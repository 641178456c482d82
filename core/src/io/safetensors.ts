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

/** Other dtypes PyTorch and NumPy write, read as the nearest tsdl dtype (see decode). */
const widened: Record<string, DType> = { F64: "float32", F16: "float32", BF16: "float32", I64: "int32", I16: "int32", I8: "int32", U8: "int32", U16: "int32", U32: "int32" };

/** float16 / bfloat16 bits as a number. */
function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
const bfloat = (bits: number) => new Float32Array(new Uint32Array([bits << 16]).buffer)[0];

/** The values of one stored tensor in a tsdl dtype's array; integers must fit int32. */
function decode(name: string, code: string, raw: Uint8Array, count: number): { dtype: DType; data: Float32Array | Int32Array | Uint8Array } {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const size: Record<string, number> = { F32: 4, I32: 4, BOOL: 1, F64: 8, F16: 2, BF16: 2, I64: 8, I16: 2, I8: 1, U8: 1, U16: 2, U32: 4 };
  if (raw.byteLength !== count * size[code]) throw new InputError(`safetensors: tensor ${name} has ${raw.byteLength} bytes for ${count} values of ${code}`);
  const read = (i: number): number => {
    switch (code) {
      case "F64": return view.getFloat64(i * 8, true);
      case "F16": return half(view.getUint16(i * 2, true));
      case "BF16": return bfloat(view.getUint16(i * 2, true));
      case "I64": {
        const v = view.getBigInt64(i * 8, true);
        if (v < -(2n ** 31n) || v >= 2n ** 31n) throw new InputError(`safetensors: tensor ${name} holds ${v}, outside int32 (tsdl's integer type)`);
        return Number(v);
      }
      case "I16": return view.getInt16(i * 2, true);
      case "I8": return view.getInt8(i);
      case "U8": return view.getUint8(i);
      case "U16": return view.getUint16(i * 2, true);
      default: {
        const v = view.getUint32(i * 4, true);
        if (v >= 2 ** 31) throw new InputError(`safetensors: tensor ${name} holds ${v}, outside int32 (tsdl's integer type)`);
        return v;
      }
    }
  };
  const direct = fromCode[code];
  if (direct) {
    const copy = raw.slice();
    const data = direct === "float32" ? new Float32Array(copy.buffer) : direct === "int32" ? new Int32Array(copy.buffer) : new Uint8Array(copy.buffer);
    return { dtype: direct, data };
  }
  const dtype = widened[code];
  const data = dtype === "float32" ? new Float32Array(count) : new Int32Array(count);
  for (let i = 0; i < count; i++) data[i] = read(i);
  return { dtype, data };
}

type Header = Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;

/** The parsed JSON header and where the data starts. */
function readHeader(bytes: Uint8Array): { header: Header; base: number } {
  if (bytes.length < 8) throw new InputError("safetensors: file is shorter than its 8-byte header length");
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  if (8 + n > bytes.length) throw new InputError(`safetensors: header length ${n} runs past the end of the file`);
  return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Header, base: 8 + n };
}

/** The header's __metadata__ (string to string, as the format allows), or {} if none. */
export function metadataOf(bytes: Uint8Array): Record<string, string> {
  const meta = (readHeader(bytes).header as Record<string, unknown>).__metadata__;
  return (meta ?? {}) as Record<string, string>;
}

export function deserialize(bytes: Uint8Array): Record<string, Tensor> {
  const { header, base } = readHeader(bytes);
  const out: Record<string, Tensor> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    if (!fromCode[info.dtype] && !widened[info.dtype]) {
      throw new InputError(`safetensors: tensor ${name} has dtype ${info.dtype}; tsdl reads F32, I32, BOOL, and F64, F16, BF16 (as float32) and I64, I16, I8, U8, U16, U32 (as int32)`);
    }
    const [a, b] = info.data_offsets;
    const count = info.shape.reduce((p, q) => p * q, 1);
    const { dtype, data } = decode(name, info.dtype, bytes.subarray(base + a, base + b), count);
    out[name] = fromHost(data, info.shape, dtype);
  }
  return out;
}

/**
 * Saves a module's parameters and buffers (or a record of tensors) to a .safetensors file.
 * `{ names: "pytorch" }` writes PyTorch's names, for torch's load_state_dict.
 */
export async function save(what: Module | Record<string, Tensor>, file: string, options: { names?: "tsdl" | "pytorch" } = {}): Promise<void> {
  const tensors = "stateDict" in what && typeof what.stateDict === "function" ? (what as Module).stateDict(options) : (what as Record<string, Tensor>);
  fs.writeFileSync(file, await serialize(tensors));
}

/** Loads a .safetensors file as a record of tensors (pass it to model.loadStateDict). */
export function load(file: string): Record<string, Tensor> {
  return deserialize(new Uint8Array(fs.readFileSync(file)));
}
