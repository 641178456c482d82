// Indexing and joining with NumPy/PyTorch semantics: index() (picks, Python slices, null,
// "...", tensor gathers), slice, take, gather, booleanMask, pad, concat, stack, split.
// x[i][j] = 4 i + j throughout, so every expected value can be read off the formula.

import { t, assert, eachBackend, expectTensor } from "./helpers";

const grid = () => t.arange(12).reshape([3, 4]);

eachBackend("indexing", (backend) => {
  describe("index()", () => {
    it("numbers pick (negative from the end) and drop the axis", async () => {
      await expectTensor(grid().index(1), [4, 5, 6, 7], { shape: [4], dtype: "int32" });
      await expectTensor(grid().index(-1), [8, 9, 10, 11], { shape: [4] });
      await expectTensor(grid().index(1, 2), [6], { shape: [] });
      await expectTensor(grid().index(":", 1), [1, 5, 9], { shape: [3] });
      await expectTensor(grid().index("...", -1), [3, 7, 11], { shape: [3] });
    });

    it("slices follow Python: strings, [start, stop, step] and {start, stop, step}", async () => {
      await expectTensor(grid().index("1:", "::2"), [[4, 6], [8, 10]], { shape: [2, 2] });
      await expectTensor(grid().index("-2:"), [4, 5, 6, 7, 8, 9, 10, 11], { shape: [2, 4] });
      await expectTensor(grid().index({ start: 1, stop: 3 }, [1, undefined, 2]), [[5, 7], [9, 11]], { shape: [2, 2] });
      await expectTensor(grid().index(":", "1:-1"), [[1, 2], [5, 6], [9, 10]], { shape: [3, 2] });
      await expectTensor(grid().index("1:100"), [4, 5, 6, 7, 8, 9, 10, 11], { shape: [2, 4] });
      await expectTensor(grid().index("2:1"), [], { shape: [0, 4] });
      await expectTensor(grid().index("-100:1", 0), [0], { shape: [1] });
    });

    it("null inserts an axis of size 1", async () => {
      await expectTensor(grid().index(null), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], { shape: [1, 3, 4] });
      await expectTensor(grid().index(":", null, 0), [0, 4, 8], { shape: [3, 1] });
      await expectTensor(t.tensor(5).index(null), [5], { shape: [1] });
    });

    it("an int32 tensor gathers along its axis, with negative indices", async () => {
      await expectTensor(grid().index(t.tensor([2, 0, -1])), [[8, 9, 10, 11], [0, 1, 2, 3], [8, 9, 10, 11]], { shape: [3, 4] });
      await expectTensor(grid().index(":", t.tensor([[0], [3]])), [[[0], [3]], [[4], [7]], [[8], [11]]], { shape: [3, 2, 1] });
      await expectTensor(grid().index(1, t.tensor([3, 0])), [7, 4], { shape: [2] });
    });

    it("out-of-range picks and bad slices are errors", () => {
      assert.throws(() => grid().index(3), { name: "ShapeError", message: "index 3 is out of bounds for axis 0 with size 3 (shape [3, 4])" });
      assert.throws(() => grid().index(0, -5), { name: "ShapeError", message: "index -5 is out of bounds for axis 1 with size 4 (shape [3, 4])" });
      assert.throws(() => grid().index(0, 0, 0), { name: "ShapeError", message: "index: 3 indices for a tensor with 2 dims (shape [3, 4])" });
      assert.throws(() => grid().index([undefined, undefined, -1]), {
        name: "ShapeError",
        message: "index: slice step must be a positive integer, got -1",
      });
      assert.throws(() => grid().index("...", "..."), { name: "InputError", message: 'index: only one "..." is allowed' });
      assert.throws(() => grid().index("1:x"), { name: "InputError", message: /^index: "1:x" has a non-integer part "x"/ });
    });
  });

  describe("slice", () => {
    it("slices one axis with start, stop and step", async () => {
      await expectTensor(grid().slice(1, 1, 3), [[1, 2], [5, 6], [9, 10]], { shape: [3, 2] });
      await expectTensor(grid().slice(-1, undefined, undefined, 2), [[0, 2], [4, 6], [8, 10]], { shape: [3, 2] });
      await expectTensor(grid().slice(0, -1), [8, 9, 10, 11], { shape: [1, 4] });
      await expectTensor(grid().slice(0, 1, 3, 5), [4, 5, 6, 7], { shape: [1, 4] });
      await expectTensor(t.tensor([[true, false], [false, true]]).slice(1, 1), [0, 1], { shape: [2, 1], dtype: "bool" });
    });
  });

  describe("take and gather", () => {
    it("take without an axis indexes the flattened tensor", async () => {
      await expectTensor(grid().take([0, 5, -1]), [0, 5, 11], { shape: [3], dtype: "int32" });
      await expectTensor(t.take(grid(), t.tensor([[1, 2], [3, 4]])), [[1, 2], [3, 4]], { shape: [2, 2] });
      await expectTensor(grid().take([]), [], { shape: [0] });
    });

    it("take and gather along an axis", async () => {
      await expectTensor(grid().take([3, 0], 1), [[3, 0], [7, 4], [11, 8]], { shape: [3, 2] });
      await expectTensor(grid().take(t.tensor([-1]), 0), [8, 9, 10, 11], { shape: [1, 4] });
      await expectTensor(grid().gather(t.tensor([2, 0]), 0), [[8, 9, 10, 11], [0, 1, 2, 3]], { shape: [2, 4] });
      await expectTensor(
        grid().astype("float32").gather(t.tensor([[1, 1]]), -1),
        [[[1, 1]], [[5, 5]], [[9, 9]]],
        { shape: [3, 1, 2], dtype: "float32" },
      );
    });

    it("indices out of range are errors, as in NumPy", () => {
      assert.throws(() => grid().take([12]), { name: "ShapeError", message: "take: index 12 is out of bounds for axis 0 with size 12 (shape [12])" });
      assert.throws(() => grid().take([0, -5], 1), { name: "ShapeError", message: /^take: index -5 is out of bounds for axis 1 with size 4/ });
      assert.throws(() => grid().gather(t.tensor([0, 3]), 0), /index 3 is out of (bounds|range) for axis 0 with size 3/);
    });

    it("index lists given as arrays land on the operand's device", async () => {
      const x = grid();
      await t.setBackend(backend === "cpu" ? "webgpu" : "cpu");
      try {
        await expectTensor(x.take([1, 2]), [1, 2]);
        assert.equal(x.take([1]).device, backend);
      } finally {
        await t.setBackend(backend);
      }
    });

    it("indices must be int32", () => {
      assert.throws(() => grid().take(t.tensor([0.5])), { name: "DTypeError", message: "take: indices must be int32, got float32" });
      assert.throws(() => grid().gather(t.tensor([true]), 0), {
        name: "DTypeError",
        message: /^gather: got a bool mask; use await x.booleanMask\(mask\)/,
      });
    });
  });

  describe("booleanMask", () => {
    it("selects elements or rows where the mask is true", async () => {
      const x = grid();
      await expectTensor(await x.booleanMask(x.gt(5)), [6, 7, 8, 9, 10, 11], { shape: [6], dtype: "int32" });
      await expectTensor(await x.booleanMask(t.tensor([true, false, true])), [0, 1, 2, 3, 8, 9, 10, 11], { shape: [2, 4] });
      await expectTensor(await x.booleanMask(t.zeros([3], { dtype: "bool" })), [], { shape: [0, 4] });
    });

    it("needs a bool mask matching the leading dims", async () => {
      await assert.rejects(grid().booleanMask(t.tensor([1, 0, 1])), {
        name: "DTypeError",
        message: "booleanMask: mask must be bool, got int32 (compare first, e.g. x.gt(0))",
      });
      await assert.rejects(grid().booleanMask(t.tensor([true, false])), {
        name: "ShapeError",
        message: "booleanMask: mask shape [2] does not match the leading dims of [3, 4]",
      });
    });
  });

  describe("pad", () => {
    it("pads each axis before and after with a value", async () => {
      const x = t.tensor([[1, 2], [3, 4]]);
      await expectTensor(x.pad([[1, 0], [0, 2]]), [[0, 0, 0, 0], [1, 2, 0, 0], [3, 4, 0, 0]], { shape: [3, 4], dtype: "int32" });
      await expectTensor(t.pad(x, 1, -1), [[-1, -1, -1, -1], [-1, 1, 2, -1], [-1, 3, 4, -1], [-1, -1, -1, -1]], { shape: [4, 4] });
      await expectTensor(t.tensor([0.5]).pad([[0, 0]]), [0.5], { shape: [1], dtype: "float32" });
      await expectTensor(t.zeros([0]).pad([[2, 1]], 7), [7, 7, 7], { shape: [3] });
    });

    it("rejects widths that do not match the dims", () => {
      assert.throws(() => t.zeros([2, 2]).pad([[1, 1]]), {
        name: "InputError",
        message: "pad: widths must be 2 pairs [before, after] of non-negative integers (one per axis of [2, 2]), got [[1,1]]",
      });
      assert.throws(() => t.zeros([2]).pad([[-1, 0]]), { name: "InputError", message: /^pad: widths must be 1 pairs/ });
    });
  });

  describe("concat, stack, split", () => {
    it("concat joins along an axis, promoting dtypes", async () => {
      const a = t.tensor([[1, 2], [3, 4]]);
      const b = t.tensor([[5, 6]]);
      await expectTensor(t.concat([a, b]), [[1, 2], [3, 4], [5, 6]], { shape: [3, 2], dtype: "int32" });
      await expectTensor(t.concat([a, b.T], 1), [[1, 2, 5], [3, 4, 6]], { shape: [2, 3] });
      await expectTensor(t.concat([a, a, a], -1), [[1, 2, 1, 2, 1, 2], [3, 4, 3, 4, 3, 4]], { shape: [2, 6] });
      await expectTensor(t.concat([a, t.tensor([[0.5, 1.5]])]), [1, 2, 3, 4, 0.5, 1.5], { shape: [3, 2], dtype: "float32" });
      await expectTensor(t.concat([t.zeros([0, 2]), t.ones([1, 2])]), [1, 1], { shape: [1, 2] });
      await expectTensor(t.concat([t.tensor([true]), t.tensor([false])]), [1, 0], { dtype: "bool" });
    });

    it("concat copies long and short rows alike (rows of 70, 1 and 3 values, mixed dtypes)", async () => {
      const rows = 3;
      const widths = [70, 1, 3];
      const parts = widths.map((w, k) => Array.from({ length: rows * w }, (_, i) => i + k * 1000 + (k === 1 ? 0 : 0.5)));
      const xs = parts.map((p, k) => t.tensor(p, { dtype: k === 1 ? "int32" : "float32" }).reshape([rows, widths[k]]));
      const want: number[] = [];
      for (let r = 0; r < rows; r++) widths.forEach((w, k) => want.push(...parts[k].slice(r * w, (r + 1) * w)));
      await expectTensor(t.concat(xs, 1), want, { shape: [rows, 74], dtype: "float32" });
    });

    it("slices, pads and permutes whose rows are long contiguous runs (copied whole) keep every value in place", async () => {
      const x = t.arange(3 * 10 * 100).astype("float32").reshape([3, 10, 100]);
      // index(":", "2:7", "10:90"): runs of 80 values.
      const want: number[] = [];
      for (let a = 0; a < 3; a++) for (let b = 2; b < 7; b++) for (let c = 10; c < 90; c++) want.push(a * 1000 + b * 100 + c);
      await expectTensor(x.index(":", "2:7", "10:90"), want, { shape: [3, 5, 80] });
      // A conv's shifted view: [2, 12, 12, 8] from a [2, 14, 14, 8] padded input: runs of 96.
      const p = t.arange(2 * 14 * 14 * 8).astype("float32").reshape([2, 14, 14, 8]);
      const wantView: number[] = [];
      for (let n = 0; n < 2; n++) for (let h = 1; h < 13; h++) for (let w = 2; w < 14; w++) for (let c = 0; c < 8; c++) wantView.push(((n * 14 + h) * 14 + w) * 8 + c);
      await expectTensor(p.index(":", "1:13", "2:14"), wantView, { shape: [2, 12, 12, 8] });
      // pad writes runs of 100 into a wider output; permute keeps the last axis in place.
      const padded = t.pad(x, [[0, 0], [1, 0], [0, 0]]);
      const wantPad: number[] = [];
      for (let a = 0; a < 3; a++) {
        for (let c = 0; c < 100; c++) wantPad.push(0);
        for (let b = 0; b < 10; b++) for (let c = 0; c < 100; c++) wantPad.push(a * 1000 + b * 100 + c);
      }
      await expectTensor(padded, wantPad, { shape: [3, 11, 100] });
      const wantPerm: number[] = [];
      for (let b = 0; b < 10; b++) for (let a = 0; a < 3; a++) for (let c = 0; c < 100; c++) wantPerm.push(a * 1000 + b * 100 + c);
      await expectTensor(x.permute(1, 0, 2), wantPerm, { shape: [10, 3, 100] });
    });

    it("concat of short rows only: rows of one value (conv2d's 9 views) and mixed short rows", async () => {
      const rows = 1001;
      const cols = (k: number, w: number) => Array.from({ length: rows * w }, (_, i) => i * 10 + k + 0.25);
      const nine = Array.from({ length: 9 }, (_, k) => t.tensor(cols(k, 1), { dtype: "float32" }).reshape([rows, 1]));
      const want9: number[] = [];
      for (let r = 0; r < rows; r++) for (let k = 0; k < 9; k++) want9.push(r * 10 + k + 0.25);
      await expectTensor(t.concat(nine, 1), want9, { shape: [rows, 9] });
      const widths = [2, 1, 5];
      const mixed = widths.map((w, k) => t.tensor(cols(k, w), { dtype: "float32" }).reshape([rows, w]));
      const wantMixed: number[] = [];
      for (let r = 0; r < rows; r++) widths.forEach((w, k) => wantMixed.push(...cols(k, w).slice(r * w, (r + 1) * w)));
      await expectTensor(t.concat(mixed, 1), wantMixed, { shape: [rows, 8] });
    });

    it("concat's shape errors", () => {
      assert.throws(() => t.concat([t.zeros([2, 2]), t.zeros([2, 3])]), {
        name: "ShapeError",
        message: "concat: tensor 1 has shape [2, 3], which does not match [2, 2] outside axis 0",
      });
      assert.throws(() => t.concat([t.tensor(1), t.tensor(2)]), { name: "ShapeError", message: "concat: cannot concatenate 0-d tensors; use stack" });
      assert.throws(() => t.concat([]), { name: "InputError", message: "concat: expected a non-empty array of tensors" });
    });

    it("stack adds a new axis", async () => {
      const a = t.tensor([1, 2]);
      const b = t.tensor([3, 4]);
      await expectTensor(t.stack([a, b]), [[1, 2], [3, 4]], { shape: [2, 2] });
      await expectTensor(t.stack([a, b], 1), [[1, 3], [2, 4]], { shape: [2, 2] });
      await expectTensor(t.stack([a, b, a], -1), [[1, 3, 1], [2, 4, 2]], { shape: [2, 3] });
      await expectTensor(t.stack([t.tensor(1), t.tensor(2.5)]), [1, 2.5], { shape: [2], dtype: "float32" });
      assert.throws(() => t.stack([a, t.tensor([1, 2, 3])]), { name: "ShapeError", message: "stack: tensor 1 has shape [3] but tensor 0 has [2]" });
      assert.throws(() => t.stack([a, b], 2), { name: "ShapeError", message: "stack: axis 2 is out of range for shape [2]; valid axes are -2..1" });
    });

    it("split by piece size (last may be smaller) or by a list of sizes", async () => {
      const parts = t.arange(5).split(2);
      assert.equal(parts.length, 3);
      await expectTensor(parts[0], [0, 1], { shape: [2] });
      await expectTensor(parts[1], [2, 3], { shape: [2] });
      await expectTensor(parts[2], [4], { shape: [1] });
      const [p, q] = t.split(grid(), [1, 3], 1);
      await expectTensor(p, [0, 4, 8], { shape: [3, 1] });
      await expectTensor(q, [[1, 2, 3], [5, 6, 7], [9, 10, 11]], { shape: [3, 3] });
      const [e, f] = grid().split([0, 3], 0);
      await expectTensor(e, [], { shape: [0, 4] });
      await expectTensor(f, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], { shape: [3, 4] });
      assert.throws(() => t.arange(5).split([1, 1]), { name: "ShapeError", message: "split: sizes [1,1] add up to 2, but axis 0 of [5] has 5" });
    });
  });
});
