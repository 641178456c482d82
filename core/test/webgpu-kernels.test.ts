// Every WebGPU kernel on small inputs with hand-computed results: broadcasting, empty tensors,
// rank 0, negative numbers, int32 and bool, and the NaN rules of primitives.ts. A missing
// WebGPU adapter fails the suite; it never skips.

import assert from "node:assert/strict";
import type { DType, HostArray } from "../src/dtype";
import type { Primitive, PrimitiveAttrs } from "../src/ops/primitives";
import { createWebGPUBackend, type WebGPUBackend } from "../src/backend/webgpu";

let backend: WebGPUBackend;

// Hooks inside a describe: at the top level mocha would run them before every file's tests.
describe("webgpu kernels", function () {
before(async function () {
  this.timeout(120_000);
  const b = await createWebGPUBackend();
  assert(b, "no WebGPU adapter: install mesa-vulkan-drivers from bookworm-backports");
  backend = b;
});

after(() => backend?.destroy());

interface T {
  data: number[];
  shape: number[];
  dtype: DType;
}
const f32 = (data: number[], shape = [data.length]): T => ({ data, shape, dtype: "float32" });
const i32 = (data: number[], shape = [data.length]): T => ({ data, shape, dtype: "int32" });
const bool = (data: number[], shape = [data.length]): T => ({ data, shape, dtype: "bool" });

function host(t: T): HostArray {
  if (t.dtype === "float32") return Float32Array.from(t.data);
  return t.dtype === "int32" ? Int32Array.from(t.data) : Uint8Array.from(t.data);
}

/** Runs one kernel on uploaded inputs and reads the result back as plain numbers. */
async function run<P extends Primitive>(
  prim: P,
  inputs: T[],
  out: { shape: number[]; dtype: DType },
  attrs: PrimitiveAttrs[P],
): Promise<number[]> {
  const storages = inputs.map((t) => backend.upload(host(t), t.dtype));
  const infos = inputs.map((t) => ({ shape: t.shape, dtype: t.dtype }));
  const result = backend.kernels[prim]({ inputs: storages, infos, out, attrs });
  const size = out.shape.reduce((a, b) => a * b, 1);
  const values = Array.from(await backend.read(result, out.dtype, size));
  for (const s of new Set([...storages, result])) backend.free(s);
  return values;
}

/** Equal within a relative tolerance, with NaN equal to NaN and exact infinities. */
function close(actual: number[], expected: number[], rtol = 1e-6, atol = 1e-7): void {
  assert.equal(actual.length, expected.length, `length ${actual.length} != ${expected.length}`);
  actual.forEach((a, i) => {
    const e = expected[i];
    const ok = Number.isNaN(e) ? Number.isNaN(a) : a === e || Math.abs(a - e) <= atol + rtol * Math.abs(e);
    assert(ok, `element ${i}: got ${a}, expected ${e}\n  actual   ${actual}\n  expected ${expected}`);
  });
}

const unary = (fn: PrimitiveAttrs["unary"]["fn"], x: T, dtype: DType = x.dtype) =>
  run("unary", [x], { shape: x.shape, dtype }, { fn });
const binary = (fn: PrimitiveAttrs["binary"]["fn"], a: T, b: T, shape: number[], dtype: DType = a.dtype) =>
  run("binary", [a, b], { shape, dtype }, { fn });

describe("webgpu kernels: unary", () => {
  it("reports the adapter", () => {
    assert.equal(backend.name, "webgpu");
    assert(backend.description.length > 0);
    assert.equal(typeof backend.isSoftware, "boolean");
  });

  it("neg, abs, sign on float32 and int32", async () => {
    close(await unary("neg", f32([1, -2.5, 0])), [-1, 2.5, -0]);
    close(await unary("abs", f32([-3, 2, NaN])), [3, 2, NaN]);
    close(await unary("sign", f32([-3, 0, 2, NaN])), [-1, 0, 1, NaN]);
    close(await unary("neg", i32([5, -7, -2147483648])), [-5, 7, -2147483648]);
    close(await unary("abs", i32([-5, 7])), [5, 7]);
    close(await unary("sign", i32([-5, 0, 9])), [-1, 0, 1]);
  });

  it("exp, log, sqrt, rsqrt with their edge cases", async () => {
    close(await unary("exp", f32([0, 1, -1, 100, -200])), [1, Math.E, 1 / Math.E, Infinity, 0], 2e-6);
    close(await unary("log", f32([1, Math.E, 0, -1, Infinity])), [0, 1, -Infinity, NaN, Infinity], 2e-6);
    close(await unary("sqrt", f32([4, 2, 0, -1])), [2, Math.SQRT2, 0, NaN]);
    close(await unary("rsqrt", f32([4, 0, -1])), [0.5, Infinity, NaN]);
    close(await unary("reciprocal", f32([2, 0, -4])), [0.5, Infinity, -0.25]);
  });

  it("sin, cos", async () => {
    close(await unary("sin", f32([0, Math.PI / 2, -Math.PI / 6])), [0, 1, -0.5], 1e-6, 1e-6);
    close(await unary("cos", f32([0, Math.PI, Math.PI / 3])), [1, -1, 0.5], 1e-6, 1e-6);
  });

  it("tanh is accurate near 0 and never NaN for large |x|", async () => {
    close(
      await unary("tanh", f32([0, 1e-4, 0.5, -1, 20, -100, 1e30, NaN])),
      [0, 1e-4, 0.46211715726, -0.76159415596, 1, -1, 1, NaN],
    );
  });

  it("sigmoid is stable for large |x|", async () => {
    close(await unary("sigmoid", f32([0, 2, -2, 100, -100, 1e30, -1e30])), [0.5, 0.88079707797, 0.11920292202, 1, 0, 1, 0]);
  });

  it("erf to float32 precision", async () => {
    close(
      await unary("erf", f32([0, 1e-3, 0.5, 1, -2, 3, 5, NaN])),
      [0, 0.0011283787909692363, 0.5204998778130465, 0.8427007929497149, -0.9953222650189527, 0.9999779095030014, 1, NaN],
      1e-6,
    );
  });

  it("relu keeps NaN; floor, ceil; round is half-to-even", async () => {
    close(await unary("relu", f32([-1, 0, 2, NaN])), [0, 0, 2, NaN]);
    close(await unary("relu", i32([-1, 3])), [0, 3]);
    close(await unary("floor", f32([1.5, -1.5])), [1, -2]);
    close(await unary("ceil", f32([1.5, -1.5])), [2, -1]);
    close(await unary("round", f32([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, -2.6])), [0, 2, 2, -0, -2, 2, -3]);
    close(await unary("round", i32([3, -4])), [3, -4]);
  });

  it("logicalNot and isnan", async () => {
    close(await unary("logicalNot", bool([1, 0, 1])), [0, 1, 0]);
    close(await unary("isnan", f32([NaN, 1, Infinity]), "bool"), [1, 0, 0]);
    close(await unary("isnan", i32([0, 5]), "bool"), [0, 0]);
  });

  it("rank 0 and empty tensors", async () => {
    close(await unary("neg", f32([3], [])), [-3]);
    close(await unary("exp", f32([], [0, 3])), []);
  });
});

describe("webgpu kernels: binary, where, cast", () => {
  it("add with broadcasting", async () => {
    close(await binary("add", f32([1, 2, 3, 4, 5, 6], [2, 3]), f32([10, 20, 30]), [2, 3]), [11, 22, 33, 14, 25, 36]);
    close(await binary("add", f32([1, 2], [2, 1]), f32([10, 20, 30], [1, 3]), [2, 3]), [11, 21, 31, 12, 22, 32]);
    close(await binary("sub", f32([5], []), f32([1, 2, 3]), [3]), [4, 3, 2]);
    close(await binary("mul", f32([2], []), f32([-3], []), []), [-6]);
    close(await binary("add", f32([], [0, 3]), f32([1, 2, 3]), [0, 3]), []);
  });

  it("int32 arithmetic wraps", async () => {
    close(await binary("add", i32([2147483647, -5]), i32([1, 3]), [2]), [-2147483648, -2]);
    close(await binary("mul", i32([65536, -3]), i32([65536, 7]), [2]), [0, -21]);
  });

  it("div follows IEEE", async () => {
    close(await binary("div", f32([1, -1, 0, 7]), f32([0, 0, 0, 2]), [4]), [Infinity, -Infinity, NaN, 3.5]);
  });

  it("pow on float32 follows Math.pow", async () => {
    close(
      await binary("pow", f32([2, -2, -2, 0, 4, NaN, 1, 3, 0]), f32([3, 3, 0.5, 0, 0.5, 0, Infinity, -2, -1]), [9]),
      [8, -8, NaN, 1, 2, 1, NaN, 1 / 9, Infinity],
    );
  });

  it("pow on int32 is integer power", async () => {
    close(
      await binary("pow", i32([2, 3, -2, 1, -1, -1, 5, 0]), i32([10, 0, 3, -5, -3, -2, -1, 0]), [8]),
      [1024, 1, -8, 1, -1, 1, 0, 1],
    );
  });

  it("mod is floored for float32 and int32", async () => {
    close(await binary("mod", f32([5, -5, 5, -5, 5.5, 6]), f32([3, 3, -3, -3, 2, 3]), [6]), [2, 1, -1, -2, 1.5, 0]);
    close(await binary("mod", i32([5, -5, 5, -5, 7]), i32([3, 3, -3, -3, 0]), [5]), [2, 1, -1, -2, 0]);
  });

  it("maximum and minimum propagate NaN", async () => {
    close(await binary("maximum", f32([1, NaN, 3]), f32([2, 1, NaN]), [3]), [2, NaN, NaN]);
    close(await binary("minimum", f32([1, NaN, -3]), f32([2, 1, 0]), [3]), [1, NaN, -3]);
    close(await binary("maximum", i32([1, -4]), i32([-2, -3]), [2]), [1, -3]);
  });

  it("comparisons give bool, NaN compares unequal", async () => {
    const a = f32([1, 2, NaN, 3]);
    const b = f32([1, 3, NaN, 2]);
    close(await binary("eq", a, b, [4], "bool"), [1, 0, 0, 0]);
    close(await binary("ne", a, b, [4], "bool"), [0, 1, 1, 1]);
    close(await binary("lt", a, b, [4], "bool"), [0, 1, 0, 0]);
    close(await binary("le", a, b, [4], "bool"), [1, 1, 0, 0]);
    close(await binary("gt", a, b, [4], "bool"), [0, 0, 0, 1]);
    close(await binary("ge", i32([1, 2]), i32([1, 3]), [2], "bool"), [1, 0]);
  });

  it("logical ops on bool", async () => {
    const a = bool([0, 0, 1, 1]);
    const b = bool([0, 1, 0, 1]);
    close(await binary("logicalAnd", a, b, [4]), [0, 0, 0, 1]);
    close(await binary("logicalOr", a, b, [4]), [0, 1, 1, 1]);
    close(await binary("logicalXor", a, b, [4]), [0, 1, 1, 0]);
  });

  it("where broadcasts all three operands", async () => {
    const c = bool([1, 0], [2, 1]);
    close(await run("where", [c, f32([1, 2, 3], [3]), f32([-1], [])], { shape: [2, 3], dtype: "float32" }, {}), [
      1, 2, 3, -1, -1, -1,
    ]);
    close(await run("where", [bool([0, 1]), bool([1, 1]), bool([0, 0])], { shape: [2], dtype: "bool" }, {}), [0, 1]);
    close(await run("where", [bool([1], []), i32([7], []), i32([8], [])], { shape: [], dtype: "int32" }, {}), [7]);
  });

  it("cast truncates, saturates and treats NaN as true", async () => {
    const cast = (x: T, dtype: DType) => run("cast", [x], { shape: x.shape, dtype }, { dtype });
    close(await cast(f32([1.7, -1.7, NaN, 3e9, -3e9, Infinity]), "int32"), [1, -1, 0, 2147483647, -2147483648, 2147483647]);
    close(await cast(f32([0, -0, NaN, 2]), "bool"), [0, 0, 1, 1]);
    close(await cast(bool([1, 0]), "float32"), [1, 0]);
    close(await cast(i32([-3, 16777217]), "float32"), [-3, 16777216]);
    close(await cast(i32([0, -3]), "bool"), [0, 1]);
    close(await cast(bool([1, 0]), "int32"), [1, 0]);
  });
});

describe("webgpu kernels: reduce, argReduce", () => {
  const reduce = (fn: PrimitiveAttrs["reduce"]["fn"], x: T, axes: number[], shape: number[], dtype: DType = x.dtype) =>
    run("reduce", [x], { shape, dtype }, { fn, axes, keepdims: false });
  const x23 = f32([1, -2, 3, 4, 5, -6], [2, 3]);

  it("sum, max, min, prod over one axis", async () => {
    close(await reduce("sum", x23, [1], [2]), [2, 3]);
    close(await reduce("sum", x23, [0], [3]), [5, 3, -3]);
    close(await reduce("max", x23, [1], [2]), [3, 5]);
    close(await reduce("min", x23, [0], [3]), [1, -2, -6]);
    close(await reduce("prod", x23, [1], [2]), [-6, -120]);
    // keepdims only changes the output shape, which the caller passes in.
    close(await run("reduce", [x23], { shape: [2, 1], dtype: "float32" }, { fn: "sum", axes: [1], keepdims: true }), [2, 3]);
  });

  it("all axes to rank 0, non-adjacent axes, size-1 axes", async () => {
    close(await reduce("sum", x23, [0, 1], []), [5]);
    const x = f32([...Array(12).keys()], [2, 3, 2]);
    close(await reduce("sum", x, [0, 2], [3]), [0 + 1 + 6 + 7, 2 + 3 + 8 + 9, 4 + 5 + 10 + 11]);
    close(await reduce("max", f32([4, 9], [1, 2, 1]), [0, 2], [2]), [4, 9]);
  });

  it("max and min propagate NaN", async () => {
    close(await reduce("max", f32([1, NaN, 3, 4], [2, 2]), [1], [2]), [NaN, 4]);
    close(await reduce("min", f32([1, 2, NaN, 4], [2, 2]), [0], [2]), [NaN, 2]);
  });

  it("int32 and bool", async () => {
    close(await reduce("sum", i32([1, 2, 3, 2147483647], [4]), [0], [], "int32"), [-2147483642]);
    close(await reduce("min", i32([5, -7, 3], [3]), [0], []), [-7]);
    close(await reduce("prod", i32([2, -3, 4], [3]), [0], []), [-24]);
    close(await reduce("max", bool([0, 1, 0, 0], [2, 2]), [1], [2]), [1, 0]);
    close(await reduce("min", bool([1, 1, 0, 1], [2, 2]), [1], [2]), [1, 0]);
  });

  it("empty reductions give the identity; empty outputs give nothing", async () => {
    close(await reduce("sum", f32([], [0, 3]), [0], [3]), [0, 0, 0]);
    close(await reduce("prod", f32([], [2, 0]), [1], [2]), [1, 1]);
    close(await reduce("sum", f32([], [0, 3]), [1], [0]), []);
  });

  it("long rows take the tree path and several passes", async () => {
    const n = 100_000;
    const ramp = f32(Array.from({ length: n }, (_, i) => (i % 7) - 3));
    const expected = Array.from({ length: n }, (_, i) => (i % 7) - 3).reduce((a, b) => a + b, 0);
    close(await reduce("sum", ramp, [0], []), [expected]);
    close(await reduce("max", ramp, [0], []), [3]);
    // [n, 3] over axis 0: the strided path with chunked partial sums.
    const cols = f32(Array.from({ length: 3 * n }, (_, i) => i % 3), [n, 3]);
    close(await reduce("sum", cols, [0], [3]), [0, n, 2 * n]);
  });

  it("argmax/argmin: first index of the extreme, first NaN wins", async () => {
    const arg = (fn: "argmax" | "argmin", x: T, axis: number, shape: number[]) =>
      run("argReduce", [x], { shape, dtype: "int32" }, { fn, axis, keepdims: false });
    close(await arg("argmax", f32([1, 5, 5, 2], [4]), 0, []), [1]);
    close(await arg("argmin", f32([3, 1, 2, 1, 0, 0], [2, 3]), 1, [2]), [1, 1]);
    close(await arg("argmax", f32([3, 1, 2, 1, 0, 9], [2, 3]), 0, [3]), [0, 0, 1]);
    close(await arg("argmax", f32([1, NaN, 9, NaN], [4]), 0, []), [1]);
    close(await arg("argmin", f32([1, -2, NaN], [3]), 0, []), [2]);
    close(await arg("argmax", i32([-5, -1, -1], [3]), 0, []), [1]);
    // Long rows run one workgroup per row with a (value, index) tree.
    const long = Array.from({ length: 5000 }, (_, i) => Math.sin(i));
    long[4000] = 7;
    long[1234] = 7;
    close(await arg("argmax", f32(long), 0, []), [1234]);
    long[3000] = NaN;
    long[2000] = NaN;
    close(await arg("argmin", f32(long), 0, []), [2000]);
  });
});

describe("webgpu kernels: matmul", () => {
  const mm = (a: T, b: T, shape: number[]) => run("matmul", [a, b], { shape, dtype: a.dtype }, {});

  it("2-D float32 and int32", async () => {
    close(await mm(f32([1, 2, 3, 4, 5, 6], [2, 3]), f32([7, 8, 9, 10, 11, 12], [3, 2]), [2, 2]), [58, 64, 139, 154]);
    close(await mm(i32([1, -2, 3, 4], [2, 2]), i32([5, 6, 7, -8], [2, 2]), [2, 2]), [-9, 22, 43, -14]);
  });

  it("broadcast batch dims", async () => {
    // a: [2, 1, 2] (two 1x2 rows), b: [1, 2, 2] shared by both.
    const a = f32([1, 2, 3, 4], [2, 1, 2]);
    const b = f32([1, 0, 0, 2], [1, 2, 2]);
    close(await mm(a, b, [2, 1, 2]), [1, 4, 3, 8]);
    const a2 = f32([1, 1, 1, 1], [1, 2, 2]);
    const b2 = f32([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [3, 2, 2]);
    close(await mm(a2, b2, [3, 2, 2]), [4, 6, 4, 6, 12, 14, 12, 14, 20, 22, 20, 22]);
  });

  it("sizes that do not divide the tile (scalar and vec4 variants), k = 0, empty", async () => {
    // K and N multiples of 4 take the vec4 kernel; the others the scalar one.
    for (const [m, k, n, batch] of [[67, 70, 33, 1], [67, 68, 36, 2], [5, 4, 8, 3]]) {
      const a = Array.from({ length: batch * m * k }, (_, i) => ((i * 7) % 11) - 5);
      const b = Array.from({ length: batch * k * n }, (_, i) => ((i * 5) % 13) - 6);
      const want: number[] = [];
      for (let z = 0; z < batch; z++) {
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let p = 0; p < k; p++) s += a[(z * m + i) * k + p] * b[(z * k + p) * n + j];
            want.push(s);
          }
        }
      }
      close(await mm(f32(a, [batch, m, k]), f32(b, [batch, k, n]), [batch, m, n]), want);
      close(await mm(i32(a, [batch, m, k]), i32(b, [batch, k, n]), [batch, m, n]), want);
    }
    close(await mm(f32([], [2, 0]), f32([], [0, 3]), [2, 3]), [0, 0, 0, 0, 0, 0]);
    close(await mm(f32([], [3, 0]), f32([], [0, 4]), [3, 4]), Array(12).fill(0)); // vec4 variant
    close(await mm(f32([], [0, 3]), f32([1, 2, 3], [3, 1]), [0, 1]), []);
  });
});

describe("webgpu kernels: layout, gather, scatterAdd", () => {
  it("reshape shares the storage", () => {
    const s = backend.upload(Float32Array.from([1, 2, 3, 4]), "float32");
    const r = backend.kernels.reshape({
      inputs: [s],
      infos: [{ shape: [4], dtype: "float32" }],
      out: { shape: [2, 2], dtype: "float32" },
      attrs: { shape: [2, 2] },
    });
    assert.equal(r, s);
    backend.free(s);
  });

  it("permute", async () => {
    close(await run("permute", [f32([1, 2, 3, 4, 5, 6], [2, 3])], { shape: [3, 2], dtype: "float32" }, { perm: [1, 0] }), [
      1, 4, 2, 5, 3, 6,
    ]);
    const x = i32([...Array(12).keys()], [2, 3, 2]);
    close(await run("permute", [x], { shape: [2, 2, 3], dtype: "int32" }, { perm: [2, 0, 1] }), [
      0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11,
    ]);
  });

  it("broadcast, including from rank 0 and bool", async () => {
    close(await run("broadcast", [f32([1, 2, 3])], { shape: [2, 3], dtype: "float32" }, { shape: [2, 3] }), [1, 2, 3, 1, 2, 3]);
    close(await run("broadcast", [f32([1, 2], [2, 1])], { shape: [2, 2], dtype: "float32" }, { shape: [2, 2] }), [1, 1, 2, 2]);
    close(await run("broadcast", [bool([1], [])], { shape: [2, 2], dtype: "bool" }, { shape: [2, 2] }), [1, 1, 1, 1]);
  });

  it("slice with starts and steps", async () => {
    const x = f32([...Array(12).keys()], [3, 4]);
    close(await run("slice", [x], { shape: [2, 2], dtype: "float32" }, { starts: [1, 0], steps: [1, 2], shape: [2, 2] }), [
      4, 6, 8, 10,
    ]);
    close(await run("slice", [x], { shape: [0, 4], dtype: "float32" }, { starts: [3, 0], steps: [1, 1], shape: [0, 4] }), []);
  });

  it("pad with low, high and interior padding", async () => {
    const pad = (x: T, low: number[], high: number[], interior: number[], value: number, shape: number[]) =>
      run("pad", [x], { shape, dtype: x.dtype }, { low, high, interior, value });
    close(await pad(f32([1, 2, 3]), [1], [2], [1], 9, [8]), [9, 1, 9, 2, 9, 3, 9, 9]);
    close(await pad(i32([1, 2, 3, 4], [2, 2]), [0, 1], [1, 0], [0, 0], -1, [3, 3]), [-1, 1, 2, -1, 3, 4, -1, -1, -1]);
    close(await pad(f32([1, 2, 3, 4]), [-1], [0], [0], 0, [3]), [2, 3, 4]);
    close(await pad(f32([], [0]), [1], [1], [0], 5, [2]), [5, 5]);
  });

  it("concat along each axis, with an empty part", async () => {
    const a = f32([1, 2, 3, 4], [2, 2]);
    const b = f32([5, 6], [1, 2]);
    const c = f32([7, 8], [2, 1]);
    close(await run("concat", [a, b], { shape: [3, 2], dtype: "float32" }, { axis: 0 }), [1, 2, 3, 4, 5, 6]);
    close(await run("concat", [a, c, f32([], [2, 0])], { shape: [2, 3], dtype: "float32" }, { axis: 1 }), [1, 2, 7, 3, 4, 8]);
  });

  it("gather along an axis with 2-D indices", async () => {
    const x = f32([1, 2, 3, 4, 5, 6], [3, 2]);
    close(await run("gather", [x, i32([2, 0, 2, 1], [2, 2])], { shape: [2, 2, 2], dtype: "float32" }, { axis: 0 }), [
      5, 6, 1, 2, 5, 6, 3, 4,
    ]);
    close(await run("gather", [x, i32([1, 1, 0])], { shape: [3, 3], dtype: "float32" }, { axis: 1 }), [
      2, 2, 1, 4, 4, 3, 6, 6, 5,
    ]);
  });

  it("gather fills for indices out of range as jnp.take does: NaN, the most negative int32, true", async () => {
    // The ops layer rejects such indices when the host knows them; these reach the kernel
    // when they were computed on the GPU. Without the fill they read as plausible zeros.
    const idx = i32([1, 3, -1, 0]);
    close(await run("gather", [f32([10, 20, 30]), idx], { shape: [4], dtype: "float32" }, { axis: 0 }), [20, NaN, NaN, 10]);
    close(await run("gather", [i32([10, 20, 30]), idx], { shape: [4], dtype: "int32" }, { axis: 0 }), [20, -(2 ** 31), -(2 ** 31), 10]);
    close(await run("gather", [bool([0, 0, 1]), idx], { shape: [4], dtype: "bool" }, { axis: 0 }), [0, 1, 1, 0]);
    // Rows of an embedding table: a whole row of NaN for the bad index.
    close(await run("gather", [f32([1, 2, 3, 4], [2, 2]), i32([1, 2])], { shape: [2, 2], dtype: "float32" }, { axis: 0 }), [3, 4, NaN, NaN]);
  });

  it("scatterAdd sums repeated indices", async () => {
    const upd = f32([1, 2, 3, 4, 5, 6, 7, 8], [4, 2]);
    close(await run("scatterAdd", [upd, i32([0, 2, 0, 2])], { shape: [3, 2], dtype: "float32" }, { axis: 0, size: 3 }), [
      6, 8, 0, 0, 10, 12,
    ]);
    const updI = i32([1, 2, 3, 4, 5, 6], [2, 3]);
    close(await run("scatterAdd", [updI, i32([1, 1, 0])], { shape: [2, 2], dtype: "int32" }, { axis: 1, size: 2 }), [
      3, 3, 6, 9,
    ]);
  });
});
});
