// log1p, expm1, tan, the inverse trigonometric and hyperbolic functions, and atan2: values
// against JavaScript's Math in double precision (dense grids, tiny arguments, edge values and
// domain errors), int promotion, gradients against finite differences, and fused chains
// (eager and jitted) running as one kernel.

import { t, assert, assertClose, eachBackend, expectTensor, gradCheck, uniform } from "./helpers";
import type { Tensor } from "../src/index";
import { currentBackend } from "../src/backend/registry";

type Fn = "log1p" | "expm1" | "tan" | "atan" | "asin" | "acos" | "sinh" | "cosh" | "asinh" | "acosh" | "atanh";

/** Each function's domain for the dense grid, and where finite differences are well-posed. */
const cases: Record<Fn, { grid: [number, number]; smooth: [number, number] }> = {
  log1p: { grid: [-0.9999, 80], smooth: [-0.5, 3] },
  expm1: { grid: [-20, 20], smooth: [-2, 2] },
  tan: { grid: [-1.5, 1.5], smooth: [-1, 1] },
  atan: { grid: [-1e4, 1e4], smooth: [-3, 3] },
  asin: { grid: [-1, 1], smooth: [-0.8, 0.8] },
  acos: { grid: [-1, 1], smooth: [-0.8, 0.8] },
  sinh: { grid: [-20, 20], smooth: [-2, 2] },
  cosh: { grid: [-20, 20], smooth: [-2, 2] },
  asinh: { grid: [-1e6, 1e6], smooth: [-3, 3] },
  acosh: { grid: [1, 1e6], smooth: [1.5, 4] },
  atanh: { grid: [-1, 1], smooth: [-0.7, 0.7] },
};
const fns = Object.keys(cases) as Fn[];

/** float32 inputs spread over [lo, hi], plus powers of ten (and 1 +- them) that fall inside. */
function grid(lo: number, hi: number): Float32Array {
  const xs: number[] = [];
  for (let i = 0; i <= 2000; i++) xs.push(lo + ((hi - lo) * i) / 2000);
  for (let e = -30; e <= 6; e += 0.25) xs.push(10 ** e, -(10 ** e), 1 + 10 ** e, 1 - 10 ** e);
  return Float32Array.from(xs.filter((v) => v >= lo && v <= hi));
}

/** The double-precision value of each float32 input (what torch.float64 would give). */
const reference = (fn: Fn, xs: Float32Array) => Array.from(xs, (v) => Math[fn](v));

eachBackend("transcendental functions", () => {
  describe("values against Math in float64", () => {
    for (const fn of fns) {
      it(`${fn} on a dense grid and at powers of ten, within 1e-6 relative`, async () => {
        // Within 1e-6: float32 rounding alone is 6e-8; the GPU versions stay within 3e-7
        // (measured on lavapipe) on these ranges. Past |x| = 20 exp's own error grows with x.
        const xs = grid(...cases[fn].grid);
        assertClose(await t.tensor(xs)[fn]().data(), reference(fn, xs), 1e-6, 0);
      });
    }

    it("log1p and expm1 keep full relative accuracy where 1 + x rounds to 1", async () => {
      const xs = Float32Array.from([1e-7, -1e-7, 1e-3, -1e-3, 1, -0.5, 3e-10, -2e-20]);
      await expectTensor(t.tensor(xs).log1p(), reference("log1p", xs), { rtol: 3e-7, atol: 0 });
      await expectTensor(t.tensor(xs).expm1(), reference("expm1", xs), { rtol: 3e-7, atol: 0 });
      // The composite a student would write gets 0 (or 1e-7 off by 19%) here.
      const naive = Array.from(await t.tensor([1e-7, 1e-10]).add(1).log().data());
      assert.ok(Math.abs(naive[1] - 1e-10) > 0.5e-10, "1 + 1e-10 is 1 in float32");
    });

    it("edge values: zeros keep their sign, infinities and domain errors as in PyTorch", async () => {
      const inf = Infinity;
      const xs = Float32Array.from([0, -0, inf, -inf, NaN, 1, -1, 2, -2, 0.5]);
      for (const fn of fns) {
        const got = Array.from(await t.tensor(xs)[fn]().data());
        const want = reference(fn, xs);
        // tan(+-inf) is NaN (no period to reduce); Math agrees.
        got.forEach((g, i) => {
          const w = want[i];
          if (Number.isNaN(w)) assert.ok(Number.isNaN(g), `${fn}(${xs[i]}): got ${g}, want NaN`);
          else if (w === 0) assert.ok(Object.is(g, w), `${fn}(${xs[i]}): got ${g}, want ${Object.is(w, -0) ? "-0" : "0"}`);
          else assertClose([g], [w], 3e-7, 0);
        });
      }
      // The domain errors themselves, spelled out.
      await expectTensor(t.tensor([1.5, -1.5]).asin(), [NaN, NaN]);
      await expectTensor(t.tensor([1.5, -1.5]).acos(), [NaN, NaN]);
      await expectTensor(t.tensor([0.5, -3]).acosh(), [NaN, NaN]);
      await expectTensor(t.tensor([1, -1, 1.5]).atanh(), [Infinity, -Infinity, NaN]);
      await expectTensor(t.tensor([-1, -2]).log1p(), [-Infinity, NaN]);
      await expectTensor(t.tensor([89, -89, 100]).sinh(), [Math.fround(Math.sinh(89)), -Math.fround(Math.sinh(89)), Infinity], { rtol: 2e-5 });
      await expectTensor(t.tensor([89, 100]).cosh(), [Math.fround(Math.cosh(89)), Infinity], { rtol: 2e-5 });
    });

    it("int and bool inputs compute in float32, as the other float-only functions", async () => {
      for (const fn of fns) {
        const y = t.tensor([1, 2, 3])[fn]();
        assert.equal(y.dtype, "float32", fn);
        await expectTensor(y, reference(fn, Float32Array.from([1, 2, 3])), { rtol: 1e-6 });
      }
      await expectTensor(t.tensor([true, false]).atan(), [Math.PI / 4, 0], { dtype: "float32" });
    });

    it("functions and methods are the same operation", async () => {
      const x = t.tensor([0.25, -0.75]);
      for (const fn of fns) assertClose(await t[fn](x).data(), await x[fn]().data(), 0, 0);
    });
  });

  describe("atan2", () => {
    it("gives the angle of (x, y) in every quadrant, on the axes and at infinity, as Math.atan2", async () => {
      const v = [0, -0, 1, -1, 2.5, -0.3, 1e-30, Infinity, -Infinity, NaN];
      const ys = Float32Array.from(v.flatMap((y) => v.map(() => y)));
      const xs = Float32Array.from(v.flatMap(() => v));
      const got = Array.from(await t.atan2(t.tensor(ys), t.tensor(xs)).data());
      got.forEach((g, i) => {
        const w = Math.atan2(ys[i], xs[i]);
        if (Number.isNaN(w)) assert.ok(Number.isNaN(g), `atan2(${ys[i]}, ${xs[i]}): got ${g}`);
        else if (w === 0) assert.ok(Object.is(g, w), `atan2(${ys[i]}, ${xs[i]}): got ${g}, want ${Object.is(w, -0) ? "-0" : "0"}`);
        else assertClose([g], [w], 3e-7, 0);
      });
    });

    it("broadcasts, takes numbers on either side, and gives float32 for ints", async () => {
      const y = t.tensor([[1], [-1]]);
      const x = t.tensor([1, -1, 0]);
      const r = t.atan2(y, x);
      assert.deepEqual(r.shape, [2, 3]);
      await expectTensor(r, [Math.PI / 4, (3 * Math.PI) / 4, Math.PI / 2, -Math.PI / 4, (-3 * Math.PI) / 4, -Math.PI / 2], { dtype: "float32" });
      await expectTensor(t.tensor([1, -1]).atan2(2), [Math.atan2(1, 2), Math.atan2(-1, 2)], { dtype: "float32" });
      await expectTensor(t.atan2(1, t.tensor([0.5])), [Math.atan2(1, 0.5)]);
      assert.throws(() => t.atan2(t.zeros([2]), t.zeros([3])), { name: "ShapeError", message: /^atan2: shapes \[2\] and \[3\] do not broadcast/ });
    });

    it("has the gradient (x, -y) / (x^2 + y^2), checked by finite differences", async () => {
      const y = t.tensor([0.5, -1.2, 2, -0.3, 0.7]);
      const x = t.tensor([1.5, 0.4, -1, -2, -0.2]);
      await gradCheck((a, b) => t.atan2(a, b).mul(t.tensor([1, 2, -1, 0.5, 3])).sum(), [y, x], { eps: 1e-3 });
    });
  });

  describe("gradients", () => {
    for (const fn of fns) {
      it(`${fn}: against finite differences`, async () => {
        const [lo, hi] = cases[fn].smooth;
        const x = uniform([6], lo, hi);
        await gradCheck((a) => a[fn]().mul(t.tensor([1, -2, 0.5, 3, -1, 2])).sum(), [x], { eps: 1e-3 });
      });
    }

    it("second derivatives (grad of grad) where they are known in closed form", async () => {
      const x = t.tensor([0.3, -0.6]);
      const d2 = (fn: (a: Tensor) => Tensor) => t.grad((a: Tensor) => t.grad((b: Tensor) => fn(b).sum())(a).sum())(x);
      const xs = [0.3, -0.6];
      await expectTensor(d2((a) => a.atan()), xs.map((v) => (-2 * v) / (1 + v * v) ** 2), { rtol: 1e-5 });
      await expectTensor(d2((a) => a.sinh()), xs.map(Math.sinh), { rtol: 1e-5 });
      await expectTensor(d2((a) => a.log1p()), xs.map((v) => -1 / (1 + v) ** 2), { rtol: 1e-5 });
    });
  });

  describe("fused chains", () => {
    const chains: [string, (x: Tensor) => Tensor, (v: number) => number][] = [
      ["x.atan().mul(2).add(1)", (x) => x.atan().mul(2).add(1), (v) => Math.atan(v) * 2 + 1],
      ["x.mul(0.5).asinh().sinh().sub(x)", (x) => x.mul(0.5).asinh().sinh().sub(x), (v) => Math.sinh(Math.asinh(v * 0.5)) - v],
      ["x.tanh().atanh().expm1().log1p()", (x) => x.tanh().atanh().expm1().log1p(), (v) => Math.log1p(Math.expm1(Math.atanh(Math.tanh(v))))],
      ["x.mul(0.3).asin().add(x.mul(0.3).acos()).tan().cosh()", (x) => x.mul(0.3).asin().add(x.mul(0.3).acos()).tan().mul(0.1).cosh(), (v) => Math.cosh(0.1 * Math.tan(Math.asin(0.3 * v) + Math.acos(0.3 * v)))],
      ["x.abs().add(1).acosh().atan2(x)", (x) => x.abs().add(1).acosh().atan2(x), (v) => Math.atan2(Math.acosh(Math.abs(v) + 1), v)],
    ];

    it("run as one kernel when evaluated eagerly, with each function's values", async () => {
      const xs = Float32Array.from({ length: 64 }, (_, i) => -3 + (6 * i) / 63);
      const backend = currentBackend() as unknown as { counters(): { dispatches: number } };
      for (const [name, f, ref] of chains) {
        const x = t.tensor(xs);
        const before = backend.counters().dispatches;
        const values = await f(x).data();
        // One kernel for the chain; the webgpu backend's readback copies count as nothing here.
        assert.equal(backend.counters().dispatches - before, 1, `${name}: kernels run`);
        assertClose(values, Array.from(xs, ref), 2e-6, 2e-6);
      }
    });

    it("give the same values under jit, called twice", async () => {
      for (const [name, f, ref] of chains) {
        const g = t.jit(f);
        for (const lo of [-3, -1]) {
          const xs = Float32Array.from({ length: 40 }, (_, i) => lo + (4 * i) / 39);
          const got = await g(t.tensor(xs)).data();
          try {
            assertClose(got, Array.from(xs, ref), 2e-6, 2e-6);
          } catch (e) {
            throw new Error(`${name} under jit: ${(e as Error).message}`);
          }
        }
        assert.equal(g.traces, 1);
      }
    });

    it("differentiate through a jitted fused chain", async () => {
      const loss = (x: Tensor) => x.atan().mul(2).add(x.asinh()).sum();
      const g = t.jit(t.grad(loss));
      const x = t.tensor([0.5, -1, 2]);
      await expectTensor(g(x), [0.5, -1, 2].map((v) => 2 / (1 + v * v) + 1 / Math.sqrt(v * v + 1)), { rtol: 1e-5 });
    });
  });
});
