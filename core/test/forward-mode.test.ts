// Forward-mode derivatives (jvp, linearize, jacfwd, hvp) against closed forms, finite
// differences and the reverse-mode Jacobian, and their error messages.

import { t, assert, assertClose, eachBackend, uniform } from "./helpers";
import type { Tensor } from "../src/index";

const { jvp, linearize, jacfwd, jacobian, hvp } = t;

eachBackend("forward mode", () => {
  it("jvp of sin is cos times the tangent; of a matrix product, the product with the tangent", async () => {
    const x = t.tensor([0, 0.5, 1, -2], { dtype: "float32" });
    const v = t.tensor([1, 2, -1, 0.5], { dtype: "float32" });
    const [y, dy] = jvp((a: Tensor) => a.sin(), [x], [v]);
    const xs = [0, 0.5, 1, -2];
    const vs = [1, 2, -1, 0.5];
    assertClose(await y.data(), xs.map(Math.sin));
    assertClose(await dy.data(), xs.map((a, i) => Math.cos(a) * vs[i]), 1e-5, 1e-6);

    const A = uniform([3, 4]);
    const B = uniform([4, 2]);
    const tA = uniform([3, 4]);
    const tB = uniform([4, 2]);
    // d(AB) = dA B + A dB
    const [, dAB] = jvp((a: Tensor, b: Tensor) => a.matmul(b), [A, B], [tA, tB]);
    const want = tA.matmul(B).add(A.matmul(tB));
    assertClose(await dAB.data(), await want.data(), 1e-5, 1e-5);
  });

  it("jvp matches a central difference along the tangent for a small network", async () => {
    const W = uniform([3, 5]);
    const f = (x: Tensor) => x.matmul(W).tanh().softmax(-1).mul(t.arange(5).astype("float32")).sum(-1);
    const x = uniform([2, 3]);
    const v = uniform([2, 3]);
    const [, dy] = jvp(f, [x], [v]);
    const eps = 1e-2;
    const plus = await t.noGrad(() => f(x.add(v.mul(eps)))).data();
    const minus = await t.noGrad(() => f(x.sub(v.mul(eps)))).data();
    const numeric = Array.from(plus).map((p, i) => (p - minus[i]) / (2 * eps));
    assertClose(await dy.data(), numeric, 2e-2, 2e-3);
  });

  it("linearize runs f once and gives J·t for many tangents; jacfwd equals the reverse-mode Jacobian", async () => {
    const W = uniform([3, 2]);
    const f = (x: Tensor) => x.matmul(W).exp();
    const x = uniform([4, 3]);
    let calls = 0;
    const [y, lin] = linearize((a: Tensor) => {
      calls++;
      return f(a);
    }, x);
    assertClose(await y.data(), await f(x).data(), 1e-6, 1e-6);
    const J = jacobian(f)(x); // [4, 2, 4, 3]
    for (let k = 0; k < 3; k++) {
      const tangent = uniform([4, 3]);
      const want = J.reshape([8, 12]).matmul(tangent.reshape([12]));
      assertClose(await lin(tangent).data(), await want.data(), 1e-4, 1e-5);
    }
    assert.equal(calls, 1, "f ran once");
    const Jf = jacfwd(f)(x);
    assert.deepEqual(Jf.shape, [4, 2, 4, 3]);
    assertClose(await Jf.data(), await J.data(), 1e-4, 1e-5);
  });

  it("hvp is the Hessian times a vector, and jvp nests under grad", async () => {
    // f(x) = sum(x^3): Hessian diag(6x), so H v = 6 x v.
    const x = t.tensor([1, -2, 0.5], { dtype: "float32" });
    const v = t.tensor([2, 1, -4], { dtype: "float32" });
    const hv = hvp((a: Tensor) => a.pow(3).sum(), [x], [v]);
    assertClose(await hv.data(), [12, -12, -12], 1e-5, 1e-5);
    // d/dx of the directional derivative <cos(x), v> = -sin(x) v
    const g = t.grad((a: Tensor) => jvp((b: Tensor) => b.sin(), [a], [v])[1].sum())(x) as Tensor;
    assertClose(await g.data(), [1, -2, 0.5].map((a, i) => -Math.sin(a) * [2, 1, -4][i]), 1e-5, 1e-5);
  });

  it("says what is wrong with the tangents", () => {
    const x = uniform([2, 3]);
    assert.throws(() => jvp((a: Tensor) => a.exp(), [x], [uniform([3, 2])]), /jvp: tangent 0 has shape \[3, 2\] but its primal has shape \[2, 3\]; they must match/);
    assert.throws(() => jvp((a: Tensor) => a.exp(), [x], []), /jvp: got 1 primal\(s\) but 0 tangent\(s\)/);
    assert.throws(() => (jvp as any)((a: Tensor) => a.exp(), x, x), /pass the primals and the tangents as arrays, as JAX does: jvp\(f, \[x\], \[v\]\)/);
    const [, lin] = linearize((a: Tensor) => a.exp(), x);
    assert.throws(() => lin(uniform([2])), /linearize: tangent 0 has shape \[2\]/);
  });
});
