// The raw Dawn peer: the kernels in wgsl.mjs driven with no library around them. Every op is a
// compute pass recorded into one pending command encoder; sync() submits it and reads the last
// result back. Freed buffers go to a pool by size, so a chain x = x + 1 ping-pongs two buffers.
// This is the floor for per-op overhead and the ceiling for matmul on this device.
import { installNavigatorGpu, describeAdapter } from "../lib/dawn.mjs";
import { matmulWgsl, matmulTiledWgsl, matmulMultiple, matmulWorkgroups, MATMUL_CANDIDATES, ADD_WGSL, ADD_WORKGROUPS, ADD_SCALAR_WGSL } from "./wgsl.mjs";

export async function createPeer() {
  const gpu = await installNavigatorGpu();
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error("Dawn found no WebGPU adapter");
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
    },
  });
  // lavapipe (a software adapter) gets the kernel tuned for it; a hardware GPU the tiled one.
  const software = describeAdapter(adapter).isFallbackAdapter || describeAdapter(adapter).architecture === "software";
  const kernels = software
    ? MATMUL_CANDIDATES.map((cfg) => ({
        name: `${cfg.ROWS}x${cfg.COLS} vec4 register blocks`,
        code: matmulWgsl(cfg),
        multiple: matmulMultiple(cfg),
        groups: (n) => matmulWorkgroups(n, cfg),
      }))
    : [{ name: "64x64 tiles in workgroup memory", code: matmulTiledWgsl(), multiple: 64, groups: (n) => [n / 64, n / 64] }];
  const chosen = new Map(); // N -> the kernel prepare() found fastest
  const pipelines = new Map();
  const pipeline = (key, code, constants) => {
    if (!pipelines.has(key)) {
      const module = device.createShaderModule({ code });
      pipelines.set(key, device.createComputePipeline({ layout: "auto", compute: { module, entryPoint: "main", constants } }));
    }
    return pipelines.get(key);
  };

  const pool = new Map(); // byte size -> free GPUBuffers
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const alloc = (shape) => {
    const bytes = 4 * shape.reduce((p, d) => p * d, 1);
    const buffer = pool.get(bytes)?.pop() ?? device.createBuffer({ size: bytes, usage });
    return { shape, bytes, buffer };
  };

  let encoder = null;
  const dispatch = (pipe, buffers, groups) => {
    encoder ??= device.createCommandEncoder();
    const bindGroup = device.createBindGroup({
      layout: pipe.getBindGroupLayout(0),
      entries: buffers.map((t, binding) => ({ binding, resource: { buffer: t.buffer } })),
    });
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipe);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(...groups);
    pass.end();
  };

  const read = async (t) => {
    const staging = device.createBuffer({ size: t.bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    encoder ??= device.createCommandEncoder();
    encoder.copyBufferToBuffer(t.buffer, 0, staging, 0, t.bytes);
    device.queue.submit([encoder.finish()]);
    encoder = null;
    await staging.mapAsync(GPUMapMode.READ);
    const out = new Float32Array(staging.getMappedRange().slice(0));
    staging.destroy();
    return out;
  };

  return {
    adapter: describeAdapter(adapter),
    notes: { matmul: software ? "fastest of the register-blocked kernels for lavapipe, per N" : kernels[0].name, tiny: "all dispatches in one command encoder, one submit" },
    /** Before a matmul size is timed: compile every candidate kernel and keep the fastest. */
    async prepare(w, a, b) {
      if (w.kind !== "matmul") return;
      let best = null;
      for (const k of kernels.filter((k) => w.n % k.multiple === 0)) {
        const pipe = pipeline(`matmul:${k.name}:${w.n}`, k.code, { N: w.n });
        const c = alloc([w.n, w.n]);
        const once = async () => {
          const t0 = performance.now();
          dispatch(pipe, [a, b, c], k.groups(w.n));
          device.queue.submit([encoder.finish()]);
          encoder = null;
          await device.queue.onSubmittedWorkDone();
          return performance.now() - t0;
        };
        await once(); // compile
        const t = Math.min(await once(), w.n <= 1024 ? await once() : Infinity);
        this.dispose(c);
        if (!best || t < best.t) best = { k, t };
      }
      chosen.set(w.n, best.k);
    },
    randn(shape) {
      if (encoder) device.queue.submit([encoder.finish()]); // writeBuffer runs before any later submit
      encoder = null;
      const t = alloc(shape);
      const data = new Float32Array(t.bytes / 4);
      for (let i = 0; i < data.length; i++) data[i] = Math.random() * 2 - 1;
      device.queue.writeBuffer(t.buffer, 0, data);
      return t;
    },
    matmul(a, b) {
      const n = a.shape[0];
      const k = chosen.get(n) ?? kernels.find((k) => n % k.multiple === 0);
      if (!k) throw new Error(`raw matmul needs N to be a multiple of ${kernels[0].multiple}`);
      const c = alloc([n, n]);
      dispatch(pipeline(`matmul:${k.name}:${n}`, k.code, { N: n }), [a, b, c], k.groups(n));
      return c;
    },
    add(a, b) {
      const c = alloc(a.shape);
      const groups = Math.min(ADD_WORKGROUPS, Math.ceil(c.bytes / 16 / 64));
      dispatch(pipeline("add", ADD_WGSL), [a, b, c], [groups]);
      return c;
    },
    addScalar(x, s) {
      const y = alloc(x.shape);
      dispatch(pipeline(`addScalar:${s}`, ADD_SCALAR_WGSL, { S: s }), [x, y], [Math.ceil(y.bytes / 4 / 64)]);
      return y;
    },
    async sync(handles) {
      await read(handles[handles.length - 1]);
    },
    read,
    dispose(t) {
      if (!pool.has(t.bytes)) pool.set(t.bytes, []);
      pool.get(t.bytes).push(t.buffer);
    },
    shutdown() {
      device.destroy();
    },
  };
}
