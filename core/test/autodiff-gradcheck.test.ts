// Finite-difference gradient checks for every differentiable primitive and composite op,
// on both backends. Inputs stay away from kinks (relu/abs at 0, ties in max) where the
// derivative is not defined.

import { t, eachBackend, gradCheck } from "./helpers";
import type { Tensor } from "../src/index";

const away = () => t.tensor([[0.7, -1.3, 0.4], [-0.5, 1.1, -0.9]]);
const positive = () => t.tensor([[0.7, 1.3, 0.4], [2.5, 1.1, 0.9]]);

eachBackend("gradient check: unary", () => {
  const cases: [string, (x: Tensor) => Tensor, () => Tensor][] = [
    ["neg", (x) => x.neg(), away],
    ["abs", (x) => x.abs(), away],
    ["exp", (x) => x.exp(), away],
    ["log", (x) => x.log(), positive],
    ["sqrt", (x) => x.sqrt(), positive],
    ["rsqrt", (x) => x.rsqrt(), positive],
    ["sin", (x) => x.sin(), away],
    ["cos", (x) => x.cos(), away],
    ["tanh", (x) => x.tanh(), away],
    ["sigmoid", (x) => x.sigmoid(), away],
    ["relu", (x) => x.relu(), away],
    ["erf", (x) => x.erf(), away],
    ["reciprocal", (x) => x.reciprocal(), positive],
    ["square", (x) => x.square(), away],
    ["gelu", (x) => x.gelu(), away],
    ["softplus", (x) => x.softplus(), away],
    ["log1p", (x) => x.log1p(), positive],
    ["clip", (x) => x.clip(-0.6, 0.8), away],
    ["sign (zero gradient)", (x) => x.sign().mul(x), away],
    ["floor/ceil/round (zero gradient)", (x) => x.floor().add(x.ceil()).add(x.round()).add(x), () => t.tensor([[0.7, -1.3, 0.4], [-0.2, 1.1, -0.9]])],
  ];
  for (const [name, f, make] of cases) {
    it(name, async () => gradCheck((x) => f(x).mul(t.tensor([[1, 2, 3], [4, 5, 6]])).sum(), [make()]));
  }
});

eachBackend("gradient check: binary with broadcasting", () => {
  const a = () => t.tensor([[0.7, -1.3, 0.4], [-0.5, 1.1, -0.9]]);
  const b = () => t.tensor([0.3, 0.8, -1.7]);
  const w = () => t.tensor([[1, -2, 3], [0.5, 2, -1]]);
  const cases: [string, (x: Tensor, y: Tensor) => Tensor, () => Tensor, () => Tensor][] = [
    ["add", (x, y) => x.add(y), a, b],
    ["sub", (x, y) => x.sub(y), a, b],
    ["mul", (x, y) => x.mul(y), a, b],
    ["div", (x, y) => x.div(y), a, b],
    ["pow", (x, y) => x.pow(y), positive, b],
    ["maximum", (x, y) => x.maximum(y), a, b],
    ["minimum", (x, y) => x.minimum(y), a, b],
    ["mod", (x, y) => x.mod(y), a, () => t.tensor([0.45, 0.8, -0.6])],
    ["where", (x, y) => t.where(x.gt(0), x.mul(2), y), a, b],
    ["scalar on the left", (x, y) => t.sub(2, x).mul(y), a, b],
  ];
  for (const [name, f, x, y] of cases) {
    it(name, async () => gradCheck((p, q) => f(p, q).mul(w()).sum(), [x(), y()]));
  }
});

eachBackend("gradient check: reductions", () => {
  const x = () => t.tensor([[0.7, -1.3, 0.4, 2.0], [-0.5, 1.1, -0.9, 0.2], [0.3, 0.6, -2.2, 1.4]]);
  const w = (s: number[]) => t.arange(1, 1 + s.reduce((p, q) => p * q, 1)).astype("float32").reshape(s).mul(0.1);
  const cases: [string, (x: Tensor) => Tensor, number[]][] = [
    ["sum all", (v) => v.sum().mul(v.sum()), []],
    ["sum axis 0", (v) => v.sum(0), [4]],
    ["sum axes [0, -1] keepdims", (v) => v.sum([0, -1], { keepdims: true }), [1, 1]],
    ["prod axis 1", (v) => v.prod(1), [3]],
    ["max axis 1", (v) => v.max(1), [3]],
    ["min axis 0", (v) => v.min(0), [4]],
    ["max all", (v) => v.max(), []],
    ["mean axis -1", (v) => v.mean(-1), [3]],
    ["var axis 0", (v) => v.var(0), [4]],
    ["std axis 1 correction 1", (v) => v.std(1, { correction: 1 }), [3]],
    ["logsumexp axis 1", (v) => v.logsumexp(1), [3]],
    ["softmax axis 1", (v) => v.softmax(1), [3, 4]],
    ["logSoftmax axis 0", (v) => v.logSoftmax(0), [3, 4]],
  ];
  for (const [name, f, outShape] of cases) {
    it(name, async () => gradCheck((v) => f(v).mul(w(outShape)).sum(), [x()]));
  }
});

eachBackend("gradient check: matmul", () => {
  it("2-D", async () => gradCheck((a, b) => a.matmul(b).sin().sum(), [t.randn([3, 4]), t.randn([4, 2])]));
  it("batched with broadcast batch dims", async () =>
    gradCheck((a, b) => a.matmul(b).sin().sum(), [t.randn([2, 1, 3, 4]).mul(0.5), t.randn([3, 4, 2]).mul(0.5)]));
  it("vector cases", async () =>
    gradCheck((u, m, v) => u.matmul(m).matmul(v).add(u.dot(u)).add(m.matmul(v).sum()), [t.randn([3]), t.randn([3, 4]), t.randn([4])]));
  it("outer", async () => gradCheck((u, v) => u.outer(v).sin().sum(), [t.randn([3]), t.randn([2])]));
});

eachBackend("gradient check: layout and indexing", () => {
  const x = () => t.randn([2, 3, 4]);
  // Deterministic weights (f is evaluated many times and must be the same function each time).
  const w = (s: number[]) => t.arange(s.reduce((p, q) => p * q, 1)).astype("float32").reshape(s).mul(0.37).sin();
  const cases: [string, (x: Tensor) => Tensor][] = [
    ["reshape", (v) => v.reshape([4, -1]).mul(w([4, 6]))],
    ["permute", (v) => v.permute(2, 0, 1).mul(w([4, 2, 3]))],
    ["transpose", (v) => v.transpose(0, 2).mul(w([4, 3, 2]))],
    ["broadcastTo", (v) => v.sum(2, { keepdims: true }).broadcastTo([2, 3, 5]).mul(w([2, 3, 5]))],
    ["slice with step", (v) => v.index(":", "0:3:2", "1:").mul(w([2, 2, 3]))],
    ["index by number and new axis", (v) => v.index(1, null, -1).mul(w([1, 4]))],
    ["pad", (v) => v.pad([[1, 0], [0, 2], [1, 1]], 3).mul(w([3, 5, 6]))],
    ["concat", (v) => t.concat([v, v.mul(2), v.index(":", "0:1")], 1).mul(w([2, 7, 4]))],
    ["stack", (v) => t.stack([v, v.exp()], -1).mul(w([2, 3, 4, 2]))],
    ["split", (v) => v.split([1, 3], 2)[1].mul(w([2, 3, 3]))],
    ["take (gather) with repeats", (v) => v.take(t.tensor([0, 2, 2, -1]), 2).mul(w([2, 3, 4]))],
    ["take flat", (v) => v.take([5, 5, 23]).mul(w([3]))],
    ["gather twice (scatterAdd's gradient)", (v) => t.grad((u: Tensor) => u.take(t.tensor([1, 1, 0]), 1).sum())(v).mul(v)],
    ["astype float32 round trip", (v) => v.astype("float32").mul(w([2, 3, 4]))],
    ["flatten and squeeze", (v) => v.index(":", "0:1").squeeze(1).flatten().mul(w([8]))],
  ];
  for (const [name, f] of cases) {
    it(name, async () => gradCheck((v) => f(v).sum(), [x()]));
  }
});
