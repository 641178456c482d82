// Exact u32 division by a per-dispatch constant through multiplication ("magic numbers",
// Granlund & Montgomery 1994). Rank-generic shaders turn a linear index into coordinates with
// a division per axis; x86 has no vector integer divide, so on lavapipe each `/` or `%` of a
// SIMD group becomes 8 scalar divides, which made strided kernels 5-10x slower than plain ones.
// The multiply-high below is a handful of vector multiplies instead.
//
// For divisor n >= 2 and dividends x <= xMax: s = ceil(log2(xMax * n)), m = ceil(2^s / n).
// Then floor(x / n) == floor(x * m / 2^s), because x * (m * n - 2^s) < xMax * n <= 2^s.
// m < 2 * xMax + 1, so it fits 32 bits while xMax < 2^31. m = 0 encodes the divisor 1.

/** WGSL: `udiv(x, m, s)` = floor(x / n) for the (m, s) that `magic(n, xMax)` gave. */
export const divideHelpers = `
fn mulWide(a: u32, b: u32) -> vec2<u32> {
  let a0 = a & 0xffffu;
  let a1 = a >> 16u;
  let b0 = b & 0xffffu;
  let b1 = b >> 16u;
  let p00 = a0 * b0;
  let p01 = a0 * b1;
  let p10 = a1 * b0;
  let mid = (p00 >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
  let hi = a1 * b1 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u);
  let lo = (mid << 16u) | (p00 & 0xffffu);
  return vec2<u32>(hi, lo);
}
fn udiv(x: u32, m: u32, s: u32) -> u32 {
  if (m == 0u) { return x; }
  let w = mulWide(x, m);
  if (s >= 32u) { return w.x >> (s - 32u); }
  return (w.x << (32u - s)) | (w.y >> s);
}
`;

export interface Magic {
  m: number;
  s: number;
}

/** Multiplier and shift for dividing any x in [0, xMax] by n (n >= 1). */
export function magic(n: number, xMax: number): Magic {
  if (n === 1) return { m: 0, s: 0 };
  const product = BigInt(Math.max(1, Math.ceil(xMax))) * BigInt(n);
  let s = 0;
  while (1n << BigInt(s) < product) s++;
  const m = ((1n << BigInt(s)) + BigInt(n) - 1n) / BigInt(n);
  if (m >= 1n << 32n || s >= 64) throw new RangeError(`no 32-bit divisor magic for ${n} up to ${xMax}`);
  return { m: Number(m), s };
}

/** Magic numbers for each axis of `shape`, for linear indices below `count`. */
export function magicList(shape: readonly number[], count: number): { m: number[]; s: number[] } {
  const list = shape.map((n) => magic(n, Math.max(0, count - 1)));
  return { m: list.map((x) => x.m), s: list.map((x) => x.s) };
}

/**
 * WGSL loop that turns the linear index `rem` into coordinates over an axes block stored at
 * p[base]: shape[rank], magic m[rank], shift s[rank], then one stride list per accumulator
 * (see Params.axes). Each accumulator `acc` gets sum(coordinate * stride). Needs `rank` and a
 * `var rem` in scope; consumes `rem`.
 */
export function unravel(base: string, accs: readonly string[]): string {
  return `  for (var d = 0u; d < rank; d++) {
    let k = rank - 1u - d;
    let q = udiv(rem, p[${base} + rank + k], p[${base} + 2u * rank + k]);
    let c = rem - q * p[${base} + k];
    rem = q;
${accs.map((acc, j) => `    ${acc} += c * p[${base} + ${3 + j}u * rank + k];`).join("\n")}
  }`;
}
