// Every WebGPU kernel against the CPU reference backend on seeded random inputs: within 1e-5
// relative (matmul 1e-4), exactly for data movement and integers. Sums are compared relative
// to the sum of magnitudes, since the GPU adds in a different order (and in float32).

import assert from "node:assert/strict";
import type { DType, HostArray } from "../src/dtype";
import type { Primitive, PrimitiveAttrs, TensorInfo } from "../src/ops/primitives";
import { binaryFns, unaryFns } from "../src/ops/primitives";
import type { Backend } from "../src/backend/backend";
import { createCpuBackend } from "../src/backend/cpu";
import { createWebGPUBackend } from "../src/backend/webgpu";
import { laneAxis } from "../src/backend/webgpu/kernels/matmul";

let gpu: Backend;
/** The same adapter with the other kernel choices than its default (reductions, matmul). */
let gpuAlt: Backend;
const cpu = createCpuBackend();

// Hooks inside a describe: at the top level mocha would run them before every file's tests.
describe("webgpu vs cpu", function () {
before(async function () {
  this.timeout(120_000);
  const b = await createWebGPUBackend();
  assert(b, "no WebGPU adapter: install mesa-vulkan-drivers from bookworm-backports");
  gpu = b;
  const alt = await createWebGPUBackend({ treeReductions: b.isSoftware, laneMatmul: !b.isSoftware });
  assert(alt, "no WebGPU adapter");
  gpuAlt = alt;
});

after(() => {
  gpu?.destroy();
  gpuAlt?.destroy();
});

/** A small deterministic generator (LCG), so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const random = rng(12345);

interface T {
  host: HostArray;
  info: TensorInfo;
}
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
function tensor(dtype: DType, shape: number[], gen: () => number): T {
  const n = size(shape);
  const host =
    dtype === "float32"
      ? Float32Array.from({ length: n }, gen)
      : dtype === "int32"
        ? Int32Array.from({ length: n }, gen)
        : Uint8Array.from({ length: n }, () => (gen() > 0.5 ? 1 : 0));
  return { host, info: { shape, dtype } };
}
const uniform = (lo: number, hi: number) => () => lo + (hi - lo) * random();
const ints = (lo: number, hi: number) => () => Math.floor(lo + (hi - lo + 1) * random());
const f32 = (shape: number[], gen = uniform(-3, 3)) => tensor("float32", shape, gen);
const i32 = (shape: number[], gen = ints(-20, 20)) => tensor("int32", shape, gen);
const bool = (shape: number[]) => tensor("bool", shape, random);

interface Tolerance {
  rtol: number;
  atol: number;
}

async function runOn<P extends Primitive>(
  b: Backend,
  prim: P,
  inputs: T[],
  out: TensorInfo,
  attrs: PrimitiveAttrs[P],
): Promise<number[]> {
  const storages = inputs.map((t) => b.upload(t.host, t.info.dtype));
  const result = b.kernels[prim]({ inputs: storages, infos: inputs.map((t) => t.info), out, attrs });
  const values = Array.from(await b.read(result, out.dtype, size(out.shape)));
  for (const s of new Set([...storages, result])) b.free(s);
  return values;
}

async function compare<P extends Primitive>(
  prim: P,
  inputs: T[],
  out: TensorInfo,
  attrs: PrimitiveAttrs[P],
  tol: Tolerance = { rtol: 1e-5, atol: 1e-6 },
): Promise<void> {
  const want = await runOn(cpu, prim, inputs, out, attrs);
  // Reductions and matmul have two kernels each (GPU-shaped and CPU-shaped); check both.
  const backends = prim === "reduce" || prim === "argReduce" || prim === "matmul" ? [gpu, gpuAlt] : [gpu];
  for (const b of backends) check(await runOn(b, prim, inputs, out, attrs), want, prim, inputs, attrs, tol);
}

function check<P extends Primitive>(
  got: number[],
  want: number[],
  prim: P,
  inputs: T[],
  attrs: PrimitiveAttrs[P],
  tol: Tolerance,
): void {
  assert.equal(got.length, want.length);
  const label = `${prim} ${JSON.stringify(attrs)} ${inputs.map((t) => `${t.info.dtype}[${t.info.shape}]`).join(" ")}`;
  got.forEach((g, i) => {
    const w = want[i];
    const ok = Number.isNaN(w) ? Number.isNaN(g) : g === w || Math.abs(g - w) <= tol.atol + tol.rtol * Math.abs(w);
    assert(ok, `${label}: element ${i}: webgpu ${g}, cpu ${w}`);
  });
}

const exact: Tolerance = { rtol: 0, atol: 0 };

describe("webgpu vs cpu: elementwise", () => {
  const domains: Partial<Record<(typeof unaryFns)[number], () => number>> = {
    log: uniform(1e-3, 50),
    sqrt: uniform(0, 50),
    rsqrt: uniform(1e-3, 50),
    exp: uniform(-20, 20),
    reciprocal: uniform(0.1, 10),
    tanh: uniform(-8, 8),
    sigmoid: uniform(-20, 20),
    erf: uniform(-5, 5),
    sin: uniform(-10, 10),
    cos: uniform(-10, 10),
    log1p: uniform(-0.999, 20),
    expm1: uniform(-20, 20),
    tan: uniform(-1.5, 1.5),
    atan: uniform(-30, 30),
    asin: uniform(-1, 1),
    acos: uniform(-1, 1),
    sinh: uniform(-20, 20),
    cosh: uniform(-20, 20),
    asinh: uniform(-100, 100),
    acosh: uniform(1, 100),
    atanh: uniform(-1, 1),
  };
  for (const fn of unaryFns) {
    it(`unary ${fn}`, async () => {
      if (fn === "logicalNot") return compare("unary", [bool([33])], { shape: [33], dtype: "bool" }, { fn }, exact);
      const x = f32([7, 9], domains[fn] ?? uniform(-6, 6));
      if (fn === "isnan") {
        x.host[3] = NaN;
        return compare("unary", [x], { shape: [7, 9], dtype: "bool" }, { fn }, exact);
      }
      await compare("unary", [x], { shape: [7, 9], dtype: "float32" }, { fn });
      if (["neg", "abs", "sign", "relu", "floor", "ceil", "round"].includes(fn)) {
        await compare("unary", [i32([40])], { shape: [40], dtype: "int32" }, { fn }, exact);
      }
    });
  }

  const comparisons = ["eq", "ne", "lt", "le", "gt", "ge"];
  const logical = ["logicalAnd", "logicalOr", "logicalXor"];
  for (const fn of binaryFns) {
    it(`binary ${fn} with broadcasting`, async () => {
      const shapes: [number[], number[], number[]][] = [
        [[3, 4, 5], [4, 1], [3, 4, 5]],
        [[6, 1], [1, 7], [6, 7]],
        [[50], [50], [50]],
        [[], [9], [9]],
        // Row and column broadcasts with blocks of 4k take the vectorized layout.
        [[5, 8], [8], [5, 8]],
        [[5, 1], [5, 8], [5, 8]],
        [[2, 3, 8], [1, 3, 8], [2, 3, 8]],
      ];
      for (const [sa, sb, so] of shapes) {
        if (logical.includes(fn)) {
          await compare("binary", [bool(sa), bool(sb)], { shape: so, dtype: "bool" }, { fn }, exact);
          continue;
        }
        const cmp = comparisons.includes(fn);
        const outF: DType = cmp ? "bool" : "float32";
        const outI: DType = cmp ? "bool" : "int32";
        if (fn === "pow") {
          await compare("binary", [f32(sa, uniform(0.1, 4)), f32(sb, uniform(-3, 3))], { shape: so, dtype: outF }, { fn });
          await compare("binary", [i32(sa, ints(-4, 4)), i32(sb, ints(-2, 6))], { shape: so, dtype: outI }, { fn }, exact);
          continue;
        }
        const nonzero = () => (random() < 0.5 ? -1 : 1) * (0.5 + 3 * random());
        const b = fn === "div" || fn === "mod" ? f32(sb, nonzero) : f32(sb);
        // Comparisons also see ties, which random floats almost never produce.
        const a = cmp ? f32(sa, () => Math.round(6 * random())) : f32(sa);
        const bCmp = cmp ? f32(sb, () => Math.round(6 * random())) : b;
        await compare("binary", [a, bCmp], { shape: so, dtype: outF }, { fn });
        // div and atan2 always compute in float32 (ops cast int operands first).
        if (fn !== "div" && fn !== "atan2") await compare("binary", [i32(sa), i32(sb)], { shape: so, dtype: outI }, { fn }, exact);
      }
    });
  }

  it("special values (NaN, infinities, zeros, huge) agree for every float function", async () => {
    const specials = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -2.5, 3, 1e30, -1e30, 1e-30, 2.5];
    const n = specials.length;
    const col: T = { host: Float32Array.from(specials), info: { shape: [n, 1], dtype: "float32" } };
    const row: T = { host: Float32Array.from(specials), info: { shape: [1, n], dtype: "float32" } };
    // GPU transcendental functions are close but not bit-exact, as in the random tests.
    const tol = { rtol: 1e-5, atol: 1e-6 };
    // sin, cos and tan of |x| >= ~1e6 lose the exact range reduction that JS does in double
    // precision (lavapipe's sin(1e30) is -1); that range is no use for deep learning.
    const moderate: T = { host: col.host.map((v) => (Math.abs(v) > 1e6 && Number.isFinite(v) ? 7 : v)), info: col.info };
    for (const fn of unaryFns) {
      if (fn === "logicalNot") continue;
      const dtype = fn === "isnan" ? "bool" : "float32";
      await compare("unary", [["sin", "cos", "tan"].includes(fn) ? moderate : col], { shape: [n, 1], dtype }, { fn }, tol);
    }
    for (const fn of binaryFns) {
      if (fn.startsWith("logical")) continue;
      const dtype = ["eq", "ne", "lt", "le", "gt", "ge"].includes(fn) ? "bool" : "float32";
      await compare("binary", [col, row], { shape: [n, n], dtype }, { fn }, tol);
    }
  });

  it("where", async () => {
    await compare("where", [bool([4, 1]), f32([4, 5]), f32([5])], { shape: [4, 5], dtype: "float32" }, {}, exact);
    await compare("where", [bool([3, 3]), i32([3, 3]), i32([])], { shape: [3, 3], dtype: "int32" }, {}, exact);
    await compare("where", [bool([6, 1]), f32([4]), f32([6, 4])], { shape: [6, 4], dtype: "float32" }, {}, exact);
  });

  it("cast between every pair of dtypes", async () => {
    const sources = [f32([30], uniform(-1e10, 1e10)), f32([30]), i32([30]), bool([30])];
    for (const x of sources) {
      for (const dtype of ["float32", "int32", "bool"] as const) {
        await compare("cast", [x], { shape: x.info.shape.slice(), dtype }, { dtype }, exact);
      }
    }
  });
});

describe("webgpu vs cpu: reductions and matmul", () => {
  const shape = [4, 5, 6];
  const axesSets = [[0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2]];
  const outShape = (axes: number[], keep: boolean) =>
    keep ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));

  for (const fn of ["sum", "max", "min", "prod"] as const) {
    it(`reduce ${fn} over every axis set`, async () => {
      for (const axes of axesSets) {
        const keepdims = axes.length === 2;
        const gen = fn === "prod" ? uniform(0.8, 1.2) : uniform(-3, 3);
        const tol = { rtol: 1e-5, atol: fn === "sum" ? 1e-5 * 3 * size(shape) : 1e-6 };
        await compare("reduce", [f32(shape, gen)], { shape: outShape(axes, keepdims), dtype: "float32" }, { fn, axes, keepdims }, tol);
        const ig = fn === "prod" ? ints(-2, 2) : ints(-50, 50);
        if (fn !== "prod" || axes.length === 1) {
          await compare("reduce", [i32(shape, ig)], { shape: outShape(axes, keepdims), dtype: "int32" }, { fn, axes, keepdims }, exact);
        }
      }
    });
  }

  it("long and wide reductions (several passes, both strategies)", async () => {
    const all = (fn: "sum" | "max" | "min" | "prod") => ({ fn, axes: [0], keepdims: false });
    const x = f32([300_000], uniform(0, 1));
    await compare("reduce", [x], { shape: [], dtype: "float32" }, all("sum"), { rtol: 1e-5, atol: 0 });
    x.host[123_456] = 7;
    await compare("reduce", [x], { shape: [], dtype: "float32" }, all("max"), exact);
    x.host[4567] = NaN;
    await compare("reduce", [x], { shape: [], dtype: "float32" }, all("min"), exact);
    await compare("reduce", [i32([70_001], ints(-9, 9))], { shape: [], dtype: "int32" }, all("sum"), exact);
    const y = f32([1000, 300], uniform(0, 1));
    await compare("reduce", [y], { shape: [300], dtype: "float32" }, all("sum"), { rtol: 1e-5, atol: 0 });
    const rows = f32([3, 5000], uniform(-1, 1));
    const byRow = { fn: "max" as const, axes: [1], keepdims: false };
    await compare("reduce", [rows], { shape: [3], dtype: "float32" }, byRow, exact);
  });

  it("argmax and argmin on every axis", async () => {
    for (const fn of ["argmax", "argmin"] as const) {
      for (let axis = 0; axis < 3; axis++) {
        const out = { shape: shape.filter((_, i) => i !== axis), dtype: "int32" as const };
        await compare("argReduce", [f32(shape)], out, { fn, axis, keepdims: false }, exact);
        await compare("argReduce", [i32(shape, ints(-3, 3))], out, { fn, axis, keepdims: false }, exact);
      }
      await compare("argReduce", [f32([3, 5000])], { shape: [3], dtype: "int32" }, { fn, axis: 1, keepdims: false }, exact);
    }
  });

  it("matmul: plain, batched with broadcasting, int32", async () => {
    const mm = { rtol: 1e-4, atol: 1e-4 };
    const cases: [number[], number[], number[]][] = [
      [[7, 9], [9, 5], [7, 5]],
      [[64, 64], [64, 64], [64, 64]],
      [[2, 1, 70, 12], [3, 12, 68], [2, 3, 70, 68]],
      [[130, 3], [3, 1], [130, 1]],
      // Many tiles each way, with partial tiles at the edges.
      [[512, 8], [8, 512], [512, 512]],
      [[513, 7], [7, 514], [513, 514]],
      // Tall and narrow (the lavapipe kernel's lanes split rows): vec4 and scalar, batched.
      [[300, 37], [37, 8], [300, 8]],
      [[2, 130, 9], [9, 13], [2, 130, 13]],
    ];
    for (const [sa, sb, so] of cases) {
      await compare("matmul", [f32(sa), f32(sb)], { shape: so, dtype: "float32" }, {}, mm);
      await compare("matmul", [i32(sa, ints(-9, 9)), i32(sb, ints(-9, 9))], { shape: so, dtype: "int32" }, {}, exact);
    }
  });
  it("matmul split-K: few output tiles, long k (chunks, ragged last chunk, batches, int32)", async function () {
    this.timeout(120_000);
    // Positive inputs: no cancellation, so 1e-4 relative holds whatever the summation order.
    const mm = { rtol: 1e-4, atol: 0 };
    const cases: [number[], number[], number[]][] = [
      // A convolution weight gradient's shape, scaled down: vec4 path, k a multiple of 16.
      [[9, 4096], [4096, 8], [9, 8]],
      // k not a multiple of the chunk (nor of 4): ragged last chunk, scalar path.
      [[3, 4099], [4099, 5], [3, 5]],
      // vec4-aligned k whose last chunk is shorter than the others.
      [[5, 2060], [2060, 4], [5, 4]],
      // Batch axes with broadcasting on both sides.
      [[2, 1, 5, 2051], [3, 2051, 6], [2, 3, 5, 6]],
      [[1, 9000], [9000, 1], [1, 1]],
    ];
    for (const [sa, sb, so] of cases) {
      await compare("matmul", [f32(sa, uniform(0, 1)), f32(sb, uniform(0, 1))], { shape: so, dtype: "float32" }, {}, mm);
      await compare("matmul", [i32(sa, ints(-9, 9)), i32(sb, ints(-9, 9))], { shape: so, dtype: "int32" }, {}, exact);
    }
  });
  it("matmul with transposed operands (transA / transB): both kernels, vec4 and scalar, batched, split-K", async function () {
    this.timeout(300_000);
    const mm = { rtol: 1e-4, atol: 1e-4 };
    const swap = (s: number[]) => [...s.slice(0, -2), s[s.length - 1], s[s.length - 2]];
    // Logical shapes [..., m, k] x [..., k, n]; the operands are stored swapped where flagged.
    const cases: [number[], number[], number[]][] = [
      [[7, 9], [9, 5], [7, 5]],
      [[64, 64], [64, 64], [64, 64]],
      [[2, 1, 70, 12], [3, 12, 68], [2, 3, 70, 68]],
      [[300, 37], [37, 8], [300, 8]],
      [[9, 4096], [4096, 8], [9, 8]],
      [[3, 4099], [4099, 5], [3, 5]],
      // Enough output tiles for the GPU kernel's large tiles (81 of 64 x 64), ragged edges.
      [[520, 20], [20, 530], [520, 530]],
    ];
    for (const [transA, transB] of [[true, false], [false, true], [true, true]]) {
      const attrs = { transA, transB };
      for (const [sa, sb, so] of cases) {
        const a = transA ? swap(sa) : sa;
        const b = transB ? swap(sb) : sb;
        await compare("matmul", [f32(a, uniform(0, 1)), f32(b, uniform(0, 1))], { shape: so, dtype: "float32" }, attrs, mm);
      }
      await compare("matmul", [i32(transA ? [5, 3] : [3, 5], ints(-9, 9)), i32(transB ? [4, 5] : [5, 4], ints(-9, 9))], { shape: [3, 4], dtype: "int32" }, attrs, exact);
    }
  });
  it("matmul on tall products whose n leaves column tiles part-empty (the lanes split rows): flags, vec4 and scalar, batched", async function () {
    this.timeout(300_000);
    const mm = { rtol: 1e-4, atol: 1e-4 };
    // The choice itself: a convolution's [12544, 144] x [144, 32] fills half a column tile.
    assert.equal(laneAxis(12544, 8), "rows");
    assert.equal(laneAxis(12544, 36), "rows");
    assert.equal(laneAxis(1024, 64), "cols");
    assert.equal(laneAxis(16, 4), "cols");
    const swap = (s: number[]) => [...s.slice(0, -2), s[s.length - 1], s[s.length - 2]];
    const cases: [number[], number[], number[]][] = [
      // n of 8 vec4s (a conv forward), and scalar n = 30 with m off the 64-row tile.
      [[200, 27], [27, 32], [200, 32]],
      [[131, 19], [19, 30], [131, 30]],
      // n of 36 vec4s (a conv input gradient), and batches with broadcasting.
      [[150, 16], [16, 144], [150, 144]],
      [[2, 1, 100, 11], [3, 11, 36], [2, 3, 100, 36]],
    ];
    for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]]) {
      const attrs = { transA, transB };
      for (const [sa, sb, so] of cases) {
        const a = transA ? swap(sa) : sa;
        const b = transB ? swap(sb) : sb;
        await compare("matmul", [f32(a), f32(b)], { shape: so, dtype: "float32" }, attrs, mm);
      }
    }
    await compare("matmul", [i32([131, 19], ints(-9, 9)), i32([19, 30], ints(-9, 9))], { shape: [131, 30], dtype: "int32" }, {}, exact);
  });
});

describe("webgpu vs cpu: data movement", () => {
  const x = () => f32([3, 4, 5]);
  it("permute, broadcast, slice", async () => {
    for (const perm of [[0, 1, 2], [2, 0, 1], [1, 0, 2], [2, 1, 0]]) {
      await compare("permute", [x()], { shape: perm.map((p) => [3, 4, 5][p]), dtype: "float32" }, { perm }, exact);
    }
    await compare("broadcast", [i32([4, 1])], { shape: [2, 4, 6], dtype: "int32" }, { shape: [2, 4, 6] }, exact);
    await compare("slice", [x()], { shape: [2, 2, 2], dtype: "float32" }, { starts: [1, 0, 1], steps: [1, 2, 2], shape: [2, 2, 2] }, exact);
  });

  it("pad, concat", async () => {
    const attrs = { low: [1, 0, 2], high: [0, 2, 1], interior: [1, 0, 2], value: -7 };
    await compare("pad", [x()], { shape: [6, 6, 16], dtype: "float32" }, attrs, exact);
    // Unpadded axes merge into their neighbours (kernels/layout.ts): leading, trailing, size 1,
    // after a padded axis, and not after interior padding. (Negative padding is left out: the
    // CPU reference's pad does not crop.)
    const merges: [number[], number[], number[], number[], number[]][] = [
      // inShape, low, high, interior, outShape
      [[4, 3, 5, 6], [0, 0, 1, 2], [0, 0, 1, 0], [0, 0, 0, 0], [4, 3, 7, 8]],
      [[4, 3, 5, 6], [0, 1, 0, 0], [0, 2, 0, 0], [0, 0, 0, 0], [4, 6, 5, 6]],
      [[2, 1, 5, 3], [1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 1, 0], [3, 1, 9, 3]],
      [[1, 3, 1], [0, 0, 0], [0, 0, 0], [0, 0, 0], [1, 3, 1]],
      [[2, 3, 4, 5, 6], [1, 0, 1, 0, 1], [1, 0, 1, 0, 1], [0, 0, 0, 0, 1], [4, 3, 6, 5, 13]],
    ];
    for (const [sh, low, high, interior, so] of merges) {
      await compare("pad", [i32(sh)], { shape: so, dtype: "int32" }, { low, high, interior, value: -3 }, exact);
    }
    const parts = [f32([3, 2, 5]), f32([3, 1, 5]), f32([3, 4, 5])];
    await compare("concat", parts, { shape: [3, 7, 5], dtype: "float32" }, { axis: 1 }, exact);
    await compare("concat", [bool([2, 3]), bool([1, 3])], { shape: [3, 3], dtype: "bool" }, { axis: 0 }, exact);
  });

  it("gather, scatterAdd", async () => {
    const idx = i32([2, 3], ints(0, 3));
    await compare("gather", [x(), idx], { shape: [3, 2, 3, 5], dtype: "float32" }, { axis: 1 }, exact);
    const upd = f32([3, 6, 5]);
    const j = i32([6], ints(0, 3));
    await compare("scatterAdd", [upd, j], { shape: [3, 4, 5], dtype: "float32" }, { axis: 1, size: 4 }, { rtol: 1e-6, atol: 1e-6 });
  });
});
});
