// A minimal WebAssembly binary encoder: just enough to write the CPU backend's kernels from
// TypeScript at runtime, so that no compiled .wasm blob or toolchain is part of the project.
// It knows i32, f32 and v128 values, one imported memory, and functions that call each other.

export const i32 = 0x7f;
export const f32 = 0x7d;
export const v128 = 0x7b;
export type ValType = typeof i32 | typeof f32 | typeof v128;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7; // callers pass i32 constants, so a 32-bit arithmetic shift is exact
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function utf8(s: string): number[] {
  const b = Array.from(new TextEncoder().encode(s));
  return [...uleb(b.length), ...b];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/** Byte offsets into memory are expressed with these natural alignments (log2 bytes). */
const align = { i32: 2, f32: 2, v128: 4 } as const;

/**
 * One function body. Each method appends an instruction and returns `this`, so kernels read as
 * straight-line instruction lists; the structured helpers (forLoop, ifElse) keep the block
 * nesting balanced, which is the easiest thing to get wrong when writing wasm by hand.
 */
export class Body {
  readonly code: number[] = [];
  private readonly locals: ValType[] = [];

  constructor(readonly params: ValType[], readonly results: ValType[] = []) {}

  /** Declares a local and returns its index (parameters come first). */
  local(type: ValType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  private op(...bytes: number[]): this {
    for (const b of bytes) this.code.push(b);
    return this;
  }
  private simd(opcode: number, ...imm: number[]): this {
    return this.op(0xfd, ...uleb(opcode), ...imm);
  }

  get(i: number): this { return this.op(0x20, ...uleb(i)); }
  set(i: number): this { return this.op(0x21, ...uleb(i)); }
  tee(i: number): this { return this.op(0x22, ...uleb(i)); }
  i32c(v: number): this { return this.op(0x41, ...sleb(v | 0)); }
  f32c(v: number): this {
    const b = new Uint8Array(new Float32Array([v]).buffer);
    return this.op(0x43, ...b);
  }
  add(): this { return this.op(0x6a); }
  sub(): this { return this.op(0x6b); }
  mul(): this { return this.op(0x6c); }
  ltS(): this { return this.op(0x48); }
  geS(): this { return this.op(0x4e); }
  leS(): this { return this.op(0x4c); }
  eq(): this { return this.op(0x46); }
  and(): this { return this.op(0x71); }
  shrU(): this { return this.op(0x76); }
  shl(): this { return this.op(0x74); }
  eqz(): this { return this.op(0x45); }
  select(): this { return this.op(0x1b); }
  call(fn: number): this { return this.op(0x10, ...uleb(fn)); }
  drop(): this { return this.op(0x1a); }

  f32Load(offset = 0): this { return this.op(0x2a, align.f32, ...uleb(offset)); }
  i32Load(offset = 0): this { return this.op(0x28, align.i32, ...uleb(offset)); }
  f32Store(offset = 0): this { return this.op(0x38, align.f32, ...uleb(offset)); }
  f32Add(): this { return this.op(0x92); }

  v128Load(offset = 0): this { return this.simd(0x00, align.v128, ...uleb(offset)); }
  v128Load32Splat(offset = 0): this { return this.simd(0x09, align.f32, ...uleb(offset)); }
  /** v128.load64_zero: two floats into the low lanes, zeros above. */
  v128Load64Zero(offset = 0): this { return this.simd(0x5d, 3, ...uleb(offset)); }
  /** v128.load32_zero: one float into lane 0, zeros above. */
  v128Load32Zero(offset = 0): this { return this.simd(0x5c, align.f32, ...uleb(offset)); }
  /** v128.load32_lane: one float into `lane` of the vector on the stack (address below it). */
  v128Load32Lane(lane: number, offset = 0): this { return this.simd(0x56, align.f32, ...uleb(offset), lane); }
  /** v128.store32_lane / store64_lane: one 4- or 8-byte lane of the vector to memory. */
  v128Store32Lane(lane: number, offset = 0): this { return this.simd(0x5a, align.f32, ...uleb(offset), lane); }
  v128Store64Lane(lane: number, offset = 0): this { return this.simd(0x5b, 3, ...uleb(offset), lane); }
  v128Store(offset = 0): this { return this.simd(0x0b, align.v128, ...uleb(offset)); }
  v128Zero(): this { return this.simd(0x0c, ...new Array<number>(16).fill(0)); }
  /** i8x16.shuffle of two f32x4 operands, given as four f32 lane indices (0-3 first, 4-7 second). */
  shuffleF32(lanes: [number, number, number, number]): this {
    return this.simd(0x0d, ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]));
  }
  /** Any SIMD instruction without immediates, by its opcode after the 0xfd prefix (f32x4.sub is 0xe5). */
  simdOp(opcode: number): this { return this.simd(opcode); }
  f32x4Add(): this { return this.simd(0xe4); }
  f32x4Mul(): this { return this.simd(0xe6); }
  /** relaxed_madd(a, b, c) = a * b + c, fused where the CPU has FMA (relaxed-simd proposal). */
  f32x4RelaxedMadd(): this { return this.simd(0x105); }

  /** memory.fill(dst, byte, n) and memory.copy(dst, src, n) (bulk memory; native memset and memmove). */
  memoryFill(): this { return this.op(0xfc, 0x0b, 0x00); }
  memoryCopy(): this { return this.op(0xfc, 0x0a, 0x00, 0x00); }

  /**
   * The 4 x 4 transpose of the f32x4 locals `rows` (a, b, c, d), through scratch locals lo and
   * hi: put(c, column) is called for c = 0..3 in order, and column() pushes (a_c b_c c_c d_c).
   */
  transpose4(rows: readonly number[], lo: number, hi: number, put: (c: number, column: () => void) => void): this {
    for (const half of [0, 1]) {
      const lanes: [number, number, number, number] = half ? [2, 6, 3, 7] : [0, 4, 1, 5];
      this.get(rows[0]).get(rows[1]).shuffleF32(lanes).set(lo); // a0 b0 a1 b1 (a2 b2 a3 b3)
      this.get(rows[2]).get(rows[3]).shuffleF32(lanes).set(hi); // c0 d0 c1 d1 (c2 d2 c3 d3)
      put(2 * half, () => this.get(lo).get(hi).shuffleF32([0, 1, 4, 5]));
      put(2 * half + 1, () => this.get(lo).get(hi).shuffleF32([2, 3, 6, 7]));
    }
    return this;
  }

  /** local[i] += by (an i32 constant). */
  inc(i: number, by: number): this { return this.get(i).i32c(by).add().set(i); }

  /** `for (; local[i] < limit; local[i] += step) body()`, where limit is a local; zero trips allowed. */
  forLoop(i: number, limit: number, step: number, body: () => void): this {
    this.op(0x02, 0x40, 0x03, 0x40); // block, loop (no results)
    this.get(i).get(limit).geS().op(0x0d, 1); // br_if out of the block when done
    body();
    this.inc(i, step);
    return this.op(0x0c, 0, 0x0b, 0x0b); // br to loop, end loop, end block
  }

  /** A do-while loop on a positive counter: body() runs `local[n]` times and n ends at 0. */
  countDown(n: number, body: () => void): this {
    this.op(0x03, 0x40);
    body();
    this.get(n).i32c(1).sub().tee(n).op(0x0d, 0); // br_if back while n != 0
    return this.op(0x0b);
  }

  /** Consumes an i32 condition from the stack. */
  ifElse(then: () => void, otherwise?: () => void): this {
    this.op(0x04, 0x40);
    then();
    if (otherwise) {
      this.op(0x05);
      otherwise();
    }
    return this.op(0x0b);
  }

  /** The encoded body: locals grouped in runs of one type, then the code. */
  encode(): number[] {
    const runs: number[][] = [];
    for (let i = 0; i < this.locals.length; ) {
      let j = i;
      while (j < this.locals.length && this.locals[j] === this.locals[i]) j++;
      runs.push([...uleb(j - i), this.locals[i]]);
      i = j;
    }
    const body = [...vec(runs), ...this.code, 0x0b];
    return [...uleb(body.length), ...body];
  }
}

export interface ModuleSpec {
  /** Memory imported as env.memory; shared memories need a maximum. */
  memory: { initialPages: number; maximumPages: number; shared: boolean };
  functions: { name?: string; body: Body }[];
}

/** Encodes a module whose functions are indexed in `functions` order (no imported functions). */
export function encodeModule(spec: ModuleSpec): Uint8Array {
  const types: number[][] = spec.functions.map(({ body }) => [0x60, ...vec(body.params.map((t) => [t])), ...vec(body.results.map((t) => [t]))]);
  const { initialPages, maximumPages, shared } = spec.memory;
  const memImport = [...utf8("env"), ...utf8("memory"), 0x02, shared ? 0x03 : 0x01, ...uleb(initialPages), ...uleb(maximumPages)];
  const exports = spec.functions.flatMap((f, i) => (f.name ? [[...utf8(f.name), 0x00, ...uleb(i)]] : []));
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec([memImport])),
    ...section(3, vec(spec.functions.map((_, i) => uleb(i)))),
    ...section(7, vec(exports)),
    ...section(10, vec(spec.functions.map((f) => f.body.encode()))),
  ];
  return new Uint8Array(bytes);
}
