// trainTestSplit(x, y, { testFraction: 0.2 }): scikit-learn's train_test_split. The rows of
// every tensor are shuffled by one seeded permutation (the DataLoader's generator, so a seed
// gives the same split on every backend) and cut into a training and a test part.

import type { Tensor } from "../tensor";
import { fromHost, isTensor } from "../creation";
import { InputError } from "../errors";
import { take } from "../ops/indexing";
import { permutation } from "./loader";

export interface SplitOptions {
  /** The share of rows for the test part (default 0.25, as scikit-learn). */
  testFraction?: number;
  /** Seed of the shuffle (default 0). */
  seed?: number;
  /** Shuffle before cutting (default true); false keeps the order: the last rows are the test part. */
  shuffle?: boolean;
}

/** [xTrain, xTest, yTrain, yTest, ...]: a training and a test part of each tensor, rows kept together. */
export function trainTestSplit(...args: (Tensor | SplitOptions)[]): Tensor[] {
  const last = args[args.length - 1];
  const options: SplitOptions = last && !isTensor(last) ? (args.pop() as SplitOptions) : {};
  const tensors = args as Tensor[];
  if (!tensors.length || !tensors.every(isTensor)) throw new InputError("trainTestSplit: give one or more tensors, then optionally the options");
  const n = tensors[0].shape[0];
  tensors.forEach((t, i) => {
    if (t.ndim === 0 || t.shape[0] !== n) throw new InputError(`trainTestSplit: tensor ${i} has ${t.shape[0] ?? 0} rows but tensor 0 has ${n}; all need the same first dim`);
  });
  const f = options.testFraction ?? 0.25;
  if (!(f > 0 && f < 1)) throw new InputError(`trainTestSplit: testFraction must be between 0 and 1 (exclusive), got ${f}`);
  // As scikit-learn: the test part is the fraction rounded up.
  const nTest = Math.ceil(n * f);
  if (nTest >= n) throw new InputError(`trainTestSplit: ${n} rows leave none for training with testFraction ${f}`);
  const order = options.shuffle === false ? Int32Array.from({ length: n }, (_, i) => i) : permutation(n, options.seed ?? 0);
  const trainIdx = order.slice(0, n - nTest);
  const testIdx = order.slice(n - nTest);
  return tensors.flatMap((t) => {
    const pick = (idx: Int32Array) => take(t, fromHost(idx, [idx.length], "int32", t.backend), 0);
    return [pick(trainIdx), pick(testIdx)];
  });
}
