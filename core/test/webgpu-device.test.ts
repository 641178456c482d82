// The WebGPU backend's machinery: buffer pool reuse, ordering of uploads against recorded
// dispatches, batching, 2-D dispatch grids, device limits and asynchronous device errors.

import assert from "node:assert/strict";
import { DeviceLimitError } from "../src/errors";
import type { Storage } from "../src/backend/backend";
import { createWebGPUBackend, type WebGPUBackend } from "../src/backend/webgpu";
import { DeviceHealth, openDevice } from "../src/backend/webgpu/device";
import { sizeClass } from "../src/backend/webgpu/buffers";
import { magic } from "../src/backend/webgpu/wgsl/divide";

let backend: WebGPUBackend;

// Hooks inside a describe: at the top level mocha would run them before every file's tests.
describe("webgpu device", function () {
before(async function () {
  this.timeout(120_000);
  const b = await createWebGPUBackend();
  assert(b, "no WebGPU adapter: install mesa-vulkan-drivers from bookworm-backports");
  backend = b;
});

after(() => backend?.destroy());

const F = "float32" as const;
const upload = (values: number[]) => backend.upload(Float32Array.from(values), F);
const info = (shape: number[]) => ({ shape, dtype: F });

function addOne(x: Storage, n: number): Storage {
  const one = upload([1]);
  const y = backend.kernels.binary({ inputs: [x, one], infos: [info([n]), info([])], out: info([n]), attrs: { fn: "add" } });
  backend.free(one);
  return y;
}

describe("webgpu backend: memory and ordering", () => {
  it("size classes: multiples of 16 bytes, powers of two to 4 KiB, then at most 25% larger", () => {
    assert.equal(sizeClass(0), 16);
    assert.equal(sizeClass(5), 16);
    assert.equal(sizeClass(17), 32);
    assert.equal(sizeClass(4097), 5120);
    for (const n of [17, 1000, 4097, 100_000, 123_456_789]) {
      const c = sizeClass(n);
      // Multiples of 16 let vec4 shaders read the last, partial vec4 of any tensor.
      const bound = n <= 4096 ? 2 * n : 1.25 * n;
      assert(c >= n && c % 16 === 0 && c <= bound, `class of ${n} is ${c}`);
    }
  });

  it("division by magic numbers is exact (the arithmetic of wgsl/divide.ts udiv)", () => {
    // Emulates udiv: floor(x * m / 2^s) with 64-bit intermediate, as the shader computes it.
    const udiv = (x: number, m: number, s: number) => (m === 0 ? x : Number((BigInt(x) * BigInt(m)) >> BigInt(s)));
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (const xMax of [10, 1000, 2 ** 20, 2 ** 25, 2 ** 30, 2 ** 31 - 1]) {
      for (const n of [1, 2, 3, 7, 10, 255, 256, 1000, 65_537, xMax]) {
        const { m, s } = magic(n, xMax);
        assert(m < 2 ** 32 && s < 64, `magic(${n}, ${xMax})`);
        for (const x of [0, 1, n - 1, n, n + 1, xMax, xMax - 1, ...Array.from({ length: 200 }, () => next() % (xMax + 1))]) {
          if (x < 0 || x > xMax) continue;
          assert.equal(udiv(x, m, s), Math.floor(x / n), `${x} / ${n} (xMax ${xMax})`);
        }
      }
    }
  });

  it("a repeated step reuses pooled buffers instead of growing", async () => {
    const before = backend.memory();
    for (let step = 0; step < 50; step++) {
      const x = upload(Array.from({ length: 1000 }, (_, i) => i));
      const y = backend.kernels.unary({ inputs: [x], infos: [info([1000])], out: info([1000]), attrs: { fn: "neg" } });
      backend.free(x);
      const z = addOne(y, 1000);
      backend.free(y);
      if (step % 10 === 0) assert.equal((await backend.read(z, F, 1000))[999], -998);
      backend.free(z);
    }
    const after = backend.memory();
    assert.equal(after.liveBuffers, before.liveBuffers);
    assert.equal(after.liveBytes, before.liveBytes);
    assert(after.pooledBuffers - before.pooledBuffers <= 4, `pool grew by ${after.pooledBuffers - before.pooledBuffers}`);
  });

  it("an upload into a reused buffer does not overtake dispatches that read its old contents", async () => {
    for (const n of [16, 20_000]) {
      // n = 20,000 floats is past the small-upload arena and takes queue.writeBuffer.
      const x = upload(Array.from({ length: n }, () => 5));
      const y = addOne(x, n); // recorded, not submitted
      backend.free(x);
      const z = upload(Array.from({ length: n }, () => 100)); // likely x's buffer again
      const [ys, zs] = await Promise.all([backend.read(y, F, n), backend.read(z, F, n)]);
      assert.equal(ys[n - 1], 6);
      assert.equal(zs[n - 1], 100);
      backend.free(y);
      backend.free(z);
    }
  });

  it("hundreds of dispatches, then one readback", async () => {
    const start = backend.counters().dispatches;
    let x = upload([0, 10]);
    for (let i = 0; i < 300; i++) {
      // Elementwise chains fuse into one kernel; the permute (a copy) makes each step dispatch.
      const y = addOne(x, 2);
      backend.free(x);
      x = backend.kernels.permute({ inputs: [y], infos: [info([2])], out: info([2]), attrs: { perm: [0] } });
      backend.free(y);
    }
    assert.deepEqual(Array.from(await backend.read(x, F, 2)), [300, 310]);
    assert(backend.counters().dispatches - start >= 300);
    backend.free(x);
    await backend.sync();
  });

  it("bool round-trips through u32 storage; empty uploads and reads work", async () => {
    const b = backend.upload(Uint8Array.from([1, 0, 1]), "bool");
    const back = await backend.read(b, "bool", 3);
    assert(back instanceof Uint8Array);
    assert.deepEqual(Array.from(back), [1, 0, 1]);
    const e = backend.upload(new Int32Array(0), "int32");
    assert.equal((await backend.read(e, "int32", 0)).length, 0);
    backend.free(b);
    backend.free(e);
  });
});

describe("webgpu backend: limits", () => {
  it("more than 65535 workgroups run as a 2-D grid", async function () {
    this.timeout(120_000);
    // One thread per output in a reduction of [n, 1] over axis 1: 65,537 workgroups of 256.
    // (Elementwise kernels handle 1024 elements per workgroup, so on a device with a 128 MiB
    // binding limit they never need more than 65535 workgroups.)
    const n = 65_537 * 256;
    const one = upload([1]);
    const x = backend.kernels.broadcast({ inputs: [one], infos: [info([])], out: info([n, 1]), attrs: { shape: [n, 1] } });
    const y = backend.kernels.reduce({ inputs: [x], infos: [info([n, 1])], out: info([n]), attrs: { fn: "sum", axes: [1], keepdims: false } });
    const s = backend.kernels.reduce({ inputs: [y], infos: [info([n])], out: info([]), attrs: { fn: "sum", axes: [0], keepdims: false } });
    assert.deepEqual(Array.from(await backend.read(s, F, 1)), [n]);
    for (const t of [one, x, y, s]) backend.free(t);

    // 65,536 batched 1x1 matmuls: one workgroup each.
    const batch = 65_536;
    const a = upload(Array.from({ length: batch }, () => 2));
    const b = upload(Array.from({ length: batch }, (_, i) => i));
    const c = backend.kernels.matmul({
      inputs: [a, b],
      infos: [info([batch, 1, 1]), info([batch, 1, 1])],
      out: info([batch, 1, 1]),
      attrs: {},
    });
    const got = await backend.read(c, F, batch);
    assert.equal(got[0], 0);
    assert.equal(got[batch - 1], 2 * (batch - 1));
    for (const t of [a, b, c]) backend.free(t);
  });

  it("strided kernels index large tensors exactly (64-bit division magic)", async function () {
    this.timeout(60_000);
    // 4.5M elements with a 3000-wide axis: index * divisor passes 2^32, the shader's long path.
    const [r, c] = [1500, 3000];
    const x = backend.upload(Float32Array.from({ length: r * c }, (_, i) => i), F);
    const t = backend.kernels.permute({ inputs: [x], infos: [info([r, c])], out: info([c, r]), attrs: { perm: [1, 0] } });
    const got = await backend.read(t, F, r * c);
    for (const [i, j] of [[0, 0], [2999, 1499], [1234, 567], [3, 1498], [2998, 1]]) {
      assert.equal(got[i * r + j], j * c + i, `transposed[${i}, ${j}]`);
    }
    backend.free(x);
    backend.free(t);
  });

  it("a tensor beyond maxStorageBufferBindingSize throws DeviceLimitError before allocating", () => {
    const n = Math.floor(backend.limits.maxStorageBufferBindingSize / 4) + 1;
    const x = upload([1]);
    const live = backend.memory().liveBuffers;
    assert.throws(
      () => backend.kernels.broadcast({ inputs: [x], infos: [info([])], out: info([n]), attrs: { shape: [n] } }),
      (e: unknown) =>
        e instanceof DeviceLimitError &&
        /maxStorageBufferBindingSize/.test(e.message) &&
        e.message.includes(String(n * 4)) &&
        /setBackend\('cpu'\)/.test(e.message),
    );
    assert.equal(backend.memory().liveBuffers, live);
    backend.free(x);
  });
});

describe("webgpu backend: device errors", () => {
  it("an asynchronous device error surfaces as DeviceLimitError at the next call", async () => {
    const opened = await openDevice();
    assert(opened, "no WebGPU adapter");
    const { device } = opened;
    const health = new DeviceHealth(device);
    // MAP_READ may only be combined with COPY_DST: a validation error, reported asynchronously.
    device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE });
    let thrown: unknown;
    for (let i = 0; i < 20 && !thrown; i++) {
      await device.queue.onSubmittedWorkDone();
      try {
        health.check();
      } catch (e) {
        thrown = e;
      }
    }
    assert(thrown instanceof DeviceLimitError, `expected DeviceLimitError, got ${String(thrown)}`);
    health.check(); // reported once; the device still works

    device.destroy(); // a destroyed device reads as lost
    await device.lost;
    assert.throws(() => health.check(), DeviceLimitError);
    health.markDestroyed();
  });

  it("a destroyed backend refuses work with DeviceLimitError", async () => {
    const b = await createWebGPUBackend();
    assert(b, "no WebGPU adapter");
    const x = b.upload(Float32Array.from([1]), F);
    b.destroy();
    assert.throws(
      () => b.kernels.unary({ inputs: [x], infos: [info([1])], out: info([1]), attrs: { fn: "neg" } }),
      DeviceLimitError,
    );
    await assert.rejects(b.read(x, F, 1), DeviceLimitError);
  });
});
});
