// PyTorch's names for a module's parameters and buffers, so weights move between the two:
// each dotted segment from camelCase to snake_case (runningMean -> running_mean, inProjWeight
// -> in_proj_weight, weightIhL0Reverse -> weight_ih_l0_reverse), and nn.Sequential's own
// `layers` segment dropped (PyTorch names a Sequential's children 0, 1, ...). A PyTorch state
// dict also holds BatchNorm's num_batches_tracked, a step counter tsdl does not keep.

import type { Module } from "./module";

export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/([A-Z])([A-Z][a-z])/g, "$1_$2").toLowerCase();
}

/** Whether m is an nn.Sequential (checked by name: layers.ts imports this module's importers). */
function isSequential(m: unknown): boolean {
  return !!m && (m as object).constructor?.name === "Sequential" && Array.isArray((m as { layers?: unknown }).layers);
}

/** Our name of every parameter and buffer -> PyTorch's. */
export function torchNames(model: Module): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name] of [...model.namedParameters(), ...model.namedBuffers()]) {
    const parts: string[] = [];
    let at: unknown = model;
    for (const seg of name.split(".")) {
      const skip = seg === "layers" && isSequential(at);
      at = (at as Record<string, unknown>)?.[seg];
      if (!skip) parts.push(/^\d+$/.test(seg) ? seg : snakeCase(seg));
    }
    out.set(name, parts.join("."));
  }
  return out;
}

/** PyTorch-only entries a state dict may carry that tsdl has no counterpart for. */
export const torchOnly = (name: string) => name === "num_batches_tracked" || name.endsWith(".num_batches_tracked");
