// einsum against a brute-force sum over every label assignment (plain JavaScript), gradients
// against finite differences, the error messages; cumsum/cumprod and tril/triu with theirs.

import { t, assert, assertClose, eachBackend, gradCheck, uniform } from "./helpers";
import type { Tensor } from "../src/index";

const { einsum } = t;

/** The definition: out[output labels] = sum over the other labels of the product of operands. */
async function bruteForce(spec: string, ...xs: Tensor[]): Promise<{ shape: number[]; values: number[] }> {
  const [lhs, rhs] = spec.split("->");
  const terms = lhs.split(",");
  const size = new Map<string, number>();
  terms.forEach((term, k) => [...term].forEach((l, i) => size.set(l, xs[k].shape[i])));
  const out = [...rhs];
  const summed = [...size.keys()].filter((l) => !out.includes(l));
  const data = await Promise.all(xs.map((x) => x.data()));
  const strides = xs.map((x) => x.shape.map((_, i) => x.shape.slice(i + 1).reduce((a, b) => a * b, 1)));
  const shape = out.map((l) => size.get(l)!);
  const values: number[] = [];
  const each = (labels: string[], at: Map<string, number>, body: () => void) => {
    const rec = (i: number) => {
      if (i === labels.length) return body();
      for (let v = 0; v < size.get(labels[i])!; v++) {
        at.set(labels[i], v);
        rec(i + 1);
      }
    };
    rec(0);
  };
  const at = new Map<string, number>();
  each(out, at, () => {
    let s = 0;
    each(summed, at, () => {
      let p = 1;
      terms.forEach((term, k) => {
        let off = 0;
        [...term].forEach((l, i) => (off += at.get(l)! * strides[k][i]));
        p *= data[k][off];
      });
      s += p;
    });
    values.push(s);
  });
  return { shape, values };
}

async function matches(spec: string, ...xs: Tensor[]) {
  const got = einsum(spec, ...xs);
  const want = await bruteForce(spec, ...xs);
  assert.deepEqual(got.shape, want.shape, `${spec}: shape`);
  assertClose(await got.data(), want.values, 1e-5, 1e-5);
}

eachBackend("einsum", () => {
  it("matches the definition: products, batches, traces, diagonals, transposes, outer products, three operands", async () => {
    await matches("ij,jk->ik", uniform([2, 3]), uniform([3, 4]));
    await matches("bij,bjk->bik", uniform([2, 3, 4]), uniform([2, 4, 5]));
    await matches("bij,jk->bki", uniform([2, 3, 4]), uniform([4, 5]));
    await matches("ii->", uniform([3, 3]));
    await matches("ii->i", uniform([3, 3]));
    await matches("iji->j", uniform([3, 2, 3]));
    await matches("ij->ji", uniform([2, 3]));
    await matches("i,j->ij", uniform([2]), uniform([3]));
    await matches("i,i->", uniform([4]), uniform([4]));
    await matches("ij,ij->i", uniform([3, 4]), uniform([3, 4]));
    await matches("ij,jk,kl->il", uniform([2, 3]), uniform([3, 4]), uniform([4, 2]));
    await matches("abc,cd,ab->d", uniform([2, 3, 4]), uniform([4, 2]), uniform([2, 3]));
    await matches("ij->", uniform([3, 4]));
    await matches("bhqd,bhkd->bhqk", uniform([2, 2, 3, 4]), uniform([2, 2, 5, 4]));
  });

  it("implicit output (labels used once, in alphabetical order), spaces, and '...' for leading axes", async () => {
    const a = uniform([2, 3]);
    const b = uniform([3, 4]);
    assertClose(await einsum("ij,jk", a, b).data(), await a.matmul(b).data(), 1e-5, 1e-6);
    assertClose(await einsum("ba", a).data(), await a.T.data());
    assertClose(await einsum(" i j , j k -> i k ", a, b).data(), await a.matmul(b).data(), 1e-5, 1e-6);
    const batch = uniform([5, 2, 3]);
    const viaDots = einsum("...ij,jk->...ik", batch, b);
    assert.deepEqual(viaDots.shape, [5, 2, 4]);
    assertClose(await viaDots.data(), await batch.matmul(b).data(), 1e-5, 1e-6);
    // '...' axes broadcast against each other, from the right, as in NumPy.
    const bc = einsum("...ij,...jk->...ik", uniform([5, 1, 2, 3]), uniform([4, 3, 2]));
    assert.deepEqual(bc.shape, [5, 4, 2, 2]);
    assert.deepEqual(einsum("...i->...", uniform([2, 3, 4])).shape, [2, 3]);
    assertClose(await einsum("...i", a).data(), await a.data());
    assertClose(await einsum("i...->...", a).data(), await a.sum(0).data(), 1e-5, 1e-6);
    assert.equal(einsum("ij,jk->ik", t.tensor([[1, 2]]), t.tensor([[3], [4]])).dtype, "int32");
  });

  it("gradients match finite differences", async () => {
    await gradCheck((a: Tensor, b: Tensor) => einsum("ij,jk->ik", a, b).square().sum(), [uniform([2, 3]), uniform([3, 2])]);
    await gradCheck((a: Tensor) => einsum("ii->", a.mul(a)), [uniform([3, 3])]);
    await gradCheck((a: Tensor, b: Tensor, c: Tensor) => einsum("bi,bj,ij->b", a, b, c).sin().sum(), [uniform([2, 3]), uniform([2, 2]), uniform([3, 2])]);
    const weights = uniform([2, 3, 2]);
    await gradCheck((a: Tensor) => einsum("...ij->...ji", a).mul(weights).sum(), [uniform([2, 2, 3])]);
  });

  it("works inside vmap and jit", async () => {
    const xs = uniform([4, 3]);
    const w = uniform([3, 3]);
    const quad = t.vmap((x: Tensor) => einsum("i,ij,j->", x, w, x))(xs);
    assertClose(await quad.data(), await xs.matmul(w).mul(xs).sum(1).data(), 1e-5, 1e-6);
    const f = t.jit((a: Tensor, b: Tensor) => einsum("ij,kj->ik", a, b));
    for (let k = 0; k < 2; k++) {
      const [a, b] = [uniform([2, 3]), uniform([4, 3])];
      assertClose(await f(a, b).data(), await a.matmul(b.T).data(), 1e-5, 1e-6);
    }
  });

  it("explains mistakes in the spec and mismatched sizes", () => {
    const a = uniform([2, 3]);
    assert.throws(() => einsum("ij,jk->ik", a), /"ij,jk->ik" describes 2 operands, but 1 tensor was given/);
    assert.throws(() => einsum("ijk", a), /operand 0's labels "ijk" names 3 axes, but the tensor has 2/);
    assert.throws(() => einsum("ij->ix", a), /the output label x in "ij->ix" does not appear in any operand/);
    assert.throws(() => einsum("ij->ii", a), /the output label i in "ij->ii" appears twice/);
    assert.throws(() => einsum("i1", a), /has "1"; use letters a-z, A-Z and at most one "..."/);
    assert.throws(() => einsum("ij,jk->ik", a, a), (e: Error) => {
      assert.equal(e.name, "ShapeError");
      assert.match(e.message, /einsum\("ij,jk->ik"\): label j has size 3 in operand 0 \(shape \[2, 3\]\) but 2 in operand 1 \(shape \[2, 3\]\)/);
      assert.deepEqual((e as any).detail.conflict, [{ operand: 0, axis: 1 }, { operand: 1, axis: 0 }]);
      return true;
    });
    assert.throws(() => einsum("ii", uniform([2, 3])), /einsum\("ii"\): label i is used twice in operand 0 \(shape \[2, 3\]\) for axes of sizes 2 and 3; a diagonal needs equal sizes/);
  });
});

eachBackend("cumsum, cumprod, tril, triu", () => {
  it("running sums and products along an axis, or over all values flattened", async () => {
    const x = t.tensor([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(await x.cumsum(1).array(), [[1, 3, 6], [4, 9, 15]]);
    assert.deepEqual(await x.cumsum(0).array(), [[1, 2, 3], [5, 7, 9]]);
    assert.deepEqual(await x.cumsum().array(), [1, 3, 6, 10, 15, 21]);
    assert.deepEqual(await x.cumprod(-1).array(), [[1, 2, 6], [4, 20, 120]]);
    assert.deepEqual(await t.cumsum(t.tensor([true, false, true])).array(), [1, 1, 2]);
    // Long axes: every prefix of 1..n sums exactly (integers below 2^24 in float32).
    const n = 1000;
    const r = await t.arange(1, n + 1).astype("float32").cumsum().data();
    for (const i of [0, 1, 2, 500, 511, 512, 999]) assert.equal(r[i], ((i + 1) * (i + 2)) / 2);
    assert.throws(() => x.cumsum(2), /axis 2/);
  });

  it("cumsum and cumprod gradients match finite differences", async () => {
    await gradCheck((a: Tensor) => a.cumsum(1).square().sum(), [uniform([2, 5])]);
    const weights = uniform([6, 2]);
    await gradCheck((a: Tensor) => a.cumprod(0).mul(weights).sum(), [uniform([6, 2], 0.5, 1.5)]);
  });

  it("tril and triu keep a triangle of the last two axes, with a diagonal offset", async () => {
    const x = t.arange(1, 10).reshape([3, 3]);
    assert.deepEqual(await x.tril().array(), [[1, 0, 0], [4, 5, 0], [7, 8, 9]]);
    assert.deepEqual(await x.triu().array(), [[1, 2, 3], [0, 5, 6], [0, 0, 9]]);
    assert.deepEqual(await x.tril(-1).array(), [[0, 0, 0], [4, 0, 0], [7, 8, 0]]);
    assert.deepEqual(await x.triu(1).array(), [[0, 2, 3], [0, 0, 6], [0, 0, 0]]);
    assert.deepEqual(await t.ones([2, 2, 3], { dtype: "bool" }).tril().array(), [
      [[true, false, false], [true, true, false]],
      [[true, false, false], [true, true, false]],
    ]);
    // A causal attention mask: -inf above the diagonal, softmax spreads only over the past.
    const scores = t.zeros([3, 3]);
    const masked = t.where(t.ones([3, 3], { dtype: "bool" }).tril(), scores, -Infinity).softmax(-1);
    assertClose(await masked.data(), [1, 0, 0, 0.5, 0.5, 0, 1 / 3, 1 / 3, 1 / 3]);
    await gradCheck((a: Tensor) => a.triu().exp().sum(), [uniform([3, 4])]);
    assert.throws(() => t.tensor([1, 2]).tril(), /tril: needs a tensor with at least 2 dims \(rows and columns\), got shape \[2\]/);
    assert.throws(() => x.triu(0.5), /triu: the diagonal offset must be an integer, got 0.5/);
  });
});
