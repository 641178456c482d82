// The problem optimizer tests compare on: a small linear regression whose gradients are also
// worked out by hand in float64, so that a plain-JavaScript transcription of PyTorch's
// algorithm can run beside the library's optimizer, step by step.

import { t, assert, assertClose } from "./helpers";
import type { Tensor } from "../src/index";

const values = async (x: Tensor) => Array.from(await x.data());

/** A reference optimizer: parameter k's new values from its values and gradient (float64). */
export type Reference = (k: number, p: number[], grad: number[]) => number[];

const X = [[0.5, -1, 2], [1.5, 0.25, -0.5], [-1, 2, 0.75], [0.2, -0.3, 1]];
const Y = [[1, -2], [0.5, 0], [-1, 1.5], [2, 0.25]];
const W0 = [0.1, -0.2, 0.3, 0.05, 0.4, -0.15]; // [2, 3] row-major
const B0 = [0.2, -0.1];

/** Gradients of mean((x W^T + b - y)^2) at W, b. */
export function refGrads(W: number[], b: number[]): [number[], number[]] {
  const gW = W.map(() => 0);
  const gb = b.map(() => 0);
  const scale = 2 / (X.length * b.length);
  X.forEach((x, n) =>
    b.forEach((bo, o) => {
      const r = x.reduce((acc, xi, i) => acc + xi * W[o * 3 + i], bo) - Y[n][o];
      gb[o] += scale * r;
      x.forEach((xi, i) => (gW[o * 3 + i] += scale * r * xi));
    }),
  );
  return [gW, gb];
}

export function problem() {
  const w = t.tensor(W0, { dtype: "float32" }).reshape([2, 3]).requiresGrad_();
  const b = t.tensor(B0, { dtype: "float32" }).requiresGrad_();
  const x = t.tensor(X, { dtype: "float32" });
  const y = t.tensor(Y, { dtype: "float32" });
  const loss = () => x.matmul(w.T).add(b).sub(y).square().mean();
  return { w, b, loss };
}

/** Runs `steps` steps of opt on the library and of ref in float64, comparing every step. */
export async function compare(make: (params: Tensor[]) => t.optim.Optimizer, ref: Reference, steps = 5) {
  const { w, b, loss } = problem();
  const opt = make([w, b]);
  let W = W0.slice();
  let B = B0.slice();
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    loss().backward();
    opt.step();
    const [gW, gb] = refGrads(W, B);
    W = ref(0, W, gW);
    B = ref(1, B, gb);
    assertClose(await values(w), W, 1e-6, 1e-7);
    assertClose(await values(b), B, 1e-6, 1e-7);
  }
  // The parameters moved: the comparison is not of two unchanged arrays.
  assert.ok(W.some((v, i) => Math.abs(v - W0[i]) > 1e-3));
}

