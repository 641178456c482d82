// Making tensors from JS data: nested arrays, numbers, typed arrays, and the usual factories.
// Input is validated up front so that ragged arrays or NaN sizes fail with a clear message
// before anything reaches a device.

import { Tensor } from "./tensor";
import type { Backend } from "./backend/backend";
import { currentBackend } from "./backend/registry";
import { type DType, type HostArray, allocHost, castValue, checkDType } from "./dtype";
import { InputError } from "./errors";
import { checkShape, describe, formatShape, sizeOf } from "./shape";
import { newBufferRef } from "./memory";
import { checkAllocation } from "./dispatch";

export type NestedArray = number | boolean | NestedArray[];
export type TensorData = NestedArray | Float32Array | Int32Array | Uint8Array | readonly NestedArray[];

export interface CreateOptions {
  dtype?: DType;
}

export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}

/** Wraps host data (already of `dtype`) as a tensor on `backend`. */
export function fromHost(data: HostArray, shape: number[], dtype: DType, backend: Backend = currentBackend()): Tensor {
  checkAllocation({ shape, dtype }, "tensor");
  const t = new Tensor(newBufferRef(backend, backend.upload(data, dtype)), shape, dtype);
  // Integer tensors made from host data keep their values: index tensors can then be checked
  // for out-of-range entries before a GPU kernel silently reads zeros.
  if (dtype === "int32") t.rememberHost(data);
  return t;
}

/** Walks a nested array, checking it is rectangular, and returns its shape. */
function inferShape(data: unknown, path: number[] = []): number[] {
  if (!Array.isArray(data)) return [];
  if (data.length === 0) return [0];
  const inner = inferShape(data[0], [...path, 0]);
  for (let i = 1; i < data.length; i++) {
    const s = inferShape(data[i], [...path, i]);
    if (s.length !== inner.length || s.some((d, k) => d !== inner[k])) {
      const at = (p: number[]) => p.map((j) => `[${j}]`).join("");
      throw new InputError(
        `tensor: ragged nested array: element ${at([...path, 0])} has shape ${formatShape(inner)} but ` +
          `element ${at([...path, i])} has shape ${formatShape(s)}; every row must have the same length`,
      );
    }
  }
  return [data.length, ...inner];
}

function flatten(data: unknown, out: (number | boolean)[]): void {
  if (Array.isArray(data)) for (const d of data) flatten(d, out);
  else out.push(data as number | boolean);
}

function isInt32(v: unknown): boolean {
  return typeof v === "number" && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31;
}

function inferDType(values: (number | boolean)[]): DType {
  if (values.length === 0) return "float32";
  if (values.every((v) => typeof v === "boolean")) return "bool";
  // Integers beyond int32 (1e10) become float32 rather than wrap around.
  return values.every(isInt32) ? "int32" : "float32";
}

/** tensor([[1, 2], [3, 4]]) is int32; tensor([0.5]) float32; tensor([true]) bool. */
export function tensor(data: TensorData, options: CreateOptions = {}): Tensor {
  const { host, shape, dtype } = toHost(data, options, "tensor");
  return fromHost(host, shape, dtype);
}

/** @internal What tensor() would upload: validated, converted host values and their shape.
 * Ops that take index lists as JS arrays use it to check the values before they reach a
 * device (a GPU kernel cannot throw) and to upload them to their operand's device. */
export function toHost(data: TensorData, options: CreateOptions, where: string): { host: HostArray; shape: number[]; dtype: DType } {
  const requested = options.dtype === undefined ? undefined : checkDType(options.dtype, where);
  if (data instanceof Float32Array || data instanceof Int32Array || data instanceof Uint8Array) {
    const dtype = requested ?? (data instanceof Float32Array ? "float32" : data instanceof Int32Array ? "int32" : "int32");
    const host = allocHost(dtype, data.length);
    for (let i = 0; i < data.length; i++) host[i] = castValue(data[i], dtype);
    return { host, shape: [data.length], dtype };
  }
  if (isTensor(data)) throw new InputError(`${where}: got a Tensor; use x.clone() or x.astype(dtype) instead`);
  if (typeof data !== "number" && typeof data !== "boolean" && !Array.isArray(data)) {
    throw new InputError(`${where}: expected a number, boolean, nested array or typed array, got ${describe(data)}`);
  }
  const shape = inferShape(data);
  const values: (number | boolean)[] = [];
  flatten(data, values);
  values.forEach((v, i) => {
    if (typeof v !== "number" && typeof v !== "boolean") {
      throw new InputError(`${where}: element ${i} (in flat order) is ${describe(v)}, not a number or boolean`);
    }
  });
  const dtype = requested ?? inferDType(values);
  const host = allocHost(dtype, values.length);
  for (let i = 0; i < values.length; i++) host[i] = castValue(Number(values[i]), dtype);
  return { host, shape, dtype };
}

/**
 * A shape as the factories take it: an array, one size (numpy's zeros(5)), or sizes as separate
 * arguments (PyTorch's zeros(2, 3)), then optional options.
 */
export function shapeArgs(where: string, args: unknown[]): { shape: number[]; options: CreateOptions } {
  let k = 0;
  while (k < args.length && typeof args[k] === "number") k++;
  const shape = k > 0 ? (args.slice(0, k) as number[]) : args[0];
  const rest = args.slice(k > 0 ? k : 1);
  if (rest.length > 1 || (rest.length === 1 && rest[0] !== undefined && (typeof rest[0] !== "object" || rest[0] === null || Array.isArray(rest[0])))) {
    throw new InputError(`${where}: expected a shape (an array like [2, 3], or sizes 2, 3) and then options such as { dtype: "int32" }, got ${args.length} arguments`);
  }
  return { shape: checkShape(shape, where), options: (rest[0] as CreateOptions | undefined) ?? {} };
}

export function full(shape: number[] | number, value: number | boolean, options: CreateOptions = {}): Tensor {
  return fullOn(typeof shape === "number" ? [shape] : shape, value, options, currentBackend());
}

/** full() on a given device: the *Like factories make their result on their argument's. */
function fullOn(shape: number[], value: number | boolean, options: CreateOptions, backend: Backend, where = "full"): Tensor {
  const s = checkShape(shape, where);
  const dtype = options.dtype ?? (typeof value === "boolean" ? "bool" : isInt32(value) ? "int32" : "float32");
  checkDType(dtype, where);
  checkAllocation({ shape: s, dtype }, where);
  const host = allocHost(dtype, sizeOf(s));
  host.fill(castValue(Number(value), dtype));
  return fromHost(host, s, dtype, backend);
}

/** zeros([2, 3]), zeros(2, 3) or zeros(5); float32 unless { dtype } says otherwise. */
export function zeros(shape: number[], options?: CreateOptions): Tensor;
export function zeros(...sizes: number[]): Tensor;
export function zeros(...sizesThenOptions: [...number[], CreateOptions]): Tensor;
export function zeros(...args: unknown[]): Tensor {
  const { shape, options } = shapeArgs("zeros", args);
  return fullOn(shape, 0, { dtype: options.dtype ?? "float32" }, currentBackend(), "zeros");
}

/** ones([2, 3]), ones(2, 3) or ones(5); float32 unless { dtype } says otherwise. */
export function ones(shape: number[], options?: CreateOptions): Tensor;
export function ones(...sizes: number[]): Tensor;
export function ones(...sizesThenOptions: [...number[], CreateOptions]): Tensor;
export function ones(...args: unknown[]): Tensor {
  const { shape, options } = shapeArgs("ones", args);
  return fullOn(shape, 1, { dtype: options.dtype ?? "float32" }, currentBackend(), "ones");
}

export function zerosLike(x: Tensor, options: CreateOptions = {}): Tensor {
  return fullOn(x.shape, 0, { dtype: options.dtype ?? x.dtype }, x.backend);
}

export function onesLike(x: Tensor, options: CreateOptions = {}): Tensor {
  return fullOn(x.shape, 1, { dtype: options.dtype ?? x.dtype }, x.backend);
}

export function fullLike(x: Tensor, value: number, options: CreateOptions = {}): Tensor {
  return fullOn(x.shape, value, { dtype: options.dtype ?? x.dtype }, x.backend);
}

/** arange(stop), arange(start, stop, step): int32 for integer arguments, like NumPy. */
export function arange(a: number, b?: number, step = 1, options: CreateOptions = {}): Tensor {
  const [start, stop] = b === undefined ? [0, a] : [a, b];
  for (const [name, v] of [["start", start], ["stop", stop], ["step", step]] as const) {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new InputError(`arange: ${name} must be a finite number, got ${describe(v)}`);
  }
  if (step === 0) throw new InputError("arange: step must not be 0");
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const ints = [start, stop, step].every(Number.isInteger);
  const dtype = options.dtype ?? (ints ? "int32" : "float32");
  checkAllocation({ shape: [n], dtype }, "arange");
  const host = allocHost(dtype, n);
  for (let i = 0; i < n; i++) host[i] = castValue(start + i * step, dtype);
  return fromHost(host, [n], dtype);
}

/** num evenly spaced float32 values from start to stop inclusive. */
export function linspace(start: number, stop: number, num = 50): Tensor {
  if (!Number.isInteger(num) || num < 0) throw new InputError(`linspace: num must be a non-negative integer, got ${describe(num)}`);
  const host = new Float32Array(num);
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  for (let i = 0; i < num; i++) host[i] = start + i * step;
  if (num > 1) host[num - 1] = stop;
  return fromHost(host, [num], "float32");
}

/** The n x m identity matrix (m defaults to n). */
export function eye(n: number, m: number = n, options: CreateOptions = {}): Tensor {
  checkShape([n, m], "eye");
  const dtype = options.dtype ?? "float32";
  const host = allocHost(dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) host[i * m + i] = 1;
  return fromHost(host, [n, m], dtype);
}

// Scalars used as operands (x.add(1)) are cached per device, so a loop of tiny ops does not
// upload a new buffer each step. Cached tensors are never disposed. Keyed by the backend object
// and dtype, then by the number itself (no string built per lookup); a Map treats -0 as 0, so
// -0 has its own slot.
interface ConstantTable {
  values: Map<number, Tensor>;
  negativeZero: Tensor | null;
}
interface BackendConstants {
  count: number;
  byDType: Map<DType, ConstantTable>;
}
const constants = new WeakMap<Backend, BackendConstants>();
/** Per device: past this many, its cache starts over (tensors already handed out stay valid). */
const maxConstants = 512;

export function constant(value: number, dtype: DType, backend: Backend): Tensor {
  const v = castValue(value, dtype);
  let cache = constants.get(backend);
  if (!cache) constants.set(backend, (cache = { count: 0, byDType: new Map() }));
  let table = cache.byDType.get(dtype);
  if (!table) cache.byDType.set(dtype, (table = { values: new Map(), negativeZero: null }));
  const negZero = v === 0 && 1 / v < 0;
  let t = negZero ? table.negativeZero : table.values.get(v);
  if (t && !t.isDisposed) return t;
  if (cache.count >= maxConstants) {
    for (const d of cache.byDType.values()) {
      d.values.clear();
      d.negativeZero = null;
    }
    cache.count = 0;
  }
  const host = allocHost(dtype, 1);
  host[0] = v;
  t = new Tensor(newBufferRef(backend, backend.upload(host, dtype)), [], dtype, { pinned: true });
  if (negZero) table.negativeZero = t;
  else table.values.set(v, t);
  cache.count += 1;
  return t;
}
