// The matmul primitive's transpose flags (transA: the left operand is stored [..., k, m],
// transB: the right one [..., n, k]), which nn.Linear and the matmul VJP use instead of
// copying a transpose: every flag pair on both backends against a plain loop, with batch
// broadcasting, sizes off the kernels' tiles, int32, and finite-difference gradients.

import { t, assert, eachBackend, expectTensor, gradCheck } from "./helpers";
import { matmulT } from "../src/ops/matmul";
import type { Tensor } from "../src/index";

const seq = (n: number, mod = 13, scale = 0.25, shift = -1.5) => Array.from({ length: n }, (_, i) => ((i * 7) % mod) * scale + shift);

/**
 * op(a) op(b) for one batch entry by a plain loop, in double precision: a stored as [m, k] or,
 * if transA, [k, m]; b as [k, n] or, if transB, [n, k].
 */
function mmT(a: number[], b: number[], m: number, k: number, n: number, transA: boolean, transB: boolean, ao = 0, bo = 0): number[] {
  const out: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ao + (transA ? p * m + i : i * k + p)] * b[bo + (transB ? j * k + p : p * n + j)];
      out.push(s);
    }
  }
  return out;
}

const flagPairs: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];
const name = (tA: boolean, tB: boolean) => `${tA ? "A^T" : "A"} ${tB ? "B^T" : "B"}`;
const stored = (rows: number, cols: number, trans: boolean) => (trans ? [cols, rows] : [rows, cols]);

eachBackend("matmul with transposed operands", () => {
  for (const [tA, tB] of flagPairs) {
    it(`${name(tA, tB)}: shapes off the tiles, float32`, async () => {
      for (const [m, k, n] of [[1, 1, 1], [3, 5, 7], [9, 17, 6], [33, 70, 13], [64, 64, 64], [130, 37, 66]]) {
        const a = seq(m * k);
        const b = seq(k * n, 11, 0.5, -2);
        const x = t.tensor(a, { dtype: "float32" }).reshape(stored(m, k, tA));
        const y = t.tensor(b, { dtype: "float32" }).reshape(stored(k, n, tB));
        await expectTensor(matmulT(x, y, tA, tB), mmT(a, b, m, k, n, tA, tB), { shape: [m, n], dtype: "float32", rtol: 1e-4, atol: 1e-4 });
      }
    });

    it(`${name(tA, tB)}: batched with broadcast batch dims, [2,1,...] x [3,...]`, async () => {
      const [m, k, n] = [5, 6, 7];
      const a = seq(2 * m * k);
      const b = seq(3 * k * n, 11, 0.5, -2);
      const x = t.tensor(a, { dtype: "float32" }).reshape([2, 1, ...stored(m, k, tA)]);
      const y = t.tensor(b, { dtype: "float32" }).reshape([3, ...stored(k, n, tB)]);
      const want: number[] = [];
      for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) want.push(...mmT(a, b, m, k, n, tA, tB, i * m * k, j * k * n));
      await expectTensor(matmulT(x, y, tA, tB), want, { shape: [2, 3, m, n], rtol: 1e-4, atol: 1e-4 });
    });

    it(`${name(tA, tB)}: int32`, async () => {
      const [m, k, n] = [3, 4, 5];
      const a = Array.from({ length: m * k }, (_, i) => (i % 5) - 2);
      const b = Array.from({ length: k * n }, (_, i) => (i % 7) - 3);
      const x = t.tensor(a, { dtype: "int32" }).reshape(stored(m, k, tA));
      const y = t.tensor(b, { dtype: "int32" }).reshape(stored(k, n, tB));
      await expectTensor(matmulT(x, y, tA, tB), mmT(a, b, m, k, n, tA, tB), { shape: [m, n], dtype: "int32" });
    });
  }

  it("agrees with matmul on an explicit transpose, split over k (a long k and a small output)", async () => {
    // [4, 1100] x [1100, 8]: few output tiles, so the WebGPU kernels split k into chunks.
    const a = t.tensor(seq(4 * 1100, 17, 0.125, -1), { dtype: "float32" }).reshape([1100, 4]);
    const b = t.tensor(seq(8 * 1100, 19, 0.125, -1), { dtype: "float32" }).reshape([8, 1100]);
    const want = Array.from(await a.T.matmul(b.T).data());
    await expectTensor(matmulT(a, b, true, true), want, { shape: [4, 8], rtol: 1e-4, atol: 1e-3 });
  });

  it("nn.Linear reads its weight transposed in place: same values as x @ W.T + b, on any rank", async () => {
    const lin = new t.nn.Linear(5, 3);
    for (const shape of [[5], [4, 5], [2, 3, 5]]) {
      const x = t.tensor(seq(shape.reduce((p, d) => p * d, 1)), { dtype: "float32" }).reshape(shape);
      const want = Array.from(await x.matmul(lin.weight.T).add(lin.bias as Tensor).data());
      await expectTensor(lin.forward(x), want, { shape: [...shape.slice(0, -1), 3], rtol: 1e-5, atol: 1e-5 });
    }
  });
});

eachBackend("gradient check: matmul with transposed operands", () => {
  for (const [tA, tB] of flagPairs) {
    it(`${name(tA, tB)}, batched with broadcast`, async () =>
      gradCheck((a, b) => matmulT(a, b, tA, tB).sin().sum(), [
        t.randn([2, 1, ...stored(3, 4, tA)]).mul(0.5),
        t.randn([3, ...stored(4, 2, tB)]).mul(0.5),
      ]));
  }

  it("second order: the VJP's own matmuls (with flags) differentiate again", async () => {
    // d/dW sum(sin(x W^T)) is itself a function of W; its gradient is checked by differences.
    const x = t.randn([3, 4]).mul(0.5);
    const inner = (w: Tensor) => (t.grad((v: Tensor) => matmulT(x, v, false, true).sin().sum())(w) as Tensor).square().sum();
    await gradCheck(inner, [t.randn([2, 4]).mul(0.5)]);
  });

  it("nn.Linear: weight, bias and input gradients", async () => {
    const lin = new t.nn.Linear(4, 3);
    await gradCheck((x, w) => {
      lin.weight = w;
      return lin.forward(x).tanh().sum();
    }, [t.randn([2, 4]), t.randn([3, 4]).mul(0.5)]);
  });
});

describe("matmul transpose flags: the primitive's shape rule", () => {
  it("rejects inner dims that disagree once the flags are applied", () => {
    assert.throws(() => matmulT(t.zeros([3, 4]), t.zeros([3, 5]), false, false), /internal shape rule violated: matmul operands/);
    assert.deepEqual(matmulT(t.zeros([4, 3]), t.zeros([5, 4]), true, true).shape, [3, 5]);
  });
});
