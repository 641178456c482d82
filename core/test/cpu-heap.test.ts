// The tensor heap (src/backend/cpu/wasm/heap.ts, tensorheap.ts): its allocator; which cpu arrays
// are placed on it and how they come back; and that the matmul engine and the SIMD maps use
// placed operands in place (no copies) with the same bits as with ordinary arrays.

import assert from "node:assert/strict";
import * as t from "../src/index";
import { createCpuBackend } from "../src/backend/cpu";
import { type CpuStorage, PendingStorage, data as cpuData } from "../src/backend/cpu/storage";
import { WasmHeap } from "../src/backend/cpu/wasm/heap";
import { interleaveStats } from "../src/backend/cpu/wasm/interleave";
import { transposeStats } from "../src/backend/cpu/wasm/transpose";
import { gemmEngine } from "../src/backend/cpu/wasm/index";
import {
  TENSOR_BYTES, TENSOR_HEAP_BYTES, fillArray, heapBytesFor, processMemoryBytes, giveHeapArray, heapArray, heapArrayBytes, onTensorHeap, setHeapArrays, tensorHeap,
} from "../src/backend/cpu/wasm/tensorheap";

const ramp = (n: number, scale = 1) => Float32Array.from({ length: n }, (_, i) => ((i % 97) - 40) * scale);
const f32 = (shape: number[]) => ({ shape, dtype: "float32" as const });
const gc = (): void => (globalThis as { gc?: () => void }).gc!();
const tick = () => new Promise((r) => setTimeout(r, 0));

describe("cpu tensor heap", () => {
  describe("allocator", () => {
    it("blocks are 64-byte aligned, come back, merge with free neighbours and lower the top", () => {
      const h = new WasmHeap({ maxBytes: 4 * 2 ** 20, shared: true });
      const a = h.alloc(100);
      const b = h.alloc(1000);
      const c = h.alloc(64);
      for (const x of [a, b, c]) assert.equal(x % 64, 0);
      assert.deepEqual([h.blockBytes(a), h.blockBytes(b), h.blockBytes(c)], [128, 1024, 64]);
      assert.deepEqual([b - a, c - b], [128, 1024], "laid out one after another");
      h.free(a);
      h.free(b);
      assert.equal(h.usedBytes, 64);
      assert.equal(h.alloc(1152), a, "a and b merged into one block");
      h.free(a);
      h.free(c);
      assert.equal(h.usedBytes, 0);
      assert.equal(h.alloc(4000), a, "everything free: the top came down to where a was");
    });

    it("the smallest free block that fits is taken, and a freed address is ignored the second time", () => {
      const h = new WasmHeap({ maxBytes: 4 * 2 ** 20, shared: true });
      const big = h.alloc(1024);
      h.alloc(64); // keeps big and small apart
      const small = h.alloc(128);
      h.alloc(64);
      h.free(big);
      h.free(small);
      h.free(small);
      assert.equal(h.alloc(100), small);
      assert.equal(h.alloc(1000), big);
      assert.equal(h.usedBytes, 128 + 1024 + 128);
    });

    it("past its maximum it answers -1 and stays usable", () => {
      const h = new WasmHeap({ maxBytes: 2 ** 20, shared: true });
      const a = h.alloc(600_000);
      assert.ok(a >= 0);
      assert.equal(h.alloc(600_000), -1);
      h.free(a);
      assert.equal(h.alloc(600_000), a);
    });

    it("a zeroed block is zero though its memory was used before; views made before growth stay valid", () => {
      const h = new WasmHeap({ maxBytes: 64 * 2 ** 20, shared: true });
      const a = h.alloc(4096);
      const view = h.f32(a, 1024);
      view.fill(7);
      h.free(a);
      const b = h.alloc(4096, true);
      assert.equal(b, a);
      assert.ok(h.f32(b, 1024).every((v) => v === 0));
      view[3] = 5; // the old view is the same memory
      const grown = h.alloc(16 * 2 ** 20); // grows the memory
      assert.ok(grown > 0 && h.memoryBytes > 16 * 2 ** 20);
      assert.equal(h.f32(b, 1024)[3], 5);
      view[4] = 6;
      assert.equal(h.f32(b, 1024)[4], 6, "a view from before the growth still writes the memory");
    });

    it("addressOf knows its own views and their subarrays, and nothing else", () => {
      const h = new WasmHeap({ maxBytes: 2 ** 20, shared: true });
      const a = h.alloc(4096);
      const v = h.f32(a, 1024);
      assert.equal(h.addressOf(v), a);
      assert.equal(h.addressOf(v.subarray(10)), a + 40);
      assert.equal(h.addressOf(new Float32Array(1024)), -1);
      const other = new WasmHeap({ maxBytes: 2 ** 20, shared: true });
      assert.equal(other.addressOf(v), -1);
    });
  });

  describe("placement", () => {
    before(async () => {
      await t.setBackend("cpu");
      setHeapArrays(true);
    });

    it("the heap is a 32nd of the process's memory in 64 MiB steps, from 256 to 768 MiB, all but 128 MiB for tensors", () => {
      const [MiB, GiB] = [2 ** 20, 2 ** 30];
      assert.deepEqual([2, 8, 12, 16, 23.5, 24, 64].map((g) => heapBytesFor(g * GiB) / MiB), [256, 256, 384, 512, 704, 768, 768]);
      assert.equal(TENSOR_HEAP_BYTES, heapBytesFor(processMemoryBytes()));
      assert.equal(TENSOR_BYTES, TENSOR_HEAP_BYTES - 128 * MiB);
      assert.equal(tensorHeap()!.maxBytes, TENSOR_HEAP_BYTES);
    });

    it("fillArray fills placed arrays (doubling copies) and ordinary ones, and nothing past their end", () => {
      for (const n of [2048, 2049, 4097, 100003]) {
        const a = heapArray(n, true)!;
        const next = heapArray(2048, false)!;
        next.fill(7);
        assert.ok(onTensorHeap(a));
        for (const value of [-Infinity, 0.25, NaN, -0, 0]) {
          fillArray(a, value);
          let wrong = 0;
          for (let i = 0; i < n; i++) if (!Object.is(a[i], value)) wrong++;
          assert.equal(wrong, 0, `${n} values filled with ${value}`);
          assert.ok(next.every((v) => v === 7), "the next block is untouched");
        }
        const view = a.subarray(5, n - 3);
        fillArray(view, 3);
        assert.deepEqual([a[4], a[5], a[n - 4], a[n - 3]], [0, 3, 3, 0], "a view fills just its values");
        const plain = new Float32Array(n);
        fillArray(plain, -2);
        assert.ok(plain.every((v) => v === -2));
        for (const x of [a, next]) giveHeapArray(x);
      }
    });

    it("float32 arrays of 8 KiB and more are placed; smaller ones and int32 ones are not", async () => {
      const b = createCpuBackend();
      const big = b.upload(ramp(2048), "float32") as CpuStorage;
      const small = b.upload(ramp(2047), "float32") as CpuStorage;
      const ints = b.upload(Int32Array.from({ length: 4096 }, (_, i) => i), "int32") as CpuStorage;
      assert.deepEqual([onTensorHeap(big.data), onTensorHeap(small.data), onTensorHeap(ints.data)], [true, false, false]);
      assert.deepEqual([...big.data.subarray(0, 3)], [-40, -39, -38]);
      for (const s of [big, small, ints]) b.free(s);
    });

    it("a freed array's block serves the next array of its size, and zeros are zeros", () => {
      const b = createCpuBackend({ fusion: false });
      const n = 4096;
      const x = b.upload(ramp(n), "float32") as CpuStorage;
      const y = b.kernels.unary({ inputs: [x], infos: [f32([n])], out: f32([n]), attrs: { fn: "neg" } }) as CpuStorage;
      const at = tensorHeap()!.addressOf(y.data);
      const placed = heapArrayBytes();
      b.free(y);
      assert.equal(heapArrayBytes(), placed - 4 * n);
      b.free(y); // a second free() is ignored
      assert.equal(heapArrayBytes(), placed - 4 * n);
      // scatterAdd adds into zeros: the reused block held the negated ramp.
      const u = b.upload(Float32Array.from([2.5]), "float32");
      const idx = b.upload(Int32Array.from([5]), "int32");
      const s = b.kernels.scatterAdd({
        inputs: [u, idx], infos: [f32([1]), { shape: [1], dtype: "int32" }], out: f32([n]), attrs: { axis: 0, size: n },
      }) as CpuStorage;
      assert.equal(tensorHeap()!.addressOf(s.data), at);
      const want = new Array(n).fill(0);
      want[5] = 2.5;
      assert.deepEqual([...s.data], want);
      for (const v of [x, u, idx, s]) b.free(v);
    });

    it("an array read by a pending tree keeps its block until the tree is computed", () => {
      const b = createCpuBackend({ fusion: true });
      const n = 4096;
      const x = b.upload(ramp(n), "float32") as CpuStorage;
      const at = tensorHeap()!.addressOf(x.data);
      const y = b.kernels.unary({ inputs: [x], infos: [f32([n])], out: f32([n]), attrs: { fn: "abs" } });
      assert(y instanceof PendingStorage);
      b.free(x); // the tree still reads x's array
      const other = b.upload(ramp(n, -3), "float32") as CpuStorage;
      assert.notEqual(tensorHeap()!.addressOf(other.data), at);
      assert.deepEqual([...b.readSync!(y, "float32", n)], [...ramp(n)].map(Math.abs));
      const again = b.upload(ramp(n, 2), "float32") as CpuStorage;
      assert.equal(tensorHeap()!.addressOf(again.data), at, "computed: x's block is free again");
      for (const v of [y, other, again]) b.free(v);
    });

    it("a placed array dropped without being freed comes back when it is collected", async () => {
      // Earlier tests' garbage first, so that only this test's arrays are left to collect.
      for (let i = 0; i < 5; i++) {
        gc();
        await tick();
      }
      const before = heapArrayBytes();
      (() => {
        for (let i = 0; i < 8; i++) assert.ok(heapArray(1 << 16, false));
      })();
      assert.equal(heapArrayBytes(), before + 8 * 4 * (1 << 16));
      for (let i = 0; i < 10 && heapArrayBytes() > before; i++) {
        gc();
        await tick();
      }
      assert.ok(heapArrayBytes() <= before, `${heapArrayBytes()} bytes placed, ${before} before`);
    });

    it(`past ${TENSOR_BYTES / 2 ** 20} MiB of placed arrays new ones are ordinary arrays, with the same values`, async () => {
      const n = 2 ** 20; // 4 MiB each
      const count = Math.ceil((TENSOR_BYTES - heapArrayBytes()) / (4 * n)) + 2;
      const xs = Array.from({ length: count }, (_, i) => t.full([n], i + 0.5));
      const sums = await Promise.all(xs.map((x) => x.sum().item()));
      assert.deepEqual(sums, xs.map((_, i) => (i + 0.5) * n));
      const where = xs.map((x) => onTensorHeap(cpuData(x.storage)));
      assert.ok(heapArrayBytes() <= TENSOR_BYTES);
      assert.equal(where[0], true);
      assert.equal(where[count - 1], false);
      t.dispose(xs);
    });
  });

  describe("kernels use placed arrays in place", () => {
    before(async () => t.setBackend("cpu"));
    after(() => setHeapArrays(true));

    /** `f`'s result with placement on and off (same bits), and the engine's copies each way. */
    async function onAndOff(f: () => t.Tensor): Promise<{ on: number; off: number }> {
      const results: Float32Array[] = [];
      const copies: number[] = [];
      for (const placed of [true, false]) {
        setHeapArrays(placed);
        const engine = gemmEngine()!;
        const before = engine.copiedBytes;
        const y = f();
        results.push((await y.data()) as Float32Array);
        copies.push(engine.copiedBytes - before);
        y.dispose();
      }
      assert.equal(results[0].length, results[1].length);
      for (let i = 0; i < results[0].length; i++) assert.ok(Object.is(results[0][i], results[1][i]), `element ${i}`);
      return { on: copies[0], off: copies[1] };
    }

    it("matmul of placed operands copies nothing, and gives the bits of copied ones", async () => {
      const cases: [string, () => t.Tensor][] = [
        ["[96, 200] x [200, 300]", () => t.tidy(() => t.tensor(ramp(96 * 200, 0.01)).reshape([96, 200]).matmul(t.tensor(ramp(200 * 300, 0.02)).reshape([200, 300])))],
        ["batched with broadcast", () => t.tidy(() => t.tensor(ramp(2 * 40 * 64, 0.01)).reshape([2, 1, 40, 64]).matmul(t.tensor(ramp(3 * 64 * 50, 0.03)).reshape([3, 64, 50])))],
        ["x W^T (a Linear layer: B stored transposed)", () => t.tidy(() => t.tensor(ramp(128 * 300, 0.01)).reshape([128, 300]).matmul(t.tensor(ramp(256 * 300, 0.02)).reshape([256, 300]).T))],
      ];
      for (const [what, f] of cases) {
        const { on, off } = await onAndOff(f);
        assert.equal(on, 0, `${what}: nothing copied with placed operands`);
        assert.ok(off > 0, `${what}: ordinary arrays are copied`);
      }
    });

    it("a SIMD map writing in place leaves the next block alone (its last vector stays in its own block)", async () => {
      setHeapArrays(true);
      const n = 4099; // the last vector runs 12 bytes past the view
      const x = t.tensor(ramp(n));
      const y = x.add(1);
      const neighbour = t.full([n], 7);
      await neighbour.data();
      const z = x.mul(2); // placed after y's block is taken
      await z.data();
      const yArr = cpuData(y.storage) as Float32Array;
      assert.ok(onTensorHeap(yArr));
      assert.deepEqual([...(await y.data()).subarray(n - 3)], [...ramp(n).subarray(n - 3)].map((v) => v + 1));
      assert.ok((await neighbour.data()).every((v) => v === 7));
      t.dispose([x, y, z, neighbour]);
    });

    it("conv2d's concatenation of rows of one runs in wasm on placed arrays, with the JavaScript loop's values", async () => {
      const results: Float32Array[] = [];
      const ran: number[] = [];
      for (const placed of [true, false]) {
        setHeapArrays(placed);
        const xs = Array.from({ length: 9 }, (_, k) => t.tensor(ramp(5000, 0.5 + k)).reshape([5000, 1]));
        const before = interleaveStats.runs;
        const y = t.concat(xs, 1);
        results.push((await y.data()) as Float32Array);
        ran.push(interleaveStats.runs - before);
        t.dispose([y, ...xs]);
      }
      assert.deepEqual(ran, [1, 0], "wasm with placed arrays only");
      assert.deepEqual([...results[0]], [...results[1]]);
      assert.deepEqual([...results[0].subarray(9, 18)], Array.from({ length: 9 }, (_, k) => -39 * (0.5 + k)));
    });

    it("batched transposes (conv2d's NHWC <-> NCHW) run in wasm SIMD on placed arrays, with the copy's values", async () => {
      const cases: [number[], number[], boolean][] = [
        [[64, 28, 28, 16], [0, 3, 1, 2], true], // [N, H, W, C] -> [N, C, H, W]: 64 transposes of [784, 16]
        [[64, 16, 28, 28], [0, 2, 3, 1], true],
        [[300, 48], [1, 0], true],
        [[40, 30, 8], [0, 2, 1], false], // 30 is not a multiple of 4: the JavaScript copy
        [[8, 100, 100], [0, 2, 1], false], // both sides over 64: the cache-tiled JavaScript copy
      ];
      for (const [shape, perm, wasm] of cases) {
        const n = shape.reduce((a, b) => a * b, 1);
        const results: Float32Array[] = [];
        const ran: number[] = [];
        for (const placed of [true, false]) {
          setHeapArrays(placed);
          const x = t.tensor(Float32Array.from({ length: n }, (_, i) => i)).reshape(shape);
          const before = transposeStats.runs;
          const y = x.permute(perm);
          results.push((await y.data()) as Float32Array);
          ran.push(transposeStats.runs - before);
          t.dispose([x, y]);
        }
        const what = `${JSON.stringify(shape)} permuted ${JSON.stringify(perm)}`;
        assert.deepEqual(ran, [wasm ? 1 : 0, 0], what);
        assert.deepEqual([...results[0]], [...results[1]], what);
        // The input holds its flat index, so output element 1 (one step along the output's last
        // axis) is the input's stride along the axis that became last.
        const inStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
        assert.equal(results[0][1], inStrides[perm[perm.length - 1]], what);
      }
    });

    it("a jitted MLP step gives the same losses with and without placement", async () => {
      const run = async (): Promise<number[]> => {
        const l1 = new t.nn.Linear(784, 64);
        const l2 = new t.nn.Linear(64, 10);
        t.tidy(() => {
          l1.weight.assign(t.tensor(ramp(64 * 784, 0.0005)).reshape([64, 784]));
          l1.bias!.assign(t.tensor(ramp(64, 0.002)));
          l2.weight.assign(t.tensor(ramp(10 * 64, 0.0015)).reshape([10, 64]));
          l2.bias!.assign(t.tensor(ramp(10, 0.001)));
        });
        const model = new t.nn.Sequential(l1, new t.nn.ReLU(), l2);
        const opt = new t.optim.SGD(model.parameters(), { lr: 0.05 });
        const x = t.tensor(ramp(64 * 784, 0.01)).reshape([64, 784]);
        const y = t.tensor(Int32Array.from({ length: 64 }, (_, i) => (i * 7) % 10));
        const fn = t.jit((x: t.Tensor, y: t.Tensor) => {
          opt.zeroGrad();
          const loss = t.nn.crossEntropy(model.forward(x), y);
          loss.backward();
          opt.step();
          return loss;
        });
        const losses: number[] = [];
        for (let i = 0; i < 5; i++) {
          const loss = t.tidy(() => fn(x, y));
          losses.push(Number(await loss.item()));
          loss.dispose();
        }
        fn.dispose();
        t.dispose([x, y, ...model.parameters()]);
        return losses;
      };
      setHeapArrays(true);
      const placed = await run();
      setHeapArrays(false);
      const plain = await run();
      assert.deepEqual(placed, plain);
      assert.ok(placed[4] < placed[0], `the loss falls: ${placed}`);
    });
  });
});
