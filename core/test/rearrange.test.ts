// Tensor rearrangements against plain-JavaScript references built from index maps: flip,
// roll, repeat, tile, repeatInterleave, chunk, diagonal, diag, trace, meshgrid, diff and
// indexAdd; gradients against finite differences, and the error messages.

import { t, assert, assertClose, eachBackend, expectTensor, gradCheck, uniform } from "./helpers";
import type { Tensor } from "../src/index";

const strides = (shape: number[]) => shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));

/** out[i] = x[at(i)] for every multi-index i of outShape (at gives x's multi-index). */
async function byIndex(x: Tensor, outShape: number[], at: (i: number[]) => number[]): Promise<number[]> {
  const v = await x.data();
  const xs = strides(x.shape);
  const os = strides(outShape);
  const n = outShape.reduce((a, b) => a * b, 1);
  return Array.from({ length: n }, (_, flat) => {
    const i = os.map((s, k) => Math.floor(flat / s) % outShape[k]);
    return v[at(i).reduce((off, j, k) => off + j * xs[k], 0)];
  });
}

async function expectMap(y: Tensor, x: Tensor, outShape: number[], at: (i: number[]) => number[]): Promise<void> {
  assert.deepEqual(y.shape, outShape, "shape");
  assertClose(await y.data(), await byIndex(x, outShape, at), 0, 0);
}

const mod = (a: number, n: number) => ((a % n) + n) % n;
const weights = (shape: number[]) => t.arange(shape.reduce((a, b) => a * b, 1)).astype("float32").mul(0.37).sin().reshape(shape);

eachBackend("rearrange", () => {
  describe("flip and roll", () => {
    it("flip reverses the given axes, all of them without any, and keeps dtype", async () => {
      const x = t.arange(24).reshape([2, 3, 4]);
      await expectMap(x.flip(0), x, [2, 3, 4], ([a, b, c]) => [1 - a, b, c]);
      await expectMap(x.flip(-1, 1), x, [2, 3, 4], ([a, b, c]) => [a, 2 - b, 3 - c]);
      await expectMap(t.flip(x, [0, 2]), x, [2, 3, 4], ([a, b, c]) => [1 - a, b, 3 - c]);
      await expectMap(x.flip(), x, [2, 3, 4], ([a, b, c]) => [1 - a, 2 - b, 3 - c]);
      await expectTensor(t.tensor([true, false, false]).flip(0), [false, false, true], { dtype: "bool" });
      assert.throws(() => x.flip(3), { name: "ShapeError", message: /^flip: axis 3 is out of range for shape \[2, 3, 4\]/ });
      assert.throws(() => x.flip(0, -3), { name: "ShapeError", message: /names the same axis twice/ });
      await gradCheck((a) => a.flip(1).mul(weights([2, 3])).sum(), [uniform([2, 3])]);
    });

    it("roll shifts with wrap-around, negative and oversized shifts, several axes, or the flattened tensor", async () => {
      const x = t.arange(12).reshape([3, 4]);
      await expectMap(x.roll(1, 1), x, [3, 4], ([a, b]) => [a, mod(b - 1, 4)]);
      await expectMap(x.roll(-5, 0), x, [3, 4], ([a, b]) => [mod(a + 5, 3), b]);
      await expectMap(t.roll(x, [1, 2], [0, 1]), x, [3, 4], ([a, b]) => [mod(a - 1, 3), mod(b - 2, 4)]);
      await expectTensor(x.roll(3), [9, 10, 11, 0, 1, 2, 3, 4, 5, 6, 7, 8], { shape: [3, 4] });
      await expectTensor(x.roll(0, 1), Array.from(await x.data()));
      assert.throws(() => x.roll([1, 2], 0), { name: "InputError", message: /^roll: got 2 shifts and 1 axes/ });
      assert.throws(() => x.roll(1.5, 0), { name: "InputError", message: /^roll: shifts must be integers/ });
      await gradCheck((a) => a.roll([1, -1], [0, 1]).mul(weights([3, 4])).sum(), [uniform([3, 4])]);
    });
  });

  describe("repeat, tile, repeatInterleave, chunk", () => {
    it("repeat tiles the whole tensor (torch semantics), with extra leading counts adding axes", async () => {
      const x = t.tensor([[1, 2, 3], [4, 5, 6]]);
      await expectMap(x.repeat(2, 3), x, [4, 9], ([a, b]) => [a % 2, b % 3]);
      await expectMap(x.repeat([2, 1, 2]), x, [2, 2, 6], ([, b, c]) => [b, c % 3]);
      await expectTensor(t.tensor([1, 2]).repeat(3), [1, 2, 1, 2, 1, 2]);
      assert.deepEqual(x.repeat(0, 2).shape, [0, 6]);
      assert.throws(() => x.repeat(2), { name: "ShapeError", message: /^repeat: got 1 repeat counts for a tensor of shape \[2, 3\]; give at least 2/ });
      assert.throws(() => x.repeat(-1, 2), { name: "InputError", message: /non-negative integers/ });
      await gradCheck((a) => a.repeat(2, 2).mul(weights([4, 6])).sum(), [uniform([2, 3])]);
    });

    it("tile takes missing leading counts as 1", async () => {
      const x = t.tensor([[1, 2, 3], [4, 5, 6]]);
      await expectMap(x.tile(2), x, [2, 6], ([a, b]) => [a, b % 3]);
      await expectMap(t.tile(x, [2, 1, 1]), x, [2, 2, 3], ([, b, c]) => [b, c]);
    });

    it("repeatInterleave repeats each element, by one count or one per element, flattened without an axis", async () => {
      const x = t.tensor([[1, 2], [3, 4]]);
      await expectTensor(x.repeatInterleave(2), [1, 1, 2, 2, 3, 3, 4, 4], { shape: [8] });
      await expectMap(x.repeatInterleave(3, 1), x, [2, 6], ([a, b]) => [a, Math.floor(b / 3)]);
      await expectTensor(t.repeatInterleave(x, [1, 2], 0), [[1, 2], [3, 4], [3, 4]], { shape: [3, 2] });
      await expectTensor(x.repeatInterleave([0, 2], -1), [[2, 2], [4, 4]]);
      assert.throws(() => x.repeatInterleave([1, 2, 3], 0), { name: "ShapeError", message: /^repeatInterleave: got 3 repeat counts for axis 0 of size 2/ });
      assert.throws(() => x.repeatInterleave(t.tensor([1, 2]) as unknown as number[], 0), { name: "InputError", message: /Array.from\(await counts.data\(\)\)/ });
      await gradCheck((a) => a.repeatInterleave([2, 0, 1], 1).mul(weights([2, 3])).sum(), [uniform([2, 3])]);
    });

    it("chunk splits into pieces of ceil(n / chunks), as torch.chunk", async () => {
      const x = t.arange(10);
      const parts = x.chunk(3);
      assert.deepEqual(parts.map((p) => p.shape[0]), [4, 4, 2]);
      await expectTensor(parts[2], [8, 9]);
      assert.deepEqual(t.arange(6).reshape([1, 6]).chunk(4, 1).map((p) => p.shape), [[1, 2], [1, 2], [1, 2]]);
      assert.throws(() => x.chunk(0), { name: "InputError", message: /^chunk: the number of chunks must be a positive integer/ });
    });
  });

  describe("diagonal, diag, trace", () => {
    it("diagonal with offsets on a non-square matrix and of chosen axes of a 3-D tensor", async () => {
      const m = t.arange(12).reshape([3, 4]);
      await expectTensor(m.diagonal(), [0, 5, 10]);
      await expectTensor(m.diagonal(1), [1, 6, 11]);
      await expectTensor(m.diagonal(2), [2, 7]);
      await expectTensor(m.diagonal(-1), [4, 9]);
      await expectTensor(m.diagonal(4), [], { shape: [0] });
      await expectTensor(m.diagonal(-3), [], { shape: [0] });
      const x = t.arange(24).reshape([2, 3, 4]);
      await expectMap(t.diagonal(x, 0, 0, 2), x, [3, 2], ([b, i]) => [i, b, i]);
      await expectMap(x.diagonal(1, 1, 2), x, [2, 3], ([a, i]) => [a, i, i + 1]);
      await expectMap(x.diagonal(0, 2, 1), x, [2, 3], ([a, i]) => [a, i, i]);
      assert.throws(() => x.diagonal(0, 1, 1), { name: "InputError", message: /axis1 and axis2 must differ/ });
      assert.throws(() => t.arange(3).diagonal(), { name: "ShapeError", message: /^diagonal: needs a tensor with at least 2 dims, got shape \[3\]/ });
      await gradCheck((a) => a.diagonal(-1, 0, 2).mul(weights([3, 3])).sum(), [uniform([4, 3, 3])]);
    });

    it("diag: vector to matrix (with offsets), matrix to diagonal", async () => {
      const v = t.tensor([1, 2, 3]);
      await expectTensor(v.diag(), [[1, 0, 0], [0, 2, 0], [0, 0, 3]], { dtype: "int32" });
      await expectTensor(t.diag(v, 1), [[0, 1, 0, 0], [0, 0, 2, 0], [0, 0, 0, 3], [0, 0, 0, 0]]);
      await expectTensor(v.diag(-2), [[0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [1, 0, 0, 0, 0], [0, 2, 0, 0, 0], [0, 0, 3, 0, 0]]);
      await expectTensor(t.tensor([[1, 2], [3, 4]]).diag(), [1, 4]);
      await expectTensor(t.tensor([true, true]).diag(), [[true, false], [false, true]], { dtype: "bool" });
      assert.throws(() => t.zeros([2, 2, 2]).diag(), { name: "ShapeError", message: /^diag: needs a vector or a matrix, got shape \[2, 2, 2\]/ });
      await gradCheck((a) => a.diag(1).mul(weights([4, 4])).sum(), [uniform([3])]);
    });

    it("trace sums the main diagonal of a matrix", async () => {
      await expectTensor(t.arange(12).reshape([3, 4]).trace(), [15], { shape: [] });
      await expectTensor(t.trace(t.eye(5)), [5]);
      assert.throws(() => t.zeros([3]).trace(), { name: "ShapeError", message: /^trace: needs a matrix \(2 dims\)/ });
      await gradCheck((a) => a.trace(), [uniform([3, 3])]);
    });
  });

  describe("meshgrid", () => {
    it("ij (PyTorch's default) and xy (NumPy's) grids of 1-D and 0-D inputs", async () => {
      const x = t.tensor([1, 2, 3]);
      const y = t.tensor([10, 20]);
      const [gi, gj] = t.meshgrid(x, y);
      await expectTensor(gi, [[1, 1], [2, 2], [3, 3]], { shape: [3, 2] });
      await expectTensor(gj, [[10, 20], [10, 20], [10, 20]], { shape: [3, 2] });
      const [gx, gy] = t.meshgrid([x, y], { indexing: "xy" });
      await expectTensor(gx, [[1, 2, 3], [1, 2, 3]], { shape: [2, 3] });
      await expectTensor(gy, [[10, 10, 10], [20, 20, 20]], { shape: [2, 3] });
      const three = t.meshgrid(x, y, t.tensor(7), { indexing: "xy" });
      assert.deepEqual(three.map((g) => g.shape), [[2, 3, 1], [2, 3, 1], [2, 3, 1]]);
      await expectTensor(three[2], [7, 7, 7, 7, 7, 7]);
      assert.throws(() => t.meshgrid(x, t.zeros([2, 2])), { name: "ShapeError", message: /^meshgrid: input 1 has shape \[2, 2\]; each input must be 1-D/ });
      assert.throws(() => t.meshgrid(x, { indexing: "yx" as "xy" }), { name: "InputError", message: /indexing must be "ij" or "xy"/ });
    });
  });

  describe("diff", () => {
    it("n-th differences along an axis, prepend/append, bools as xor", async () => {
      const x = t.tensor([[1, 4, 9, 16], [2, 3, 5, 8]]);
      await expectTensor(x.diff(), [[3, 5, 7], [1, 2, 3]], { shape: [2, 3] });
      await expectTensor(x.diff(2), [[2, 2], [1, 1]]);
      await expectTensor(t.diff(x, 1, 0), [[1, -1, -4, -8]]);
      await expectTensor(x.diff(5), [], { shape: [2, 0] });
      await expectTensor(x.diff(0), Array.from(await x.data()), { shape: [2, 4] });
      await expectTensor(x.diff(1, -1, { prepend: t.zeros([2, 1], { dtype: "int32" }), append: t.tensor([[20], [13]]) }), [[1, 3, 5, 7, 4], [2, 1, 2, 3, 5]]);
      await expectTensor(t.tensor([true, true, false, true]).diff(), [false, true, true], { dtype: "bool" });
      assert.throws(() => t.tensor(3).diff(), { name: "InputError", message: /^diff: needs a tensor with at least one dim/ });
      assert.throws(() => x.diff(-1), { name: "InputError", message: /^diff: n must be a non-negative integer/ });
      assert.throws(() => x.diff(1, 2), { name: "ShapeError", message: /^diff: axis 2 is out of range/ });
      await gradCheck((a) => a.diff(2, 0).mul(weights([2, 3])).sum(), [uniform([4, 3])]);
    });
  });

  describe("indexAdd", () => {
    it("adds source's slices at the indices along an axis; repeated and negative indices; alpha", async () => {
      const x = t.ones([5, 3]);
      const src = t.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]], { dtype: "float32" });
      const idx = t.tensor([0, 4, 2]);
      await expectTensor(x.indexAdd(0, idx, src), [[2, 3, 4], [1, 1, 1], [8, 9, 10], [1, 1, 1], [5, 6, 7]]);
      await expectTensor(t.indexAdd(x, 0, t.tensor([1, 1, -1]), src, { alpha: 2 }), [[1, 1, 1], [11, 15, 19], [1, 1, 1], [1, 1, 1], [15, 17, 19]]);
      await expectTensor(t.zeros([2, 4], { dtype: "int32" }).indexAdd(1, t.tensor([3, 0]), t.tensor([[1, 2], [3, 4]])), [[2, 0, 0, 1], [4, 0, 0, 3]], { dtype: "int32" });
    });

    it("matches a plain loop on a larger random case, and has both gradients", async () => {
      const x = uniform([6, 4, 3]);
      const src = uniform([6, 7, 3]);
      const picks = [3, 0, 3, 1, 2, 0, 3];
      const got = await x.indexAdd(1, t.tensor(picks), src).data();
      const want = Array.from(await x.data());
      const s = await src.data();
      for (let a = 0; a < 6; a++) for (let j = 0; j < 7; j++) for (let c = 0; c < 3; c++) want[(a * 4 + picks[j]) * 3 + c] += s[(a * 7 + j) * 3 + c];
      assertClose(got, want, 1e-6, 1e-6);
      await gradCheck((a, b) => a.indexAdd(0, t.tensor([2, 0, 2]), b).mul(weights([3, 2])).sum(), [uniform([3, 2]), uniform([3, 2])]);
    });

    it("errors: source shape, index dtype and rank, indices out of range", () => {
      const x = t.zeros([4, 3]);
      assert.throws(() => x.indexAdd(0, t.tensor([0, 1]), t.zeros([3, 3])), {
        name: "ShapeError",
        message: "indexAdd: source of shape [3, 3] should have shape [2, 3]: the input's shape with axis 0 the length of index (2)",
      });
      assert.throws(() => x.indexAdd(0, t.tensor([0.5]), t.zeros([1, 3])), { name: "DTypeError", message: /^indexAdd: indices must be int32, got float32/ });
      assert.throws(() => x.indexAdd(0, t.tensor([[0]]), t.zeros([1, 3])), { name: "InputError", message: /^indexAdd: index must be 1-D/ });
      assert.throws(() => x.indexAdd(0, t.tensor([4]), t.zeros([1, 3])), { name: "ShapeError", message: /^indexAdd: index 4 is out of bounds for axis 0 with size 4/ });
      assert.throws(() => x.indexAdd(2, t.tensor([0]), t.zeros([1, 3])), { name: "ShapeError", message: /^indexAdd: axis 2 is out of range/ });
    });
  });
});

describe("rearrange: jit and vmap", () => {
  const fns: [string, (x: Tensor) => Tensor][] = [
    ["flip + diagonal", (x) => x.flip(0).diagonal(1).sum()],
    ["roll", (x) => x.roll(1, 1).sum(0)],
    ["repeat + trace", (x) => x.repeat(2, 1).trace()],
    ["repeatInterleave", (x) => x.repeatInterleave([1, 0, 2, 1], 0).sum(0)],
    ["quantile", (x) => x.quantile([0.3, 0.5], 1)],
    ["median", (x) => x.median()],
    ["indexAdd", (x) => x.indexAdd(0, t.tensor([0, 2]), t.ones([2, 4]))],
    ["diff", (x) => x.diff(1, 0)],
    ["diag of diagonal", (x) => x.diagonal().diag()],
  ];

  it("jitted functions give the eager values; vmap gives the loop's", async () => {
    const xs = uniform([3, 4, 4]);
    for (const [name, f] of fns) {
      const x = xs.index(0);
      assertClose(await t.jit(f)(x).data(), await f(x).data(), 1e-6, 1e-6);
      const loop = (await Promise.all([0, 1, 2].map((i) => f(xs.index(i)).data()))).flatMap((d) => Array.from(d));
      try {
        assertClose(await t.vmap(f)(xs).data(), loop, 1e-6, 1e-6);
      } catch (e) {
        throw new Error(`${name} under vmap: ${(e as Error).message}`);
      }
    }
  });
});
