// dtypes and promotion. Three dtypes, like the course needs: float32, int32, bool.
// Promotion is a total order bool < int32 < float32 (NumPy/JAX "same kind" rules without
// 64-bit types). JS numbers are "weak": 2 with an int32 tensor stays int32, 0.5 makes float32.

import { DTypeError } from "./errors";

export type DType = "float32" | "int32" | "bool";
export const dtypes: readonly DType[] = ["float32", "int32", "bool"];

/** The typed array that holds each dtype on the host. bool is one byte per element. */
export interface HostArrays {
  float32: Float32Array;
  int32: Int32Array;
  bool: Uint8Array;
}
export type HostArray = HostArrays[DType];

const rank: Record<DType, number> = { bool: 0, int32: 1, float32: 2 };

export function isDType(x: unknown): x is DType {
  return typeof x === "string" && (dtypes as readonly string[]).includes(x);
}

export function checkDType(x: unknown, where: string): DType {
  if (isDType(x)) return x;
  throw new DTypeError(
    `${where}: unknown dtype ${JSON.stringify(x)}; use one of ${dtypes.map((d) => `"${d}"`).join(", ")}`,
  );
}

/** The dtype both operands become, e.g. promote("int32", "float32") == "float32". */
export function promote(a: DType, b: DType): DType {
  return rank[a] >= rank[b] ? a : b;
}

/** The dtype a JS scalar gets next to a tensor of dtype `other` (weak typing). */
export function scalarDType(value: number | boolean, other: DType): DType {
  if (typeof value === "boolean") return other;
  // Integers beyond int32 become float32 instead of wrapping around.
  if (Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31) return other === "bool" ? "int32" : other;
  return "float32";
}

export function isFloat(d: DType): boolean {
  return d === "float32";
}

export function bytesPerElement(_d: DType): number {
  // bool is stored as 4 bytes on the GPU (WGSL has no 1-byte storage type) and 1 on the host;
  // memory accounting reports the device size, which the backend knows, so this is host size.
  return _d === "bool" ? 1 : 4;
}

export function allocHost(d: DType, n: number): HostArray {
  switch (d) {
    case "float32":
      return new Float32Array(n);
    case "int32":
      return new Int32Array(n);
    case "bool":
      return new Uint8Array(n);
  }
}

/** Converts a host value to what `dtype` stores: truncation toward zero for int32, != 0 for bool. */
export function castValue(v: number, d: DType): number {
  // Truncation toward zero, saturating at the int32 range (as the cast kernels do); NaN is 0.
  if (d === "int32") return v !== v ? 0 : v >= 2147483647 ? 2147483647 : v <= -2147483648 ? -2147483648 : Math.trunc(v);
  if (d === "bool") return v !== 0 ? 1 : 0; // NaN is true, as in NumPy
  return Math.fround(v);
}
