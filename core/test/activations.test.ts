// The activation modules LeakyReLU, SiLU, Softmax and LogSoftmax: values against formulas
// evaluated here, gradients by finite differences.

import { t, assertClose, gradCheck, eachBackend, assert } from "./helpers";
import type { Tensor } from "../src/index";

const { nn } = t;

eachBackend("activation modules", () => {
  const xs = [-3, -0.5, 0, 0.25, 2, 7];
  it("LeakyReLU keeps positives and scales negatives by the slope", async () => {
    assertClose(await new nn.LeakyReLU().forward(t.tensor(xs, { dtype: "float32" })).data(), xs.map((v) => (v > 0 ? v : 0.01 * v)));
    assertClose(await new nn.LeakyReLU(0.2).forward(t.tensor(xs, { dtype: "float32" })).data(), xs.map((v) => (v > 0 ? v : 0.2 * v)));
    await gradCheck((v: Tensor) => new nn.LeakyReLU(0.2).forward(v).mul(t.tensor([1, -2, 3, 0.5, 2, -1])).sum(), [t.tensor([-1.5, -0.3, 0.7, 0.2, 1.1, -2], { dtype: "float32" })]);
    assert.equal(new nn.LeakyReLU(0.2).describe(), "LeakyReLU(negativeSlope=0.2)");
  });
  it("SiLU is x * sigmoid(x)", async () => {
    assertClose(await new nn.SiLU().forward(t.tensor(xs, { dtype: "float32" })).data(), xs.map((v) => v / (1 + Math.exp(-v))), 1e-5, 1e-6);
    await gradCheck((v: Tensor) => new nn.SiLU().forward(v).square().sum(), [t.randn([2, 3])]);
  });
  it("Softmax and LogSoftmax along a dim", async () => {
    const x = t.tensor([[1, 2, 3], [0, 0, 10]], { dtype: "float32" });
    const soft = (row: number[]) => row.map((v) => Math.exp(v) / row.reduce((s, u) => s + Math.exp(u), 0));
    assertClose(await new nn.Softmax(1).forward(x).data(), [...soft([1, 2, 3]), ...soft([0, 0, 10])], 1e-5, 1e-7);
    assertClose(await new nn.Softmax(0).forward(x).data(), [soft([1, 0])[0], soft([2, 0])[0], soft([3, 10])[0], soft([1, 0])[1], soft([2, 0])[1], soft([3, 10])[1]], 1e-5, 1e-7);
    assertClose(await new nn.LogSoftmax().forward(x).data(), [...soft([1, 2, 3]), ...soft([0, 0, 10])].map(Math.log), 1e-5, 1e-5);
    await gradCheck((v: Tensor) => new nn.LogSoftmax(1).forward(v).mul(t.tensor([[1, 0, 2], [0, 3, 1]])).sum(), [t.randn([2, 3])]);
  });
});
