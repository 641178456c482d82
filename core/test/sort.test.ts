// sort, argsort, topk and takeAlongAxis: against JavaScript's own sort (stable, NaN last), on
// every axis, with ties, NaN, infinities and -0, long rows that pad to a power of two, every
// dtype; the gradient of sort and topk; use under vmap and jit; the error messages.

import { t, assert, assertClose, eachBackend, gradCheck, uniform } from "./helpers";
import type { Tensor } from "../src/index";

/** Stable argsort of one row in plain JavaScript: NaN last (first when descending), -0 == 0. */
function refArgsort(row: number[], descending = false): number[] {
  const rank = (v: number) => (Number.isNaN(v) ? Infinity : v);
  const idx = row.map((_, i) => i);
  return idx.sort((a, b) => {
    const [x, y] = [row[a], row[b]];
    if (Number.isNaN(x) || Number.isNaN(y)) {
      const d = Number(Number.isNaN(x)) - Number(Number.isNaN(y));
      return (descending ? -d : d) || a - b;
    }
    const d = rank(x) - rank(y);
    return (descending ? -d : d) || a - b;
  });
}

async function checkRows(x: Tensor, descending = false) {
  const got = await x.argsort(-1, { descending }).data();
  const vals = Array.from(await x.data());
  const n = x.shape[x.ndim - 1];
  for (let r = 0; r < vals.length / n; r++) {
    const want = refArgsort(vals.slice(r * n, (r + 1) * n), descending);
    assert.deepEqual(Array.from(got.slice(r * n, (r + 1) * n)), want, `row ${r}`);
  }
}

eachBackend("sort", () => {
  it("argsort matches a stable JavaScript sort: ties, NaN, infinities, -0, both directions", async () => {
    const x = t.tensor([[3, 1, 2, 1, NaN, -Infinity, 0, -0, Infinity, 1, NaN, -2.5]], { dtype: "float32" });
    await checkRows(x);
    await checkRows(x, true);
    const sorted = await x.sort().array();
    assert.deepEqual(sorted, [[-Infinity, -2.5, 0, -0, 1, 1, 1, 2, 3, Infinity, NaN, NaN]]);
    assert.deepEqual(await x.sort(-1, { descending: true }).array(), [[NaN, NaN, Infinity, 3, 2, 1, 1, 1, 0, -0, -2.5, -Infinity]]);
  });

  it("rows of every length (padded to a power of two), many rows, int32 and bool", async () => {
    for (const n of [1, 2, 3, 7, 64, 100, 1000, 1025]) await checkRows(t.randint(-5, 6, [3, n]).astype("float32"));
    await checkRows(uniform([40, 33]));
    await checkRows(t.tensor([[5, -3, 2 ** 31 - 1, -(2 ** 31), 0, -3]]));
    await checkRows(t.randint(-1000, 1000, [2, 300]), true);
    assert.deepEqual(await t.tensor([true, false, true, false]).argsort().array(), [1, 3, 0, 2]);
    assert.deepEqual(await t.tensor([true, false, true, false]).sort(0, { descending: true }).array(), [true, true, false, false]);
    assert.deepEqual(await t.zeros([2, 0]).argsort().array(), [[], []]);
    assert.equal(await t.tensor(4).argsort().item(), 0);
  });

  it("sorts along any axis, as sorting the moved-last axis does", async () => {
    const x = uniform([3, 4, 5]);
    for (const axis of [0, 1, 2, -2]) {
      const a = axis < 0 ? axis + 3 : axis;
      const perm = [0, 1, 2].filter((i) => i !== a).concat(a);
      const inv = perm.map((_, i) => perm.indexOf(i));
      const viaLast = x.permute(perm).sort().permute(inv);
      assertClose(await x.sort(axis).data(), await viaLast.data());
      const idx = x.argsort(axis);
      assertClose(await x.takeAlongAxis(idx, axis).data(), await x.sort(axis).data());
    }
  });

  it("topk: the k largest (or smallest) with their indices, largest first", async () => {
    const x = t.tensor([[1, 9, 3, 9, 5], [0, -1, -7, 2, 2]], { dtype: "float32" });
    const [v, i] = x.topk(3);
    assert.deepEqual(await v.array(), [[9, 9, 5], [2, 2, 0]]);
    assert.deepEqual(await i.array(), [[1, 3, 4], [3, 4, 0]]);
    const [small, where] = x.topk(2, 0, { largest: false });
    assert.deepEqual(await small.array(), [[0, -1, -7, 2, 2], [1, 9, 3, 9, 5]]);
    assert.deepEqual(await where.array(), [[1, 1, 1, 1, 1], [0, 0, 0, 0, 0]]);
    // Top-5 accuracy: is the label among the 5 highest scores?
    const scores = uniform([8, 10]);
    const labels = scores.argmax(1);
    const [, top5] = scores.topk(5, 1);
    assert.equal(await top5.eq(labels.unsqueeze(1)).any(1).all().item(), true);
    assert.deepEqual(x.topk(0)[0].shape, [2, 0]);
  });

  it("gradients of sort and topk flow to the chosen elements", async () => {
    // Values at least 0.1 apart, so the finite differences' steps (0.01) never reorder them.
    const spaced = (shape: number[], order: number[]) => t.tensor(order.map((v) => v * 0.1 - 0.5), { dtype: "float32" }).reshape(shape);
    const w = uniform([2, 6]);
    await gradCheck((a: Tensor) => a.sort(1).mul(w).sum(), [spaced([2, 6], [3, 9, 0, 5, 11, 1, 7, 2, 10, 4, 8, 6])]);
    await gradCheck((a: Tensor) => a.topk(2, 0)[0].square().sum(), [spaced([4, 3], [5, 0, 9, 11, 3, 1, 2, 8, 10, 7, 6, 4])]);
    const g = t.grad((a: Tensor) => a.topk(1)[0].sum())(t.tensor([[1, 5, 2]], { dtype: "float32" }));
    assert.deepEqual(await g.array(), [[0, 1, 0]]);
  });

  it("takeAlongAxis picks per row, counts negative indices from the end, broadcasts size-1 axes", async () => {
    const x = t.tensor([[10, 11, 12], [20, 21, 22]]);
    assert.deepEqual(await x.takeAlongAxis(t.tensor([[2, 0], [-1, 1]]), 1).array(), [[12, 10], [22, 21]]);
    assert.deepEqual(await x.takeAlongAxis(t.tensor([[1, 0, 1]]), 0).array(), [[20, 11, 22]]);
    assert.deepEqual(await x.takeAlongAxis(t.tensor([[0], [2]]), 1).array(), [[10], [22]]);
    assert.deepEqual(await x.takeAlongAxis(t.tensor([[1]]), 1).array(), [[11], [21]]);
    assert.throws(() => x.takeAlongAxis(t.tensor([[3]]), 1), /index 3 is out of/);
    assert.throws(() => x.takeAlongAxis(t.tensor([1, 2]), 1), /takeAlongAxis: indices of shape \[2\] do not fit x of shape \[2, 3\] along axis 1/);
    assert.throws(() => x.takeAlongAxis(t.tensor([[1.5]], { dtype: "float32" }), 1), /indices must be int32/);
  });

  it("works under vmap and jit, and explains bad arguments", async () => {
    const xs = uniform([4, 7]);
    const med = t.vmap((r: Tensor) => r.sort().index(3))(xs);
    assertClose(await med.data(), await xs.sort(1).index(":", 3).data());
    const top = t.jit((a: Tensor) => a.topk(2)[0]);
    for (let k = 0; k < 2; k++) {
      const a = uniform([3, 5]);
      assertClose(await top(a).data(), await a.sort(1, { descending: true }).index(":", "0:2").data());
    }
    assert.throws(() => xs.topk(8), /topk: k must be an integer from 0 to 7 \(the size of axis -1 of \[4, 7\]\), got 8/);
    assert.throws(() => xs.sort(2), /axis 2/);
  });
});
