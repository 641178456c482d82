// The small parameter block every shader reads from its last binding as `p: array<u32>`.
// Floats and signed ints travel as bit patterns (bitcast<f32>/bitcast<i32> in WGSL).

import { magic, magicList } from "./wgsl/divide";

/** Scratch for float bit patterns; shared, since building params never interleaves. */
const scratch = new DataView(new ArrayBuffer(4));

export class Params {
  private readonly words: number[] = [];

  u32(...values: number[]): this {
    for (const v of values) this.words.push(v >>> 0);
    return this;
  }

  list(values: readonly number[]): this {
    for (const v of values) this.words.push(v >>> 0);
    return this;
  }

  f32(value: number): this {
    scratch.setFloat32(0, value, true);
    this.words.push(scratch.getUint32(0, true));
    return this;
  }

  i32(value: number): this {
    this.words.push(value | 0);
    return this;
  }

  /**
   * An axes block for wgsl/divide.ts `unravel`: shape, then the division magic for each axis
   * (valid for linear indices below `count`). Stride lists follow, pushed by the caller.
   */
  axes(shape: readonly number[], count: number): this {
    const { m, s } = magicList(shape, count);
    return this.list(shape).list(m).list(s);
  }

  /** Division magic (m, s) for one divisor, for dividends below `count`. */
  divisor(n: number, count: number): this {
    const { m, s } = magic(n, Math.max(0, count - 1));
    return this.u32(m, s);
  }

  /** Index the next word will get, for shaders that need to know where a list starts. */
  get length(): number {
    return this.words.length;
  }

  build(): Uint32Array {
    return Uint32Array.from(this.words, (w) => w >>> 0);
  }

  /** Writes the words into `dst` from word `at` (no intermediate array: one per dispatch). */
  writeInto(dst: Uint32Array, at: number): void {
    dst.set(this.words, at); // a Uint32Array stores each number modulo 2^32, as build() does
  }
}
