// vjp, jacobian and hessian: known closed forms, finite differences, shapes, argnums, nesting
// under grad, and the error messages.

import { t, assert, assertClose, eachBackend, uniform } from "./helpers";
import type { Tensor } from "../src/index";

const { jacobian, hessian, vjp, grad } = t;

/** Central differences of f (any output shape) at x: [...f(x).shape, ...x.shape], row-major. */
async function numericJacobian(f: (x: Tensor) => Tensor, x: Tensor, eps = 1e-2): Promise<number[]> {
  const base = Array.from(await x.data());
  const cols: number[][] = [];
  for (let i = 0; i < base.length; i++) {
    const at = async (d: number) => {
      const v = Float32Array.from(base);
      v[i] += d;
      return Array.from(await t.noGrad(() => f(t.tensor(v, { dtype: "float32" }).reshape(x.shape))).data());
    };
    const [p, m] = [await at(eps), await at(-eps)];
    cols.push(p.map((pv, k) => (pv - m[k]) / (2 * eps)));
  }
  const rows = cols[0].length;
  const out: number[] = [];
  for (let r = 0; r < rows; r++) for (let c = 0; c < base.length; c++) out.push(cols[c][r]);
  return out;
}

eachBackend("jacobian", () => {
  it("of a linear map is its matrix, of an elementwise square a diagonal", async () => {
    const A = uniform([2, 3]);
    const J = jacobian((x: Tensor) => A.matmul(x))(uniform([3]));
    assert.deepEqual(J.shape, [2, 3]);
    assertClose(await J.data(), await A.data(), 1e-6, 1e-6);
    const x = t.tensor([1, -2, 3], { dtype: "float32" });
    const D = jacobian((v: Tensor) => v.square())(x);
    assertClose(await D.data(), [2, 0, 0, 0, -4, 0, 0, 0, 6]);
  });

  it("matches finite differences, with shape [...output, ...input]", async () => {
    const W = uniform([3, 2]);
    const f = (x: Tensor) => x.matmul(W).tanh().softmax(-1);
    const x = uniform([2, 3]);
    const J = jacobian(f)(x);
    assert.deepEqual(J.shape, [2, 2, 2, 3]);
    assertClose(await J.data(), await numericJacobian(f, x), 2e-2, 2e-3);
  });

  it("argnums: one Jacobian per argument; an output that does not depend on an argument gives zeros", async () => {
    const a = uniform([2]);
    const b = uniform([3]);
    const [ja, jb] = jacobian((u: Tensor, v: Tensor) => u.outer(v).flatten(), { argnums: [0, 1] })(a, b) as Tensor[];
    assert.deepEqual(ja.shape, [6, 2]);
    assert.deepEqual(jb.shape, [6, 3]);
    const [av, bv] = [Array.from(await a.data()), Array.from(await b.data())];
    // d(u_i v_j)/du_k = [i == k] v_j
    const wantA: number[] = [];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 2; k++) wantA.push(i === k ? bv[j] : 0);
    assertClose(await ja.data(), wantA);
    const wantB: number[] = [];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) wantB.push(j === k ? av[i] : 0);
    assertClose(await jb.data(), wantB);
    const z = jacobian((u: Tensor, v: Tensor) => u.mul(2), { argnums: 1 })(a, b);
    assert.deepEqual(z.shape, [2, 3]);
    assertClose(await z.data(), [0, 0, 0, 0, 0, 0]);
  });

  it("hessian of a quadratic form is A + A^T; of a loss, it matches differences of its gradient", async () => {
    const A = uniform([3, 3]);
    const H = hessian((x: Tensor) => x.dot(A.matmul(x)))(uniform([3]));
    assertClose(await H.data(), await A.add(A.T).data(), 1e-5, 1e-5);
    const W = uniform([3, 2]);
    const y = t.tensor([1]);
    const loss = (x: Tensor) => t.nn.crossEntropy(x.reshape([1, 3]).matmul(W).sigmoid().mul(3), y);
    const x = uniform([3]);
    const Hl = hessian(loss)(x);
    assert.deepEqual(Hl.shape, [3, 3]);
    assertClose(await Hl.data(), await numericJacobian(grad(loss), x), 3e-2, 3e-3);
  });

  it("vjp: the pullback gives cotangent-weighted gradients and can be called again", async () => {
    const x = uniform([3]);
    const y = uniform([3]);
    const [out, pull] = vjp((a: Tensor, b: Tensor) => a.mul(b).sin(), x, y);
    assertClose(await out.data(), await x.mul(y).sin().data());
    const ct = t.tensor([1, 0, 2], { dtype: "float32" });
    const [gx, gy] = pull(ct);
    const c = x.mul(y).cos();
    assertClose(await gx.data(), await ct.mul(c).mul(y).data(), 1e-5, 1e-6);
    assertClose(await gy.data(), await ct.mul(c).mul(x).data(), 1e-5, 1e-6);
    const [gx2] = pull(t.onesLike(out));
    assertClose(await gx2.data(), await c.mul(y).data(), 1e-5, 1e-6);
    assert.throws(() => pull(t.ones([2])), /vjp: the cotangent must have the result's shape \[3\]; got \[2\]/);
  });

  it("differentiates through a jacobian: grad of the trace of a Jacobian", async () => {
    // tr(d(sin(x) * s)/dx) = sum(cos(x) * s); its gradient is -sin(x) * s.
    const s = uniform([3]);
    const tr = (x: Tensor) => jacobian((v: Tensor) => v.sin().mul(s))(x).mul(t.eye(3)).sum();
    const x = uniform([3]);
    assertClose(await tr(x).data(), await x.cos().mul(s).sum().data(), 1e-5, 1e-6);
    assertClose(await grad(tr)(x).data(), await x.sin().neg().mul(s).data(), 1e-5, 1e-6);
  });

  it("explains mistakes", () => {
    assert.throws(() => jacobian((x: Tensor) => x)(3 as unknown as Tensor), /jacobian: argument 0 must be a tensor, got number/);
    assert.throws(() => jacobian((x: Tensor) => x.gt(0))(uniform([2])), /vjp: the function returned a bool tensor; only float32 results have gradients/);
    assert.throws(() => hessian((x: Tensor) => x.sum(), { argnums: [0] as unknown as number })(uniform([2])), /hessian: argnums must be one argument index/);
    assert.throws(() => vjp((x: Tensor) => x, t.tensor([1, 2])), /vjp: primal 0 has dtype int32/);
  });
});
