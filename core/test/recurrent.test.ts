// RNN, LSTM and GRU against plain-JavaScript loops over PyTorch's documented equations, using
// each module's own parameters: one and two layers, both directions, both layouts, unbatched,
// given initial states; finite-difference gradients through time; a jitted step that learns;
// the parameter names; the error messages.

import { t, assert, assertClose, eachBackend, gradCheck, uniform } from "./helpers";
import type { Tensor } from "../src/index";

const { nn } = t;
type V = number[];
const sig = (x: number) => 1 / (1 + Math.exp(-x));
const mv = (w: number[][], x: V) => w.map((r) => r.reduce((s, v, k) => s + v * x[k], 0));
const add = (...vs: V[]) => vs[0].map((_, i) => vs.reduce((s, v) => s + v[i], 0));
const cut = (v: V, i: number, h: number) => v.slice(i * h, (i + 1) * h);

/** One direction of one layer for one sequence, PyTorch's equations. */
function refLayer(kind: "RNN" | "LSTM" | "GRU", xs: V[], w: { ih: number[][]; hh: number[][]; bih: V; bhh: V }, h0: V, c0: V, reverse: boolean) {
  const H = h0.length;
  let [h, c] = [h0, c0];
  const out: V[] = new Array(xs.length);
  for (let s = 0; s < xs.length; s++) {
    const t = reverse ? xs.length - 1 - s : s;
    const gi = add(mv(w.ih, xs[t]), w.bih);
    const gh = add(mv(w.hh, h), w.bhh);
    if (kind === "RNN") h = add(gi, gh).map(Math.tanh);
    else if (kind === "LSTM") {
      const g = add(gi, gh);
      const [i, f, gg, o] = [cut(g, 0, H).map(sig), cut(g, 1, H).map(sig), cut(g, 2, H).map(Math.tanh), cut(g, 3, H).map(sig)];
      c = c.map((cv, k) => f[k] * cv + i[k] * gg[k]);
      h = o.map((ov, k) => ov * Math.tanh(c[k]));
    } else {
      const r = add(cut(gi, 0, H), cut(gh, 0, H)).map(sig);
      const z = add(cut(gi, 1, H), cut(gh, 1, H)).map(sig);
      const n = cut(gi, 2, H).map((v, k) => Math.tanh(v + r[k] * cut(gh, 2, H)[k]));
      h = n.map((nv, k) => (1 - z[k]) * nv + z[k] * h[k]);
    }
    out[t] = h;
  }
  return { out, h, c };
}

async function params(m: any, layer: number, suffix: string) {
  const get = async (name: string) => (await (m[`${name}L${layer}${suffix}`] as Tensor).array()) as any;
  return { ih: await get("weightIh"), hh: await get("weightHh"), bih: await get("biasIh"), bhh: await get("biasHh") };
}

/** The whole module, sequence-first input [L, N, F]: outputs [L, N, dirs * H] and final h, c. */
async function reference(kind: "RNN" | "LSTM" | "GRU", m: any, x: Tensor, h0?: number[][][], c0?: number[][][]) {
  const xs = (await x.array()) as number[][][];
  const [L, N] = [xs.length, xs[0].length];
  const dirs = m.bidirectional ? ["", "Reverse"] : [""];
  const H = m.hiddenSize;
  let layerIn: V[][] = Array.from({ length: N }, (_, n) => xs.map((row) => row[n])); // [N][L][F]
  const hN: V[][] = [];
  const cN: V[][] = [];
  for (let layer = 0; layer < m.numLayers; layer++) {
    const outs: V[][][] = [];
    for (let d = 0; d < dirs.length; d++) {
      const w = await params(m, layer, dirs[d]);
      const k = layer * dirs.length + d;
      const res = layerIn.map((seq, n) => refLayer(kind, seq, w, h0 ? h0[k][n] : new Array(H).fill(0), c0 ? c0[k][n] : new Array(H).fill(0), d === 1));
      outs.push(res.map((r) => r.out));
      hN.push(res.map((r) => r.h));
      cN.push(res.map((r) => r.c));
    }
    layerIn = Array.from({ length: N }, (_, n) => Array.from({ length: L }, (_, t) => outs.flatMap((o) => o[n][t])));
  }
  const out = Array.from({ length: L }, (_, t) => layerIn.map((seq) => seq[t]));
  return { out: out.flat(2), h: hN.flat(2), c: cN.flat(2) };
}

eachBackend("recurrent layers", () => {
  for (const kind of ["RNN", "LSTM", "GRU"] as const) {
    it(`${kind}: one layer, then two bidirectional layers with given initial states, match the equations`, async () => {
      const make = (o: object) => new (nn as any)[kind](3, 4, o);
      const m1 = make({});
      const x = uniform([5, 2, 3]);
      const [out, state] = m1.forwardWithState(x);
      const want = await reference(kind, m1, x);
      assert.deepEqual(out.shape, [5, 2, 4]);
      assertClose(await out.data(), want.out, 1e-4, 1e-5);
      const hN = kind === "LSTM" ? (state as Tensor[])[0] : (state as Tensor);
      assert.deepEqual(hN.shape, [1, 2, 4]);
      assertClose(await hN.data(), want.h, 1e-4, 1e-5);
      if (kind === "LSTM") assertClose(await (state as Tensor[])[1].data(), want.c, 1e-4, 1e-5);

      const m2 = make({ numLayers: 2, bidirectional: true });
      const h0 = uniform([4, 2, 4]);
      const c0 = uniform([4, 2, 4]);
      const [out2, state2] = kind === "LSTM" ? m2.forwardWithState(x, [h0, c0]) : m2.forwardWithState(x, h0);
      const want2 = await reference(kind, m2, x, (await h0.array()) as any, (await c0.array()) as any);
      assert.deepEqual(out2.shape, [5, 2, 8]);
      assertClose(await out2.data(), want2.out, 1e-4, 1e-5);
      const h2 = kind === "LSTM" ? (state2 as Tensor[])[0] : (state2 as Tensor);
      assertClose(await h2.data(), want2.h, 1e-4, 1e-5);
      // batchFirst is the transposed layout of the same computation; unbatched is one sequence.
      const bf = make({ numLayers: 2, bidirectional: true, batchFirst: true });
      bf.loadStateDict(m2.stateDict());
      assertClose(await bf.forward(x.transpose(0, 1)).transpose(0, 1).data(), await m2.forward(x).data(), 1e-5, 1e-6);
      assertClose(await m2.forward(x.index(":", 1)).data(), await m2.forward(x).index(":", 1).data(), 1e-5, 1e-6);
    });
  }

  it("parameter names, shapes and init follow PyTorch", async () => {
    const lstm = new nn.LSTM(3, 5, { numLayers: 2, bidirectional: true });
    const names = lstm.namedParameters().map(([k, p]) => `${k} ${p.shape.join("x")}`);
    assert.deepEqual(names.slice(0, 8), [
      "weightIhL0 20x3", "weightHhL0 20x5", "biasIhL0 20", "biasHhL0 20",
      "weightIhL0Reverse 20x3", "weightHhL0Reverse 20x5", "biasIhL0Reverse 20", "biasHhL0Reverse 20",
    ]);
    assert.equal(names[8], "weightIhL1 20x10");
    const bound = 1 / Math.sqrt(5);
    for (const p of lstm.parameters()) assert.ok(((await p.abs().max().item()) as number) <= bound);
    assert.equal(new nn.GRU(2, 3, { bias: false }).parameters().length, 2);
  });

  it("gradients through time match finite differences", async () => {
    const gru = new nn.GRU(2, 3);
    await gradCheck((x: Tensor) => gru.forward(x).square().sum(), [uniform([4, 1, 2])]);
    const lstm = new nn.LSTM(2, 2);
    const w = (lstm as any).weightHhL0 as Tensor;
    const seq = t.tensor([[[0.5, -0.2]], [[0.1, 0.9]], [[-0.7, 0.3]]], { dtype: "float32" });
    await gradCheck((wh: Tensor) => nn.functionalCall(lstm, { weightHhL0: wh }, seq).sum(), [w.detach()]);
  });

  it("a jitted LSTM step learns to add up a sequence", async () => {
    t.manualSeed(2);
    const lstm = new nn.LSTM(1, 16, { batchFirst: true });
    const head = new nn.Linear(16, 1);
    const opt = new t.optim.Adam([...lstm.parameters(), ...head.parameters()], { lr: 1e-2 });
    const step = t.jit((xb: Tensor, yb: Tensor) => {
      const [, [h]] = lstm.forwardWithState(xb);
      const loss = nn.mseLoss(head.forward(h.index(0)).squeeze(-1), yb);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      return loss;
    });
    const batch = (): [Tensor, Tensor] => {
      const xb = uniform([32, 6, 1], 0, 1);
      return [xb, xb.sum([1, 2])];
    };
    const first = (await step(...batch()).item()) as number;
    let last = first;
    for (let i = 0; i < 120; i++) last = (await step(...batch()).item()) as number;
    assert.ok(last < first / 5, `loss ${first} -> ${last}`);
  });

  it("explains mistakes", () => {
    const rnn = new nn.RNN(3, 4);
    assert.throws(() => rnn.forward(uniform([5, 2, 2])), /RNN\(3, 4\): input has shape \[5, 2, 2\]; expected \[length, batch, 3\] \(sequence first; pass \{ batchFirst: true \} for \[batch, length, 3\]\) or \[length, 3\]/);
    assert.throws(() => rnn.forward(uniform([5, 2, 3]), t.zeros([2, 2, 4])), /RNN: h0 has shape \[2, 2, 4\]; expected \[1, 2, 4\]/);
    assert.throws(() => new nn.LSTM(3, 0), /LSTM: hiddenSize must be a positive integer, got 0/);
    assert.throws(() => new nn.RNN(3, 4, { nonlinearity: "sigmoid" as "tanh" }), /nonlinearity must be "tanh" or "relu", got "sigmoid"/);
  });
});
