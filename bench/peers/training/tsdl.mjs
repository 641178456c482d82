// tsdl's training step through its public API: nn modules, nn.crossEntropy, optim.SGD,
// loss.backward(), and `await loss.item()` as the step's readback.
import { param } from "../../lib/training.mjs";

function buildModel(t, spec) {
  const { nn } = t;
  if (spec.model === "mlp") {
    const [l1, l2] = [new nn.Linear(784, 256), new nn.Linear(256, 10)];
    const model = new nn.Sequential(l1, new nn.ReLU(), l2);
    return { model, slots: [[l1, "weight", "w1"], [l1, "bias", "b1"], [l2, "weight", "w2"], [l2, "bias", "b2"]] };
  }
  const c1 = new nn.Conv2d(1, 16, 3, { padding: 1 });
  const c2 = new nn.Conv2d(16, 32, 3, { padding: 1 });
  const fc = new nn.Linear(32 * 7 * 7, 10);
  const model = new nn.Sequential(c1, new nn.ReLU(), new nn.MaxPool2d(2), c2, new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), fc);
  const slots = [[c1, "weight", "c1w"], [c1, "bias", "c1b"], [c2, "weight", "c2w"], [c2, "bias", "c2b"], [fc, "weight", "fw"], [fc, "bias", "fb"]];
  return { model, slots };
}

/**
 * Two variants of the same step: eager, and under t.jit (traced on the first step, then the
 * recorded kernels replayed without the op layer). jit comes first, so it gives the table's value.
 */
export function tsdlTraining(t) {
  const jit = typeof t.jit === "function"; // older builds (bench of earlier commits) have none
  return async () => (jit ? [variant(t, "jit", true), variant(t, "eager", false)] : [variant(t, "eager", false)]);
}

function variant(t, name, useJit) {
  return {
    name,
    async create(spec) {
      const { model, slots } = buildModel(t, spec);
      // The shared starting weights replace the modules' own random init (same layout as PyTorch).
      for (const [layer, key, name] of slots) {
        const p = param(spec, name);
        t.tidy(() => void layer[key].assign(t.tensor(p.data).reshape(p.shape)));
      }
      const x = t.tidy(() => t.tensor(spec.x).reshape(spec.xShape));
      const y = t.tensor(spec.y);
      const opt = new t.optim.SGD(model.parameters(), { lr: spec.lr });
      const body = (x, y) => {
        opt.zeroGrad();
        const l = t.nn.crossEntropy(model.forward(x), y);
        l.backward();
        opt.step();
        return l;
      };
      const fn = useJit ? t.jit(body) : body;
      return {
        async step() {
          // tidy frees the step's activations; backward's gradients are kept by tsdl itself.
          const loss = t.tidy(() => fn(x, y));
          const value = await loss.item();
          await t.sync(); // the parameter updates were queued after the loss
          loss.dispose();
          return value;
        },
        internals: { net: model, opt, x, y, fn }, // for bench/profile-step.mjs
        dispose() {
          fn.dispose?.();
          opt.zeroGrad();
          for (const h of [x, y, ...model.parameters()]) h.dispose();
        },
      };
    },
  };
}
