// Fisher's Iris data as tensors, shipped in the package (iris-rows.ts), so nothing is
// downloaded. Like data.mnist(), the split is a seeded shuffle: the same on every machine.

import type { Tensor } from "../tensor";
import { fromHost } from "../creation";
import { InputError } from "../errors";
import { permutation } from "./loader";
import { IRIS_ROWS, IRIS_ROWS_PER_CLASS } from "./iris-rows";

export interface IrisSplit {
  xTrain: Tensor;
  yTrain: Tensor;
  xTest: Tensor;
  yTest: Tensor;
  /** The four columns of x, in cm. */
  featureNames: string[];
  /** Label i is classNames[i]. */
  classNames: string[];
}

const FEATURES = ["sepal length", "sepal width", "petal length", "petal width"];
const CLASSES = ["setosa", "versicolor", "virginica"];

/**
 * Iris as tensors: features [N, 4] float32 (cm, not standardized) and int32 labels [N] in
 * 0..2. `train` rows go to the training split (default 120 of the 150), `test` rows (default
 * the rest) to the test split, after a shuffle by `seed` (default 0).
 *
 * ```ts
 * const { xTrain, yTrain, xTest, yTest, classNames } = data.iris({ seed: 1 });
 * xTrain.shape; // [120, 4]
 * ```
 */
export function iris(options: { train?: number; test?: number; seed?: number } = {}): IrisSplit {
  const n = IRIS_ROWS.length;
  const train = options.train ?? 120;
  const test = options.test ?? n - train;
  if (!Number.isInteger(train) || !Number.isInteger(test) || train < 0 || test < 0 || train + test > n) {
    throw new InputError(`data.iris(): train and test must be non-negative integers with train + test at most ${n}, got ${train} + ${test}`);
  }
  const order = permutation(n, options.seed ?? 0);
  const pick = (from: number, count: number): [Tensor, Tensor] => {
    const x = new Float32Array(count * 4);
    const y = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const j = order[from + i];
      x.set(IRIS_ROWS[j], i * 4);
      y[i] = Math.floor(j / IRIS_ROWS_PER_CLASS);
    }
    return [fromHost(x, [count, 4], "float32"), fromHost(y, [count], "int32")];
  };
  const [xTrain, yTrain] = pick(0, train);
  const [xTest, yTest] = pick(train, test);
  return { xTrain, yTrain, xTest, yTest, featureNames: FEATURES.slice(), classNames: CLASSES.slice() };
}
