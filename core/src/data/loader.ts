// DataLoader: batches of rows from tensors that share their first dim, optionally shuffled
// with a seed (the same seed gives the same order every epoch sequence, on every backend).

import type { Tensor } from "../tensor";
import { fromHost } from "../creation";
import { InputError } from "../errors";
import { take } from "../ops/indexing";

/** A small deterministic generator for shuffling (mulberry32), independent of manualSeed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function permutation(n: number, seed: number): Int32Array {
  const rnd = mulberry32(seed);
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

export interface LoaderOptions {
  batchSize?: number;
  shuffle?: boolean;
  seed?: number;
  dropLast?: boolean;
}

export class DataLoader implements Iterable<Tensor[]> {
  readonly batchSize: number;
  readonly length: number;
  private epoch = 0;
  constructor(readonly tensors: Tensor[], readonly options: LoaderOptions = {}) {
    if (!tensors.length) throw new InputError("DataLoader: give at least one tensor");
    this.length = tensors[0].shape[0];
    tensors.forEach((t, i) => {
      if (t.ndim === 0 || t.shape[0] !== this.length) {
        throw new InputError(`DataLoader: tensor ${i} has ${t.shape[0] ?? 0} rows but tensor 0 has ${this.length}; all need the same first dim`);
      }
    });
    this.batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(this.batchSize) || this.batchSize <= 0) throw new InputError(`DataLoader: batchSize must be a positive integer, got ${this.batchSize}`);
  }

  /** Number of batches per epoch. */
  get batches(): number {
    return this.options.dropLast ? Math.floor(this.length / this.batchSize) : Math.ceil(this.length / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<Tensor[]> {
    const seed = (this.options.seed ?? 0) + this.epoch++;
    const order = this.options.shuffle ? permutation(this.length, seed) : null;
    for (let b = 0; b < this.batches; b++) {
      const start = b * this.batchSize;
      const end = Math.min(start + this.batchSize, this.length);
      if (!order) {
        yield this.tensors.map((t) => t.slice(0, start, end));
        continue;
      }
      const idx = fromHost(order.slice(start, end), [end - start], "int32", this.tensors[0].backend);
      yield this.tensors.map((t) => take(t, idx, 0));
    }
  }
}
