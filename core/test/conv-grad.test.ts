// conv2d's hand-written gradient (customVjp): finite differences for input, weight and bias
// over strides, paddings (also wider than the kernel), odd sizes and several channels; equality
// with autodiff of the same conv as plain ops (conv2dComposite), first and second order; jit
// and backward() through it; and the customVjp mechanism on its own.

import { t, assert, eachBackend, gradCheck, assertClose } from "./helpers";
import { conv2dComposite } from "../src/nn/conv";
import { customVjp } from "../src/autodiff/custom";
import type { Tensor } from "../src/index";

const { nn } = t;

const seq = (n: number, mod: number, scale: number, shift: number) => Array.from({ length: n }, (_, i) => ((i * 7) % mod) * scale + shift);
const filled = (shape: number[], mod: number, scale: number, shift: number) =>
  t.tensor(seq(shape.reduce((a, b) => a * b, 1), mod, scale, shift), { dtype: "float32" }).reshape(shape);

interface Case {
  name: string;
  x: [number, number, number, number];
  w: [number, number, number, number];
  stride: [number, number];
  padding: [number, number];
}

const cases: Case[] = [
  { name: "3x3, stride 1, padding 1, 3 -> 4 channels", x: [2, 3, 7, 6], w: [4, 3, 3, 3], stride: [1, 1], padding: [1, 1] },
  { name: "3x2 kernel, strides 2x3 with rows left over, padding 1x0", x: [1, 2, 9, 8], w: [3, 2, 3, 2], stride: [2, 3], padding: [1, 0] },
  { name: "1x1 kernel, stride 2, padding wider than the kernel", x: [2, 1, 5, 5], w: [2, 1, 1, 1], stride: [2, 2], padding: [2, 1] },
  { name: "4x3 kernel, strides 3x2, padding 0x2", x: [1, 2, 6, 7], w: [2, 2, 4, 3], stride: [3, 2], padding: [0, 2] },
];

function operands(c: Case): [Tensor, Tensor, Tensor] {
  return [filled(c.x, 13, 0.15, -0.9), filled(c.w, 11, 0.1, -0.5), filled([c.w[0]], 5, 0.2, -0.4)];
}

type Conv = typeof conv2dComposite;
/** A scalar loss that weights every output differently, so every cotangent entry matters. */
const loss = (conv: Conv, c: Case) => (x: Tensor, w: Tensor, b: Tensor) => {
  const y = conv(x, w, b, c.stride, c.padding);
  return y.sin().mul(filled(y.shape, 7, 0.3, -0.8)).sum();
};

async function sameGrads(got: Tensor[], want: Tensor[]): Promise<void> {
  assert.equal(got.length, want.length);
  for (let i = 0; i < got.length; i++) {
    assert.deepEqual(got[i].shape, want[i].shape, `gradient ${i} shape`);
    assertClose(await got[i].data(), await want[i].data(), 1e-4, 1e-5);
  }
}

eachBackend("conv2d gradient", () => {
  for (const c of cases) {
    it(`matches finite differences: ${c.name}`, async () => {
      await gradCheck(loss(nn.conv2d, c), operands(c));
    });
    it(`equals autodiff of the composite conv: ${c.name}`, async () => {
      const argnums = [0, 1, 2];
      await sameGrads(t.grad(loss(nn.conv2d, c), { argnums })(...operands(c)), t.grad(loss(conv2dComposite, c), { argnums })(...operands(c)));
    });
  }

  it("second order (the gradient of a gradient norm) equals the composite's", async () => {
    const c = cases[1];
    // d/dw and d/dx of |d loss/dx|^2 + |d loss/dw|^2: differentiates both parts of the backward.
    const outer = (conv: Conv) => (x: Tensor, w: Tensor, b: Tensor) => {
      const [gx, gw] = t.grad(loss(conv, c), { argnums: [0, 1] })(x, w, b) as Tensor[];
      return gx.square().sum().add(gw.square().sum());
    };
    const argnums = [0, 1];
    await sameGrads(t.grad(outer(nn.conv2d), { argnums })(...operands(c)), t.grad(outer(conv2dComposite), { argnums })(...operands(c)));
  });

  it("jit(grad) replays the custom backward", async () => {
    const c = cases[0];
    const g = t.grad(loss(nn.conv2d, c), { argnums: [0, 1, 2] });
    const jg = t.jit((x: Tensor, w: Tensor, b: Tensor) => g(x, w, b) as Tensor[]);
    const want = g(...operands(c)) as Tensor[];
    jg(...operands(c));
    await sameGrads(jg(...operands(c)), want);
    assert.equal(jg.traces, 1);
  });

  it("backward() of a Conv2d module accumulates the composite's gradients", async () => {
    const conv = new nn.Conv2d(3, 4, 3, { stride: 2, padding: 1 });
    const x = filled([2, 3, 7, 6], 13, 0.15, -0.9);
    conv.forward(x).square().sum().backward();
    const want = t.grad(
      (w: Tensor, b: Tensor) => conv2dComposite(x, w, b, [2, 2], [1, 1]).square().sum(),
      { argnums: [0, 1] },
    )(conv.weight.detach(), conv.bias!.detach()) as Tensor[];
    await sameGrads([conv.weight.grad!, conv.bias!.grad!], want);
  });
});

describe("customVjp", () => {
  it("records one node whose gradient is the supplied backward, not the forward's", async () => {
    // A deliberately 'wrong' gradient shows which one autodiff used.
    const twice = (x: Tensor) => customVjp([x], () => x.mul(2), (g) => [g.mul(3)]);
    const x = t.tensor([1, 2, 3], { dtype: "float32" });
    assertClose(await (t.grad((v: Tensor) => twice(v).sum())(x) as Tensor).data(), [3, 3, 3]);
    assertClose(await twice(x).data(), [2, 4, 6]);
    // Nested: the backward is recorded, so the second derivative of x^2 via a custom square is 2.
    const sq = (v: Tensor) => customVjp([v], () => v.mul(v), (g) => [g.mul(v).mul(2)]);
    const d2 = t.grad((v: Tensor) => (t.grad((u: Tensor) => sq(u).sum())(v) as Tensor).sum())(x) as Tensor;
    assertClose(await d2.data(), [2, 2, 2]);
  });

  it("records nothing without grad and rejects a forward that returns an input", () => {
    const x = t.tensor([1, 2], { dtype: "float32" }).requiresGrad_();
    const y = t.noGrad(() => customVjp([x], () => x.mul(2), (g) => [g]));
    assert.equal(y.requiresGrad, false);
    assert.throws(() => customVjp([x], () => x, (g) => [g]), /customVjp: the forward must return a new tensor/);
  });
});
