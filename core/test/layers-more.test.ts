// Activations (ELU, Softplus, Mish, Hardtanh, ReLU6, PReLU, GLU, Hardswish, Hardsigmoid,
// Softsign, Tanhshrink), GroupNorm, InstanceNorm2d, interpolate/Upsample, Dropout2d and
// PixelShuffle: values against float64 transcriptions of PyTorch's formulas written here,
// gradients by finite differences, errors, printing, nn.summary and a jitted training step.

import { t, assert, assertClose, gradCheck, eachBackend, uniform } from "./helpers";
import type { Tensor } from "../src/index";

const { nn } = t;

type Img = number[][][][];

/** torch's upsample_nearest2d / upsample_bilinear2d (UpSample.h), in float64. */
function interpRef(x: Img, out: [number, number], mode: "nearest" | "bilinear", align: boolean, factors?: [number, number]): Img {
  const [h, w] = [x[0][0].length, x[0][0][0].length];
  const src = (d: number, size: number, o: number, f?: number) => {
    const scale = f !== undefined ? 1 / f : size / o;
    if (mode === "nearest") return Math.min(Math.floor(d * scale), size - 1);
    if (align) return o > 1 ? (d * (size - 1)) / (o - 1) : 0;
    return Math.max(scale * (d + 0.5) - 0.5, 0);
  };
  return x.map((img) =>
    img.map((ch) =>
      Array.from({ length: out[0] }, (_, i) =>
        Array.from({ length: out[1] }, (_, j) => {
          const sh = src(i, h, out[0], factors?.[0]);
          const sw = src(j, w, out[1], factors?.[1]);
          if (mode === "nearest") return ch[sh][sw];
          const h0 = Math.floor(sh);
          const w0 = Math.floor(sw);
          const h1 = Math.min(h0 + 1, h - 1);
          const w1 = Math.min(w0 + 1, w - 1);
          const lh = sh - h0;
          const lw = sw - w0;
          return (1 - lh) * ((1 - lw) * ch[h0][w0] + lw * ch[h0][w1]) + lh * ((1 - lw) * ch[h1][w0] + lw * ch[h1][w1]);
        }),
      ),
    ),
  );
}

/** GroupNorm of one sample's [C, ...] flattened per channel: groups of C / g channels. */
function groupNormRef(x: number[][], g: number, weight: number[], bias: number[], eps = 1e-5): number[][] {
  const per = x.length / g;
  const out: number[][] = [];
  for (let k = 0; k < g; k++) {
    const vals = x.slice(k * per, (k + 1) * per).flat();
    const mu = vals.reduce((s, v) => s + v, 0) / vals.length;
    const v = vals.reduce((s, e) => s + (e - mu) ** 2, 0) / vals.length;
    for (let c = k * per; c < (k + 1) * per; c++) out.push(x[c].map((e) => ((e - mu) / Math.sqrt(v + eps)) * weight[c] + bias[c]));
  }
  return out;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const softplusRef = (v: number, beta = 1, threshold = 20) => (v * beta > threshold ? v : Math.log1p(Math.exp(beta * v)) / beta);
const relu6Ref = (v: number) => Math.min(Math.max(v, 0), 6);

eachBackend("activations", () => {
  const xs = [-25, -3.5, -1, -0.3, 0, 0.4, 1, 2.5, 3, 6.5, 30]; // 3: beta x = 6 passes threshold 5
  const cases: [string, (x: Tensor) => Tensor, t.nn.Module, (v: number) => number][] = [
    ["elu", (x) => nn.elu(x, 0.7), new nn.ELU(0.7), (v) => (v > 0 ? v : 0.7 * Math.expm1(v))],
    ["softplus", (x) => nn.softplus(x), new nn.Softplus(), (v) => softplusRef(v)],
    ["softplus beta 2 threshold 5", (x) => nn.softplus(x, 2, 5), new nn.Softplus(2, 5), (v) => softplusRef(v, 2, 5)],
    ["mish", nn.mish, new nn.Mish(), (v) => v * Math.tanh(softplusRef(v))],
    ["hardtanh", (x) => nn.hardtanh(x, -2, 1.5), new nn.Hardtanh(-2, 1.5), (v) => Math.min(Math.max(v, -2), 1.5)],
    ["relu6", nn.relu6, new nn.ReLU6(), relu6Ref],
    ["hardswish", nn.hardswish, new nn.Hardswish(), (v) => (v * relu6Ref(v + 3)) / 6],
    ["hardsigmoid", nn.hardsigmoid, new nn.Hardsigmoid(), (v) => relu6Ref(v + 3) / 6],
    ["softsign", nn.softsign, new nn.Softsign(), (v) => v / (1 + Math.abs(v))],
    ["tanhshrink", nn.tanhshrink, new nn.Tanhshrink(), (v) => v - Math.tanh(v)],
  ];
  // Points 0.1 or more from every kink (0, +-1, +-3, 6, the thresholds) for the differences.
  const smooth = [-2.6, -1.3, -0.55, 0.35, 0.8, 2.2, 3.4, 5.2, 7];

  for (const [name, fn, layer, ref] of cases) {
    it(`${name}: function and layer against the formula, and its gradient`, async () => {
      assertClose(await fn(t.tensor(xs)).data(), xs.map(ref), 1e-5, 1e-6);
      assertClose(await layer.forward(t.tensor([xs])).data(), xs.map(ref), 1e-5, 1e-6);
      await gradCheck((x) => fn(x).sum(), [t.tensor(smooth)]);
    });
  }

  it("softplus and mish have the exact gradient at 0 (sigmoid(0) = 0.5)", async () => {
    const g = t.grad((x: Tensor) => nn.softplus(x).sum())(t.zeros([2]));
    assertClose(await g.data(), [0.5, 0.5], 1e-6, 1e-7);
    const gm = t.grad((x: Tensor) => nn.mish(x).sum())(t.zeros([1]));
    assertClose(await gm.data(), [Math.tanh(Math.log(2))], 1e-6, 1e-7);
    assertClose(await t.grad((x: Tensor) => x.softplus().sum())(t.zeros([1])).data(), [0.5], 1e-6, 1e-7);
  });

  it("PReLU: a learned slope named weight (one, or one per channel of axis 1), init 0.25", async () => {
    const one = new nn.PReLU();
    assert.deepEqual(Object.keys(one.stateDict({ names: "pytorch" })), ["weight"]);
    assertClose(await one.weight.data(), [0.25]);
    assertClose(await one.forward(t.tensor([-2, 3])).data(), [-0.5, 3]);
    const per = new nn.PReLU(3, 0.1);
    per.weight.assign(t.tensor([0.1, 0.2, 0.3]));
    const x = t.tensor([[[-1, 2], [-1, -2], [4, -10]]]); // [1, 3, 2]
    assertClose(await per.forward(x).data(), [-0.1, 2, -0.2, -0.4, 4, -3]);
    assert.equal(per.toString(), "PReLU(numParameters=3)");
    assert.throws(() => per.forward(t.zeros([2, 4])), /prelu: weight of shape \[3\] needs 1 entry or one per channel; input \[2, 4\] has 4 channels \(axis 1\)/);
    assert.throws(() => new nn.PReLU(0), /PReLU: numParameters must be a positive integer, got 0/);
    await gradCheck((a, w) => nn.prelu(a, w).sum(), [t.tensor([[-1.5, 2], [0.5, -0.7], [1.2, -2]]).reshape([1, 3, 2]), t.tensor([0.1, 0.2, 0.3])]);
  });

  it("GLU: first half times the sigmoid of the second; odd sizes and bad options are errors", async () => {
    const x = [[1, -2, 0.5, 3], [0, 1, -1, 2]];
    const want = x.map((r) => [r[0] * sigmoid(r[2]), r[1] * sigmoid(r[3])]).flat();
    assertClose(await new nn.GLU().forward(t.tensor(x)).data(), want, 1e-5, 1e-6);
    const down = nn.glu(t.tensor(x), 0);
    assertClose(await down.data(), x[0].map((v, i) => v * sigmoid(x[1][i])), 1e-5, 1e-6);
    assert.throws(() => nn.glu(t.zeros([2, 3])), /glu: the size of dim -1 must be even to halve it, got 3 \(input \[2, 3\]\)/);
    assert.throws(() => new nn.ELU(NaN), /ELU: alpha must be a finite number, got NaN/);
    assert.throws(() => new nn.Hardtanh(2, 1), /Hardtanh: minVal \(2\) must not exceed maxVal \(1\)/);
    assert.throws(() => nn.softplus(t.zeros([1]), 0), /softplus: beta must be nonzero, got 0/);
    await gradCheck((a) => nn.glu(a, 1).sum(), [t.tensor([[1, -2, 0.5, 3], [0, 1, -1, 2]])]);
  });
});

eachBackend("GroupNorm and InstanceNorm2d", () => {
  it("GroupNorm against the formula, with a learned scale and shift; describe(); errors", async () => {
    t.manualSeed(11);
    const x = uniform([2, 6, 2, 3], -2, 3);
    const m = new nn.GroupNorm(3, 6);
    m.weight!.assign(t.tensor([1, 2, 0.5, -1, 1.5, 0.3]));
    m.bias!.assign(t.tensor([0, 0.1, -0.2, 0.3, 0, 1]));
    const xs = (await x.array()) as Img;
    const want = xs.map((s) => groupNormRef(s.map((c) => c.flat()), 3, [1, 2, 0.5, -1, 1.5, 0.3], [0, 0.1, -0.2, 0.3, 0, 1]));
    assertClose(await m.forward(x).data(), want.flat(2), 1e-4, 1e-5);
    // One group is LayerNorm over [C, H, W]; C groups is InstanceNorm.
    const ln = new nn.GroupNorm(1, 6, { affine: false });
    assert.equal(ln.weight, null);
    assertClose(await ln.forward(x).data(), xs.map((s) => groupNormRef(s.map((c) => c.flat()), 1, Array(6).fill(1), Array(6).fill(0))).flat(2), 1e-4, 1e-5);
    assert.equal(m.toString(), "GroupNorm(3, 6, eps=0.00001, affine=true)");
    assert.deepEqual(Object.keys(m.stateDict({ names: "pytorch" })), ["weight", "bias"]);
    assert.throws(() => new nn.GroupNorm(4, 6), /GroupNorm: numChannels \(6\) must be divisible by numGroups \(4\)/);
    assert.throws(() => m.forward(t.zeros([2, 4, 3])), /GroupNorm\(3, 6\) expects input \[N, C, \.\.\.\] with C = 6, got shape \[2, 4, 3\]/);
    // Gradients for the input, the scale and the shift.
    await gradCheck(
      (a, w, b) => {
        m.weight = w;
        m.bias = b;
        return m.forward(a).mul(t.tensor([1, -2, 0.5, 3, 1, 2]).reshape([1, 6, 1])).sum();
      },
      [uniform([2, 6, 3], -1, 1), t.tensor([1, 2, 0.5, -1, 1.5, 0.3]), t.tensor([0, 0.1, -0.2, 0.3, 0, 1])],
    );
  });

  it("InstanceNorm2d: each image's channel over H and W; no parameters or statistics by default", async () => {
    t.manualSeed(12);
    const x = uniform([2, 3, 3, 4], -1, 2);
    const m = new nn.InstanceNorm2d(3);
    assert.deepEqual(m.parameters(), []);
    assert.deepEqual(m.namedBuffers(), []);
    const xs = (await x.array()) as Img;
    const want = xs.map((s) => groupNormRef(s.map((c) => c.flat()), 3, [1, 1, 1], [0, 0, 0])).flat(2);
    assertClose(await m.forward(x).data(), want, 1e-4, 1e-5);
    m.eval();
    assertClose(await m.forward(x).data(), want, 1e-4, 1e-5);
    assertClose(await m.forward(x.index(0)).data(), want.slice(0, 36), 1e-4, 1e-5);
    assert.equal(m.toString(), "InstanceNorm2d(3, eps=0.00001, momentum=0.1, affine=false, trackRunningStats=false)");
    assert.throws(() => m.forward(t.zeros([2, 4, 3, 3])), /InstanceNorm2d\(3\) expects input \[N, C, H, W\] or \[C, H, W\] with C = 3, got shape \[2, 4, 3, 3\]/);
    await gradCheck((a) => new nn.InstanceNorm2d(2).forward(a).mul(t.tensor([1, 2, -1, 0.5]).reshape([1, 1, 2, 2])).sum(), [uniform([2, 2, 2, 2])]);
  });

  it("InstanceNorm2d with trackRunningStats: PyTorch's running estimates, used in eval mode", async () => {
    t.manualSeed(13);
    const x = uniform([2, 2, 2, 3], -1, 2);
    const m = new nn.InstanceNorm2d(2, { trackRunningStats: true, affine: true, momentum: 0.2 });
    m.forward(x);
    const xs = (await x.array()) as Img;
    const stats = [0, 1].map((c) => {
      const per = xs.map((s) => {
        const v = s[c].flat();
        const mu = v.reduce((a, b) => a + b, 0) / v.length;
        return [mu, v.reduce((a, b) => a + (b - mu) ** 2, 0) / (v.length - 1)];
      });
      return [per.reduce((a, p) => a + p[0], 0) / 2, per.reduce((a, p) => a + p[1], 0) / 2];
    });
    assertClose(await m.runningMean!.data(), stats.map((s) => 0.2 * s[0]), 1e-5, 1e-6);
    assertClose(await m.runningVar!.data(), stats.map((s) => 0.8 + 0.2 * s[1]), 1e-5, 1e-6);
    m.eval();
    const rm = Array.from(await m.runningMean!.data());
    const rv = Array.from(await m.runningVar!.data());
    const want = xs.flatMap((s) => s.flatMap((ch, c) => ch.flat().map((v) => (v - rm[c]) / Math.sqrt(rv[c] + 1e-5))));
    assertClose(await m.forward(x).data(), want, 1e-4, 1e-5);
    assert.deepEqual(Object.keys(m.stateDict({ names: "pytorch" })), ["weight", "bias", "running_mean", "running_var"]);
  });
});

eachBackend("interpolate and Upsample", () => {
  t.manualSeed(21);
  const x = () => t.tensor([[[[1, 2, 4], [0, -1, 3]], [[5, 0, 2], [1, 1, -2]]]]); // [1, 2, 2, 3]
  const xs: Img = [[[[1, 2, 4], [0, -1, 3]], [[5, 0, 2], [1, 1, -2]]]];

  it("nearest: by a scale factor and to a size (non-integer ratios)", async () => {
    assertClose(await nn.interpolate(x(), { scaleFactor: 2 }).data(), interpRef(xs, [4, 6], "nearest", false, [2, 2]).flat(3));
    const sized = nn.interpolate(x(), { size: [3, 7] });
    assert.deepEqual(sized.shape, [1, 2, 3, 7]);
    assertClose(await sized.data(), interpRef(xs, [3, 7], "nearest", false).flat(3));
    assertClose(await nn.interpolate(x(), { size: [1, 2] }).data(), interpRef(xs, [1, 2], "nearest", false).flat(3));
    assertClose(await nn.interpolate(x(), { scaleFactor: [1.5, 0.7] }).data(), interpRef(xs, [3, 2], "nearest", false, [1.5, 0.7]).flat(3));
  });

  it("bilinear with alignCorners false and true, by size and by scale factor", async () => {
    for (const align of [false, true]) {
      for (const size of [[4, 6], [3, 5], [5, 2], [1, 1]] as [number, number][]) {
        const got = nn.interpolate(x(), { size, mode: "bilinear", alignCorners: align });
        assertClose(await got.data(), interpRef(xs, size, "bilinear", align).flat(3), 1e-5, 1e-6);
      }
      const byFactor = nn.interpolate(x(), { scaleFactor: 2.5, mode: "bilinear", alignCorners: align });
      assert.deepEqual(byFactor.shape, [1, 2, 5, 7]);
      assertClose(await byFactor.data(), interpRef(xs, [5, 7], "bilinear", align, [2.5, 2.5]).flat(3), 1e-5, 1e-6);
    }
    // alignCorners true keeps the corner values exactly.
    const up = await nn.interpolate(x(), { size: [4, 5], mode: "bilinear", alignCorners: true }).array() as Img;
    assert.deepEqual([up[0][0][0][0], up[0][0][0][4], up[0][0][3][0], up[0][0][3][4]], [1, 4, 0, 3]);
  });

  it("Upsample layer, gradients, and errors", async () => {
    const up = new nn.Upsample({ scaleFactor: 2, mode: "bilinear" });
    assertClose(await up.forward(x()).data(), interpRef(xs, [4, 6], "bilinear", false, [2, 2]).flat(3), 1e-5, 1e-6);
    assert.equal(up.toString(), 'Upsample(scaleFactor=2, mode="bilinear")');
    assert.equal(new nn.Upsample({ size: [8, 8], mode: "bilinear", alignCorners: true }).toString(), 'Upsample(size=[8,8], mode="bilinear", alignCorners=true)');
    const w = uniform([1, 2, 5, 7]);
    await gradCheck((a) => nn.interpolate(a, { size: [5, 7], mode: "bilinear" }).mul(w).sum(), [uniform([1, 2, 2, 3])]);
    await gradCheck((a) => nn.interpolate(a, { size: [5, 7], mode: "bilinear", alignCorners: true }).mul(w).sum(), [uniform([1, 2, 2, 3])]);
    await gradCheck((a) => nn.interpolate(a, { size: [5, 7] }).mul(w).sum(), [uniform([1, 2, 2, 3])]);
    assert.throws(() => new nn.Upsample({ scaleFactor: 2, alignCorners: true }), /Upsample: alignCorners can only be set with mode "bilinear" \(got mode "nearest"\)/);
    assert.throws(() => nn.interpolate(x(), { scaleFactor: 2, mode: "bicubic" as any }), /interpolate: mode must be "nearest" or "bilinear", got "bicubic"/);
    assert.throws(() => nn.interpolate(x(), { scaleFactor: 2, size: 4 }), /interpolate: give exactly one of size and scaleFactor, got both/);
    assert.throws(() => nn.interpolate(x(), {}), /interpolate: give exactly one of size and scaleFactor, got neither/);
    assert.throws(() => nn.interpolate(x(), { size: [2, 0] }), /interpolate: size must be a positive integer or a pair of them, got \[2,0\]/);
    assert.throws(() => nn.interpolate(x(), { scale: 2 } as any), /interpolate: unknown option "scale"; the options are size, scaleFactor, mode, alignCorners/);
    assert.throws(() => nn.interpolate(t.zeros([2, 3, 4]), { scaleFactor: 2 }), /interpolate expects input \[N, C, H, W\], got shape \[2, 3, 4\]/);
  });
});

eachBackend("Dropout2d and PixelShuffle", () => {
  it("Dropout2d zeroes whole channels, scales the rest by 1/(1-p), keeps the mean, and is the identity in eval mode", async () => {
    t.manualSeed(31);
    const d = new nn.Dropout2d(0.25);
    const x = t.ones([16, 32, 2, 3]);
    const y = (await d.forward(x).array()) as Img;
    let kept = 0;
    for (const img of y) for (const ch of img) {
      const vals = ch.flat();
      assert.ok(vals.every((v) => Math.abs(v - vals[0]) < 1e-6), "one value per channel");
      assert.ok(Math.abs(vals[0]) < 1e-6 || Math.abs(vals[0] - 1 / 0.75) < 1e-5, `0 or 1/(1-p), got ${vals[0]}`);
      if (vals[0] > 0) kept++;
    }
    // 512 channels kept with probability 0.75: the mean is 1 give or take 0.03 (one sd).
    assert.ok(Math.abs((kept / 512) / 0.75 - 1) < 0.12, `kept ${kept} of 512`);
    assert.ok(kept < 512 && kept > 0);
    // Gradient: the same channel mask, scaled.
    const g = t.grad((a: Tensor) => { t.manualSeed(5); return d.forward(a).sum(); })(t.ones([2, 4, 2, 2]));
    t.manualSeed(5);
    const again = d.forward(t.ones([2, 4, 2, 2]));
    assertClose(await g.data(), await again.data());
    d.eval();
    const same = t.ones([2, 3, 2, 2]);
    assert.equal(d.forward(same), same);
    assert.equal(d.toString(), "Dropout2d(p=0.25)");
    assert.throws(() => new nn.Dropout2d(1), /Dropout2d: p must be in \[0, 1\), got 1/);
    assert.throws(() => d.forward(t.zeros([2, 3])), /Dropout2d expects input \[N, C, H, W\] or \[C, H, W\], got shape \[2, 3\]/);
  });

  it("PixelShuffle: channel c r^2 + i r + j goes to pixel (h r + i, w r + j)", async () => {
    const n = 2, c = 2, r = 2, h = 2, w = 3;
    const x = t.arange(n * c * r * r * h * w).astype("float32").reshape([n, c * r * r, h, w]);
    const want: number[] = [];
    for (let b = 0; b < n; b++) for (let k = 0; k < c; k++) for (let y = 0; y < h * r; y++) for (let z = 0; z < w * r; z++) {
      const ch = k * r * r + (y % r) * r + (z % r);
      want.push(((b * c * r * r + ch) * h + Math.floor(y / r)) * w + Math.floor(z / r));
    }
    const out = new nn.PixelShuffle(2).forward(x);
    assert.deepEqual(out.shape, [2, 2, 4, 6]);
    assertClose(await out.data(), want);
    assert.throws(() => nn.pixelShuffle(t.zeros([1, 6, 2, 2]), 2), /pixelShuffle: the channels \(6\) of input \[1, 6, 2, 2\] must be divisible by upscaleFactor\^2 = 4/);
    const wp = uniform([1, 1, 4, 4]);
    await gradCheck((a) => nn.pixelShuffle(a, 2).mul(wp).sum(), [uniform([1, 4, 2, 2])]);
  });
});

eachBackend("new layers in models", () => {
  it("print, run in nn.summary, and a jitted training step equals the eager one", async () => {
    const build = () =>
      new nn.Sequential(
        new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.GroupNorm(2, 4), new nn.Mish(), new nn.Dropout2d(0.2),
        new nn.Upsample({ scaleFactor: 2, mode: "bilinear" }), new nn.PReLU(4), new nn.InstanceNorm2d(4, { affine: true }),
        new nn.ELU(), new nn.Flatten(), new nn.Linear(4 * 8 * 8, 3),
      );
    const model = build();
    assert.match(model.toString(), /\(layers\.1\): GroupNorm\(2, 4, eps=0\.00001, affine=true\)\n\s+\(layers\.2\): Mish\n\s+\(layers\.3\): Dropout2d\(p=0\.2\)\n\s+\(layers\.4\): Upsample\(scaleFactor=2, mode="bilinear"\)\n\s+\(layers\.5\): PReLU\(numParameters=4\)/);
    const s = nn.summary(model, [2, 1, 4, 4]);
    assert.equal(s.error, null);
    assert.deepEqual(s.rows.slice(1).map((r) => [r.type, r.output![0], r.params]), [
      ["Conv2d", [2, 4, 4, 4], 40], ["GroupNorm", [2, 4, 4, 4], 8], ["Mish", [2, 4, 4, 4], 0], ["Dropout2d", [2, 4, 4, 4], 0],
      ["Upsample", [2, 4, 8, 8], 0], ["PReLU", [2, 4, 8, 8], 4], ["InstanceNorm2d", [2, 4, 8, 8], 8], ["ELU", [2, 4, 8, 8], 0],
      ["Flatten", [2, 256], 0], ["Linear", [2, 3], 771],
    ]);
    const run = async (useJit: boolean) => {
      t.manualSeed(41);
      const m = build().eval(); // eval: Dropout2d off, so eager and jit draw nothing
      const opt = new t.optim.SGD(m.parameters(), { lr: 0.05 });
      const xb = t.randn([4, 1, 4, 4]);
      const yb = t.tensor([0, 2, 1, 2]);
      const body = (a: Tensor, b: Tensor) => {
        const loss = nn.smoothL1Loss(m.forward(a), nn.oneHot(b, 3), { beta: 0.5 });
        opt.zeroGrad();
        loss.backward();
        opt.step();
        return loss;
      };
      const step = useJit ? t.jit(body) : body;
      const losses: number[] = [];
      for (let i = 0; i < 3; i++) losses.push(Number(await t.tidy(() => step(xb, yb)).item()));
      return { losses, params: await Promise.all(m.parameters().map(async (p) => Array.from(await p.data()))) };
    };
    const eager = await run(false);
    const jitted = await run(true);
    assertClose(jitted.losses, eager.losses, 1e-5, 1e-6);
    jitted.params.forEach((p, i) => assertClose(p, eager.params[i], 1e-5, 1e-6));
    assert.ok(eager.losses[2] < eager.losses[0], "the loss falls");
  });
});
