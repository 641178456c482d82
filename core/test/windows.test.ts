// The windows primitive (conv2d's im2col columns in one strided copy): values against a direct
// loop, with strides, rows and columns left over and one channel; its gradient (overlapping
// windows summed back) against a direct scatter and against finite differences.

import { t, assertClose, gradCheck, eachBackend, assert } from "./helpers";
import type { Tensor } from "../src/index";
import { run } from "../src/dispatch";

type Case = { shape: [number, number, number, number]; kernel: [number, number]; stride: [number, number] };
const cases: Case[] = [
  { shape: [2, 5, 6, 3], kernel: [3, 3], stride: [1, 1] },
  { shape: [1, 7, 6, 2], kernel: [3, 2], stride: [2, 3] }, // rows and columns left over
  { shape: [3, 4, 4, 1], kernel: [2, 2], stride: [2, 2] },
  { shape: [1, 3, 3, 5], kernel: [3, 3], stride: [1, 1] }, // one window
];

const windows = (x: Tensor, { kernel, stride }: Case) => run("windows", [x], { kernel, stride });

/** out[n, i, j, a, b, c] = x[n, i*s0 + a, j*s1 + b, c], in plain JavaScript. */
function expected(x: ArrayLike<number>, { shape: [n, h, w, c], kernel: [kh, kw], stride: [s0, s1] }: Case): number[] {
  const ho = Math.floor((h - kh) / s0) + 1;
  const wo = Math.floor((w - kw) / s1) + 1;
  const out: number[] = [];
  for (let b = 0; b < n; b++) for (let i = 0; i < ho; i++) for (let j = 0; j < wo; j++)
    for (let p = 0; p < kh; p++) for (let q = 0; q < kw; q++) for (let ch = 0; ch < c; ch++)
      out.push(x[((b * h + i * s0 + p) * w + j * s1 + q) * c + ch]);
  return out;
}

eachBackend("windows", () => {
  it("reads every window, channels innermost", async () => {
    for (const cs of cases) {
      const x = t.randn(cs.shape);
      const y = windows(x, cs);
      const [n, h, w, c] = cs.shape;
      const ho = Math.floor((h - cs.kernel[0]) / cs.stride[0]) + 1;
      const wo = Math.floor((w - cs.kernel[1]) / cs.stride[1]) + 1;
      assert.deepEqual(y.shape, [n, ho, wo, ...cs.kernel, c]);
      assertClose(await y.data(), expected(await x.data(), cs), 0, 0);
    }
  });

  it("its gradient sums each window's values back where they were read", async () => {
    for (const cs of cases) {
      const x = t.randn(cs.shape);
      const ySize = expected(new Array(cs.shape.reduce((a, b) => a * b)).fill(0), cs).length;
      const g = t.randn([ySize]);
      const grad = t.grad((v: Tensor) => windows(v, cs).reshape([-1]).mul(g).sum())(x);
      // Scatter g through the same index map as the forward.
      const index = expected(Array.from({ length: x.size }, (_, i) => i), cs);
      const want = new Array<number>(x.size).fill(0);
      const gs = await g.data();
      index.forEach((from, k) => (want[from] += gs[k]));
      assertClose(await grad.data(), want, 1e-5, 1e-5);
    }
    const cs = cases[1];
    const mix = t.randn(windows(t.zeros(cs.shape), cs).shape);
    await gradCheck((v: Tensor) => windows(v, cs).mul(mix).square().sum(), [t.randn(cs.shape)]);
  });
});
