// Which backend new tensors go to. "cpu" is always there; "webgpu" needs an async device
// request, so it is created by setBackend("webgpu") or ready(). The automatic choice (ready())
// takes WebGPU on a real GPU and the CPU backend when the only adapter is a software one
// (lavapipe, SwiftShader), where the CPU backend is as fast and has no per-op overhead.
// TSDL_BACKEND=cpu|webgpu overrides the automatic choice.

import type { Backend, BackendName } from "./backend";
import { createCpuBackend } from "./cpu";

let cpu: Backend | null = null;
let webgpu: Backend | null = null;
let webgpuInfo: { description: string; isSoftware: boolean } | null = null;
let current: Backend | null = null;
let noticeShown = false;

function getCpu(): Backend {
  cpu ??= createCpuBackend();
  return cpu;
}

/** The backend new tensors are created on. */
export function currentBackend(): Backend {
  current ??= getCpu();
  return current;
}

/** The backends created so far. */
export function createdBackends(): Backend[] {
  return [cpu, webgpu].filter((b): b is Backend => b !== null);
}

export function getBackend(): BackendName {
  return currentBackend().name;
}

async function getWebGPU(): Promise<Backend | null> {
  if (webgpu) return webgpu;
  // Loaded lazily: Dawn starts threads and keeps the process alive until released.
  const mod = await import("./webgpu/index.js");
  const created = await mod.createWebGPUBackend();
  if (!created) return null;
  webgpu = created;
  webgpuInfo = { description: created.description, isSoftware: created.isSoftware };
  return webgpu;
}

/** Makes `name` the backend for new tensors. Rejects when WebGPU has no adapter. */
export async function setBackend(name: BackendName): Promise<BackendName> {
  if (name === "cpu") {
    current = getCpu();
    return "cpu";
  }
  if (name !== "webgpu") {
    throw new Error(`setBackend: unknown backend ${JSON.stringify(name)}; use "webgpu" or "cpu"`);
  }
  const b = await getWebGPU();
  if (!b) {
    throw new Error(
      "setBackend('webgpu'): no WebGPU adapter was found. On Debian install the Vulkan driver " +
        "(mesa-vulkan-drivers from bookworm-backports) or use setBackend('cpu').",
    );
  }
  current = b;
  return "webgpu";
}

/** Picks the backend automatically (once) and returns its name. */
export async function ready(options: { quiet?: boolean } = {}): Promise<BackendName> {
  const forced = process.env.TSDL_BACKEND;
  if (forced === "cpu" || forced === "webgpu") return setBackend(forced);
  if (forced) throw new Error(`TSDL_BACKEND=${forced} is not a backend; use "webgpu" or "cpu"`);
  const b = await getWebGPU().catch(() => null);
  const say = (msg: string) => {
    if (!options.quiet && !noticeShown) console.error(msg);
    noticeShown = true;
  };
  if (b && webgpuInfo && !webgpuInfo.isSoftware) {
    current = b;
    return "webgpu";
  }
  current = getCpu();
  say(
    b
      ? `tsdl: the only WebGPU adapter is a software one (${webgpuInfo?.description}); using the cpu backend. setBackend("webgpu") uses it anyway.`
      : "tsdl: no WebGPU adapter found; using the cpu backend.",
  );
  return "cpu";
}

/** Information about the backends that exist now. */
export function backendInfo(): { current: BackendName; webgpu: { description: string; isSoftware: boolean } | null } {
  return { current: getBackend(), webgpu: webgpuInfo };
}

/** Waits for all submitted device work (useful for timing). */
export async function sync(): Promise<void> {
  await currentBackend().sync();
}

/**
 * Frees the buffers and arrays the backends keep for reuse (PyTorch's
 * torch.cuda.empty_cache()). The WebGPU pool keeps up to the most memory the program ever had
 * live at once (plus 256 MiB), so after one big computation this gives that memory back to the
 * device; live tensors are untouched, and later work refills the pool as it needs. On the CPU
 * it empties the array pool and drops the engine kept for matmuls too big for the tensor heap;
 * the tensor heap itself (a WebAssembly memory of 256-768 MiB at most, by the machine's memory)
 * cannot shrink, and reuses its free blocks.
 */
export function emptyCache(): void {
  for (const b of createdBackends()) b.emptyCache?.();
}

/** Releases the WebGPU device so the process can exit. Tensors on it become unusable. */
export function shutdown(): void {
  webgpu?.destroy();
  if (current === webgpu) current = null;
  webgpu = null;
  webgpuInfo = null;
}

/** The backend with this name, if it exists (for moving tensors between devices). */
export async function backendByName(name: BackendName): Promise<Backend> {
  if (name === "cpu") return getCpu();
  const b = await getWebGPU();
  if (!b) throw new Error("no WebGPU adapter was found");
  return b;
}
