// Checkpoints: a training run saved to one file and resumed in a fresh model, optimizer and
// scheduler gives exactly the losses of the run that never stopped; the file is plain
// safetensors with readable tensor names; JSON extras, Infinity and tensors round-trip; errors.

import { t, assert, eachBackend, classifierStep } from "./helpers";
import type { Tensor } from "../src/index";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const { nn, optim } = t;

function mlp(seed: number) {
  t.manualSeed(seed);
  return new nn.Sequential(new nn.Linear(6, 16), new nn.ReLU(), new nn.Linear(16, 3));
}

type Sched = { step(): number };
const schedules: [string, (opt: t.optim.Optimizer) => Sched][] = [
  ["StepLR", (o) => new optim.StepLR(o, 2, 0.5)],
  ["OneCycleLR", (o) => new optim.OneCycleLR(o, { maxLr: 0.05, totalSteps: 6 })],
];

const tmp = (name: string) => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tsdl-ckpt-")), name);

eachBackend("checkpoints", () => {
  t.manualSeed(11);
  let x: Tensor;
  let y: Tensor;
  before(() => {
    t.manualSeed(11);
    x = t.randn([8, 6]);
    y = t.tensor([0, 1, 2, 1, 0, 2, 2, 1]);
  });

  /** Trains `n` steps (a scheduler step after each) and returns the losses. */
  async function train(model: t.nn.Module, opt: t.optim.Optimizer, sched: Sched, n: number): Promise<number[]> {
    const step = classifierStep(model, opt);
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      out.push(Number(await t.tidy(() => step(x, y)).item()));
      sched.step();
    }
    return out;
  }

  for (const [name, makeSched] of schedules) {
    it(`Adam and ${name}: a run resumed from a checkpoint gives exactly the uninterrupted losses`, async () => {
      const model = mlp(1);
      const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
      const whole = await train(model, opt, makeSched(opt), 6);

      const model1 = mlp(1);
      const opt1 = new optim.Adam(model1.parameters(), { lr: 0.05 });
      const sched1 = makeSched(opt1);
      const first = await train(model1, opt1, sched1, 3);
      assert.deepEqual(first, whole.slice(0, 3));
      const file = tmp("run.safetensors");
      await saveAndCheck(file, { model: model1, optimizer: opt1, scheduler: sched1, epoch: 3, history: { losses: first }, note: "lr sweep" });

      const model2 = mlp(2); // other initial weights: the checkpoint must replace them
      const opt2 = new optim.Adam(model2.parameters(), { lr: 0.05 });
      const sched2 = makeSched(opt2);
      const ck = t.loadCheckpoint(file, { model: model2, optimizer: opt2, scheduler: sched2 as never });
      assert.equal(ck.epoch, 3);
      assert.deepEqual(ck.history, { losses: first });
      assert.equal(ck.note, "lr sweep");
      assert.equal(opt2.lr, opt1.lr);
      assert.equal(opt2.stepCount, 3);
      const rest = await train(model2, opt2, sched2, 3);
      assert.deepEqual(rest, whole.slice(3));
      // Restoring the model alone does not: the optimizer's state is what the test checks.
      const model3 = mlp(2);
      const opt3 = new optim.Adam(model3.parameters(), { lr: 0.05 });
      t.loadCheckpoint(file, { model: model3 });
      assert.notDeepEqual(await train(model3, opt3, makeSched(opt3), 3), whole.slice(3));
    });
  }

  /** Saves, then checks the file is plain safetensors with path names. */
  async function saveAndCheck(file: string, contents: Record<string, unknown>) {
    await t.saveCheckpoint(file, contents);
    const names = Object.keys(t.safetensors.load(file));
    for (const n of ["model/layers.0.weight", "model/layers.2.bias", "optimizer/state/0/exp_avg", "optimizer/state/3/exp_avg_sq"]) assert.ok(names.includes(n), n);
  }

  it("round-trips tensors, Infinity and nested JSON; ReduceLROnPlateau's best starts at Infinity", async () => {
    const model = mlp(1);
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    const plateau = new optim.ReduceLROnPlateau(opt);
    const file = tmp("misc.safetensors");
    const stats = t.tensor([[1, 2], [3, 4]], { dtype: "float32" });
    await t.saveCheckpoint(file, { scheduler: plateau, extras: { stats, list: [1, "a", null, true, -Infinity, NaN] } });
    const plateau2 = new optim.ReduceLROnPlateau(opt);
    plateau2.best = 3;
    const ck = t.loadCheckpoint(file, { scheduler: plateau2 });
    assert.equal(plateau2.best, Infinity);
    const extras = ck.extras as { stats: Tensor; list: unknown[] };
    assert.deepEqual(extras.stats.shape, [2, 2]);
    assert.deepEqual(Array.from(await extras.stats.data()), [1, 2, 3, 4]);
    assert.deepEqual(extras.list.slice(0, 5), [1, "a", null, true, -Infinity]);
    assert.ok(Number.isNaN(extras.list[5]));
  });

  it("explains what it cannot store or restore", async () => {
    const model = mlp(1);
    const file = tmp("bad.safetensors");
    await assert.rejects(t.saveCheckpoint(file, { model, hook: () => 1 }), /saveCheckpoint: cannot store function at hook/);
    await assert.rejects(t.saveCheckpoint(file, { when: new Date(0) }), /cannot store .* at when/);
    await t.saveCheckpoint(file, { model });
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    assert.throws(() => t.loadCheckpoint(file, { model, optimizer: opt }), /loadCheckpoint: the checkpoint has no "optimizer"; it holds model/);
    const plain = tmp("plain.safetensors");
    await t.safetensors.save(model, plain);
    assert.throws(() => t.loadCheckpoint(plain), /is a safetensors file but not a checkpoint \(use safetensors.load/);
    const other = new nn.Sequential(new nn.Linear(6, 4), new nn.ReLU(), new nn.Linear(4, 3));
    assert.throws(() => t.loadCheckpoint(file, { model: other }), /loadStateDict: layers.0.weight has shape/);
  });
});
