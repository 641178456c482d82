// jax-js's training step, functional JAX style: a loss of (params, x, y), valueAndGrad, and
// params - lr * grads over the parameter tree. The same step runs twice as variants: under
// jit() (traced once, fused kernels) and eagerly. jax-js functions consume their array
// arguments, so every reuse takes a `.ref`. The step's sync waits for the new parameters
// (blockUntilReady) and reads the loss back.
import { param, transposed } from "../../lib/training.mjs";

/** Loss functions in the shared PyTorch layout, except Linear weights as [in, out] for x @ W. */
function lossFunction(jax, spec) {
  const { numpy: np, nn, lax } = jax;
  const crossEntropy = (logits, y) => nn.logSoftmax(logits, -1).mul(nn.oneHot(y, spec.classes)).sum(-1).mean().neg();
  if (spec.model === "mlp") {
    return (p, x, y) => {
      const h = nn.relu(np.matmul(x, p.w1).add(p.b1));
      return crossEntropy(np.matmul(h, p.w2).add(p.b2), y);
    };
  }
  // conv 3x3 pad 1, bias, ReLU, then 2x2 max pooling as a reshape and a max over the window axes.
  const block = (h, w, b, channels, size) => {
    const c = nn.relu(lax.conv(h, w, [1, 1], [[1, 1], [1, 1]]).add(b.reshape([1, channels, 1, 1])));
    return c.reshape([spec.batch, channels, size / 2, 2, size / 2, 2]).max([3, 5]);
  };
  return (p, x, y) => {
    const h = block(block(x, p.c1w, p.c1b, 16, 28), p.c2w, p.c2b, 32, 14);
    return crossEntropy(np.matmul(h.reshape([spec.batch, 32 * 7 * 7]), p.fw).add(p.fb), y);
  };
}

function initialParams(jax, spec) {
  const np = jax.numpy;
  const linear = new Set(["w1", "w2", "fw"]);
  const params = {};
  for (const p of spec.params) {
    params[p.name] = linear.has(p.name)
      ? np.array(transposed(p), { shape: [p.shape[1], p.shape[0]] })
      : np.array(p.data, { shape: p.shape });
  }
  return params;
}

export function jaxTraining(jax) {
  const { tree, valueAndGrad } = jax;
  const variant = (name, wrap) => ({
    name,
    async create(spec) {
      const loss = lossFunction(jax, spec);
      const step = wrap((params, x, y) => {
        const [value, grads] = valueAndGrad(loss)(tree.ref(params), x, y);
        return [tree.map((p, g) => p.sub(g.mul(spec.lr)), params, grads), value];
      });
      let params = initialParams(jax, spec);
      const x = jax.numpy.array(spec.x, { shape: spec.xShape });
      const y = jax.numpy.array(spec.y, { shape: [spec.batch], dtype: jax.numpy.int32 });
      return {
        async step() {
          const [next, value] = step(params, x.ref, y.ref);
          params = next;
          await jax.blockUntilReady(params);
          return (await value.data())[0];
        },
        dispose() {
          tree.dispose(params);
          x.dispose();
          y.dispose();
          step.dispose?.();
        },
      };
    },
  });
  return async () => [variant("jit", (f) => jax.jit(f)), variant("eager", (f) => f)];
}
