// ConvTranspose2d and Conv1d against direct loops over their definitions (scatter for the
// transposed conv), output sizes as PyTorch computes them, finite-difference gradients, an
// autoencoder's shapes, and the error messages.

import { t, assert, assertClose, eachBackend, gradCheck, uniform } from "./helpers";
import type { Tensor } from "../src/index";

const { nn } = t;

/** out[n, o, i*s + a - p, j*s + c - p] += x[n, ci, i, j] * w[ci, o, a, c], then bias. */
async function refTranspose(x: Tensor, w: Tensor, b: Tensor | null, s: number[], p: number[], op: number[]): Promise<{ shape: number[]; values: number[] }> {
  const [N, C, H, W] = x.shape;
  const [, O, kh, kw] = w.shape;
  const Ho = (H - 1) * s[0] - 2 * p[0] + kh + op[0];
  const Wo = (W - 1) * s[1] - 2 * p[1] + kw + op[1];
  const xv = await x.data();
  const wv = await w.data();
  const bv = b ? await b.data() : null;
  const out = new Array(N * O * Ho * Wo).fill(0);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let i = 0; i < H; i++)
        for (let j = 0; j < W; j++)
          for (let o = 0; o < O; o++)
            for (let a = 0; a < kh; a++)
              for (let d = 0; d < kw; d++) {
                const [y, z] = [i * s[0] + a - p[0], j * s[1] + d - p[1]];
                if (y < 0 || y >= Ho || z < 0 || z >= Wo) continue;
                out[((n * O + o) * Ho + y) * Wo + z] += xv[((n * C + c) * H + i) * W + j] * wv[((c * O + o) * kh + a) * kw + d];
              }
  if (bv) for (let k = 0; k < out.length; k++) out[k] += bv[Math.floor(k / (Ho * Wo)) % O];
  return { shape: [N, O, Ho, Wo], values: out };
}

eachBackend("ConvTranspose2d and Conv1d", () => {
  it("ConvTranspose2d matches the scatter definition for strides, paddings and output paddings", async () => {
    for (const [k, s, p, op] of [[3, 1, 0, 0], [3, 2, 1, 1], [4, 2, 1, 0], [2, 3, 0, 2], [3, 2, 2, 0], [2, 2, 2, 1]] as const) {
      const layer = new nn.ConvTranspose2d(2, 3, k, { stride: s, padding: p, outputPadding: op });
      const x = uniform([2, 2, 4, 5]);
      const got = layer.forward(x);
      const want = await refTranspose(x, layer.weight, layer.bias, [s, s], [p, p], [op, op]);
      assert.deepEqual(got.shape, want.shape, `k=${k} s=${s} p=${p} op=${op}`);
      assertClose(await got.data(), want.values, 1e-4, 1e-5);
    }
    const rect = new nn.ConvTranspose2d(1, 2, [2, 3], { stride: [2, 1], padding: [0, 1], bias: false });
    const x = uniform([1, 1, 3, 3]);
    const want = await refTranspose(x, rect.weight, null, [2, 1], [0, 1], [0, 0]);
    assertClose(await rect.forward(x).data(), want.values, 1e-4, 1e-5);
  });

  it("undoes a strided Conv2d's downsampling in an autoencoder, and its gradients match finite differences", async () => {
    const enc = new nn.Conv2d(1, 4, 3, { stride: 2, padding: 1 });
    const dec = new nn.ConvTranspose2d(4, 1, 3, { stride: 2, padding: 1, outputPadding: 1 });
    const img = uniform([2, 1, 28, 28]);
    assert.deepEqual(enc.forward(img).shape, [2, 4, 14, 14]);
    assert.deepEqual(dec.forward(enc.forward(img)).shape, [2, 1, 28, 28]);
    const small = new nn.ConvTranspose2d(2, 2, 3, { stride: 2, padding: 1, outputPadding: 1 });
    const target = uniform([1, 2, 6, 6]);
    await gradCheck((x: Tensor) => small.forward(x).mul(target).sum(), [uniform([1, 2, 3, 3])]);
    await gradCheck((w: Tensor) => nn.convTranspose2d(t.full([1, 2, 3, 3], 0.5), w, null, [2, 2], [1, 1], [1, 1]).mul(target).sum(), [uniform([2, 2, 3, 3])]);
  });

  it("Conv1d matches a direct loop, with stride and padding", async () => {
    const conv = new nn.Conv1d(2, 3, 3, { stride: 2, padding: 1 });
    const x = uniform([2, 2, 7]);
    const y = conv.forward(x);
    assert.deepEqual(y.shape, [2, 3, 4]);
    const [xv, wv, bv] = [await x.data(), await conv.weight.data(), await conv.bias!.data()];
    const want: number[] = [];
    for (let n = 0; n < 2; n++)
      for (let o = 0; o < 3; o++)
        for (let l = 0; l < 4; l++) {
          let acc = bv[o];
          for (let c = 0; c < 2; c++)
            for (let k = 0; k < 3; k++) {
              const at = l * 2 + k - 1;
              if (at >= 0 && at < 7) acc += xv[(n * 2 + c) * 7 + at] * wv[(o * 2 + c) * 3 + k];
            }
          want.push(acc);
        }
    assertClose(await y.data(), want, 1e-5, 1e-6);
    const target = uniform([1, 3, 4]);
    await gradCheck((w: Tensor) => nn.functionalCall(conv, { weight: w }, x.index("0:1")).mul(target).sum(), [conv.weight.detach()]);
  });

  it("explains wrong inputs and options", () => {
    assert.throws(() => new nn.ConvTranspose2d(2, 3, 3, { stride: 2, outputPadding: 2 }), /outputPadding \(2, 2\) must be smaller than the stride \(2, 2\)/);
    assert.throws(() => new nn.ConvTranspose2d(2, 3, 3).forward(uniform([1, 3, 4, 4])), /ConvTranspose2d expects input \[N, C, H, W\] with C = 2, got shape \[1, 3, 4, 4\]/);
    assert.throws(() => new nn.Conv1d(2, 3, 3).forward(uniform([4, 7])), /Conv1d expects input \[N, C, L\] with C = 2, got shape \[4, 7\]/);
    assert.throws(() => new nn.Conv1d(2, 3, 0), /Conv1d: channels, kernel size and stride must be positive integers, got 0/);
  });
});
