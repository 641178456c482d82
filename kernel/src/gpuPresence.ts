// Whether this machine can have a hardware WebGPU adapter at all, told from device nodes alone,
// without loading Dawn and a Vulkan driver (about 80 MB resident and a second of CPU at start).
// On Linux a GPU driver needs a device node: a DRM render node (/dev/dri/renderD*), NVIDIA's
// (/dev/nvidia0, ...) or WSL2's paravirtual GPU (/dev/dxg). Without one, only a software
// adapter (lavapipe, SwiftShader) can exist. Elsewhere the answer is always "maybe".

import * as fs from "node:fs";
import * as path from "node:path";

function list(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

export function mayHaveGpu(devDir = "/dev", platform: string = process.platform): boolean {
  if (platform !== "linux") return true;
  if (list(path.join(devDir, "dri")).some((f) => f.startsWith("renderD"))) return true;
  return list(devDir).some((f) => /^nvidia\d+$/.test(f) || f === "dxg");
}
