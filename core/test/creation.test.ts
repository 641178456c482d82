// Creation: tensor() from nested arrays, numbers and typed arrays with dtype inference, the
// factories (zeros, full, arange, linspace, eye, *Like), seeded random tensors, and the errors
// for input that cannot become a tensor. Every case runs on each backend.

import { t, assert, eachBackend, expectTensor } from "./helpers";

eachBackend("creation", (backend) => {
  describe("tensor()", () => {
    it("infers int32 from integers, like jnp.array([1, 2])", async () => {
      const x = t.tensor([1, 2]);
      await expectTensor(x, [1, 2], { shape: [2], dtype: "int32" });
      assert.equal(x.device, backend);
      assert.equal(x.ndim, 1);
      assert.equal(x.size, 2);
    });

    it("infers float32 when any element is fractional, bool from booleans", async () => {
      await expectTensor(t.tensor([[1, 2.5], [3, 4]]), [1, 2.5, 3, 4], { shape: [2, 2], dtype: "float32" });
      await expectTensor(t.tensor([true, false]), [1, 0], { shape: [2], dtype: "bool" });
      assert.deepEqual(await t.tensor([true, false]).array(), [true, false]);
    });

    it("makes rank-0 tensors from numbers and booleans", async () => {
      const x = t.tensor(7);
      assert.deepEqual(x.shape, []);
      assert.equal(x.dtype, "int32");
      assert.equal(await x.item(), 7);
      assert.equal(await t.tensor(0.25).item(), 0.25);
      assert.equal(await t.tensor(true).item(), true);
      assert.equal(t.tensor(true).dtype, "bool");
    });

    it("makes empty tensors: [] is float32 [0], [[], []] is [2, 0]", async () => {
      await expectTensor(t.tensor([]), [], { shape: [0], dtype: "float32" });
      await expectTensor(t.tensor([[], []]), [], { shape: [2, 0] });
      assert.deepEqual(await t.tensor([[], []]).array(), [[], []]);
    });

    it("keeps typed arrays' dtype and honours an explicit dtype", async () => {
      await expectTensor(t.tensor(new Float32Array([1, 2])), [1, 2], { shape: [2], dtype: "float32" });
      await expectTensor(t.tensor(new Int32Array([-3, 4])), [-3, 4], { shape: [2], dtype: "int32" });
      await expectTensor(t.tensor([1, 2], { dtype: "float32" }), [1, 2], { dtype: "float32" });
      await expectTensor(t.tensor([0, 2, -1], { dtype: "bool" }), [0, 1, 1], { dtype: "bool" });
    });

    it("infers float32 for integers beyond int32 instead of wrapping them", async () => {
      await expectTensor(t.tensor([1e10, 1]), [1e10, 1], { dtype: "float32" });
      await expectTensor(t.tensor([-(2 ** 31), 2 ** 31 - 1]), [-(2 ** 31), 2 ** 31 - 1], { dtype: "int32", rtol: 0, atol: 0 });
      await expectTensor(t.full([1], 3e9), [3e9], { dtype: "float32" });
    });

    it("converts to int32 by truncating toward zero", async () => {
      await expectTensor(t.tensor([1.9, -1.9, 0.5], { dtype: "int32" }), [1, -1, 0], { dtype: "int32" });
    });

    it("stores values as float32 (rounded) and keeps NaN and infinities", async () => {
      await expectTensor(t.tensor([0.1, NaN, Infinity, -Infinity]), [Math.fround(0.1), NaN, Infinity, -Infinity], { rtol: 0, atol: 0 });
    });

    it("reads back with data(), array() and item()", async () => {
      const x = t.tensor([[1, 2, 3], [4, 5, 6]]);
      const d = await x.data();
      assert.ok(d instanceof Int32Array);
      assert.deepEqual(Array.from(d), [1, 2, 3, 4, 5, 6]);
      assert.deepEqual(await x.array(), [[1, 2, 3], [4, 5, 6]]);
      assert.ok((await t.tensor([1.5]).data()) instanceof Float32Array);
      assert.ok((await t.tensor([true]).data()) instanceof Uint8Array);
      await assert.rejects(x.item(), { message: "item() needs a tensor with one element; this one has shape [2, 3] (6 elements)" });
    });
  });

  describe("factories", () => {
    it("zeros and ones are float32 unless told otherwise", async () => {
      await expectTensor(t.zeros([2, 3]), [0, 0, 0, 0, 0, 0], { shape: [2, 3], dtype: "float32" });
      await expectTensor(t.ones([2], { dtype: "int32" }), [1, 1], { shape: [2], dtype: "int32" });
      await expectTensor(t.ones([3], { dtype: "bool" }), [1, 1, 1], { dtype: "bool" });
      await expectTensor(t.zeros([]), [0], { shape: [] });
      await expectTensor(t.zeros([0, 4]), [], { shape: [0, 4] });
    });

    it("full infers the dtype from the value", async () => {
      await expectTensor(t.full([2], 3), [3, 3], { shape: [2], dtype: "int32" });
      await expectTensor(t.full([2], 0.5), [0.5, 0.5], { dtype: "float32" });
      await expectTensor(t.full([1, 2], true), [1, 1], { shape: [1, 2], dtype: "bool" });
      await expectTensor(t.full([2], 7, { dtype: "float32" }), [7, 7], { dtype: "float32" });
    });

    it("zerosLike, onesLike and fullLike copy shape and dtype", async () => {
      const x = t.tensor([[1, 2, 3]]);
      await expectTensor(t.zerosLike(x), [0, 0, 0], { shape: [1, 3], dtype: "int32" });
      await expectTensor(t.onesLike(x, { dtype: "float32" }), [1, 1, 1], { shape: [1, 3], dtype: "float32" });
      await expectTensor(t.fullLike(x, 9), [9, 9, 9], { shape: [1, 3], dtype: "int32" });
      assert.equal(t.zerosLike(x).device, backend);
    });

    it("zerosLike, onesLike and fullLike make their result on their argument's device, whichever is current", async () => {
      const other = backend === "cpu" ? "webgpu" : "cpu";
      const x = t.tensor([1.5, 2]);
      await t.setBackend(other);
      try {
        for (const [made, value] of [[t.zerosLike(x), 0], [t.onesLike(x), 1], [t.fullLike(x, 7), 7]] as const) {
          assert.equal(made.device, backend);
          await expectTensor(made, [value, value], { shape: [2], dtype: "float32" });
        }
      } finally {
        await t.setBackend(backend);
      }
    });

    it("arange follows NumPy: int32 for integer arguments, float32 otherwise", async () => {
      await expectTensor(t.arange(5), [0, 1, 2, 3, 4], { shape: [5], dtype: "int32" });
      await expectTensor(t.arange(2, 5), [2, 3, 4], { dtype: "int32" });
      await expectTensor(t.arange(5, 0, -2), [5, 3, 1], { dtype: "int32" });
      await expectTensor(t.arange(0, 1, 0.25), [0, 0.25, 0.5, 0.75], { shape: [4], dtype: "float32" });
      await expectTensor(t.arange(0), [], { shape: [0] });
      await expectTensor(t.arange(3, 1), [], { shape: [0] });
      await expectTensor(t.arange(3, undefined, 1, { dtype: "float32" }), [0, 1, 2], { dtype: "float32" });
    });

    it("linspace includes both ends", async () => {
      await expectTensor(t.linspace(0, 1, 5), [0, 0.25, 0.5, 0.75, 1], { shape: [5], dtype: "float32" });
      await expectTensor(t.linspace(-1, 1, 3), [-1, 0, 1]);
      await expectTensor(t.linspace(2, 3, 1), [2], { shape: [1] });
      await expectTensor(t.linspace(2, 3, 0), [], { shape: [0] });
    });

    it("eye makes (rectangular) identity matrices", async () => {
      await expectTensor(t.eye(2), [1, 0, 0, 1], { shape: [2, 2], dtype: "float32" });
      await expectTensor(t.eye(2, 3), [1, 0, 0, 0, 1, 0], { shape: [2, 3] });
      await expectTensor(t.eye(3, 2, { dtype: "int32" }), [1, 0, 0, 1, 0, 0], { shape: [3, 2], dtype: "int32" });
    });
  });

  describe("random", () => {
    it("rand is reproducible with manualSeed and lies in [0, 1)", async () => {
      t.manualSeed(42);
      const a = Array.from(await t.rand([1000]).data());
      t.manualSeed(42);
      const b = Array.from(await t.rand([1000]).data());
      assert.deepEqual(a, b);
      assert.ok(a.every((v) => v >= 0 && v < 1));
      const m = a.reduce((s, v) => s + v, 0) / a.length;
      assert.ok(Math.abs(m - 0.5) < 0.05, `mean ${m}`);
      t.manualSeed(43);
      assert.notDeepEqual(Array.from(await t.rand([1000]).data()), a);
    });

    it("randn has mean about 0 and std about 1", async () => {
      t.manualSeed(1);
      const x = t.randn([3, 3333]);
      assert.deepEqual(x.shape, [3, 3333]);
      assert.equal(x.dtype, "float32");
      const v = Array.from(await x.data());
      const m = v.reduce((s, u) => s + u, 0) / v.length;
      const sd = Math.sqrt(v.reduce((s, u) => s + (u - m) ** 2, 0) / v.length);
      assert.ok(Math.abs(m) < 0.05, `mean ${m}`);
      assert.ok(Math.abs(sd - 1) < 0.05, `std ${sd}`);
    });

    it("randint draws int32 from [low, high), every value", async () => {
      const x = t.randint(-2, 3, [2000]);
      assert.equal(x.dtype, "int32");
      const v = Array.from(await x.data());
      assert.deepEqual([...new Set(v)].sort((p, q) => p - q), [-2, -1, 0, 1, 2]);
    });

    it("bernoulli gives bool with the requested probability", async () => {
      const x = t.bernoulli(0.3, [10000]);
      assert.equal(x.dtype, "bool");
      const n = Array.from(await x.data()).reduce((s, u) => s + u, 0);
      assert.ok(Math.abs(n / 10000 - 0.3) < 0.03, `fraction ${n / 10000}`);
      await expectTensor(t.bernoulli(t.tensor([0, 1, 0, 1], { dtype: "float32" })), [0, 1, 0, 1], { dtype: "bool" });
    });
  });

  describe("bad input", () => {
    it("rejects ragged nested arrays, naming the rows", () => {
      assert.throws(() => t.tensor([[1, 2], [3]]), {
        name: "InputError",
        message: "tensor: ragged nested array: element [0] has shape [2] but element [1] has shape [1]; every row must have the same length",
      });
      assert.throws(() => t.tensor([[[1], [2]], [[3], [4, 5]]]), {
        name: "InputError",
        message: /element \[1\]\[0\] has shape \[1\] but element \[1\]\[1\] has shape \[2\]/,
      });
      assert.throws(() => t.tensor([1, [2]] as never), { name: "InputError", message: /ragged nested array/ });
    });

    it("rejects non-numbers inside arrays", () => {
      assert.throws(() => t.tensor([1, "2"] as never), {
        name: "InputError",
        message: 'tensor: element 1 (in flat order) is "2", not a number or boolean',
      });
    });

    it("rejects NaN, negative and fractional sizes in shapes", () => {
      assert.throws(() => t.zeros([2, NaN]), {
        name: "InputError",
        message: "zeros: shape [2, NaN] has an invalid size at axis 1 (NaN); sizes must be non-negative integers",
      });
      assert.throws(() => t.ones([-1]), { name: "InputError", message: /invalid size at axis 0 \(-1\)/ });
      assert.throws(() => t.full([1.5, 2], 0), { name: "InputError", message: /invalid size at axis 0 \(1\.5\)/ });
      assert.throws(() => t.rand([2, -3]), { name: "InputError", message: /^rand: shape \[2, -3\] has an invalid size at axis 1/ });
      assert.throws(() => t.eye(-2), { name: "InputError", message: /^eye: shape \[-2, -2\]/ });
    });

    it("take shapes as PyTorch and NumPy do: sizes as arguments, one size, or an array", async () => {
      assert.deepEqual([t.zeros(2, 3).shape, t.ones(5).shape, t.randn(2, 3).shape, t.rand(4).shape, t.full(3, 7).shape], [[2, 3], [5], [2, 3], [4], [3]]);
      const z = t.zeros(2, 2, { dtype: "int32" });
      assert.deepEqual([z.dtype, await z.array()], ["int32", [[0, 0], [0, 0]]]);
      assert.throws(() => t.zeros([2, 3], 5 as never), /zeros: expected a shape \(an array like \[2, 3\], or sizes 2, 3\) and then options such as \{ dtype: "int32" \}, got 2 arguments/);
      assert.throws(() => t.ones("3" as never), /ones: shape must be an array of sizes, got "3"/);
    });

    it("rejects unknown dtypes, listing the known ones", () => {
      assert.throws(() => t.tensor([1], { dtype: "float64" as never }), {
        name: "DTypeError",
        message: 'tensor: unknown dtype "float64"; use one of "float32", "int32", "bool"',
      });
      assert.throws(() => t.zeros([2], { dtype: "int64" as never }), { name: "DTypeError", message: /unknown dtype "int64"/ });
      assert.throws(() => t.tensor([1]).astype("uint8" as never), { name: "DTypeError", message: /^astype: unknown dtype "uint8"/ });
    });

    it("rejects bad arange and linspace arguments", () => {
      assert.throws(() => t.arange(0, 5, 0), { name: "InputError", message: "arange: step must not be 0" });
      assert.throws(() => t.arange(NaN), { name: "InputError", message: "arange: stop must be a finite number, got NaN" });
      assert.throws(() => t.linspace(0, 1, 2.5), { name: "InputError", message: /^linspace: num must be a non-negative integer/ });
      assert.throws(() => t.randint(3, 3, [2]), { name: "InputError", message: /^randint: need integers low < high/ });
    });
  });
});

eachBackend("data() hands out copies", () => {
  // Small tensors keep what was read (HOST_CACHE_ELEMENTS in tensor.ts); big ones hand over the
  // fresh array. Either way, writing into the returned array leaves the tensor as it was.
  for (const n of [10, 300_000]) {
    it(`${n} elements: two reads agree, and writes into a read do not reach the tensor`, async () => {
      const x = t.arange(n).astype("float32");
      const first = await x.data();
      first[0] = -1;
      first[n - 1] = -1;
      const second = await x.data();
      assert.equal(second[0], 0);
      assert.equal(second[n - 1], n - 1);
      assert.notStrictEqual(first, second);
      const y = x.add(1);
      assert.equal((await y.data())[n - 1], n);
      x.dispose();
      y.dispose();
    });
  }
});
