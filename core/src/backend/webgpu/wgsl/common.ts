// Pieces every shader shares: storage types per dtype, binding declarations, the entry point
// with its 2-D grid arithmetic, and dtype conversions that match the CPU reference.
//
// WGSL has no 1-byte storage type, so bool lives in u32 (0 or 1). NaN tests use bit patterns:
// an implementation may assume NaNs are absent and fold `x != x` to false.

import type { DType } from "../../../dtype";

export type StorageType = "f32" | "i32" | "u32";
/** The type a computation runs in. */
export type ComputeType = "f32" | "i32";

export function storageType(d: DType): StorageType {
  return d === "float32" ? "f32" : d === "int32" ? "i32" : "u32";
}

export interface Decl {
  name: string;
  type: StorageType | `vec4<${StorageType}>`;
  write?: boolean;
}

/** Storage declarations in binding order, then the params block `p` (see params.ts). */
export function declare(decls: readonly Decl[]): string {
  const lines = decls.map(
    (d, i) =>
      `@group(0) @binding(${i}) var<storage, ${d.write ? "read_write" : "read"}> ${d.name}: array<${d.type}>;`,
  );
  lines.push(`@group(0) @binding(${decls.length}) var<storage, read> p: array<u32>;`);
  return lines.join("\n");
}

/**
 * The entry point. `group` is the linear workgroup index over the 2-D grid the recorder uses
 * when a dispatch has more than 65535 workgroups; `lid` is the local invocation index.
 */
export function entry(workgroupSize: number, body: string): string {
  return `@compute @workgroup_size(${workgroupSize})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let group = wid.x + wid.y * nwg.x;
${body}
}`;
}

/** Bit-pattern helpers; `var` keeps NaN/inf out of const-evaluation, where WGSL rejects them. */
export const bitsHelpers = `
fn isNan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn isInf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
fn nanF() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }
fn infF() -> f32 { var bits = 0x7f800000u; return bitcast<f32>(bits); }
fn truthF(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) != 0u; }
// Like the CPU reference: truncation toward zero, NaN to 0, values beyond the i32 range
// (infinities included) saturate. WGSL's own i32(f32) saturates too but leaves NaN unspecified.
fn f32ToI32(x: f32) -> i32 {
  if (isNan(x)) { return 0; }
  if (x >= 2147483648.0) { return 2147483647; }
  if (x <= -2147483648.0) { return -2147483647 - 1; }
  return i32(x);
}
`;

/** `value` (stored as dtype `from`) converted to compute type `to`. */
export function load(value: string, from: DType, to: ComputeType): string {
  if (to === "f32") return from === "float32" ? value : `f32(${value})`;
  if (from === "float32") return `f32ToI32(${value})`;
  return from === "int32" ? value : `i32(${value})`;
}

/** Truthiness of a value stored as dtype `from`, as a WGSL bool. NaN is true. */
export function truth(value: string, from: DType | ComputeType): string {
  if (from === "float32" || from === "f32") return `truthF(${value})`;
  return from === "bool" ? `(${value} != 0u)` : `(${value} != 0)`;
}

/** A value of compute type `from` converted to what dtype `to` stores. */
export function store(value: string, from: ComputeType, to: DType): string {
  if (to === "bool") return `u32(${truth(value, from)})`;
  if (to === "float32") return from === "f32" ? value : `f32(${value})`;
  return from === "i32" ? value : `f32ToI32(${value})`;
}

/** A WGSL float literal with enough digits to round to the intended f32. */
export function floatLit(x: number): string {
  const s = x.toPrecision(17);
  return s.includes(".") || s.includes("e") ? s : `${s}.0`;
}

/** Horner evaluation of `coefs` (highest degree first) at `v`, as a WGSL expression. */
export function horner(coefs: readonly number[], v: string): string {
  let expr = floatLit(coefs[0]);
  for (const c of coefs.slice(1)) expr = `(${expr}) * ${v} + ${floatLit(c)}`;
  return expr;
}

/** A WGSL function the shaders may call, with the helpers it calls (math.ts collects them). */
export interface MathHelper {
  deps: string[];
  source: string;
}

const sources = new Map<string, string>();

/**
 * Builds a shader source once per key. Kernels call this on every dispatch, and building a few
 * KB of WGSL text (and hashing it in the pipeline cache) each time would cost more than the
 * dispatch itself for small tensors.
 */
export function memoSource(key: string, build: () => string): string {
  let source = sources.get(key);
  if (source === undefined) {
    source = build();
    sources.set(key, source);
  }
  return source;
}

/** Elements each thread of a per-element kernel handles (see elementLoop). */
export const ELEMENTS_PER_THREAD = 4;

/**
 * Per-element kernels run `body` for ELEMENTS_PER_THREAD indices `i` per thread, a workgroup's
 * width apart (so neighbouring threads still touch neighbouring elements). On lavapipe each
 * invocation costs ~20 ns of overhead whatever it does, so one element per thread ran 3-4x
 * slower. `body` must not `return`. p[0] is the element count; dispatch
 * ceil(count / (workgroupSize * ELEMENTS_PER_THREAD)) workgroups.
 */
export function elementLoop(workgroupSize: number, body: string): string {
  return `  for (var e = 0u; e < ${ELEMENTS_PER_THREAD}u; e++) {
    let i = (group * ${ELEMENTS_PER_THREAD}u + e) * ${workgroupSize}u + lid;
    if (i >= p[0]) { return; }
${body}
  }`;
}
