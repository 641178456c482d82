// Finds a WebGPU adapter through Dawn (the `webgpu` npm package) and opens a device with the
// adapter's full buffer limits. Also watches the device's health: WebGPU reports out-of-memory,
// validation errors and device loss asynchronously, so `DeviceHealth` records them and the
// backend throws a DeviceLimitError at the next call instead of crashing the process later.

import { DeviceLimitError } from "../../errors";

/** What we know about the adapter, for `Backend.description` and the software/hardware choice. */
export interface AdapterSummary {
  /** e.g. "llvmpipe (Vulkan, software)" or "NVIDIA GeForce RTX 3060 (nvidia)". */
  description: string;
  /** True for CPU implementations (lavapipe/llvmpipe, SwiftShader, WARP). */
  isSoftware: boolean;
  vendor: string;
  architecture: string;
  device: string;
  driver: string;
}

export interface OpenedDevice {
  device: GPUDevice;
  adapter: GPUAdapter;
  summary: AdapterSummary;
}

// The `webgpu` package is an ES module and our output is CommonJS: TypeScript (module node16)
// keeps this `import()` as a real dynamic import. The GPU object is created once per process:
// Dawn keeps one instance alive, and creating several wastes adapter enumeration time.
let gpuPromise: Promise<GPU | null> | undefined;

async function loadGpu(): Promise<GPU | null> {
  try {
    const mod = await import("webgpu");
    // Dawn's GPUBufferUsage etc. must be globals for code written against the browser API.
    Object.assign(globalThis, mod.globals);
    return mod.create([]);
  } catch {
    return null; // no Dawn binary for this platform
  }
}

/** Opens a device, or returns null when there is no adapter at all. */
export async function openDevice(): Promise<OpenedDevice | null> {
  gpuPromise ??= loadGpu();
  const gpu = await gpuPromise;
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) return null;
  const limits = adapter.limits;
  // Ask for everything the adapter offers for big tensors; the defaults (128 MiB binding,
  // 256 MiB buffer) would make us refuse tensors the hardware could hold.
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
  });
  return { device, adapter, summary: summarizeAdapter(adapter) };
}

/** Reads adapter.info; in Dawn its fields are prototype getters, so copy them one by one. */
export function summarizeAdapter(adapter: GPUAdapter): AdapterSummary {
  const info = adapter.info;
  const vendor = String(info.vendor ?? "");
  const architecture = String(info.architecture ?? "");
  const device = String(info.device ?? "");
  const driver = String(info.description ?? "");
  // `isFallbackAdapter` moved from GPUAdapter to GPUAdapterInfo in the spec; read both.
  const infoFallback = (info as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const adapterFallback = (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const text = `${vendor} ${architecture} ${device} ${driver}`.toLowerCase();
  const softwareName = /llvmpipe|lavapipe|swiftshader|warp|software|microsoft basic render/.test(text);
  const isSoftware = infoFallback === true || adapterFallback === true || softwareName;
  return { description: describe(vendor, device, driver, isSoftware), isSoftware, vendor, architecture, device, driver };
}

function describe(vendor: string, device: string, driver: string, isSoftware: boolean): string {
  const text = `${device} ${driver}`.toLowerCase();
  if (text.includes("llvmpipe") || text.includes("lavapipe")) return "lavapipe (Vulkan, software)";
  if (text.includes("swiftshader")) return "SwiftShader (Vulkan, software)";
  // Dawn's `device` is often a sanitized name ("llvmpipe-llvm-15-..."); the driver string reads better.
  const name = driver || device || vendor || "unknown adapter";
  return isSoftware ? `${name} (software)` : vendor ? `${name} (${vendor})` : name;
}

/**
 * Collects asynchronous device errors. `check()` is called at the start of every backend
 * entry point and throws the first recorded problem as a DeviceLimitError.
 */
export class DeviceHealth {
  private problem: string | undefined;
  private lost = false;
  private destroyed = false;
  private readonly onError: (ev: Event) => void;

  constructor(private readonly device: GPUDevice) {
    void device.lost.then((info) => {
      this.lost = true;
      if (this.destroyed || info.reason === "destroyed") return;
      this.problem ??=
        `the WebGPU device was lost (${info.message || "unknown reason"}); ` +
        `restart the kernel or use the cpu backend: setBackend('cpu')`;
    });
    // Keep one bound handler so removeEventListener removes the same function.
    this.onError = (ev: Event) => {
      const error = (ev as GPUUncapturedErrorEvent).error;
      const oom = typeof GPUOutOfMemoryError !== "undefined" && error instanceof GPUOutOfMemoryError;
      if (oom || /out of memory/i.test(error.message)) {
        this.problem ??=
          `the WebGPU device ran out of memory (${error.message}). ` +
          `Free tensors (dispose/tidy), use smaller batches, or use the cpu backend: setBackend('cpu')`;
      } else {
        this.problem ??=
          `WebGPU rejected a command, which is a bug in tsdl's webgpu backend (${error.message.trim()}). ` +
          `Please report it; meanwhile the cpu backend works: setBackend('cpu')`;
      }
    };
    device.addEventListener("uncapturederror", this.onError);
  }

  /** Throws the first problem seen since the last check, or if the device is gone. */
  check(): void {
    if (this.destroyed) throw new DeviceLimitError("the WebGPU backend was destroyed; create a new one");
    const problem = this.problem;
    if (problem !== undefined) {
      // An OOM or validation error is reported once; a lost device stays lost.
      if (!this.lost) this.problem = undefined;
      throw new DeviceLimitError(problem);
    }
    if (this.lost) throw new DeviceLimitError("the WebGPU device was lost; use the cpu backend: setBackend('cpu')");
  }

  markDestroyed(): void {
    this.destroyed = true;
    this.device.removeEventListener("uncapturederror", this.onError);
  }
}
