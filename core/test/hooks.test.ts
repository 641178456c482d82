// Gradient hooks and retainGrad on tensors, forward hooks on modules: what they see, what
// replacing a value does, that removing them restores the module, that kept activations
// survive backward(), and the error messages.

import { t, assert, assertClose, eachBackend, uniform } from "./helpers";
import type { Tensor } from "../src/index";

const { nn } = t;

eachBackend("gradient hooks", () => {
  it("a hook sees the whole gradient of an intermediate (every use summed) and can replace it", async () => {
    const x = t.tensor([1, 2, 3], { dtype: "float32" }).requiresGrad_();
    const h = x.mul(2); // used twice below: dL/dh = 3 + 2h
    const seen: Tensor[] = [];
    const norms: Tensor[] = [];
    const handle = h.registerHook((g) => {
      seen.push(g); // kept past backward(), which frees the other gradients it computed
      norms.push(g.norm());
    });
    h.mul(3).add(h.square()).sum().backward({ retainGraph: true });
    assert.equal(seen.length, 1, "called once, with the sum of both uses");
    assertClose(await seen[0].data(), [7, 11, 15]);
    assertClose(await norms[0].data(), [Math.hypot(7, 11, 15)], 1e-5);
    assertClose(await x.grad!.data(), [14, 22, 30]);

    handle.remove();
    x.grad = null;
    const doubled = h.registerHook((g) => g.mul(2));
    h.mul(3).add(h.square()).sum().backward();
    assert.equal(seen.length, 1, "the removed hook is not called");
    assertClose(await x.grad!.data(), [28, 44, 60], 1e-6, 1e-6);
    doubled.remove();
    doubled.remove(); // twice is harmless
  });

  it("hooks on a leaf run under backward() and grad(); hooks chain in order", async () => {
    const w = t.tensor([1, -1], { dtype: "float32" }).requiresGrad_();
    w.registerHook((g) => g.add(1));
    w.registerHook((g) => g.mul(10));
    w.mul(w).sum().backward(); // 2w, then +1, then *10
    assertClose(await w.grad!.data(), [30, -10]);
    const y = t.tensor([0.5], { dtype: "float32" });
    const g = t.grad((a: Tensor) => {
      const s = a.sin();
      s.registerHook((gs) => gs.mul(0)); // stops the gradient through s
      return s.add(a.mul(3)).sum();
    })(y) as Tensor;
    assertClose(await g.data(), [3]);
  });

  it("retainGrad fills .grad of an intermediate; without it, only leaves get one", async () => {
    const x = t.tensor([[1, 2], [3, 4]], { dtype: "float32" }).requiresGrad_();
    const h = x.square().retainGrad();
    const other = x.exp();
    h.mul(other.detach()).sum().backward();
    assertClose(await h.grad!.data(), Array.from(await other.data()), 1e-6, 1e-6);
    assert.equal(other.grad, null);
  });

  it("says what is wrong", () => {
    const c = t.tensor([1, 2], { dtype: "float32" });
    assert.throws(() => c.registerHook((g) => g), /registerHook: this tensor does not require gradients, so no gradient will reach the hook/);
    assert.throws(() => c.retainGrad(), /retainGrad: this tensor does not require gradients/);
    const x = t.tensor([1, 2], { dtype: "float32" }).requiresGrad_();
    const h = x.mul(2);
    h.registerHook(() => t.zeros([3]));
    assert.throws(() => h.sum().backward(), /a gradient hook must return nothing or a tensor of the gradient's shape \[2\]; it returned shape \[3\]/);
  });
});

eachBackend("forward hooks", () => {
  it("record every layer's activations in a Sequential, and what they keep survives backward()", async () => {
    const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3));
    const acts: Tensor[] = [];
    const names: string[] = [];
    const handles = model.layers.map((layer) =>
      layer.registerForwardHook((m, inputs, out) => {
        names.push(m.describe().split("(")[0]);
        assert.equal(inputs.length, 1);
        acts.push(out);
      }),
    );
    const x = uniform([5, 4]);
    const loss = model.call(x).square().mean();
    loss.backward(); // frees the Sequential's intermediates, except what the hooks kept
    assert.deepEqual(names, ["Linear", "ReLU", "Linear"]);
    const l0 = model.layers[0] as InstanceType<typeof nn.Linear>;
    const want0 = x.matmul(l0.weight.T).add(l0.bias!);
    assertClose(await acts[0].data(), await want0.data(), 1e-5, 1e-6);
    assertClose(await acts[1].data(), await want0.relu().data(), 1e-5, 1e-6);
    for (const h of handles) h.remove();
    assert.ok(!Object.prototype.hasOwnProperty.call(model.layers[0], "forward"), "removing the last hook restores the class's forward");
    assertClose(await acts[2].data(), await model.call(x).data(), 1e-5, 1e-6);
    assert.equal(names.length, 3, "removed hooks are not called");
  });

  it("a hook's return replaces the output; a pre-hook's replaces the inputs; clones have no hooks", async () => {
    const lin = new nn.Linear(2, 2);
    const x = uniform([3, 2]);
    const plain = await lin.call(x).data();
    const post = lin.registerForwardHook((_m, _i, out) => out.mul(0).add(7));
    assertClose(await lin.call(x).data(), new Array(6).fill(7));
    post.remove();
    const pre = lin.registerForwardPreHook((_m, [input]) => [input.mul(2)]);
    const twice = await lin.call(x.mul(0.5)).data();
    assertClose(twice, plain, 1e-5, 1e-6);
    const copy = lin.clone();
    assertClose(await copy.call(x).data(), plain, 1e-5, 1e-6);
    pre.remove();
    assert.throws(() => lin.registerForwardHook(42 as any), /registerForwardHook: expected a function, got number/);
    assert.throws(() => {
      const h = lin.registerForwardPreHook(() => 5 as any);
      try {
        lin.call(x);
      } finally {
        h.remove();
      }
    }, /a forward pre-hook must return nothing or an array of inputs; it returned number/);
  });

  it("nn.summary still works on a model with hooks, and the hooks run", () => {
    const model = new nn.Sequential(new nn.Linear(4, 3), new nn.Tanh());
    let calls = 0;
    model.layers[1].registerForwardHook(() => {
      calls++;
    });
    const s = t.nn.summary(model, [2, 4]);
    assert.deepEqual(s.rows.map((r) => r.output), [[[2, 3]], [[2, 3]], [[2, 3]]]);
    assert.equal(calls, 1);
  });
});
