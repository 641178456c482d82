// The CPU's generated elementwise loops (src/backend/cpu/loops.ts, expressions.ts) against the
// per-element reference functions in math.ts: every unary and binary function, where and cast,
// on every dtype they take, over special values (NaN, infinities, signed zeros, int32 limits),
// compared bit for bit (Object.is, so -0 and NaN count), in every layout the loops specialise
// (contiguous, scalar, strided broadcast), with fusion off and on.

import assert from "node:assert/strict";
import { allocHost, type DType, type HostArray } from "../src/dtype";
import { binaryFns, unaryFns, type Primitive, type PrimitiveAttrs, type TensorInfo } from "../src/ops/primitives";
import { createCpuBackend } from "../src/backend/cpu";
import type { Storage } from "../src/backend/backend";
import { floatMath, intMath, unaryMath } from "../src/backend/cpu/math";
import { castValue } from "../src/dtype";
import { blockPlan } from "../src/backend/cpu/loops";
import { runStarts } from "../src/backend/cpu/strided";
import { runTable } from "../src/backend/cpu/wasm/simdmap";

let backend = createCpuBackend({ fusion: false });
const specials: Record<DType, number[]> = {
  // Rounded to float32 first: the reference sees what the arrays hold.
  float32: [0, -0, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, 3, -7, 1e-40, 3e38, -3e38, Infinity, -Infinity, NaN, 0.1].map(Math.fround),
  int32: [0, 1, -1, 2, -2, 3, 7, -7, 31, 2147483647, -2147483648, 65536, -65537],
  bool: [0, 1],
};

function host(dtype: DType, values: number[]): HostArray {
  const a = allocHost(dtype, values.length);
  a.set(values);
  return a;
}

function run<P extends Primitive>(prim: P, inputs: { dtype: DType; shape: number[]; values: number[] }[], out: TensorInfo, attrs: PrimitiveAttrs[P]): HostArray {
  const storages: Storage[] = inputs.map((x) => backend.upload(host(x.dtype, x.values), x.dtype));
  const r = backend.kernels[prim]({ inputs: storages, infos: inputs.map((x) => ({ shape: x.shape, dtype: x.dtype })), out, attrs } as never);
  return backend.readSync!(r, out.dtype, out.shape.reduce((a, b) => a * b, 1));
}

/** What storing each reference value in an `out` array gives. */
function stored(out: DType, values: number[]): number[] {
  return Array.from(host(out, values));
}

function assertSame(got: ArrayLike<number>, want: number[], what: string): void {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) assert.fail(`${what}: element ${i} is ${got[i]}, the reference gives ${want[i]}`);
  }
}

/** All pairs of `a` x `b` as an [n, m] grid, read three ways: full, broadcast row/column, scalar. */
function binaryCases(a: number[], b: number[]) {
  const n = a.length;
  const m = b.length;
  const full = { a: a.flatMap((x) => b.map(() => x)), b: a.flatMap(() => b) };
  return { n, m, full };
}

for (const fusion of [false, true]) describe(`cpu generated loops vs math.ts reference, fusion ${fusion ? "on (each op a one-op tree)" : "off"}`, () => {
  before(() => {
    backend = createCpuBackend({ fusion });
  });

  const unaryDtypes: [DType, DType][] = [["float32", "float32"], ["int32", "int32"], ["bool", "bool"], ["float32", "bool"], ["int32", "bool"]];
  for (const fn of unaryFns) {
    it(`unary ${fn} on special values, every dtype`, () => {
      for (const [dtIn, dtOut] of unaryDtypes) {
        const x = specials[dtIn];
        const f = unaryMath[fn];
        const want = stored(dtOut, x.map((v) => (dtOut === "int32" ? f(v) | 0 : f(v))));
        assertSame(run("unary", [{ dtype: dtIn, shape: [x.length], values: x }], { shape: [x.length], dtype: dtOut }, { fn }), want, `${fn} ${dtIn}->${dtOut}`);
      }
    });
  }

  const binaryDtypes: [DType, DType][] = [["float32", "float32"], ["float32", "bool"], ["int32", "int32"], ["int32", "bool"], ["bool", "bool"]];
  for (const fn of binaryFns) {
    it(`binary ${fn} on all pairs of special values, full, broadcast and scalar operands`, () => {
      for (const [dt, dtOut] of binaryDtypes) {
        const s = specials[dt];
        const f = (dt === "float32" ? floatMath : intMath)[fn];
        const { n, m, full } = binaryCases(s, s);
        const want = stored(dtOut, full.a.map((x, i) => f(x, full.b[i])));
        const what = `${fn} ${dt}->${dtOut}`;
        const out = { shape: [n, m], dtype: dtOut };
        assertSame(run("binary", [{ dtype: dt, shape: [n, m], values: full.a }, { dtype: dt, shape: [n, m], values: full.b }], out, { fn }), want, `${what} full`);
        assertSame(run("binary", [{ dtype: dt, shape: [n, 1], values: s }, { dtype: dt, shape: [m], values: s }], out, { fn }), want, `${what} broadcast`);
        // Transposed view of the grid: a column broadcast on the right (step 0 within rows).
        const wantT = stored(dtOut, s.flatMap((y) => s.map((x) => f(x, y))));
        assertSame(run("binary", [{ dtype: dt, shape: [m], values: s }, { dtype: dt, shape: [n, 1], values: s }], out, { fn }), wantT, `${what} broadcast right`);
        for (const v of s) {
          assertSame(run("binary", [{ dtype: dt, shape: [n], values: s }, { dtype: dt, shape: [], values: [v] }], { shape: [n], dtype: dtOut }, { fn }), stored(dtOut, s.map((x) => f(x, v))), `${what} scalar right ${v}`);
          assertSame(run("binary", [{ dtype: dt, shape: [], values: [v] }, { dtype: dt, shape: [n], values: s }], { shape: [n], dtype: dtOut }, { fn }), stored(dtOut, s.map((x) => f(v, x))), `${what} scalar left ${v}`);
        }
      }
    });
  }

  it("cast between every pair of dtypes on special values", () => {
    for (const from of ["float32", "int32", "bool"] as DType[]) {
      for (const to of ["float32", "int32", "bool"] as DType[]) {
        const x = specials[from];
        const want = stored(to, x.map((v) => castValue(v, to)));
        assertSame(run("cast", [{ dtype: from, shape: [x.length], values: x }], { shape: [x.length], dtype: to }, { dtype: to }), want, `cast ${from}->${to}`);
      }
    }
  });

  it("where with broadcast condition and operands, every dtype", () => {
    for (const dt of ["float32", "int32", "bool"] as DType[]) {
      const s = specials[dt];
      const c = [1, 0, 1];
      const want = stored(dt, c.flatMap((ci) => s.map((v, j) => (ci ? v : s[s.length - 1 - j]))));
      const got = run("where", [
        { dtype: "bool", shape: [3, 1], values: c },
        { dtype: dt, shape: [s.length], values: s },
        { dtype: dt, shape: [1, s.length], values: [...s].reverse() },
      ], { shape: [3, s.length], dtype: dt }, {});
      assertSame(got, want, `where ${dt}`);
    }
  });

  it("a strided (non-contiguous) broadcast read: [4,1,3] against [4,5,3]", () => {
    const a = Array.from({ length: 12 }, (_, i) => i - 6.5);
    const b = Array.from({ length: 60 }, (_, i) => (i % 7) - 3);
    const want = stored("float32", b.map((v, i) => floatMath.mul(a[Math.floor(i / 15) * 3 + (i % 3)], v)));
    const got = run("binary", [{ dtype: "float32", shape: [4, 1, 3], values: a }, { dtype: "float32", shape: [4, 5, 3], values: b }], { shape: [4, 5, 3], dtype: "float32" }, { fn: "mul" });
    assertSame(got, want, "mul [4,1,3] x [4,5,3]");
  });

  it("rank 6 alternating broadcasts (nested loops inside blocks), and a reduction over them", () => {
    const A = [2, 1, 3, 1, 4, 1];
    const B = [1, 5, 1, 2, 1, 3];
    const out = [2, 5, 3, 2, 4, 3];
    const a = Array.from({ length: 24 }, (_, i) => Math.fround(i * 0.37 - 3));
    const b = Array.from({ length: 30 }, (_, i) => Math.fround(1 - i * 0.11));
    const idx = (shape: number[], coord: number[]) => coord.reduce((acc, c, k) => acc * shape[k] + (shape[k] === 1 ? 0 : c), 0);
    const want: number[] = [];
    const coord = [0, 0, 0, 0, 0, 0];
    for (let flat = 0; flat < 720; flat++) {
      let r = flat;
      for (let k = 5; k >= 0; k--) {
        coord[k] = r % out[k];
        r = Math.floor(r / out[k]);
      }
      want.push(floatMath.sub(a[idx(A, coord)], b[idx(B, coord)]));
    }
    const got = run("binary", [{ dtype: "float32", shape: A, values: a }, { dtype: "float32", shape: B, values: b }], { shape: out, dtype: "float32" }, { fn: "sub" });
    assertSame(got, stored("float32", want), "sub rank 6");
    // Sum over axes 1, 3 and 5 of the (stored) difference, accumulated in order in float64.
    const sums = new Float64Array(24);
    Array.from(got).forEach((v, flat) => {
      let r = flat;
      for (let k = 5; k >= 0; k--) {
        coord[k] = r % out[k];
        r = Math.floor(r / out[k]);
      }
      sums[(coord[0] * 3 + coord[2]) * 4 + coord[4]] += v;
    });
    const reduced = run("reduce", [{ dtype: "float32", shape: out, values: Array.from(got) }], { shape: [2, 3, 4], dtype: "float32" }, { fn: "sum", axes: [1, 3, 5], keepdims: false });
    assertSame(reduced, stored("float32", Array.from(sums)), "sum over axes 1, 3, 5");
  });

  it("innermost runs of every length around the four-per-trip unrolling: maps, and sums folded in order", () => {
    for (let n = 1; n <= 11; n++) {
      // Values whose float64 sum depends on the order of addition (1e8 swallows 1 if added first).
      const a = Array.from({ length: 3 * n }, (_, i) => Math.fround(i % 4 === 1 ? 1e8 : i % 4 === 3 ? -1e8 : 0.1 * i + 1 / 3));
      const b = Array.from({ length: n }, (_, i) => Math.fround(0.25 - i * 0.5));
      const got = run("binary", [{ dtype: "float32", shape: [3, n], values: a }, { dtype: "float32", shape: [n], values: b }], { shape: [3, n], dtype: "float32" }, { fn: "add" });
      assertSame(got, stored("float32", a.map((v, i) => floatMath.add(v, b[i % n]))), `add [3, ${n}] + [${n}]`);
      for (const [axis, shape] of [[1, [3]], [0, [n]]] as const) {
        const sums = new Float64Array(shape[0]);
        Array.from(got).forEach((v, i) => (sums[axis === 1 ? Math.floor(i / n) : i % n] += v));
        const reduced = run("reduce", [{ dtype: "float32", shape: [3, n], values: Array.from(got) }], { shape: [...shape], dtype: "float32" }, { fn: "sum", axes: [axis], keepdims: false });
        assertSame(reduced, stored("float32", Array.from(sums)), `sum over axis ${axis} of [3, ${n}]`);
      }
    }
  });

});

describe("cpu block plans", () => {
  it("plans of many runs are kept by layout (a jitted step reuses them), small ones are not, and their run tables are kept with them", () => {
    // A 2x2 pooling gradient's read: [64, 8, 28, 28] whole, the pooled [64, 8, 14, 14] once per pair.
    const shape = [64, 8, 14, 2, 14, 2];
    const dense = [6272, 784, 56, 28, 2, 1];
    const pooled = [1568, 196, 14, 0, 1, 0];
    const plan = blockPlan(shape, [dense, pooled]);
    assert.ok(plan.blocks * plan.dims.slice(0, -1).reduce((a, b) => a * b, 1) >= 64, "a plan of many runs");
    assert.equal(blockPlan(shape, [dense, pooled]), plan, "the same layout gives the same plan");
    assert.notEqual(blockPlan(shape, [dense, pooled], [0, 4]), plan, "other bases, another plan");
    assert.notEqual(blockPlan(shape, [pooled, dense]), plan, "other strides, another plan");
    const small = blockPlan([4, 100], [[100, 1], [100, 1]]);
    assert.notEqual(blockPlan([4, 100], [[100, 1], [100, 1]]), small, "a plan of 4 runs is made afresh");
    // The run table: every stream's run starts, run-major, as runStarts gives them.
    const table = runTable(plan, false);
    assert.equal(runTable(plan, false), table, "kept with the plan");
    const starts = [runStarts(plan, 0), runStarts(plan, 1)];
    assert.equal(table.length, 2 * starts[0].length);
    for (let r = 0; r < starts[0].length; r++) {
      if (table[2 * r] !== starts[0][r] || table[2 * r + 1] !== starts[1][r]) assert.fail(`run ${r}: ${table[2 * r]}, ${table[2 * r + 1]}`);
    }
    const pairs = runTable(plan, true);
    assert.notEqual(pairs, table, "the pairs' table is another");
    assert.equal(pairs.length, table.length / 14, "runs of 14 pairs");
  });
});
