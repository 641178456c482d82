// DataLoader: batches of rows from tensors that share their first dim, or of examples from a
// Dataset (dataset.ts), optionally shuffled with a seed (the same seed gives the same order
// every epoch sequence, on every backend).

import type { Tensor } from "../tensor";
import { fromHost, isTensor } from "../creation";
import { InputError } from "../errors";
import { take } from "../ops/indexing";
import { closeScope, openScope } from "../scope";
import { collate, isDataset, TensorDataset, type Dataset, type Example } from "./dataset";

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
  /** Examples of a Dataset to a batch (default collate(): stacks tensors, numbers to a tensor). */
  collateFn?: (examples: Example[]) => Tensor[];
}

export class DataLoader implements Iterable<Tensor[]> {
  readonly batchSize: number;
  readonly length: number;
  /** The tensors whose rows are batched; empty for a Dataset. */
  readonly tensors: Tensor[];
  readonly dataset: Dataset | null;
  private epoch = 0;
  /**
   * new DataLoader([x, y], { batchSize: 64, shuffle: true }) batches rows of tensors; a
   * Dataset (anything with `length` and `get(i)`, as PyTorch's __len__ and __getitem__) gives
   * examples that collateFn (default: stack) turns into batches. Each batch is an array of
   * tensors, one per field.
   */
  constructor(source: Tensor[] | Dataset, readonly options: LoaderOptions = {}) {
    if (source instanceof TensorDataset) source = source.tensors;
    if (isDataset(source)) {
      this.dataset = source;
      this.tensors = [];
      this.length = source.length;
      if (this.length < 0) throw new InputError(`DataLoader: the dataset's length must be a whole number >= 0, got ${this.length}`);
      this.batchSize = checkBatchSize(options.batchSize);
      return;
    }
    if (!Array.isArray(source) || !source.every(isTensor)) {
      throw new InputError("DataLoader: give an array of tensors ([x, y]) or a dataset (an object with length and get(i))");
    }
    const tensors = source;
    this.dataset = null;
    this.tensors = tensors;
    if (!tensors.length) throw new InputError("DataLoader: give at least one tensor");
    this.length = tensors[0].shape[0];
    tensors.forEach((t, i) => {
      if (t.ndim === 0 || t.shape[0] !== this.length) {
        throw new InputError(`DataLoader: tensor ${i} has ${t.shape[0] ?? 0} rows but tensor 0 has ${this.length}; all need the same first dim`);
      }
    });
    this.batchSize = checkBatchSize(options.batchSize);
  }

  /** Number of batches per epoch. */
  get batches(): number {
    return this.options.dropLast ? Math.floor(this.length / this.batchSize) : Math.ceil(this.length / this.batchSize);
  }

  /** One batch of a Dataset: the per-example tensors get(i) makes are freed once stacked
   * (tensors the dataset already held, such as cached images, are not). */
  private batchOf(dataset: Dataset, indices: number[]): Tensor[] {
    const scope = openScope();
    let batch: Tensor[] = [];
    try {
      const examples = indices.map((i) => dataset.get(i));
      batch = (this.options.collateFn ?? collate)(examples);
      if (!Array.isArray(batch) || !batch.every(isTensor)) throw new InputError("DataLoader: collateFn must return an array of tensors");
    } finally {
      closeScope(scope, new Set(Array.isArray(batch) ? batch.filter(isTensor) : []));
    }
    return batch;
  }

  *[Symbol.iterator](): Iterator<Tensor[]> {
    const seed = (this.options.seed ?? 0) + this.epoch++;
    const order = this.options.shuffle ? permutation(this.length, seed) : null;
    for (let b = 0; b < this.batches; b++) {
      const start = b * this.batchSize;
      const end = Math.min(start + this.batchSize, this.length);
      if (this.dataset) {
        yield this.batchOf(this.dataset, Array.from({ length: end - start }, (_, k) => (order ? order[start + k] : start + k)));
        continue;
      }
      if (!order) {
        yield this.tensors.map((t) => t.slice(0, start, end));
        continue;
      }
      const idx = fromHost(order.slice(start, end), [end - start], "int32", this.tensors[0].backend);
      yield this.tensors.map((t) => take(t, idx, 0));
    }
  }
}

function checkBatchSize(size: number | undefined): number {
  const b = size ?? 32;
  if (!Number.isInteger(b) || b <= 0) throw new InputError(`DataLoader: batchSize must be a positive integer, got ${b}`);
  return b;
}
