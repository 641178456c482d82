// Fails loudly unless Dawn (the `webgpu` npm package) finds a WebGPU adapter. The tests never
// skip WebGPU, so a machine without an adapter must be fixed, not tolerated.
const hint = `
How to get a WebGPU adapter:
  - On Debian 12 without a GPU: Mesa's lavapipe Vulkan driver from bookworm-backports (Mesa 25;
    bookworm's own Mesa 22 is too old for Dawn). As root: bash scripts/setup-system.sh
  - With a GPU: install its Vulkan driver (Linux), or use macOS (Metal) / Windows (D3D12).
  - Node packages missing? Run: npm ci`;

const fail = (why) => {
  console.error(`WebGPU check FAILED: ${why}\n${hint}`);
  process.exit(1);
};

const timer = setTimeout(() => fail("requestAdapter() did not answer within 60 s"), 60_000);
let webgpu;
try {
  webgpu = await import("webgpu");
} catch (err) {
  fail(`cannot load the \`webgpu\` package (${String(err.message).split("\n")[0]})`);
}
Object.assign(globalThis, webgpu.globals);
const gpu = webgpu.create([]);
const adapter = await gpu.requestAdapter();
if (!adapter) fail("Dawn found no WebGPU adapter");
const device = await adapter.requestDevice();
const info = adapter.info;
console.log(`WebGPU adapter: ${info.description || info.device || info.vendor || "unnamed"} (${info.vendor}, ${info.architecture})`);
device.destroy();
clearTimeout(timer);
// Dawn keeps the process alive while its instance lives.
process.exit(0);
