// Autodiff behaviour: grad/valueAndGrad over trees of tensors, higher-order derivatives,
// PyTorch-style backward/.grad, noGrad, detach, and the error messages of misuse.

import { t, assert, expectTensor, eachBackend } from "./helpers";
import type { Tensor } from "../src/index";

eachBackend("grad and valueAndGrad", () => {
  it("grad of x^2 summed is 2x", async () => {
    const g = t.grad((x: Tensor) => x.mul(x).sum())(t.tensor([1, -2, 3.5]));
    await expectTensor(g, [2, -4, 7], { shape: [3], dtype: "float32" });
  });

  it("valueAndGrad returns the value and gradients for several argnums", async () => {
    const f = (w: Tensor, b: Tensor, x: Tensor) => x.matmul(w).add(b).square().mean();
    const w = t.tensor([[1], [2]]).astype("float32");
    const b = t.tensor([0.5]);
    const x = t.tensor([[1, 0], [0, 1], [1, 1]]).astype("float32");
    const [value, [gw, gb]] = t.valueAndGrad(f, { argnums: [0, 1] })(w, b, x);
    // predictions 1.5, 2.5, 3.5 -> mean of squares = (2.25 + 6.25 + 12.25) / 3
    await expectTensor(value, [20.75 / 3], { shape: [] });
    // d/db = 2 * mean(pred) = 5; d/dw = 2/3 * x^T pred = 2/3 * [5, 6]
    await expectTensor(gb, [5], { shape: [1] });
    await expectTensor(gw, [[10 / 3], [4]], { shape: [2, 1] });
  });

  it("differentiates with respect to objects and arrays of tensors", async () => {
    const params = { w: t.tensor([2.0, 3.5]), layers: [t.tensor([[1.5]])] };
    const f = (p: { w: Tensor; layers: Tensor[] }) => p.w.mul(p.w).sum().add(p.layers[0].mul(3).sum());
    const g = t.grad(f)(params);
    await expectTensor(g.w, [4, 7]);
    await expectTensor(g.layers[0], [[3]]);
  });

  it("gives zeros for an argument that does not affect the result", async () => {
    const g = t.grad((a: Tensor, _b: Tensor) => a.sum(), { argnums: 1 })(t.tensor([1.5]), t.tensor([[1.5, 2.5]]));
    await expectTensor(g, [[0, 0]], { shape: [1, 2] });
  });

  it("higher order: grad(grad(f)) of x^3 is 6x, and a third derivative is 6", async () => {
    const f = (x: Tensor) => x.mul(x).mul(x).sum();
    const d1 = t.grad(f);
    const d2 = t.grad((x: Tensor) => d1(x).sum());
    const d3 = t.grad((x: Tensor) => d2(x).sum());
    await expectTensor(d2(t.tensor([2, -1], { dtype: "float32" })), [12, -6]);
    await expectTensor(d3(t.tensor([2, -1], { dtype: "float32" })), [6, 6]);
  });

  it("higher order through tanh: d2/dx2 tanh(x) = -2 tanh(x) (1 - tanh(x)^2)", async () => {
    const x = 0.6;
    const d2 = t.grad((v: Tensor) => t.grad((u: Tensor) => u.tanh().sum())(v).sum())(t.tensor([x]));
    const th = Math.tanh(x);
    await expectTensor(d2, [-2 * th * (1 - th * th)], { rtol: 1e-4 });
  });

  it("rejects a function that does not return a single value", () => {
    assert.throws(() => t.grad((x: Tensor) => x.mul(2))(t.tensor([1.5, 2.5])), /single value.*shape \[2\].*\.sum\(\) or \.mean\(\)/);
  });

  it("rejects int arguments", () => {
    assert.throws(() => t.grad((x: Tensor) => x.sum())(t.tensor([1, 2])), /argument 0 has dtype int32; only float32/);
  });
});

eachBackend("backward and .grad", () => {
  it("fills .grad of leaves and accumulates over calls", async () => {
    const w = t.tensor([1, 2, 3], { dtype: "float32" }).requiresGrad_();
    const loss = w.mul(w).sum();
    loss.backward();
    await expectTensor(w.grad!, [2, 4, 6]);
    w.mul(3).sum().backward();
    await expectTensor(w.grad!, [5, 7, 9]);
  });

  it("broadcast parameters get gradients of their own shape", async () => {
    const b = t.tensor([0.5, -0.5]).requiresGrad_();
    const x = t.ones([4, 2]);
    x.add(b).sum().backward();
    await expectTensor(b.grad!, [4, 4], { shape: [2] });
  });

  it("noGrad records nothing; detach cuts the graph", async () => {
    const w = t.tensor([1, 2], { dtype: "float32" }).requiresGrad_();
    const y = t.noGrad(() => w.mul(2));
    assert.equal(y.requiresGrad, false);
    const z = w.mul(2).detach();
    assert.equal(z.requiresGrad, false);
    const loss = w.mul(z).sum();
    loss.backward();
    await expectTensor(w.grad!, [2, 4]);
  });

  it("explains backward() on a non-scalar and on a tensor without requiresGrad", () => {
    const w = t.tensor([1, 2], { dtype: "float32" }).requiresGrad_();
    assert.throws(() => w.mul(2).backward(), /shape \[2\].*loss\.mean\(\)\.backward\(\)/);
    assert.throws(() => t.tensor([1.5]).backward(), /does not depend on any tensor with requiresGrad/);
    assert.throws(() => t.tensor([1, 2]).requiresGrad_(), /only float32 tensors can require gradients/);
  });

  it("a small linear regression converges with backward and manual SGD", async () => {
    t.manualSeed(1);
    const x = t.randn([64, 3]);
    const trueW = t.tensor([[2.0], [-1.0], [0.5]]);
    const y = x.matmul(trueW).add(0.25);
    let w = t.zeros([3, 1]).requiresGrad_();
    let b = t.zeros([1]).requiresGrad_();
    for (let step = 0; step < 200; step++) {
      const loss = x.matmul(w).add(b).sub(y).square().mean();
      loss.backward();
      w = t.noGrad(() => w.sub(w.grad!.mul(0.1))).requiresGrad_();
      b = t.noGrad(() => b.sub(b.grad!.mul(0.1))).requiresGrad_();
    }
    await expectTensor(w, [[2], [-1], [0.5]], { atol: 1e-3, rtol: 1e-3 });
    await expectTensor(b, [0.25], { atol: 1e-3 });
  });
});

eachBackend("mixed higher-order derivatives", () => {
  it("d/dθ of d/dx (x θ) is 1, and d/dθ of d/dx (x^2 θ^3) is 6 x θ^2", async () => {
    const x = t.tensor(2.5);
    const th = t.tensor(3.5);
    await expectTensor(t.grad(t.grad((a: Tensor, b: Tensor) => a.mul(b)), { argnums: 1 })(x, th), [1]);
    const f = (a: Tensor, b: Tensor) => a.square().mul(b.pow(3));
    await expectTensor(t.grad(t.grad(f), { argnums: 1 })(x, th), [6 * 2.5 * 3.5 ** 2], { rtol: 1e-5 });
  });

  it("an outer variable captured by the function is differentiated through the inner grad", async () => {
    const outer = (th: Tensor) => t.grad((a: Tensor) => a.mul(a).mul(th).sum())(t.tensor([1.5, 2.5])).sum();
    // inner: 2 a θ summed = 2 θ (1.5 + 2.5) = 8 θ, so the outer derivative is 8
    await expectTensor(t.grad(outer)(t.tensor(0.7)), [8], { rtol: 1e-5 });
  });
});
