// How tensors print: PyTorch-like values (aligned columns, "..." past 1000 elements) followed
// by shape, dtype and device; console.log and template strings give the same text. On WebGPU
// values show once they have been read back; before that the text says how to get them.

import { inspect } from "node:util";
import { t, assert, eachBackend } from "./helpers";
import type { Tensor } from "../src/index";

eachBackend("format", (backend) => {
  /** The text after the values have been read back (on the cpu they are known at once). */
  async function text(x: Tensor): Promise<string> {
    await x.data();
    return x.toString();
  }
  const meta = (shape: string, dtype: string) => `shape=[${shape}], dtype=${dtype}, device=${backend}`;

  describe("values, shape, dtype, device", () => {
    it("an int32 matrix, continuation rows aligned under the first", async () => {
      assert.equal(await text(t.tensor([[1, 2], [3, 4]])), `tensor([[1, 2],\n        [3, 4]], ${meta("2, 2", "int32")})`);
      assert.equal(await text(t.tensor([[1, -20], [300, 4]])), `tensor([[  1, -20],\n        [300,   4]], ${meta("2, 2", "int32")})`);
    });

    it("float32 with four decimals, integral floats with a trailing dot", async () => {
      assert.equal(await text(t.tensor([1.5, -2])), `tensor([ 1.5000, -2.0000], ${meta("2", "float32")})`);
      assert.equal(await text(t.tensor([1, 2], { dtype: "float32" })), `tensor([1., 2.], ${meta("2", "float32")})`);
      assert.equal(await text(t.tensor([0.125, 10.5]).mul(2)), `tensor([ 0.2500, 21.0000], ${meta("2", "float32")})`);
    });

    it("very small or large magnitudes in scientific notation", async () => {
      assert.equal(await text(t.tensor([1e-5, 1])), `tensor([1.0000e-5, 1.0000e+0], ${meta("2", "float32")})`);
      assert.match(await text(t.tensor([2e9, 1.5])), /^tensor\(\[2\.0000e\+9, 1\.5000e\+0\]/);
    });

    it("NaN and infinities", async () => {
      assert.equal(await text(t.tensor([NaN, Infinity, -Infinity, 1.5])), `tensor([   nan,    inf,   -inf, 1.5000], ${meta("4", "float32")})`);
    });

    it("bools as true/false", async () => {
      assert.equal(await text(t.tensor([true, false])), `tensor([ true, false], ${meta("2", "bool")})`);
      assert.equal(await text(t.tensor([1, 2, 3]).gt(1)), `tensor([false,  true,  true], ${meta("3", "bool")})`);
    });

    it("scalars and empty tensors", async () => {
      assert.equal(await text(t.tensor(3)), `tensor(3, ${meta("", "int32")})`);
      assert.equal(await text(t.tensor(0.5)), `tensor(0.5000, ${meta("", "float32")})`);
      assert.equal(await text(t.tensor(true)), `tensor(true, ${meta("", "bool")})`);
      assert.equal(await text(t.tensor([])), `tensor([], ${meta("0", "float32")})`);
      assert.equal(await text(t.zeros([2, 0])), `tensor([[],\n        []], ${meta("2, 0", "float32")})`);
    });

    it("3-D tensors separate blocks with a blank line", async () => {
      const want = `tensor([[[0, 1],\n         [2, 3]],\n\n        [[4, 5],\n         [6, 7]]], ${meta("2, 2, 2", "int32")})`;
      assert.equal(await text(t.arange(8).reshape([2, 2, 2])), want);
    });
  });

  describe("truncation", () => {
    it("shows 1000 elements in full", async () => {
      const s = await text(t.arange(1000));
      assert.ok(!s.includes("..."));
      assert.ok(s.includes(" 998, 999]"));
    });

    it("past 1000 elements shows three at each end with ...", async () => {
      assert.equal(await text(t.arange(2000)), `tensor([   0,    1,    2, ..., 1997, 1998, 1999], ${meta("2000", "int32")})`);
    });

    it("truncates rows and columns of a big matrix", async () => {
      const s = await text(t.arange(1200).reshape([40, 30]));
      const lines = s.split("\n");
      assert.equal(lines[0], "tensor([[   0,    1,    2, ...,   27,   28,   29],");
      assert.equal(lines[1], "        [  30,   31,   32, ...,   57,   58,   59],");
      assert.equal(lines[3], "        ...,");
      assert.equal(lines[6], `        [1170, 1171, 1172, ..., 1197, 1198, 1199]], ${meta("40, 30", "int32")})`);
      assert.equal(lines.length, 7);
    });

    it("formatValues takes a threshold and edge count", () => {
      const v = Int32Array.from({ length: 10 }, (_, i) => i + 1);
      assert.equal(t.formatValues(v, [10], "int32", 0, { threshold: 5, edgeItems: 2 }), "[ 1,  2, ...,  9, 10]");
      assert.equal(t.formatValues(v, [2, 5], "int32", 0), "[[ 1,  2,  3,  4,  5],\n [ 6,  7,  8,  9, 10]]");
    });
  });

  describe("console and strings", () => {
    it("console.log (util.inspect), String() and templates print the same text", async () => {
      const x = t.tensor([[1, 2], [3, 4]]);
      const s = await text(x);
      assert.equal(inspect(x), s);
      assert.equal(String(x), s);
      assert.equal(`${x}`, s);
    });

    it("before a read, WebGPU values are not shown; the cpu shows them at once", () => {
      const x = t.tensor([1.5, 2.5]).add(1);
      const want = backend === "cpu"
        ? `tensor([2.5000, 3.5000], ${meta("2", "float32")})`
        : `tensor(<on webgpu; read with await x.data() or display it>, ${meta("2", "float32")})`;
      assert.equal(x.toString(), want);
    });

    it("a disposed tensor says so", () => {
      const x = t.tensor([1, 2]);
      x.dispose();
      assert.equal(x.toString(), "tensor(<disposed>, shape=[2], dtype=int32)");
    });
  });
});
