// Elementwise maps over large placed arrays run on the matmul engine's worker threads as well
// as the calling thread (backend/cpu/wasm/parallel.ts): the same bits as the JavaScript loops
// and as one thread, for one contiguous run (with scalar operands too) and for broadcasts of
// whole-vector rows; rows that are not whole vectors and small maps stay on one thread; and a
// map interrupted mid-way (a terminated cell) leaves the next one right.

import assert from "node:assert/strict";
import * as vm from "node:vm";
import * as t from "../src/index";
import type { Tensor } from "../src/index";
import { setSimdMaps, simdMap } from "../src/backend/cpu/wasm/simdmap";
import { MIN_PARALLEL_ELEMENTS, parallelStats, setParallelMaps } from "../src/backend/cpu/wasm/parallel";
import { cpuThreads, gemmEngine, setCpuThreads } from "../src/backend/cpu/wasm/index";
import { giveHeapArray, heapArray, onTensorHeap, tensorHeap } from "../src/backend/cpu/wasm/tensorheap";
import { tempHeld } from "../src/backend/cpu/wasm/temps";
import { data as cpuData } from "../src/backend/cpu/storage";

/** Deterministic values in [-4, 4) with NaN, -0 and infinities among them. */
function values(n: number, seed: number): Float32Array {
  const special = [NaN, -0, Infinity, -Infinity];
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = i % 1009 === 7 ? special[i % 4] : (s / 2147483648 - 0.5) * 8;
  }
  return out;
}

function sameBits(got: Float32Array, want: Float32Array, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  let wrong = 0;
  let first = -1;
  for (let i = 0; i < got.length; i++) {
    const ok = Number.isNaN(want[i]) ? Number.isNaN(got[i]) : Object.is(got[i], want[i]);
    if (!ok && wrong++ === 0) first = i;
  }
  assert.equal(wrong, 0, `${what}: ${wrong} values differ, the first at ${first}: ${got[first]} against ${want[first]}`);
}

/** `f` with parallel maps on, then with the JavaScript loops; asserts the bits and whether threads ran it. */
async function compare(what: string, f: () => Tensor, parallel: boolean): Promise<void> {
  const before = parallelStats.maps;
  const tasks = gemmEngine()!.workerTasks;
  const on = f();
  const got = (await on.data()) as Float32Array;
  const ran = parallelStats.maps - before;
  // A worker wakes in 40-70 µs, so in one short map the calling thread may take every slice,
  // and new workers take a while to start: over more maps, for up to 10 s, a worker takes some.
  const until = performance.now() + 10000;
  while (parallel && gemmEngine()!.workerTasks === tasks && performance.now() < until) {
    const again = f();
    await again.data();
    again.dispose();
    await new Promise((r) => setTimeout(r, 5));
  }
  const was = setSimdMaps(false);
  try {
    const off = f();
    sameBits(got, (await off.data()) as Float32Array, what);
    t.dispose([on, off]);
  } finally {
    setSimdMaps(was);
  }
  if (parallel) {
    assert.equal(ran, 1, `${what}: expected one parallel map`);
    assert.ok(gemmEngine()!.workerTasks > tasks, `${what}: a worker ran some of it`);
  } else assert.equal(ran, 0, `${what}: expected one thread`);
}

describe("cpu parallel maps", function () {
  this.timeout(60000);
  const n = 1 << 20;
  let a: Tensor;
  let b: Tensor;
  before(async () => {
    await t.setBackend("cpu");
    assert.ok(cpuThreads() >= 2, `this machine runs the cpu backend with ${cpuThreads()} thread(s); the test needs 2`);
    // Workers start with the first large product; they take a while to come up.
    const warm = t.ones([512, 512]).matmul(t.ones([512, 512]));
    await warm.data();
    warm.dispose();
    a = t.tensor(values(n, 1));
    b = t.tensor(values(n, 2));
    assert.ok(onTensorHeap(cpuData(a.storage)) && onTensorHeap(cpuData(b.storage)), "operands are placed");
  });
  after(() => t.dispose([a, b]));

  it("a + b over 1M floats: known values, the loops' bits, and work done by a worker", async () => {
    const y = a.add(b);
    const got = (await y.data()) as Float32Array;
    const [x0, x1] = [cpuData(a.storage) as Float32Array, cpuData(b.storage) as Float32Array];
    for (const i of [0, 1, 7, 4096, n / 2 + 3, n - 1]) assert.ok(Object.is(got[i], Math.fround(x0[i] + x1[i])), `element ${i}`);
    y.dispose();
    await compare("a + b", () => a.add(b), true);
  });

  it("a fused body with scalar operands (relu(a * 0.5 - b) + 1) and lengths off the vector", async () => {
    await compare("relu(a * 0.5 - b) + 1", () => a.mul(0.5).sub(b).relu().add(1), true);
    const m = MIN_PARALLEL_ELEMENTS + 3;
    const c = t.tensor(values(m, 3));
    const d = t.tensor(values(m, 4));
    await compare(`c / d over ${m} floats`, () => c.div(d), true);
    t.dispose([c, d]);
  });

  it("a bias added to rows of 256 runs in parallel; rows of 250 (not whole vectors) stay on one thread", async () => {
    const x = a.reshape([n / 256, 256]);
    const bias = t.tensor(values(256, 5));
    await compare("rows of 256 + bias", () => x.add(bias), true);
    const rows = Math.ceil(MIN_PARALLEL_ELEMENTS / 250) + 1;
    const z = t.tensor(values(rows * 250, 6)).reshape([rows, 250]);
    const bias2 = t.tensor(values(250, 7));
    await compare("rows of 250 + bias", () => z.add(bias2), false);
    t.dispose([x, bias, z, bias2]);
  });

  it("after setCpuThreads(1) maps stay on one thread; back at 2, new workers compile the kernels they meet", async () => {
    const threads = cpuThreads();
    try {
      setCpuThreads(1);
      await compare("a * b on one thread", () => a.mul(b), false);
      setCpuThreads(2);
      const warm = t.ones([512, 512]).matmul(t.ones([512, 512]));
      await warm.data();
      warm.dispose();
      await compare("a * b on fresh workers (a kernel compiled before)", () => a.mul(b), true);
    } finally {
      setCpuThreads(threads);
    }
  });

  it("maps below the threshold, and with parallel maps off, stay on one thread", async () => {
    const small = t.tensor(values(MIN_PARALLEL_ELEMENTS / 2, 8));
    await compare("a small map", () => small.neg(), false);
    const was = setParallelMaps(false);
    try {
      await compare("parallel maps off", () => a.add(b), false);
    } finally {
      setParallelMaps(was);
    }
    small.dispose();
  });

  it("a map whose script V8 terminates mid-way (an interrupted cell) leaves the next maps and products right", () => {
    const big = 1 << 24;
    const plan = { blocks: 1, dims: [big], starts: [0, 1, 2].map(() => Int32Array.of(0)), strides: [[1], [1], [1]] };
    const mul = [{ key: "binary.mul(float32)", args: [0, 1] }];
    const sub = [{ key: "binary.sub(float32)", args: [0, 1] }];
    const placed = (v: Float32Array) => {
      const h = heapArray(v.length, false)!;
      h.set(v);
      return h;
    };
    const [x, z, u, w] = [9, 10, 11, 12].map((seed) => placed(values(big, seed)));
    const y = heapArray(big, false)!;
    const want = u.map((v, i) => v - w[i]);
    let interrupted = 0;
    for (let attempt = 0; attempt < 6; attempt++) {
      const out = heapArray(big, false)!;
      try {
        // Maps of 16M floats (several ms each) until the timeout lands inside one.
        const map = () => assert.ok(simdMap("mul", mul, y, plan, [x, z]));
        vm.runInNewContext("for (;;) map()", { map }, { timeout: 15 + attempt });
      } catch (err) {
        assert.match(String(err), /Script execution timed out/);
        interrupted += 1;
      }
      // At once, while the workers may still be on the interrupted map's slices.
      out.fill(12345, 0, 1024);
      for (let i = 1; i <= 64; i++) out[(i * big) / 64 - 1] = 12345;
      const before = parallelStats.maps;
      assert.ok(simdMap("sub", sub, out, plan, [u, w]));
      // Right away: the ends of all slices (a slice is written from its start), before a
      // worker still inside one could finish it.
      const unwritten = [];
      for (let i = 1; i <= 64; i++) if (out[(i * big) / 64 - 1] === 12345) unwritten.push(i);
      assert.deepEqual(unwritten, [], `after interrupt ${attempt}, the map returned before these 64ths were written`);
      assert.equal(parallelStats.maps, before + 1, "the next map ran in parallel");
      sameBits(out, want, `u - w after interrupt ${attempt}`);
      giveHeapArray(out);
    }
    assert.ok(interrupted > 0);
    for (const h of [x, z, u, w, y]) giveHeapArray(h);
    const p = t.ones([256, 256]).matmul(t.ones([256, 256]));
    assert.equal(p.peek()![0], 256);
    p.dispose();
  });

  it("an interrupted map's temporary block (copies of operands not on the heap) is freed by the next map", () => {
    const big = 1 << 24;
    const plan = (n: number) => ({ blocks: 1, dims: [n], starts: [0, 1, 2].map(() => Int32Array.of(0)), strides: [[1], [1], [1]] });
    const add = [{ key: "binary.add(float32)", args: [0, 1] }];
    // Ordinary arrays: the map copies them through a temporary block, a chunk at a time.
    const [x, z, y] = [values(big, 13), values(big, 14), new Float32Array(big)];
    const heap = tensorHeap()!;
    const used = heap.usedBytes;
    let interrupted = 0;
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        vm.runInNewContext("for (;;) map()", { map: () => simdMap("add", add, y, plan(big), [x, z]) }, { timeout: 20 + attempt });
      } catch (err) {
        assert.match(String(err), /Script execution timed out/);
        interrupted += 1;
      }
      const [u, w, out] = [values(4096, 15), values(4096, 16), new Float32Array(4096)];
      assert.ok(simdMap("add", add, out, plan(4096), [u, w]));
      sameBits(out, u.map((v, i) => v + w[i]), "the next map");
      assert.equal(tempHeld(), false, "no temporary block held after a map returns");
      assert.equal(heap.usedBytes, used, `after interrupt ${attempt}, the heap holds what it held before`);
    }
    assert.ok(interrupted > 0);
  });
});
