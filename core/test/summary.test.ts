// nn.summary: layer rows in call order with depths, output shapes and parameter counts; the
// table and its HTML; the layer where a shape mistake stops the forward pass; the model left
// exactly as it was; inputs given as tensors.

import { t, assert } from "./helpers";
import type { Tensor } from "../src/index";

const { nn } = t;

describe("nn.summary", () => {
  it("lists every layer a forward pass runs with its output shape and parameters, and the totals", () => {
    const model = new nn.Sequential(new nn.Conv2d(1, 16, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(16 * 14 * 14, 10));
    const s = nn.summary(model, [64, 1, 28, 28]);
    assert.deepEqual(
      s.rows.map((r) => [r.name, r.type, r.depth, r.output, r.params]),
      [
        ["", "Sequential", 0, [[64, 10]], 160 + 31370],
        ["layers.0", "Conv2d", 1, [[64, 16, 28, 28]], 160],
        ["layers.1", "ReLU", 1, [[64, 16, 28, 28]], 0],
        ["layers.2", "MaxPool2d", 1, [[64, 16, 14, 14]], 0],
        ["layers.3", "Flatten", 1, [[64, 3136]], 0],
        ["layers.4", "Linear", 1, [[64, 10]], 31370],
      ],
    );
    assert.equal(s.totalParams, 31530);
    const text = String(s);
    assert.match(text, /layers\.4: Linear +\[64, 10\] +31,370/);
    assert.match(text, /Total params: 31,530\nTrainable params: 31,530\nParameters and buffers: 0\.12 MB \(float32\)/);
    const bundle = (s as any)[t.displaySymbol]();
    assert.match(bundle["text/html"], /<td style="text-align: left; padding-left: 1.2em">layers.0: Conv2d<\/td><td style="text-align: left">\[64, 16, 28, 28\]<\/td><td>160<\/td>/);
  });

  it("marks the layer where the shapes stop fitting and keeps the layers before it", () => {
    const model = new nn.Sequential(new nn.Conv2d(1, 8, 5), new nn.ReLU(), new nn.Flatten(), new nn.Linear(784, 10));
    const s = nn.summary(model, [2, 1, 28, 28]);
    assert.equal(s.error?.name, "ShapeError");
    assert.match(String(s), /layers\.3: Linear +✗ failed here/);
    assert.match(String(s), /ShapeError: Linear\(784, 10\) expects inputs whose last dim is 784, got shape \[2, 4608\]/);
    assert.deepEqual(s.rows[3].output, [[2, 4608]]);
    // The model is untouched: no instrumented forward left behind, and it still runs.
    assert.ok(model.modules().every((m) => !Object.prototype.hasOwnProperty.call(m, "forward")));
    assert.deepEqual(model.forward(t.zeros([1, 1, 11, 18])).shape, [1, 10]); // 8 x 7 x 14 = 784 features
  });

  it("nests submodules of user models, takes tensors as inputs, and restores forward fields", () => {
    class Tagger extends nn.Module {
      embed = new nn.Embedding(20, 8);
      encoder = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true });
      head = new nn.Linear(8, 3);
      forward = (ids: Tensor) => this.head.forward(this.encoder.forward(this.embed.forward(ids)));
    }
    const model = new Tagger();
    const own = model.forward;
    const s = nn.summary(model, t.zeros([4, 6], { dtype: "int32" }));
    const byName = new Map(s.rows.map((r) => [r.name, r]));
    assert.deepEqual(byName.get("encoder.selfAttn")!.output, [[4, 6, 8]]);
    assert.equal(byName.get("encoder.selfAttn")!.depth, 2);
    assert.equal(byName.get("encoder.selfAttn.outProj")!.depth, 3);
    assert.deepEqual(byName.get("head")!.output, [[4, 6, 3]]);
    assert.equal(model.forward, own);
    assert.throws(() => nn.summary(model), /give the input shape, e.g. summary\(model, \[64, 1, 28, 28\]\)/);
  });
});
