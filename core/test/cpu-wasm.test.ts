// The CPU backend's WebAssembly float32 matmul: the emitter's encodings, many shapes (edges of
// the 4x8 tiles and of the cache blocks, tiny and empty ones) against the TypeScript reference
// and a float64 triple loop, batches with broadcast, worker threads giving the same bits as one
// thread, the mul+add and relaxed-SIMD variants, the memory limit's error, and process exit.

import { execFileSync } from "node:child_process";
import * as path from "node:path";
import * as vm from "node:vm";
import { t, assert } from "./helpers";
import { sleb, uleb } from "../src/backend/cpu/wasm/emit";
import { WasmGemm, relaxedSimdSupported, setCpuThreads, cpuThreads, gemmEngine, overflowGemm, setOverflowRelease } from "../src/backend/cpu/wasm/index";
import { slices } from "../src/backend/cpu/wasm/engine";
import { KC_MAX, kcFor, kChunks } from "../src/backend/cpu/wasm/tasks";
import { gemmF32Reference } from "../src/backend/cpu/gemm-reference";
import { TENSOR_HEAP_BYTES } from "../src/backend/cpu/wasm/tensorheap";

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

function reference64(A: Float32Array, B: Float32Array, m: number, k: number, n: number, ao = 0, bo = 0): Float64Array {
  const C = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const a = A[ao + i * k + p];
      for (let j = 0; j < n; j++) C[i * n + j] += a * B[bo + p * n + j];
    }
  }
  return C;
}

/**
 * f32 accumulation of k products of values in [-1, 1] is off by at most ~k ulps of k. One
 * assertion per array (helpers' assertClose formats its message per element: slow on 40k).
 */
function close(got: ArrayLike<number>, want: ArrayLike<number>, k: number): void {
  assert.equal(got.length, want.length, "lengths differ");
  const atol = 2e-7 * Math.max(1, k);
  let worst = -1;
  let excess = 0;
  for (let i = 0; i < got.length; i++) {
    const over = Math.abs(got[i] - want[i]) - (atol + 1e-5 * Math.abs(want[i]));
    if (!(over <= excess)) [worst, excess] = [i, Number.isNaN(over) ? Infinity : over];
  }
  assert.ok(worst < 0, `element ${worst}: got ${got[worst]}, want ${want[worst]} (atol ${atol})`);
}

function run(g: WasmGemm, A: Float32Array, B: Float32Array, m: number, k: number, n: number): Float32Array {
  const C = new Float32Array(m * n).fill(Number.NaN); // the kernel must write every element
  g.matmul(A, [0], B, [0], C, m, k, n);
  return C;
}

const shapes: [number, number, number][] = [
  [1, 1, 1], [3, 7, 5], [3, 5, 7], [4, 8, 8], [5, 9, 9], [7, 1, 13], [1, 300, 1], [1, 40, 70], [70, 40, 1],
  [33, 257, 17], [97, 513, 31], [8, 16, 1030], [130, 300, 9], [200, 100, 200], [65, 31, 66],
  // K blocks (kcFor): one block of 320, two of 161 and 160, three of 262 and one short.
  [20, 320, 20], [9, 321, 17], [12, 784, 24],
];

describe("cpu wasm matmul", function () {
  this.timeout(120000);

  describe("emitter", () => {
    it("LEB128 encodings", () => {
      assert.deepEqual(uleb(0), [0]);
      assert.deepEqual(uleb(127), [0x7f]);
      assert.deepEqual(uleb(128), [0x80, 0x01]);
      assert.deepEqual(uleb(624485), [0xe5, 0x8e, 0x26]);
      assert.deepEqual(sleb(-1), [0x7f]);
      assert.deepEqual(sleb(63), [0x3f]);
      assert.deepEqual(sleb(64), [0xc0, 0x00]);
      assert.deepEqual(sleb(-123456), [0xc0, 0xbb, 0x78]);
    });
  });

  for (const relaxed of [false, true]) {
    describe(relaxed ? "relaxed-SIMD variant where supported (else its mul+add fallback)" : "mul+add variant", () => {
      const g = new WasmGemm({ threads: 1, relaxed });
      after(() => g.dispose());

      it(relaxed ? "uses relaxed_madd exactly when the engine validates it" : "never uses relaxed_madd", () => {
        assert.equal(g.relaxed, relaxed && relaxedSimdSupported());
      });

      it("known values: [[1,2],[3,4]] x [[5,6],[7,8]], and a 2x3 x 3x2", () => {
        assert.deepEqual(Array.from(run(g, Float32Array.of(1, 2, 3, 4), Float32Array.of(5, 6, 7, 8), 2, 2, 2)), [19, 22, 43, 50]);
        const C = run(g, Float32Array.of(1, 2, 3, 4, 5, 6), Float32Array.of(7, 8, 9, 10, 11, 12), 2, 3, 2);
        assert.deepEqual(Array.from(C), [58, 64, 139, 154]);
      });

      it("shapes off the tile and block sizes match the TypeScript reference and float64", () => {
        for (const [m, k, n] of shapes) {
          const A = values(m * k, m * 31 + k);
          const B = values(k * n, n * 17 + k);
          const got = run(g, A, B, m, k, n);
          const ts = new Float32Array(m * n);
          gemmF32Reference(A, 0, B, 0, ts, 0, m, k, n);
          close(got, ts, k);
          close(got, reference64(A, B, m, k, n), k);
        }
      });

      it("empty dims: k = 0 gives zeros, m = 0 or n = 0 writes nothing", () => {
        assert.deepEqual(Array.from(run(g, new Float32Array(0), new Float32Array(0), 2, 0, 3)), [0, 0, 0, 0, 0, 0]);
        assert.equal(run(g, new Float32Array(0), values(6, 1), 0, 3, 2).length, 0);
        const C = Float32Array.of(7, 7);
        g.matmul(values(6, 2), [0], new Float32Array(0), [0], C, 3, 2, 0);
        assert.deepEqual(Array.from(C), [7, 7]);
      });

      it("a batch with broadcast offsets; entries reuse operands", () => {
        const [m, k, n] = [5, 19, 11];
        const A = values(2 * m * k, 3);
        const B = values(3 * k * n, 4);
        const aOff = [0, 0, 0, m * k, m * k, m * k];
        const bOff = [0, k * n, 2 * k * n, 0, k * n, 2 * k * n];
        const C = new Float32Array(6 * m * n);
        g.matmul(A, aOff, B, bOff, C, m, k, n);
        for (let e = 0; e < 6; e++) close(C.subarray(e * m * n, (e + 1) * m * n), reference64(A, B, m, k, n, aOff[e], bOff[e]), k);
      });
    });
  }

  it("other micro-tile shapes (2x16, 3x12, 5x8, 6x8) give the same results as the reference", () => {
    for (const tile of [{ mr: 2, nr: 16 }, { mr: 3, nr: 12 }, { mr: 5, nr: 8 }, { mr: 6, nr: 8 }]) {
      const g = new WasmGemm({ threads: 1, relaxed: false, tile });
      try {
        for (const [m, k, n] of shapes) {
          const A = values(m * k, m + 3 * k);
          const B = values(k * n, n + 5 * k);
          close(run(g, A, B, m, k, n), reference64(A, B, m, k, n), k);
        }
      } finally {
        g.dispose();
      }
    }
  });

  it("the relaxed-SIMD kernel (run under --experimental-wasm-relaxed-simd) matches float64", () => {
    const script = `
      const { WasmGemm } = require(${JSON.stringify(path.join(__dirname, "../src/backend/cpu/wasm/index.js"))});
      const g = new WasmGemm({ threads: 1, relaxed: true });
      const [m, k, n] = [37, 300, 45];
      const A = Float32Array.from({ length: m * k }, (_, i) => ((i * 7) % 13) / 13 - 0.5);
      const B = Float32Array.from({ length: k * n }, (_, i) => ((i * 5) % 11) / 11 - 0.5);
      const C = new Float32Array(m * n);
      g.matmul(A, [0], B, [0], C, m, k, n);
      let err = 0;
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += A[i * k + p] * B[p * n + j];
        err = Math.max(err, Math.abs(C[i * n + j] - s));
      }
      console.log(JSON.stringify({ relaxed: g.relaxed, err }));`;
    const runs = [
      execFileSync(process.execPath, ["--experimental-wasm-relaxed-simd", "-e", script], { encoding: "utf8" }),
      // The opt-in that sets the V8 flag at runtime.
      execFileSync(process.execPath, ["-e", script], { encoding: "utf8", env: { ...process.env, TSDL_WASM_RELAXED_SIMD: "1" } }),
    ];
    for (const out of runs) {
      const { relaxed, err } = JSON.parse(out) as { relaxed: boolean; err: number };
      assert.equal(relaxed, true, "relaxed SIMD validates under the flag");
      assert.ok(err < 1e-4, `max error ${err}`);
    }
  });

  it("transposed operands (A stored [k, m], B [n, k]) match the reference for every flag pair and tile shape", () => {
    // X[rows, cols] stored the other way round, as the matmul primitive's transA/transB read it.
    const transpose = (X: Float32Array, rows: number, cols: number) => {
      const out = new Float32Array(X.length);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = X[i * cols + j];
      return out;
    };
    for (const tile of [{}, { mr: 2, nr: 16 }, { mr: 3, nr: 12 }, { mr: 5, nr: 8 }, { mr: 6, nr: 8 }]) {
      const g = new WasmGemm({ threads: 1, relaxed: false, tile });
      try {
        for (const [m, k, n] of shapes) {
          const A = values(m * k, m + 3 * k);
          const B = values(k * n, n + 5 * k);
          const want = reference64(A, B, m, k, n);
          const At = transpose(A, m, k);
          const Bt = transpose(B, k, n);
          for (const [transA, transB] of [[true, false], [false, true], [true, true]]) {
            const C = new Float32Array(m * n).fill(Number.NaN);
            g.matmul(transA ? At : A, [0], transB ? Bt : B, [0], C, m, k, n, transA, transB);
            close(C, want, k);
            const ts = new Float32Array(m * n);
            gemmF32Reference(transA ? At : A, 0, transB ? Bt : B, 0, ts, 0, m, k, n, transA, transB);
            close(ts, want, k);
          }
        }
      } finally {
        g.dispose();
      }
    }
  });

  describe("threads", () => {
    it("two threads split the work and give the same bits as one thread", async () => {
      const one = new WasmGemm({ threads: 1 });
      const two = new WasmGemm({ threads: 2, minThreadedFlops: 0 });
      try {
        // Workers boot asynchronously; until one is up the caller runs every task itself.
        const [m, k, n] = [150, 300, 140];
        const A = values(m * k, 5);
        const B = values(k * n, 6);
        const want = run(one, A, B, m, k, n);
        // A loaded machine may take seconds to boot a worker and let it win a task.
        for (const start = Date.now(); Date.now() - start < 30000 && two.workerTasks === 0; ) {
          assert.deepEqual(run(two, A, B, m, k, n), want);
          await new Promise((r) => setTimeout(r, 20));
        }
        assert.equal(two.workerCount, 1);
        assert.ok(two.workerTasks > 0, "a worker thread ran tasks");
        for (const [mm, kk, nn] of [...shapes, [9, 600, 1100] as [number, number, number], [1100, 50, 9] as [number, number, number]]) {
          const a = values(mm * kk, mm + 1);
          const b = values(kk * nn, nn + 2);
          assert.deepEqual(run(two, a, b, mm, kk, nn), run(one, a, b, mm, kk, nn), `${mm}x${kk}x${nn}`);
        }
        const batch = [0, 40 * 30, 0, 40 * 30, 0, 40 * 30, 0, 40 * 30];
        const a = values(2 * 40 * 30, 7);
        const b = values(8 * 30 * 20, 8);
        const c1 = new Float32Array(8 * 40 * 20);
        const c2 = new Float32Array(8 * 40 * 20);
        const bOff = batch.map((_, i) => i * 30 * 20);
        one.matmul(a, batch, b, bOff, c1, 40, 30, 20);
        two.matmul(a, batch, b, bOff, c2, 40, 30, 20);
        assert.deepEqual(c2, c1);
        // Transposed operands through the task table (the flags travel in the control block).
        one.matmul(a, batch, b, bOff, c1, 40, 30, 20, true, true);
        two.matmul(a, batch, b, bOff, c2, 40, 30, 20, true, true);
        assert.deepEqual(c2, c1);
        const [tm, tk, tn] = [300, 200, 250];
        const ta = values(tm * tk, 9);
        const tb = values(tk * tn, 10);
        const t1 = new Float32Array(tm * tn);
        const t2 = new Float32Array(tm * tn);
        one.matmul(ta, [0], tb, [0], t1, tm, tk, tn, true, false);
        two.matmul(ta, [0], tb, [0], t2, tm, tk, tn, true, false);
        assert.deepEqual(t2, t1);
      } finally {
        one.dispose();
        two.dispose();
      }
    });

    it("slices of one entry share one packed copy of the other operand: same bits as one thread", async () => {
      // Row slices share packed B, column slices packed A; n past NC (B in two column blocks),
      // k past KC, two entries (each its own packed copy), both flags, and a 3x12 tile (whose
      // column blocks are 1020 wide, so they start on a panel).
      for (const tile of [{}, { mr: 3, nr: 12 }]) {
        const one = new WasmGemm({ threads: 1, relaxed: false, tile });
        const two = new WasmGemm({ threads: 2, relaxed: false, tile, minThreadedFlops: 0 });
        try {
          // Until the worker has booted and won a task, the caller runs every task itself.
          const [wa, wb] = [values(200 * 200, 1), values(200 * 200, 2)];
          for (const start = Date.now(); Date.now() - start < 30000 && two.workerTasks === 0; ) {
            run(two, wa, wb, 200, 200, 200);
            await new Promise((r) => setTimeout(r, 20));
          }
          assert.ok(two.workerTasks > 0, "a worker thread ran tasks");
          for (const [m, k, n, batch] of [[1100, 300, 1030, 1], [40, 520, 1100, 1], [130, 270, 90, 2], [70, 33, 200, 2]]) {
            const a = values(batch * m * k, m + 11);
            const b = values(batch * k * n, n + 12);
            const aOff = Array.from({ length: batch }, (_, e) => e * m * k);
            const bOff = Array.from({ length: batch }, (_, e) => e * k * n);
            for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]]) {
              const c1 = new Float32Array(batch * m * n);
              const c2 = new Float32Array(batch * m * n).fill(Number.NaN);
              one.matmul(a, aOff, b, bOff, c1, m, k, n, transA, transB);
              two.matmul(a, aOff, b, bOff, c2, m, k, n, transA, transB);
              assert.deepEqual(c2, c1, `${m}x${k}x${n} batch ${batch} transA ${transA} transB ${transB}`);
            }
          }
        } finally {
          one.dispose();
          two.dispose();
        }
      }
    });

    it("K blocks are as even as possible and at most KC_MAX: no sliver of a block", () => {
      assert.equal(KC_MAX, 320);
      assert.equal(kcFor(288), 288); // one block, not 256 + 32
      assert.equal(kcFor(320), 320);
      assert.equal(kcFor(321), 161);
      assert.equal(kcFor(784), 262); // 262 + 262 + 260, not 256 * 3 + 16
      assert.equal(kcFor(1024), 256);
      assert.equal(kcFor(1), 1);
      for (let k = 1; k < 5000; k += 7) {
        const kc = kcFor(k);
        const blocks = Math.ceil(k / kc);
        assert.ok(kc <= KC_MAX && k - (blocks - 1) * kc > 0 && kc - (k - (blocks - 1) * kc) < blocks, `k ${k}: blocks of ${kc}`);
      }
    });

    it("a product with few output tiles and a long k is split along k: the same bits on 1 and 2 threads, close to float64", async () => {
      assert.equal(kChunks(1, 16, 50176, 9, 1, 4, 8), 13); // a first conv layer's weight gradient
      assert.equal(kChunks(1, 16, 50176, 9, 0, 4, 8), 0); // A row-major: its chunks are not contiguous
      assert.equal(kChunks(1, 16, 50176, 9, 3, 4, 8), 0);
      assert.equal(kChunks(2, 16, 50176, 9, 1, 4, 8), 0);
      assert.equal(kChunks(1, 16, 8191, 9, 1, 4, 8), 0);
      assert.equal(kChunks(1, 4, 4096 * 1023, 4, 1, 4, 8), 1023);
      assert.equal(kChunks(1, 4, 4096 * 1024 + 1, 4, 1, 4, 8), 0); // more chunks than tasks a job may hold
      assert.equal(kChunks(1, 32, 50176, 144, 1, 4, 8), 0); // 144 tiles keep the threads busy already
      const one = new WasmGemm({ threads: 1, relaxed: false });
      const two = new WasmGemm({ threads: 2, relaxed: false, minThreadedFlops: 0 });
      try {
        for (const [m, k, n] of [[16, 50176, 9], [5, 8192, 3], [13, 9001, 16]]) {
          const a = values(k * m, m + 3); // stored [k, m]
          const b = values(k * n, n + 4);
          const c1 = new Float32Array(m * n);
          const c2 = new Float32Array(m * n).fill(Number.NaN);
          one.matmul(a, [0], b, [0], c1, m, k, n, true, false);
          // Until the worker has booted and claimed a chunk, the caller runs them all.
          const before = two.workerTasks;
          for (const start = Date.now(); Date.now() - start < 30000 && two.workerTasks === before; ) {
            two.matmul(a, [0], b, [0], c2, m, k, n, true, false);
            assert.deepEqual(c2, c1, `${m}x${k}x${n}`);
            await new Promise((r) => setTimeout(r, 5));
          }
          assert.ok(two.workerTasks > before, `a worker thread took chunks of ${m}x${k}x${n}`);
          const at = new Float32Array(m * k);
          for (let p = 0; p < k; p++) for (let i = 0; i < m; i++) at[i * k + p] = a[p * m + i];
          close(c1, reference64(at, b, m, k, n), k);
        }
      } finally {
        one.dispose();
        two.dispose();
      }
    });

    it("work is cut into slices of whole tiles, largest first, covering every row once", () => {
      assert.deepEqual(slices(1024, 4, 6), [0, 296, 588, 732, 880, 952, 1024]);
      assert.deepEqual(slices(10, 4, 6), [0, 4, 8, 10]);
      assert.deepEqual(slices(1, 4, 6), [0, 1]);
      assert.deepEqual(slices(100, 8, 1), [0, 100]);
      for (const [len, unit, parts] of [[999, 4, 12], [64, 8, 6], [5000, 4, 3]]) {
        const cuts = slices(len, unit, parts);
        assert.equal(cuts[0], 0);
        assert.equal(cuts[cuts.length - 1], len);
        for (let i = 1; i < cuts.length; i++) {
          assert.ok(cuts[i] > cuts[i - 1]);
          if (i < cuts.length - 1) assert.equal(cuts[i] % unit, 0);
        }
      }
    });

    it("a product whose script V8 terminates (an interrupted cell) leaves the next products right", () => {
      const g = new WasmGemm({ threads: 2, minThreadedFlops: 0 });
      try {
        const n = 1024;
        const A = values(n * n, 21);
        const B = values(n * n, 22);
        const want = run(g, A, B, n, n, n);
        const t0 = performance.now();
        run(g, A, B, n, n, n);
        const took = performance.now() - t0;
        const used = g.heap.usedBytes;
        let interrupted = 0;
        for (const fraction of [0.2, 0.35, 0.5]) {
          const C = new Float32Array(n * n);
          try {
            vm.runInNewContext("g.matmul(A, [0], B, [0], C, n, n, n)", { g, A, B, C, n }, { timeout: Math.max(1, Math.round(took * fraction)) });
          } catch (err) {
            assert.match(String(err), /Script execution timed out/);
            interrupted += 1;
          }
          // At once, while the workers may still be on the interrupted product's tasks.
          const got = run(g, A, B, n, n, n);
          const wrong = got.reduce((count, v, i) => count + (Object.is(v, want[i]) ? 0 : 1), 0);
          assert.equal(wrong, 0, `after an interrupt at ${Math.round(fraction * 100)}% of a product: ${wrong} wrong values`);
          assert.equal(g.heap.usedBytes, used, "the interrupted product's block was given back");
        }
        assert.ok(interrupted > 0, "at least one product was interrupted");
      } finally {
        g.dispose();
      }
    });

    it("small matmuls stay on the calling thread", async () => {
      const g = new WasmGemm({ threads: 2, minThreadedFlops: 2 * 64 ** 3 });
      try {
        const A = values(32 * 32, 1);
        run(g, A, A, 32, 32, 32);
        assert.equal(g.workerCount, 0, "no workers for a small product");
      } finally {
        g.dispose();
      }
    });

    it("setCpuThreads validates and sets the count; TSDL_CPU_THREADS is the default", () => {
      assert.throws(() => setCpuThreads(0), /whole number >= 1/);
      const before = cpuThreads();
      setCpuThreads(3);
      assert.equal(cpuThreads(), 3);
      setCpuThreads(before);
      const out = execFileSync(process.execPath, ["-e", `console.log(require(${JSON.stringify(path.join(__dirname, "../src/backend/cpu/wasm/index.js"))}).cpuThreads())`], {
        encoding: "utf8",
        env: { ...process.env, TSDL_CPU_THREADS: "1" },
      });
      assert.equal(out.trim(), "1");
    });

    it("a process that used the worker pool exits on its own", () => {
      const script = `
        const t = require(${JSON.stringify(path.join(__dirname, "../src/index.js"))});
        t.setBackend("cpu").then(() => {
          const a = t.randn([300, 300]);
          const y = a.matmul(a).matmul(a);
          console.log(y.shape.join("x"));
        });`;
      const out = execFileSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 60000, env: { ...process.env, TSDL_CPU_THREADS: "2" } });
      assert.equal(out.trim(), "300x300");
    });
  });

  describe("memory", () => {
    it("a matmul over the memory limit fails with an error naming the sizes", () => {
      const g = new WasmGemm({ threads: 1, maxBytes: 4 * 2 ** 20 });
      try {
        const A = new Float32Array(600 * 600);
        assert.throws(() => g.matmul(A, [0], A, [0], new Float32Array(600 * 600), 600, 600, 600), {
          message: /^matmul of float32 \[600, 600\] x \[600, 600\] needs \d+\.\d MiB of WebAssembly memory .*limit of 4\.0 MiB$/,
        });
        // The engine still works afterwards, and grows for a product that fits.
        close(run(g, values(200 * 100, 1), values(100 * 150, 2), 200, 100, 150), reference64(values(200 * 100, 1), values(100 * 150, 2), 200, 100, 150), 100);
      } finally {
        g.dispose();
      }
    });

    it("a product too big for the tensor heap runs in an overflow engine, dropped a while after its last use", async () => {
      await t.setBackend("cpu");
      setOverflowRelease(1000);
      try {
        await t.ones([8, 8]).matmul(t.ones([8, 8])).data();
        const engine = gemmEngine();
        assert.ok(engine && engine.memoryBytes > 0);
        assert.equal(overflowGemm(), undefined, "small products stay in the tensor heap");
        // A result bigger than the whole tensor heap (so not a placed tensor either) cannot be
        // computed in it: n x n floats past TENSOR_HEAP_BYTES (704 MiB here: 14336^2 floats).
        const n = Math.ceil(Math.sqrt(TENSOR_HEAP_BYTES / 4 + 1) / 1024) * 1024;
        const a = t.full([n, 8], 0.5);
        const b = t.full([8, n], 2);
        const y = a.matmul(b);
        const first = overflowGemm();
        assert.ok(first, "the big product went to the overflow engine");
        assert.ok(engine.memoryBytes <= TENSOR_HEAP_BYTES, `the tensor heap stayed within ${TENSOR_HEAP_BYTES} bytes (${engine.memoryBytes})`);
        const got = await y.slice(0, n - 2).slice(1, n - 2).data();
        assert.deepEqual(Array.from(got), [8, 8, 8, 8]);
        assert.equal(overflowGemm(), first, "kept until the wait is over");
        await new Promise((r) => setTimeout(r, 1300));
        assert.equal(overflowGemm(), undefined, "dropped after the wait");
        assert.equal(gemmEngine(), engine, "the tensor heap's engine stays");
        for (const x of [a, b, y]) x.dispose();
      } finally {
        setOverflowRelease(30000);
      }
    });

    it("a batch too big as a whole runs one entry at a time", () => {
      const g = new WasmGemm({ threads: 1, maxBytes: 4 * 2 ** 20 });
      try {
        const [m, k, n] = [300, 300, 300];
        const A = values(3 * m * k, 9);
        const B = values(k * n, 10);
        const C = new Float32Array(3 * m * n);
        g.matmul(A, [0, m * k, 2 * m * k], B, [0, 0, 0], C, m, k, n);
        for (let e = 0; e < 3; e++) close(C.subarray(e * m * n, (e + 1) * m * n), reference64(A, B, m, k, n, e * m * k, 0), k);
      } finally {
        g.dispose();
      }
    });
  });

  describe("through the tensor API on the cpu backend", () => {
    before(async () => t.setBackend("cpu"));

    it("float32 matmul matches the reference, batched with broadcast", async () => {
      const [m, k, n] = [6, 70, 9];
      const A = values(2 * m * k, 11);
      const B = values(3 * k * n, 12);
      const y = t.tensor(A, { dtype: "float32" }).reshape([2, 1, m, k]).matmul(t.tensor(B, { dtype: "float32" }).reshape([3, k, n]));
      assert.deepEqual(y.shape, [2, 3, m, n]);
      const got = await y.data();
      assert.ok(gemmEngine() instanceof WasmGemm, "the cpu backend runs the wasm engine");
      for (let i = 0; i < 2; i++) {
        for (let j = 0; j < 3; j++) {
          const e = i * 3 + j;
          close(got.subarray(e * m * n, (e + 1) * m * n), reference64(A, B, m, k, n, i * m * k, j * k * n), k);
        }
      }
    });
  });
});
