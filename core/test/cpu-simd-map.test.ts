// The cpu backend's SIMD maps (backend/cpu/wasm/simdmap.ts) give the same bits as its
// JavaScript loops, on data with NaN, signed zeros, infinities and subnormals, for every
// operation they take and the layouts they take (contiguous, scalar, row and column
// broadcasts, lengths that are not multiples of 4); other bodies and short arrays stay on the
// JavaScript loops. Each case runs with its operands on the tensor heap (read and written in
// place) and in ordinary arrays (copied through the heap).

import assert from "node:assert/strict";
import * as t from "../src/index";
import type { Tensor } from "../src/index";
import { setSimdMaps, simdStats, MIN_SIMD_ELEMENTS } from "../src/backend/cpu/wasm/simdmap";
import { onTensorHeap, setHeapArrays } from "../src/backend/cpu/wasm/tensorheap";
import { foldStats } from "../src/backend/cpu/wasm/simdfold";
import { data as cpuData } from "../src/backend/cpu/storage";
import { run } from "../src/dispatch";

const SPECIAL = [NaN, 0, -0, Infinity, -Infinity, 1e-40, -1e-40, 3.4e38, -3.4e38, 1, -1, 0.5];

/** Normal values with every special value sprinkled in (deterministic). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = i % 7 === 3 ? SPECIAL[(i + seed) % SPECIAL.length] : (s / 2147483648 - 0.5) * 8;
  }
  return out;
}

function sameBits(got: Float32Array, want: Float32Array, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    const ok = Number.isNaN(want[i]) ? Number.isNaN(got[i]) : Object.is(got[i], want[i]);
    assert.ok(ok, `${what}: element ${i}: SIMD gave ${got[i]}, the JavaScript loop ${want[i]}`);
  }
}

/** The array behind a cpu tensor (computed first if it is pending). */
async function storageArray(x: Tensor): Promise<Float32Array> {
  await x.data();
  return cpuData(x.storage) as Float32Array;
}

/** `f` computed with the SIMD maps (and folds) on and off; asserts the same bits and which path ran. */
async function compare(what: string, f: () => Tensor, simd: boolean, stats: { runs: number } = simdStats): Promise<void> {
  const before = stats.runs;
  const on = f();
  const got = (await on.data()) as Float32Array;
  const ran = stats.runs - before;
  const was = setSimdMaps(false);
  try {
    const off = f();
    const want = (await off.data()) as Float32Array;
    sameBits(got, want, what);
    t.dispose([on, off]);
  } finally {
    setSimdMaps(was);
  }
  if (simd) assert.ok(ran > 0, `${what}: expected the SIMD path`);
  else assert.equal(ran, 0, `${what}: expected the JavaScript loops`);
}

for (const placed of [true, false]) describe(`cpu: SIMD maps, operands ${placed ? "on the tensor heap" : "in ordinary arrays"}`, () => {
  let placement = true;
  before(async () => {
    await t.setBackend("cpu");
    setSimdMaps(true);
    placement = setHeapArrays(placed);
  });
  after(() => setHeapArrays(placement));

  it(placed ? "tensors of 8 KiB and more are placed on the heap" : "no tensor is placed on the heap", async () => {
    const a = t.tensor(values(n, 1));
    const b = a.add(1);
    await b.data();
    assert.equal(onTensorHeap(await storageArray(a)), placed);
    assert.equal(onTensorHeap(await storageArray(b)), placed);
    t.dispose([a, b]);
  });

  const n = 3001; // not a multiple of 4: the last vector runs past the end
  const x = () => t.tensor(values(n, 1));
  const y = () => t.tensor(values(n, 2));

  it("arithmetic, unary operations and relu: the same bits", async () => {
    const a = x();
    const b = y();
    const cases: [string, () => Tensor][] = [
      ["add", () => a.add(b)],
      ["sub", () => a.sub(b)],
      ["mul", () => a.mul(b)],
      ["div", () => a.div(b)],
      ["abs", () => a.abs()],
      ["neg", () => a.neg()],
      ["sqrt", () => a.sqrt()],
      ["relu", () => a.relu()],
      ["SGD update p - lr * g (a scalar leaf)", () => a.sub(b.mul(0.1))],
      ["a chain", () => a.mul(b).add(a).div(2).sqrt().neg()],
    ];
    for (const [what, f] of cases) await compare(what, f, true);
    t.dispose([a, b]);
  });

  it("comparisons as masks: relu's gradient, where, every comparison", async () => {
    const a = x();
    const b = y();
    const cases: [string, () => Tensor][] = [
      ["g * (x > 0)", () => b.mul(a.gt(0).astype("float32"))],
      ["where(a > b, a, b)", () => t.where(a.gt(b), a, b)],
      ["where(a < b, a * 2, 0)", () => t.where(a.lt(b), a.mul(2), 0)],
      ["eq", () => a.eq(b.mul(0).add(a)).astype("float32")],
      ["ne", () => a.ne(b).astype("float32").add(a)],
      ["le", () => t.where(a.le(b), 1, b)],
      ["ge", () => t.where(a.ge(0.5), a, -1)],
    ];
    for (const [what, f] of cases) await compare(what, f, true);
    t.dispose([a, b]);
  });

  it("broadcasts: a bias row, a column, a scalar; runs of odd length", async () => {
    const m = t.tensor(values(50 * 257, 3)).reshape([50, 257]);
    const row = t.tensor(values(257, 4));
    const col = t.tensor(values(50, 5)).reshape([50, 1]);
    await compare("matrix + row", () => m.add(row), true);
    await compare("matrix * column", () => m.mul(col), true);
    await compare("relu(matrix + row) - column", () => m.add(row).relu().sub(col), true);
    await compare("scalar - matrix", () => t.tensor(3.5).sub(m), true);
    await compare("int32 scalar - matrix (a cast of an int leaf)", () => t.tensor(3).sub(m), false);
    t.dispose([m, row, col]);
  });

  it("a 2x2 pooling window's gradient (runs of pairs: values read once per pair): the same bits", async () => {
    for (const w of [14, 7]) { // runs of 28 and of 14 values (the last vector spills past a run)
      const x = t.tensor(values(8 * 4 * w * 2 * w * 2, 13)).reshape([8, 4, w, 2, w, 2]);
      const pooled = t.tensor(values(8 * 4 * w * w, 14)).reshape([8, 4, w, 1, w, 1]);
      const g = t.tensor(values(8 * 4 * w * w, 15)).reshape([8, 4, w, 1, w, 1]);
      await compare(`g * (x == pooled) / 2, windows of ${w}`, () => g.mul(x.eq(pooled).astype("float32")).div(2), true);
      await compare(`where(x > pooled, x, g), windows of ${w}`, () => t.where(x.gt(pooled), x, g), true);
      const picked = x.max([3, 5], { keepdims: true });
      await compare(`max's gradient through its own output, windows of ${w}`, () => g.mul(x.eq(picked).astype("float32")).div(picked.add(3)), true);
      t.dispose([x, pooled, g, picked]);
    }
  });

  it("reductions over 2x2 windows (MaxPool2d and its gradient's tie count) fold in SIMD: the same bits", async () => {
    for (const w of [14, 7, 5, 4]) { // W % 4 = 2, 3, 1, 0: every tail
      const x = t.tensor(values(12 * 3 * w * 2 * w * 2, 16)).reshape([12, 3, w, 2, w, 2]);
      const g = t.tensor(values(12 * 3 * w * w, 17)).reshape([12, 3, w, 1, w, 1]);
      const cases: [string, () => Tensor][] = [
        ["max", () => x.max([3, 5])],
        ["min, keepdims", () => x.min([3, 5], { keepdims: true })],
        ["sum", () => x.sum([3, 5])],
        ["max of relu (a fused body)", () => x.relu().max([3, 5])],
        ["tie count: sum of (x == max)", () => x.eq(x.max([3, 5], { keepdims: true })).astype("float32").sum([3, 5], { keepdims: true })],
        ["sum of x * g (g once per pair)", () => x.mul(g).sum([3, 5])],
        ["max of x - 1.5 (a scalar leaf)", () => x.sub(1.5).max([3, 5])],
      ];
      for (const [what, f] of cases) await compare(`${what}, windows of ${w}`, f, true, foldStats);
      t.dispose([x, g]);
    }
  });

  it("window max and min keep the JavaScript fold's order: NaN wins, the first of -0 and +0 stays", async () => {
    const windows = [
      [-0, 0, 0, -0], [0, -0, -0, 0], [NaN, 1, 2, 3], [1, NaN, -Infinity, Infinity], [-Infinity, -Infinity, -Infinity, -Infinity],
      [1e-40, -1e-40, 0, -0], [3.4e38, -3.4e38, 3.4e38, 1], [2, 2, 2, 2],
    ];
    // [1, 1, 1, 2, 8, 2]: window j's values at (dh, dw) = (0, 0), (0, 1), (1, 0), (1, 1).
    const data = new Float32Array(4 * 8);
    windows.forEach((v, j) => v.forEach((value, i) => (data[(i >> 1) * 16 + 2 * j + (i & 1)] = value)));
    const x = t.tensor(data).reshape([1, 1, 1, 2, 8, 2]);
    const big = t.concat(Array.from({ length: 300 }, () => x), 0); // past the SIMD threshold
    await compare("max over special windows", () => big.max([3, 5]), true, foldStats);
    await compare("min over special windows", () => big.min([3, 5]), true, foldStats);
    const got = await big.max([3, 5]).data();
    assert.ok(Object.is(got[0], -0) && Object.is(got[1], 0) && Number.isNaN(got[2]) && Number.isNaN(got[3]), `max: ${[...got.subarray(0, 8)]}`);
    t.dispose([x, big]);
  });

  it("column folds (the innermost axis kept: a bias gradient's sums over the batch) fold in SIMD: the same bits", async () => {
    for (const w of [16, 17, 18, 19, 29]) { // every tail of four
      const rows = 160;
      const x = t.tensor(values(rows * w, 18)).reshape([rows, w]);
      const g = t.tensor(values(rows * w, 19)).reshape([rows, w]);
      const row = t.tensor(values(w, 20));
      const x3 = x.reshape([4, rows / 4, w]);
      const cases: [string, () => Tensor][] = [
        ["sum over the batch", () => x.sum(0)],
        ["max over the batch", () => x.max(0)],
        ["min over the batch, keepdims", () => x.min(0, { keepdims: true })],
        ["relu's gradient summed: sum(g * (x > 0))", () => g.mul(x.gt(0).astype("float32")).sum(0)],
        ["sum of (x - row) * 0.5 (a row leaf and a scalar)", () => x.sub(row).mul(0.5).sum(0)],
        ["sum over the middle axis of [4, 40, w] (runs fold into 4 rows)", () => x3.sum(1)],
        ["max over the two outer axes of [4, 40, w]", () => x3.max([0, 1])],
      ];
      for (const [what, f] of cases) await compare(`${what}, w = ${w}`, f, true, foldStats);
      t.dispose([x, g, row]);
    }
    // The same special values as the windows, down a column: NaN wins, the first zero stays.
    const column = [-0, 0, NaN, 1, -Infinity, Infinity, 1e-40, -1e-40, 3.4e38, -3.4e38, 2, 2];
    const data = new Float32Array(column.length * 300 * 16);
    for (let r = 0; r < column.length * 300; r++) for (let c = 0; c < 16; c++) data[r * 16 + c] = column[(r + c) % column.length];
    const s = t.tensor(data).reshape([column.length * 300, 16]);
    await compare("max down columns of special values", () => s.max(0), true, foldStats);
    await compare("min down columns of special values", () => s.min(0), true, foldStats);
    await compare("sum down columns of special values", () => s.sum(0), true, foldStats);
    s.dispose();
  });

  it("strided copies with short contiguous runs (conv2d's windows, slices, permutes that keep the last axis): the same bits", async () => {
    const img = t.tensor(values(8 * 16 * 16 * 16, 7)).reshape([8, 16, 16, 16]);
    await compare("windows of 16 channels (runs of 48)", () => run("windows", [img], { kernel: [3, 3], stride: [1, 1] }), true);
    await compare("windows with stride 2 (runs of 48 two columns apart)", () => run("windows", [img], { kernel: [3, 3], stride: [2, 2] }), true);
    const pad = t.tensor(values(16 * 30 * 30, 8)).reshape([16, 30, 30, 1]);
    await compare("a slice of rows of 28", () => pad.index(":", "1:29", "2:30"), true);
    const cube = t.tensor(values(40 * 30 * 20, 9)).reshape([40, 30, 20]);
    await compare("a permute keeping the last axis (runs of 20)", () => cube.permute(1, 0, 2), true);
    await compare("a permute moving the last axis stays on the JavaScript loops", () => cube.permute(2, 0, 1), false);
    t.dispose([img, pad, cube]);
  });

  it("a map of one run longer than a chunk (1M elements) is done chunk by chunk", async () => {
    const big = 2_500_003;
    const a = t.tensor(values(big, 9));
    const b = t.tensor(values(big, 10));
    await compare("2.5M-element SGD update", () => a.sub(b.mul(0.01)), true);
    await compare("2.5M-element relu gradient", () => b.mul(a.gt(0).astype("float32")), true);
    t.dispose([a, b]);
  });

  it(`a broadcast map over 36 MB operands ${placed ? "runs in place" : "needs more temporary copies than allowed (64 MiB) and stays on the JavaScript loops"}`, async function () {
    this.timeout(60000);
    const m = t.tensor(values(3000 * 3000, 11)).reshape([3000, 3000]);
    const row = t.tensor(values(3000, 12));
    await compare("[3000, 3000] + row (72 MB of operand and result)", () => m.add(row), placed);
    t.dispose([m, row]);
  });

  it("other bodies, bool or int leaves and short arrays stay on the JavaScript loops", async () => {
    const a = x();
    const b = y();
    await compare("exp (not a SIMD op)", () => a.exp(), false);
    await compare("maximum (signed zeros differ)", () => t.maximum(a, b), false);
    await compare("int32 leaves", () => a.astype("int32").add(1).astype("float32"), false);
    const short = t.tensor(values(MIN_SIMD_ELEMENTS - 4, 6));
    await compare("short", () => short.add(1), false);
    const narrow = t.tensor(values(4000, 7)).reshape([1000, 4]);
    const four = t.tensor(values(4, 8));
    await compare("runs of 4 (a call per run would cost more)", () => narrow.mul(four), false);
    await compare("a comparison's bool result", () => a.gt(b).astype("float32").astype("bool").astype("float32"), false);
    t.dispose([a, b, short, narrow, four]);
  });
});
