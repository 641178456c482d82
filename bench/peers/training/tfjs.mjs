// TensorFlow.js's training step: tf.variable parameters, tf.train.sgd(lr).minimize() with the
// cost returned, tf.losses.softmaxCrossEntropy on one-hot labels. tfjs convolves channels-last
// (NHWC), so the shared PyTorch-layout weights are rearranged on the host once: conv weights to
// [kh, kw, C, O], Linear weights to [in, out], and the last Linear's rows to H, W, C order so
// flattening NHWC activations multiplies the same numbers as PyTorch's C, H, W flatten.
import { register } from "node:module";
import { param, transposed } from "../../lib/training.mjs";

let gradientsRegistered = false;

/** tfjs-core's Node bundle ships no gradients; load them as @tensorflow/tfjs would (see the hooks file). */
async function registerGradients() {
  if (gradientsRegistered) return;
  register(new URL("./tfjs-esm-hooks.mjs", import.meta.url));
  await import("@tensorflow/tfjs-core/dist/register_all_gradients.js");
  gradientsRegistered = true;
}

/** PyTorch conv weight [O, C, kh, kw] as tfjs's [kh, kw, C, O]. */
function convToHwio({ shape: [o, c, kh, kw], data }) {
  const out = new Float32Array(data.length);
  for (let a = 0; a < o; a++)
    for (let b = 0; b < c; b++)
      for (let i = 0; i < kh; i++)
        for (let j = 0; j < kw; j++) out[((i * kw + j) * c + b) * o + a] = data[((a * c + b) * kh + i) * kw + j];
  return out;
}

/** The final Linear [out, C*H*W] as [H*W*C, out], matching an NHWC flatten. */
function linearFromNhwc({ shape: [out, inFeatures], data }, c, hw) {
  const w = new Float32Array(data.length);
  for (let o = 0; o < out; o++)
    for (let ch = 0; ch < c; ch++)
      for (let p = 0; p < hw; p++) w[(p * c + ch) * out + o] = data[o * inFeatures + ch * hw + p];
  return w;
}

/** The model's variables (in tfjs layouts) and its forward function. */
function buildModel(tf, spec) {
  const variable = (data, shape) => tf.variable(tf.tensor(data, shape, "float32"));
  if (spec.model === "mlp") {
    const [w1, b1, w2, b2] = ["w1", "b1", "w2", "b2"].map((n) => param(spec, n));
    const vars = [variable(transposed(w1), [784, 256]), variable(b1.data, [256]), variable(transposed(w2), [256, 10]), variable(b2.data, [10])];
    const forward = (x) => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, vars[0]), vars[1])), vars[2]), vars[3]);
    return { vars, forward };
  }
  const [c1w, c1b, c2w, c2b, fw, fb] = ["c1w", "c1b", "c2w", "c2b", "fw", "fb"].map((n) => param(spec, n));
  const vars = [
    variable(convToHwio(c1w), [3, 3, 1, 16]),
    variable(c1b.data, [16]),
    variable(convToHwio(c2w), [3, 3, 16, 32]),
    variable(c2b.data, [32]),
    variable(linearFromNhwc(fw, 32, 49), [49 * 32, 10]),
    variable(fb.data, [10]),
  ];
  const block = (h, w, b) => tf.maxPool(tf.relu(tf.add(tf.conv2d(h, w, 1, "same"), b)), 2, 2, "valid");
  const forward = (x) => {
    const h = block(block(x, vars[0], vars[1]), vars[2], vars[3]);
    return tf.add(tf.matMul(tf.reshape(h, [spec.batch, 49 * 32]), vars[4]), vars[5]);
  };
  return { vars, forward };
}

export function tfjsTraining(tf, backend) {
  const minimize = {
    name: "minimize",
    async create(spec) {
      const { vars, forward } = buildModel(tf, spec);
      // One input channel: NCHW and NHWC hold the same bytes, so the conv input needs no shuffle.
      const x = tf.tensor(spec.x, spec.model === "mlp" ? spec.xShape : [spec.batch, 28, 28, 1], "float32");
      const labels = tf.tensor1d(spec.y, "int32");
      const onehot = tf.oneHot(labels, spec.classes);
      labels.dispose();
      const opt = tf.train.sgd(spec.lr);
      const queue = backend === "webgpu" ? tf.backend().device.queue : null;
      return {
        async step() {
          const cost = opt.minimize(() => tf.losses.softmaxCrossEntropy(onehot, forward(x)), true, vars);
          const value = (await cost.data())[0];
          cost.dispose();
          // The variable updates were queued after the cost; wait for the GPU to finish them.
          if (queue) await queue.onSubmittedWorkDone();
          return value;
        },
        dispose() {
          opt.dispose();
          for (const h of [x, onehot, ...vars]) h.dispose();
        },
      };
    },
  };
  // Kernels the convnet's backward pass needs; a backend without one cannot train it.
  const convKernels = ["Conv2D", "Conv2DBackpropFilter", "Conv2DBackpropInput", "MaxPool", "MaxPoolGrad"];
  return async (spec) => {
    await registerGradients();
    const missing = spec.model === "conv" ? convKernels.filter((k) => !tf.getKernel(k, backend)) : [];
    if (missing.length) return [{ name: "minimize", unsupported: `tfjs-backend-${backend} 4.22 has no ${missing.join(", ")} kernel` }];
    return [minimize];
  };
}
