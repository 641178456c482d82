// median and quantile against a plain-JavaScript sort: torch.median's lower middle value,
// torch.quantile's five interpolations, several q at once (a new first axis), keepdims, NaN
// rows, ints, gradients through the sort, and the errors.

import { t, assert, assertClose, eachBackend, expectTensor, gradCheck } from "./helpers";
import type { Interpolation } from "../src/index";

/** torch.quantile of one row (no NaN) by its definition. */
function quantileOf(row: number[], q: number, how: Interpolation = "linear"): number {
  const s = row.slice().sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  if (how === "lower") return s[lo];
  if (how === "higher") return s[hi];
  if (how === "midpoint") return (s[lo] + s[hi]) / 2;
  if (how === "nearest") return s[pos - lo === 0.5 ? (lo % 2 === 0 ? lo : hi) : Math.round(pos)];
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

const rows = [
  [3, -1, 7, 2, 9, 0.5],
  [4, 4, -2, 8, 1, 6],
  [0.1, 0.3, 0.2, -5, 2, 2],
];
const x = () => t.tensor(rows, { dtype: "float32" });
const columns = rows[0].map((_, j) => rows.map((r) => r[j]));

eachBackend("median and quantile", () => {
  it("median: the lower middle value along an axis, of everything without one, keepdims", async () => {
    const lowerMedian = (r: number[]) => r.slice().sort((a, b) => a - b)[Math.floor((r.length - 1) / 2)];
    await expectTensor(x().median(1), rows.map(lowerMedian), { shape: [3] });
    await expectTensor(t.median(x(), 0), columns.map(lowerMedian), { shape: [6] });
    await expectTensor(x().median(0, { keepdims: true }), columns.map(lowerMedian), { shape: [1, 6] });
    await expectTensor(x().median(), [lowerMedian(rows.flat())], { shape: [] });
    await expectTensor(t.tensor([5, 1, 3, 2]).median(), [2], { dtype: "int32" });
  });

  it("a NaN makes its row's median and quantiles NaN", async () => {
    const y = t.tensor([[1, NaN, 3], [4, 5, 6]]);
    await expectTensor(y.median(1), [NaN, 5]);
    await expectTensor(y.quantile(0.25, 1), [NaN, 4.5]);
  });

  it("quantile: every interpolation, q = 0 and 1, against the definition", async () => {
    for (const how of ["linear", "lower", "higher", "midpoint", "nearest"] as Interpolation[]) {
      for (const q of [0, 0.1, 0.3, 0.5, 0.7, 0.9, 1]) {
        const got = await x().quantile(q, 1, { interpolation: how }).data();
        assertClose(got, rows.map((r) => quantileOf(r, q, how)), 1e-6, 1e-6);
      }
    }
    // pos = 0.5 * 5 = 2.5 rounds to even (2) for "nearest", as torch.
    await expectTensor(t.tensor([0, 10, 20, 30, 40, 50], { dtype: "float32" }).quantile(0.5, 0, { interpolation: "nearest" }), [20]);
  });

  it("several q give a new first axis; without an axis all elements; ints become float32", async () => {
    const qs = [0.25, 0.5, 0.9];
    const r = t.quantile(x(), qs, 0);
    assert.deepEqual(r.shape, [3, 6]);
    assertClose(await r.data(), qs.flatMap((q) => columns.map((c) => quantileOf(c, q))), 1e-6, 1e-6);
    assert.deepEqual(x().quantile(qs, 1, { keepdims: true }).shape, [3, 3, 1]);
    await expectTensor(x().quantile(0.5), [quantileOf(rows.flat(), 0.5)], { shape: [] });
    assert.deepEqual(x().quantile(0.5, undefined, { keepdims: true }).shape, [1, 1]);
    await expectTensor(t.tensor([1, 2, 3, 4]).quantile(0.5), [2.5], { dtype: "float32" });
  });

  it("gradients reach the ranked elements (finite differences)", async () => {
    const v = t.tensor([[0.3, -1.2, 2.1, 0.8, 1.7], [1.1, 0.2, -0.4, 2.5, 0.9]]);
    await gradCheck((a) => a.quantile([0.3, 0.8], 1).mul(t.tensor([[1, -2], [0.5, 3]])).sum(), [v]);
    await gradCheck((a) => a.median(1).mul(t.tensor([2, -1])).sum(), [v]);
  });

  it("errors: q outside [0, 1], an unknown interpolation, an empty axis", () => {
    assert.throws(() => x().quantile(1.5, 1), { name: "InputError", message: /^quantile: q must be a number in \[0, 1\]/ });
    assert.throws(() => x().quantile([0.5, NaN], 1), { name: "InputError", message: /^quantile: q must be/ });
    assert.throws(() => x().quantile(0.5, 1, { interpolation: "cubic" as Interpolation }), { name: "InputError", message: /interpolation must be/ });
    assert.throws(() => t.zeros([2, 0]).median(1), { name: "InputError", message: /^median: cannot take the median of an empty axis/ });
    assert.throws(() => x().median(2), { name: "ShapeError", message: /^median: axis 2 is out of range/ });
  });
});
