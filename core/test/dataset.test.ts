// Datasets with length and get(i) (PyTorch's map-style Dataset), TensorDataset, collate and
// collateFn in the DataLoader: batches against the tensor path, shuffling, per-example
// transforms, memory, and the error messages.

import { t, assert, assertClose, eachBackend, assertNoBufferGrowth } from "./helpers";
import type { Tensor } from "../src/index";

const { data } = t;

/** Ten 2x2 "images" whose values encode their index, labelled index mod 3. */
class Squares implements t.data.Dataset<[Tensor, number]> {
  readonly length = 10;
  get(i: number): [Tensor, number] {
    return [t.full([2, 2], i, { dtype: "float32" }), i % 3];
  }
}

eachBackend("datasets", () => {
  it("a Dataset's examples are stacked into batches, in the order a tensor loader with the same seed gives", async () => {
    const loader = new data.DataLoader(new Squares(), { batchSize: 4, shuffle: true, seed: 5 });
    const x = t.arange(10).astype("float32");
    const reference = new data.DataLoader([x], { batchSize: 4, shuffle: true, seed: 5 });
    const batches = [...loader];
    const refs = [...reference];
    assert.equal(batches.length, 3);
    for (const [k, [images, labels]] of batches.entries()) {
      const order = Array.from(await refs[k][0].data());
      assert.deepEqual(images.shape, [order.length, 2, 2]);
      assert.equal(labels.dtype, "int32");
      assertClose(await images.index(":", 0, 0).data(), order);
      assert.deepEqual(Array.from(await labels.data()), order.map((i) => i % 3));
    }
  });

  it("TensorDataset gives [x[i], y[i]] and batches like the tensors themselves", async () => {
    const x = t.randn([7, 3]);
    const y = t.arange(7);
    const ds = new data.TensorDataset(x, y);
    assert.equal(ds.length, 7);
    const [xi, yi] = ds.get(4);
    assertClose(await xi.data(), await x.index(4).data());
    assert.equal(await yi.item(), 4);
    const [xb, yb] = [...new data.DataLoader(ds, { batchSize: 5 })][1];
    assertClose(await xb.data(), await x.index("5:7").data());
    assert.deepEqual(Array.from(await yb.data()), [5, 6]);
  });

  it("numbers per example become one tensor; a transform runs per example; per-example tensors are freed", async () => {
    const numbers = { length: 5, get: (i: number) => i * 0.5 };
    const [[b]] = [...new data.DataLoader(numbers, { batchSize: 5 })];
    assert.equal(b.dtype, "float32");
    assertClose(await b.data(), [0, 0.5, 1, 1.5, 2]);
    // A random horizontal flip, per example, as torchvision's RandomHorizontalFlip.
    const base = t.arange(12).reshape([4, 3]).astype("float32");
    const flipped = { length: 8, get: (i: number) => (i % 2 ? base.flip(1) : base.clone()) };
    const [[imgs]] = [...new data.DataLoader(flipped, { batchSize: 8 })];
    assertClose(await imgs.index(1).data(), await base.flip(1).data());
    assertClose(await imgs.index(2).data(), await base.data());
    await assertNoBufferGrowth(() => {
      for (const [batch] of new data.DataLoader(flipped, { batchSize: 3 })) batch.dispose();
    });
  });

  it("collateFn batches examples of different lengths (padding sequences)", async () => {
    const seqs = [[1, 2, 3], [4], [5, 6]];
    const ds = { length: 3, get: (i: number) => t.tensor(seqs[i]) };
    const pad = (examples: t.data.Example[]) => {
      const xs = examples as Tensor[];
      const n = Math.max(...xs.map((x) => x.shape[0]));
      return [t.stack(xs.map((x) => t.pad(x, [[0, n - x.shape[0]]]))), t.tensor(xs.map((x) => x.shape[0]))];
    };
    const [[padded, lengths]] = [...new data.DataLoader(ds, { batchSize: 3, collateFn: pad })];
    assert.deepEqual(await padded.array(), [[1, 2, 3], [4, 0, 0], [5, 6, 0]]);
    assert.deepEqual(Array.from(await lengths.data()), [3, 1, 2]);
  });

  it("says what is wrong", () => {
    const ragged = { length: 2, get: (i: number) => t.zeros([i + 1]) };
    assert.throws(() => [...new data.DataLoader(ragged, { batchSize: 2 })], /DataLoader: the examples has different shapes in one batch \(\[1\], \[2\]\); make every example the same shape, or pass a collateFn/);
    const mixed = { length: 2, get: (i: number) => (i ? [t.zeros([1]), 1] : [t.zeros([1])]) as t.data.Example };
    assert.throws(() => [...new data.DataLoader(mixed, { batchSize: 2 })], /example 1 of a batch has 2 fields but the first has 1/);
    const strings = { length: 1, get: () => "cat" as unknown as number };
    assert.throws(() => [...new data.DataLoader(strings)], /holds string values; an example must be a tensor, a number, or an array of those/);
    assert.throws(() => new data.DataLoader({ length: 3 } as any), /DataLoader: give an array of tensors \(\[x, y\]\) or a dataset \(an object with length and get\(i\)\)/);
    assert.throws(() => [...new data.DataLoader(new Squares(), { collateFn: () => 5 as any })], /collateFn must return an array of tensors/);
    assert.throws(() => new data.TensorDataset(t.zeros([3]), t.zeros([4])), /TensorDataset: tensor 1 has shape \[4\], but tensor 0 has 3 rows/);
  });
});
