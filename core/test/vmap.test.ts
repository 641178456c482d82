// vmap: every primitive's batching rule against a loop over examples (slice, apply, stack),
// in and out axes, nesting, composition with grad and jit, per-example gradients of a module,
// the error messages, and that a call frees what it made.

import { t, assert, assertClose, eachBackend, gradCheck, uniform } from "./helpers";
import type { Tensor } from "../src/index";

const { vmap, grad, nn } = t;

/** f applied to each example (slices along inAxes) and stacked along axis 0. */
function loop(f: (...xs: any[]) => Tensor, args: Tensor[], inAxes: (number | null)[]): Tensor {
  const n = args.find((a, i) => inAxes[i] !== null)!.shape[inAxes[args.findIndex((a, i) => inAxes[i] !== null)]!];
  const outs: Tensor[] = [];
  for (let b = 0; b < n; b++) {
    outs.push(f(...args.map((a, i) => (inAxes[i] === null ? a : a.slice(inAxes[i]!, b, b + 1).squeeze(inAxes[i]!)))));
  }
  return t.stack(outs);
}

async function sameAsLoop(f: (...xs: any[]) => Tensor, args: Tensor[], inAxes: (number | null)[] = args.map(() => 0), tol = 1e-5) {
  const got = vmap(f, { inAxes })(...args);
  const want = loop(f, args, inAxes);
  assert.deepEqual(got.shape, want.shape, "shape");
  assert.equal(got.dtype, want.dtype, "dtype");
  assertClose(await got.data(), await want.data(), tol, tol);
}

eachBackend("vmap", () => {
  const x = () => uniform([4, 3]);

  it("elementwise ops, with unbatched operands of higher rank than the example", async () => {
    const y = uniform([2, 3]);
    await sameAsLoop((a: Tensor) => a.exp().mul(y).sub(a.sigmoid()), [x()]);
    await sameAsLoop((a: Tensor, c: Tensor) => t.where(a.gt(0), a, c.mul(2)), [x(), uniform([4, 2, 3])]);
    await sameAsLoop((a: Tensor) => a.gt(0).astype("int32").add(1), [x()]);
    await sameAsLoop((a: Tensor) => a.add(1).mul(2.5), [x()]);
  });

  it("reductions over the example's axes, with and without keepdims", async () => {
    const z = uniform([4, 3, 5]);
    await sameAsLoop((a: Tensor) => a.sum(), [z]);
    await sameAsLoop((a: Tensor) => a.max(1, { keepdims: true }), [z]);
    await sameAsLoop((a: Tensor) => a.mean(0).add(a.std(1).sum()), [z]);
    await sameAsLoop((a: Tensor) => a.argmax(1), [z]);
    await sameAsLoop((a: Tensor) => a.softmax(-1), [z]);
  });

  it("matmul: batched times shared weights, shared times batched, both batched, transposed, vectors", async () => {
    const w = uniform([3, 5]);
    const m = uniform([4, 3, 3]);
    await sameAsLoop((a: Tensor) => a.matmul(w), [x()]);
    await sameAsLoop((a: Tensor) => a.reshape([1, 3]).matmul(w), [x()]);
    await sameAsLoop((a: Tensor) => w.T.matmul(a), [x()]);
    await sameAsLoop((a: Tensor, b: Tensor) => a.matmul(b), [x(), m]);
    await sameAsLoop((a: Tensor, b: Tensor) => b.matmul(b.T).matmul(a), [x(), m]);
    await sameAsLoop((a: Tensor, b: Tensor) => a.dot(b), [x(), x()]);
    await sameAsLoop((a: Tensor) => a.outer(a), [x()]);
    const shared = uniform([2, 3, 3]);
    await sameAsLoop((b: Tensor) => shared.matmul(b), [m]);
    const layer = new nn.Linear(3, 2);
    await sameAsLoop((a: Tensor) => layer.forward(a), [x()]);
  });

  it("reshape, permute, broadcast, slices, padding, concat and stack", async () => {
    const z = uniform([4, 2, 3]);
    await sameAsLoop((a: Tensor) => a.reshape([3, 2]).T, [z]);
    await sameAsLoop((a: Tensor) => a.permute(1, 0).flatten(), [z]);
    await sameAsLoop((a: Tensor) => a.broadcastTo([5, 2, 3]), [z]);
    await sameAsLoop((a: Tensor) => a.index(":", [0, 3, 2]), [z]);
    await sameAsLoop((a: Tensor) => a.index(1, "1:"), [z]);
    await sameAsLoop((a: Tensor) => a.pad([[1, 0], [0, 2]], -1), [z]);
    const shared = uniform([1, 3]);
    await sameAsLoop((a: Tensor) => t.concat([a, shared], 0), [z]);
    await sameAsLoop((a: Tensor, b: Tensor) => t.stack([a, b, a], 1), [z, z.neg()]);
    await sameAsLoop((a: Tensor) => t.concat(a.split(1, 1).reverse(), 1), [z]);
  });

  it("gather and its gradient: shared table and batched indices, batched table and shared indices, both batched", async () => {
    const table = uniform([6, 3]);
    const ids = t.tensor([[0, 5], [2, 2], [1, 0], [5, 3]]);
    await sameAsLoop((i: Tensor) => table.take(i, 0), [ids]);
    await sameAsLoop((a: Tensor) => a.take([2, 0, 2], 1), [uniform([4, 2, 3])]);
    await sameAsLoop((a: Tensor, i: Tensor) => a.take(i, 1), [uniform([4, 3, 6]), ids]);
    await sameAsLoop((a: Tensor, i: Tensor) => a.take(i, 0), [uniform([4, 6, 2]), ids]);
    const emb = new nn.Embedding(6, 3);
    await sameAsLoop((i: Tensor) => emb.forward(i).sum(0), [ids]);
    // The gradient of a gather is a scatter-add: per example, into a table shared or not.
    await sameAsLoop((i: Tensor) => grad((w: Tensor) => w.take(i, 0).square().sum())(table), [ids]);
    await sameAsLoop((a: Tensor, i: Tensor) => grad((w: Tensor) => w.take(i, 1).square().sum())(a), [uniform([4, 3, 6]), ids]);
    await sameAsLoop((a: Tensor) => grad((w: Tensor) => w.take([1, 1, 0], 0).square().sum())(a), [uniform([4, 6, 2])]);
  });

  it("conv2d and pooling on one image at a time", async () => {
    const conv = new nn.Conv2d(2, 3, 3, { padding: 1 });
    const pool = new nn.MaxPool2d(2);
    const imgs = uniform([3, 2, 6, 6]);
    await sameAsLoop((img: Tensor) => pool.forward(conv.forward(img.unsqueeze(0))).squeeze(0), [imgs], [0], 1e-4);
  });

  it("inAxes: another axis, a negative one, null for shared arguments, arrays and objects of tensors", async () => {
    const a = uniform([3, 4]);
    const b = uniform([3]);
    const got = vmap((u: Tensor, v: Tensor) => u.mul(v).sum(), { inAxes: [1, null] })(a, b);
    await sameAsLoop((u: Tensor, v: Tensor) => u.mul(v).sum(), [a, b], [1, null]);
    assert.deepEqual(got.shape, [4]);
    const neg = vmap((u: Tensor) => u.sum(), { inAxes: -1 })(a);
    assertClose(await neg.data(), await a.sum(0).data());
    const tree = vmap((p: { w: Tensor; bs: Tensor[] }) => p.w.mul(p.bs[0]).add(p.bs[1]))({ w: a, bs: [a.neg(), a] });
    assertClose(await tree.data(), await a.mul(a.neg()).add(a).data());
    assert.equal(vmap((u: Tensor, k: number) => u.mul(k))(a, 3).shape.join(), "3,4", "numbers pass through");
  });

  it("outAxes, several results, and results that do not depend on the batch", async () => {
    const a = uniform([3, 4]);
    const moved = vmap((u: Tensor) => u.mul(2), { outAxes: 1 })(a);
    assert.deepEqual(moved.shape, [4, 3]);
    assertClose(await moved.data(), await a.mul(2).T.data());
    const [s, c] = vmap((u: Tensor) => [u.sum(), t.ones([2])], { outAxes: [0, 1] })(a) as Tensor[];
    assertClose(await s.data(), await a.sum(1).data());
    assert.deepEqual(c.shape, [2, 3]);
    assertClose(await c.data(), [1, 1, 1, 1, 1, 1]);
  });

  it("nests: pairwise squared distances from two vmaps", async () => {
    const p = uniform([3, 2]);
    const q = uniform([5, 2]);
    const d = vmap((u: Tensor) => vmap((v: Tensor) => u.sub(v).square().sum())(q))(p);
    const want = p.unsqueeze(1).sub(q.unsqueeze(0)).square().sum(-1);
    assert.deepEqual(d.shape, [3, 5]);
    assertClose(await d.data(), await want.data(), 1e-5, 1e-6);
    // The inner vmap maps over the outer one's examples' axis 0.
    const rows = vmap((m: Tensor) => vmap((r: Tensor) => r.max())(m))(uniform([2, 3, 4]).abs());
    assert.deepEqual(rows.shape, [2, 3]);
  });

  it("per-example gradients: vmap(grad(f)) matches a gradient per example, and their mean the batch gradient", async () => {
    const w = uniform([3, 2]);
    const xs = uniform([5, 3]);
    const ys = uniform([5, 2]);
    const loss = (wt: Tensor, xi: Tensor, yi: Tensor) => xi.matmul(wt).tanh().sub(yi).square().sum();
    const per = vmap(grad(loss), { inAxes: [null, 0, 0] })(w, xs, ys);
    assert.deepEqual(per.shape, [5, 3, 2]);
    for (let i = 0; i < 5; i++) {
      const gi = grad(loss)(w, xs.index(i), ys.index(i));
      assertClose(await per.index(i).data(), await gi.data(), 1e-5, 1e-6);
    }
    const batch = grad((wt: Tensor) => xs.matmul(wt).tanh().sub(ys).square().sum(1).mean())(w);
    assertClose(await per.mean(0).data(), await batch.data(), 1e-5, 1e-6);
  });

  it("per-example gradients of an nn model with functionalCall", async () => {
    const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3));
    // Detached, as with torch.func: parameters that require grad would make grad record its
    // backward pass for an outer derivative (they look like an outer grad's variables).
    const params = Object.fromEntries(model.namedParameters().map(([k, p]) => [k, p.detach()]));
    const xs = uniform([6, 4]);
    const ys = t.tensor([0, 2, 1, 1, 0, 2]);
    const lossOne = (p: Record<string, Tensor>, xi: Tensor, yi: Tensor) =>
      nn.crossEntropy(nn.functionalCall(model, p, xi.unsqueeze(0)), yi.unsqueeze(0));
    const per = vmap(grad(lossOne), { inAxes: [null, 0, 0] })(params, xs, ys) as Record<string, Tensor>;
    assert.deepEqual(Object.keys(per), ["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"]);
    assert.deepEqual(per["layers.0.weight"].shape, [6, 8, 4]);
    // Their mean is what backward() gives for the batch's mean loss.
    model.zeroGrad();
    nn.crossEntropy(model.forward(xs), ys).backward();
    for (const [name, p] of model.namedParameters()) {
      assertClose(await per[name].mean(0).data(), await p.grad!.data(), 1e-4, 1e-6);
    }
    // And each one is that example's own gradient.
    const g4 = grad(lossOne)(params, xs.index(4), ys.index(4)) as Record<string, Tensor>;
    for (const name of Object.keys(per)) assertClose(await per[name].index(4).data(), await g4[name].data(), 1e-5, 1e-6);
    // The model's own parameters are back in place.
    assert.equal(model.namedParameters().length, 4);
    assert.ok(model.namedParameters().every(([k, p]) => p !== params[k] && p.requiresGrad));
  });

  it("grad of a vmapped function: matches the batched formula and finite differences", async () => {
    const xs = uniform([4, 3]);
    const f = (w: Tensor) => vmap((xi: Tensor) => xi.matmul(w).sin().sum())(xs).square().sum();
    const g = grad(f)(uniform([3, 2]));
    const w0 = uniform([3, 2]);
    const want = grad((w: Tensor) => xs.matmul(w).sin().sum(1).square().sum())(w0);
    assertClose(await grad(f)(w0).data(), await want.data(), 1e-4, 1e-5);
    assert.deepEqual(g.shape, [3, 2]);
    await gradCheck(f, [uniform([3, 2])]);
    await gradCheck((ws: Tensor) => vmap((wi: Tensor, xi: Tensor) => xi.mul(wi).exp().sum())(ws, xs).sum(), [uniform([4, 3])]);
  });

  it("jit(vmap(grad(f))) replays the batched program with new values", async () => {
    const w = uniform([3, 2]);
    const step = t.jit((xs: Tensor) => vmap(grad((wt: Tensor, xi: Tensor) => xi.matmul(wt).relu().sum()), { inAxes: [null, 0] })(w, xs));
    for (let k = 0; k < 3; k++) {
      const xs = uniform([5, 3]);
      const eager = vmap(grad((wt: Tensor, xi: Tensor) => xi.matmul(wt).relu().sum()), { inAxes: [null, 0] })(w, xs);
      assertClose(await step(xs).data(), await eager.data(), 1e-5, 1e-6);
    }
    // vmap(jit(f)) runs f eagerly inside the vmap, with the same result.
    const sq = t.jit((u: Tensor) => u.square().sum());
    const xs = uniform([4, 3]);
    assertClose(await vmap(sq)(xs).data(), await xs.square().sum(1).data());
  });

  it("explains mistakes: axes, sizes, reading values, random draws, in-place updates, backward, escaped tensors", () => {
    const a = uniform([3, 4]);
    assert.throws(() => vmap((u: Tensor, v: Tensor) => u.add(v), { inAxes: [0] })(a, a), /inAxes has 1 entries, but the function was called with 2 arguments/);
    assert.throws(() => vmap((u: Tensor) => u, { inAxes: 2 })(a), /argument 0 has shape \[3, 4\], which has no axis 2 to map over/);
    assert.throws(
      () => vmap((u: Tensor, v: Tensor) => u.add(v))(a, uniform([5, 4])),
      /the mapped axes have different sizes: argument 0 has 3 along axis 0 of \[3, 4\], argument 1 has 5 along axis 0 of \[5, 4\]/,
    );
    assert.throws(() => vmap((u: Tensor) => u, { inAxes: null })(a), /no argument is mapped/);
    assert.throws(() => vmap((u: Tensor) => (u.item(), u))(a), /item\(\) inside vmap: the function sees one example at a time/);
    assert.throws(() => vmap((u: Tensor) => u.add(t.randn([4])))(a), /randn inside vmap: a draw here would be the same for every example; pass \{ randomness: "different" \}/);
    const p = nn.parameter(t.zeros([4]));
    assert.throws(() => vmap((u: Tensor) => p.assign(u))(a), /assign\(\) of a value computed inside vmap/);
    assert.throws(() => vmap((u: Tensor) => (u.mul(p).sum().backward(), u))(a), /backward\(\) inside vmap: use grad\(f\) inside vmap/);
    assert.throws(() => vmap((_u: Tensor) => 3 as unknown as Tensor)(a), /must return a tensor, or an array or object of tensors; it returned number/);
    let leaked: Tensor | null = null;
    vmap((u: Tensor) => (leaked = u.mul(2)))(a);
    assert.throws(() => leaked!.add(1), /was used after the vmap call returned/);
    assert.throws(() => leaked!.data(), /was used after the vmap call returned/);
    assert.equal(leaked!.isDisposed, true);
    assert.match(String(leaked), /shape \[4\] per example, float32, batched over 3 examples by vmap/);
    // Shape errors speak of one example's shapes.
    const w = uniform([3, 2]);
    assert.throws(() => vmap((u: Tensor) => u.matmul(w))(a), /\[4\]/);
    // After every error the next vmap works.
    assert.equal(vmap((u: Tensor) => u.sum())(a).shape.join(), "3");
  });

  it("randomness: 'different' draws per example (dropout masks), 'same' once, nested too, fresh on every jit replay", async () => {
    const zeros = t.zeros([4, 3]);
    const diff = await vmap((x: Tensor) => x.add(t.randn([3])), { randomness: "different" })(zeros).array() as number[][];
    assert.ok(diff.every((r, i) => i === 0 || r.some((v, j) => v !== diff[0][j])), "rows differ");
    const same = await vmap((x: Tensor) => x.add(t.rand([3])), { randomness: "same" })(zeros).array() as number[][];
    assert.ok(same.every((r) => r.every((v, j) => v === same[0][j])), "rows equal");
    // Dropout in training mode: each example gets its own mask, with PyTorch's scaling.
    const drop = new nn.Dropout(0.5);
    const masks = (await vmap((x: Tensor) => drop.forward(x), { randomness: "different" })(t.ones([6, 40])).array()) as number[][];
    assert.ok(masks.flat().every((v) => v === 0 || v === 2));
    assert.equal(new Set(masks.map((r) => r.join())).size, 6);
    // Nested: a draw per (outer, inner) pair.
    const nested = await vmap((row: Tensor) => vmap((x: Tensor) => x.add(t.rand([])), { randomness: "different" })(row), { randomness: "different" })(t.zeros([2, 3])).data();
    assert.equal(new Set(Array.from(nested)).size, 6);
    // Under jit each replay draws again.
    const noisy = t.jit((x: Tensor) => vmap((r: Tensor) => r.add(t.randn([3])), { randomness: "different" })(x));
    const [a, b] = [await noisy(zeros).data(), await noisy(zeros).data()];
    assert.ok(Array.from(a).some((v, i) => v !== b[i]));
    assert.throws(() => vmap((x: Tensor) => x, { randomness: "sometimes" as "same" }), /randomness must be "error", "same" or "different", got "sometimes"/);
  });

  it("a call frees what it made: repeated per-example gradients keep the live buffer count flat", async () => {
    const w = uniform([8, 4]);
    const xs = uniform([16, 8]);
    const pe = vmap(grad((wt: Tensor, xi: Tensor) => xi.matmul(wt).tanh().sum()), { inAxes: [null, 0] });
    pe(w, xs).dispose();
    await t.sync();
    const before = t.memory().buffers;
    for (let k = 0; k < 5; k++) pe(w, xs).dispose();
    await t.sync();
    assert.equal(t.memory().buffers, before);
  });
});

// Only the cpu backend knows index values on the host: a GPU kernel cannot throw.
describe("vmap index errors on the cpu backend", () => {
  it("name the user's index and the example, not an index into the flattened batch", () => {
    const table = t.randn([3, 4]);
    assert.throws(
      () => t.vmap((row: Tensor, i: Tensor) => row.take(i, 0))(table, t.tensor([[1], [5], [0]])),
      /^InputError: index 5 \(in example 1 of the vmap\) is out of bounds for axis 0 with size 4; an index must be in -4\.\.3$/,
    );
    const shared = t.randn([4]);
    assert.throws(
      () => t.vmap((i: Tensor) => shared.take(i, 0))(t.tensor([[1], [0], [-6]])),
      /^InputError: index -6 \(in example 2 of the vmap\) is out of bounds for axis 0 with size 4/,
    );
  });
});
