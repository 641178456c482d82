// Attention against plain-JavaScript loops over the textbook formulas: scaled dot-product
// attention with causal, bool and float masks; MultiheadAttention's output and weights from its
// own parameters, in both layouts and unbatched, with key padding; TransformerEncoderLayer's
// wiring; finite-difference gradients; jit; and the error messages.

import { t, assert, assertClose, eachBackend, gradCheck, uniform } from "./helpers";
import type { Tensor } from "../src/index";

const { nn } = t;

type M = number[][];
const matT = (a: M) => a[0].map((_, j) => a.map((r) => r[j]));
const mm = (a: M, b: M) => a.map((r) => b[0].map((_, j) => r.reduce((s, v, k) => s + v * b[k][j], 0)));
function softmaxRows(a: M): M {
  return a.map((r) => {
    const m = Math.max(...r);
    const e = r.map((v) => (v === -Infinity ? 0 : Math.exp(v - m)));
    const s = e.reduce((x, y) => x + y, 0);
    return e.map((v) => v / s);
  });
}
/** softmax(q k^T * scale + mask) v for one [L, E] x [S, E] x [S, Ev] problem; mask: true = may attend. */
function refAttend(q: M, k: M, v: M, mask?: (i: number, j: number) => boolean, add?: M): { out: M; w: M } {
  const scale = 1 / Math.sqrt(q[0].length);
  const s = mm(q, matT(k)).map((r, i) => r.map((x, j) => (mask && !mask(i, j) ? -Infinity : x * scale + (add ? add[i][j] : 0))));
  const w = softmaxRows(s);
  return { out: mm(w, v), w };
}
const rows = async (x: Tensor): Promise<M> => (await x.array()) as M;

eachBackend("attention", () => {
  it("scaledDotProductAttention matches the formula, with causal, bool and float masks", async () => {
    const [q, k, v] = [uniform([2, 3, 4]), uniform([2, 5, 4]), uniform([2, 5, 2])];
    const qs = (await q.array()) as M[];
    const ks = (await k.array()) as M[];
    const vs = (await v.array()) as M[];
    const plain = nn.scaledDotProductAttention(q, k, v);
    const causal = nn.scaledDotProductAttention(q, k, v, { isCausal: true });
    const boolMask = t.tensor([[true, false, true, true, false], [true, true, true, false, false], [false, true, true, true, true]]);
    const masked = nn.scaledDotProductAttention(q, k, v, { attnMask: boolMask });
    const bias = uniform([3, 5]);
    const biased = nn.scaledDotProductAttention(q, k, v, { attnMask: bias });
    const bm = (await boolMask.array()) as boolean[][];
    const bb = await rows(bias);
    for (let b = 0; b < 2; b++) {
      assertClose((await plain.index(b).data()) as Float32Array, refAttend(qs[b], ks[b], vs[b]).out.flat(), 1e-5, 1e-6);
      assertClose(await causal.index(b).data(), refAttend(qs[b], ks[b], vs[b], (i, j) => j <= i).out.flat(), 1e-5, 1e-6);
      assertClose(await masked.index(b).data(), refAttend(qs[b], ks[b], vs[b], (i, j) => bm[i][j]).out.flat(), 1e-5, 1e-6);
      assertClose(await biased.index(b).data(), refAttend(qs[b], ks[b], vs[b], undefined, bb).out.flat(), 1e-5, 1e-6);
    }
    const scaled = nn.scaledDotProductAttention(q, k, v, { scale: 0 });
    assertClose(await scaled.data(), await v.mean(1, { keepdims: true }).broadcastTo([2, 3, 2]).data(), 1e-5, 1e-6);
  });

  it("MultiheadAttention matches per-head loops over its own parameters, in both layouts and unbatched", async () => {
    const [E, H, L, N] = [6, 2, 4, 3];
    const mha = new nn.MultiheadAttention(E, H);
    // PyTorch's init: zero biases, Xavier-uniform in-projection within sqrt(6 / (3E + E)).
    assertClose(await mha.inProjBias!.data(), new Array(3 * E).fill(0));
    assert.ok((await mha.inProjWeight!.abs().max().item()) as number <= Math.sqrt(6 / (4 * E)));
    nn.init.normal_(mha.inProjBias!, 0, 0.5);
    nn.init.normal_(mha.outProj.bias!, 0, 0.5);
    const x = uniform([L, N, E]);
    const [y, w] = mha.forwardWithWeights(x);
    assert.deepEqual(y.shape, [L, N, E]);
    assert.deepEqual(w.shape, [N, L, L]);
    const Win = await rows(mha.inProjWeight!);
    const bin = Array.from(await mha.inProjBias!.data());
    const Wout = await rows(mha.outProj.weight);
    const bout = Array.from(await mha.outProj.bias!.data());
    const xs = (await x.array()) as number[][][];
    const D = E / H;
    for (let n = 0; n < N; n++) {
      const xn = xs.map((r) => r[n]); // [L, E]
      const proj = (i: number) => mm(xn, matT(Win.slice(i * E, (i + 1) * E))).map((r) => r.map((v, j) => v + bin[i * E + j]));
      const [q, k, v] = [proj(0), proj(1), proj(2)];
      const heads: M[] = [];
      const wsum: M = Array.from({ length: L }, () => new Array(L).fill(0));
      for (let h = 0; h < H; h++) {
        const cut = (m: M) => m.map((r) => r.slice(h * D, (h + 1) * D));
        const r = refAttend(cut(q), cut(k), cut(v));
        heads.push(r.out);
        r.w.forEach((row, i) => row.forEach((val, j) => (wsum[i][j] += val / H)));
      }
      const merged = heads[0].map((_, i) => heads.flatMap((hd) => hd[i]));
      const want = mm(merged, matT(Wout)).map((r) => r.map((v, j) => v + bout[j]));
      assertClose(await y.index(":", n).data(), want.flat(), 1e-4, 1e-5);
      assertClose(await w.index(n).data(), wsum.flat(), 1e-4, 1e-5);
    }
    const bf = new nn.MultiheadAttention(E, H, { batchFirst: true });
    bf.loadStateDict(mha.stateDict());
    assertClose(await bf.forward(x.transpose(0, 1)).transpose(0, 1).data(), await y.data(), 1e-5, 1e-6);
    assertClose(await mha.forward(x.index(":", 1)).data(), await y.index(":", 1).data(), 1e-5, 1e-6);
    const perHead = mha.forwardWithWeights(x, x, x, { averageAttnWeights: false })[1];
    assert.deepEqual(perHead.shape, [N, H, L, L]);
    assertClose(await perHead.mean(1).data(), await w.data(), 1e-5, 1e-6);
  });

  it("masks: padded keys and later positions have no influence; cross-attention with other kdim and vdim", async () => {
    const mha = new nn.MultiheadAttention(4, 2, { batchFirst: true });
    const x = uniform([2, 5, 4]);
    const pad = t.tensor([[false, false, false, true, true], [false, false, false, false, true]]);
    const out = mha.forward(x, x, x, { keyPaddingMask: pad });
    // Changing padded keys/values changes nothing for any query.
    const noise = t.where(pad.unsqueeze(-1), uniform([2, 5, 4]), 0);
    const kv = x.add(noise);
    assertClose(await mha.forward(x, kv, kv, { keyPaddingMask: pad }).data(), await out.data(), 1e-5, 1e-6);
    // Causal: changing position 3 leaves positions 0-2 alone, and changes 3.
    const causal = mha.forward(x, x, x, { isCausal: true });
    const bumped = x.add(t.where(t.arange(5).eq(3).reshape([1, 5, 1]), 1, 0));
    const after = mha.forward(bumped, bumped, bumped, { isCausal: true });
    assertClose(await after.index(":", "0:3").data(), await causal.index(":", "0:3").data(), 1e-5, 1e-6);
    assert.ok((await after.index(":", 3).sub(causal.index(":", 3)).abs().max().item()) as number > 1e-3);
    // The same with an explicit bool mask (true = may not attend, nn.MultiheadAttention's convention).
    const upper = t.ones([5, 5], { dtype: "bool" }).triu(1);
    assertClose(await mha.forward(x, x, x, { attnMask: upper }).data(), await causal.data(), 1e-5, 1e-6);
    const cross = new nn.MultiheadAttention(4, 1, { kdim: 3, vdim: 2, batchFirst: true });
    assert.equal(cross.inProjWeight, null);
    assert.deepEqual(cross.forward(x, uniform([2, 7, 3]), uniform([2, 7, 2])).shape, [2, 5, 4]);
    assert.deepEqual(Object.keys(cross.stateDict()).slice(0, 3), ["qProjWeight", "kProjWeight", "vProjWeight"]);
  });

  it("gradients match finite differences", async () => {
    const mha = new nn.MultiheadAttention(4, 2);
    const q0 = uniform([3, 2, 4]);
    await gradCheck((q: Tensor) => mha.forward(q, q0, q0, { isCausal: true }).square().sum(), [uniform([3, 2, 4])]);
    await gradCheck((q: Tensor, k: Tensor, v: Tensor) => nn.scaledDotProductAttention(q, k, v).sin().sum(), [uniform([2, 3]), uniform([4, 3]), uniform([4, 2])]);
    const [, g] = t.valueAndGrad((w: Tensor) => t.nn.functionalCall(mha, { inProjWeight: w }, q0).sum())(mha.inProjWeight!);
    assert.deepEqual(g.shape, [12, 4]);
  });

  it("TransformerEncoderLayer: post-norm and pre-norm wiring, training mode, and a jitted step that learns", async () => {
    const layer = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8, batchFirst: true }).eval();
    const x = uniform([2, 3, 4]);
    const attn = layer.selfAttn.forward(x, x, x);
    const h = layer.norm1.forward(x.add(attn));
    const want = layer.norm2.forward(h.add(layer.linear2.forward(layer.linear1.forward(h).relu())));
    assertClose(await layer.forward(x).data(), await want.data(), 1e-5, 1e-6);
    const pre = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8, batchFirst: true, normFirst: true, activation: "gelu" }).eval();
    const n1 = pre.norm1.forward(x);
    const h2 = x.add(pre.selfAttn.forward(n1, n1, n1));
    const want2 = h2.add(pre.linear2.forward(pre.linear1.forward(pre.norm2.forward(h2)).gelu()));
    assertClose(await pre.forward(x).data(), await want2.data(), 1e-5, 1e-6);
    // Dropout is on in training mode: two calls differ.
    layer.train();
    const [a, b] = [layer.forward(x), layer.forward(x)];
    assert.ok((await a.sub(b).abs().max().item()) as number > 1e-4);
    // Learn to output each position's running mean (needs attention across positions).
    t.manualSeed(3);
    const model = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true });
    const head = new nn.Linear(8, 1);
    const opt = new t.optim.Adam([...model.parameters(), ...head.parameters()], { lr: 1e-2 });
    const step = t.jit((xb: Tensor, yb: Tensor) => {
      const loss = nn.mseLoss(head.forward(model.forward(xb.broadcastTo([16, 6, 8]), { isCausal: true })).squeeze(-1), yb);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      return loss;
    });
    const batch = (): [Tensor, Tensor] => {
      const xb = uniform([16, 6, 1]);
      const yb = xb.squeeze(-1).cumsum(1).div(t.arange(1, 7).astype("float32"));
      return [xb, yb];
    };
    const first = (await step(...batch()).item()) as number;
    let last = first;
    for (let i = 0; i < 150; i++) last = (await step(...batch()).item()) as number;
    assert.ok(last < first / 3, `loss ${first} -> ${last}`);
  });

  it("explains mistakes", () => {
    assert.throws(() => new nn.MultiheadAttention(10, 3), /embedDim \(10\) must be divisible by numHeads \(3\)/);
    const mha = new nn.MultiheadAttention(4, 2);
    assert.throws(() => mha.forward(uniform([2, 3, 5])), /MultiheadAttention\(4, 2\): query has shape \[2, 3, 5\]; expected \[length, batch, 4\] \(sequence first; pass \{ batchFirst: true \} for \[batch, length, 4\]\)/);
    assert.throws(() => nn.scaledDotProductAttention(uniform([2, 3]), uniform([4, 2]), uniform([4, 2])), /the query's and key's last dims differ \(3 and 2\)/);
    assert.throws(() => nn.scaledDotProductAttention(uniform([2, 3]), uniform([4, 3]), uniform([5, 2])), /key and value have different lengths \(4 and 5\)/);
    assert.throws(() => new nn.TransformerEncoderLayer(4, 2, { activation: "tanh" as "relu" }), /activation must be "relu" or "gelu", got "tanh"/);
  });
});
