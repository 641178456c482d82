// Compiles the WebGPU kernels a typical first training step needs, so that Mesa's on-disk
// shader cache (~/.cache/mesa_shader_cache_db) holds them: run once after installing (e.g. in
// binder/postBuild). Kernels are keyed by structure, dtype and layout variant (vec4 or strided,
// matmul tiling), not by exact sizes, so a small MNIST-shaped MLP warms those of similar models.
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const t = require("../dist/src/index.js");

const t0 = performance.now();
await t.setBackend("webgpu");
for (const Opt of [t.optim.SGD, t.optim.Adam]) {
  t.manualSeed(0);
  const model = new t.nn.Sequential(new t.nn.Linear(784, 128), new t.nn.ReLU(), new t.nn.Linear(128, 10));
  const opt = new Opt(model.parameters(), { lr: 0.01 });
  const x = t.randn([64, 784]);
  const y = t.randint(0, 10, [64]).astype("int32");
  for (let i = 0; i < 3; i++) {
    const l = t.tidy(() => {
      opt.zeroGrad();
      const l = t.nn.crossEntropy(model.forward(x), y);
      l.backward();
      opt.step();
      return l;
    });
    await l.item();
    l.dispose();
  }
}
console.log(`shader cache warmed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
t.shutdown();
