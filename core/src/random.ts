// Seeded random tensors. One global generator (xoshiro128**), seeded with manualSeed(n) like
// torch.manual_seed; without a seed it starts from a fixed seed so notebooks are reproducible.
// Values are drawn on the host and uploaded: the same seed gives the same numbers on every
// backend.

import type { Tensor } from "./tensor";
import type { Backend } from "./backend/backend";
import { fromHost, isTensor, shapeArgs } from "./creation";
import { checkShape, describe } from "./shape";
import { InputError } from "./errors";
import { checkAllocation } from "./dispatch";
import { sizeOf } from "./shape";
import { hostSource } from "./jit/trace";
import { randomHook } from "./vmap/hook";

let s = new Uint32Array(4);

function splitmix32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x9e3779b9) >>> 0;
    let z = a;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Seeds the global generator (any integer). */
export function manualSeed(seed: number): void {
  if (!Number.isFinite(seed)) throw new InputError(`manualSeed: seed must be a number, got ${describe(seed)}`);
  const next = splitmix32(Math.floor(seed) ^ Math.floor(seed / 2 ** 32));
  s = new Uint32Array([next(), next(), next(), next()]);
}
manualSeed(0);

const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));

/** The next 32 random bits. */
function nextU32(): number {
  const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
  const t = s[1] << 9;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 11);
  return result;
}

/** Uniform in [0, 1) with 24 random bits, so it is exact in float32 and never 1. */
function uniform(): number {
  return (nextU32() >>> 8) / 16777216;
}

function shapeOf(shape: number[], where: string): number[] {
  const sh = checkShape(shape, where);
  checkAllocation({ shape: sh, dtype: "float32" }, where);
  return sh;
}

/**
 * A draw of `sh` made by `make`. Under jit every replay draws again (hostSource: the generator
 * advances as in eager code); inside vmap the vmaps' randomness option decides (vmap.ts).
 */
function draw(where: string, sh: number[], make: (shape: number[]) => Tensor): Tensor {
  if (randomHook) return randomHook(where, sh, (full) => hostSource(() => make(full)));
  return hostSource(() => make(sh));
}

/** Uniform floats in [0, 1). */
export function rand(shape: number[]): Tensor;
export function rand(...sizes: number[]): Tensor;
export function rand(...args: unknown[]): Tensor {
  return randOn(shapeArgs("rand", args).shape);
}

/** Standard normal floats (Box-Muller). */
export function randn(shape: number[]): Tensor;
export function randn(...sizes: number[]): Tensor;
export function randn(...args: unknown[]): Tensor {
  return randnOn(shapeArgs("randn", args).shape);
}

/**
 * @internal rand() on a given device (default: the current one). nn.init fills a tensor where it
 * lives, which need not be the current backend; the draw is the same either way.
 */
export function randOn(shape: number[], backend?: Backend, where = "rand"): Tensor {
  return draw(where, shapeOf(shape, where), (sh) => {
    const out = new Float32Array(sizeOf(sh));
    for (let i = 0; i < out.length; i++) out[i] = uniform();
    return fromHost(out, sh, "float32", backend);
  });
}

/** @internal randn() on a given device (default: the current one), as randOn. */
export function randnOn(shape: number[], backend?: Backend, where = "randn"): Tensor {
  return draw(where, shapeOf(shape, where), (sh) => randnValues(sh, backend));
}

function randnValues(sh: number[], backend: Backend | undefined): Tensor {
  const out = new Float32Array(sizeOf(sh));
  for (let i = 0; i < out.length; i += 2) {
    const u = 1 - uniform(); // (0, 1]: log stays finite
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return fromHost(out, sh, "float32", backend);
}

/** Integers in [low, high), int32. */
export function randint(low: number, high: number, shape: number[]): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new InputError(`randint: need integers low < high, got low=${describe(low)}, high=${describe(high)}`);
  }
  return draw("randint", shapeOf(shape, "randint"), (sh) => {
    const out = new Int32Array(sizeOf(sh));
    const span = high - low;
    for (let i = 0; i < out.length; i++) out[i] = low + Math.floor(uniform() * span);
    return fromHost(out, sh, "int32");
  });
}

/** bernoulli(p, shape): true with probability p. With a tensor p, compares against rand(). */
export function bernoulli(p: number | Tensor, shape?: number[]): Tensor {
  if (isTensor(p)) return rand(p.shape).lt(p);
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new InputError(`bernoulli: p must be a probability in [0, 1], got ${describe(p)}`);
  return draw("bernoulli", shapeOf(shape ?? [], "bernoulli"), (sh) => {
    const out = new Uint8Array(sizeOf(sh));
    for (let i = 0; i < out.length; i++) out[i] = uniform() < p ? 1 : 0;
    return fromHost(out, sh, "bool");
  });
}
