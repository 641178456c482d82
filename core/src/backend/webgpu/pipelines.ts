// Compute pipelines cached by WGSL source. Shaders are rank-generic (shapes arrive in a small
// storage buffer), so the number of distinct sources is bounded by primitive x dtype x variant
// and every one is compiled once per process. That matters on lavapipe, where a cold WGSL
// compilation costs tens to hundreds of milliseconds.
//
// Layouts are explicit rather than "auto": with "auto", a binding the shader never reads is
// dropped from the layout and the bind group that names it becomes invalid.

/** How a shader uses each binding, in binding order (all in group 0). */
export type BindingKind = "read" | "write";

export interface CachedPipeline {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

export class PipelineCache {
  private readonly pipelines = new Map<string, CachedPipeline>();
  private readonly layouts = new Map<string, GPUBindGroupLayout>();
  /** Compilations so far, for tests and profiling. */
  compiled = 0;

  constructor(private readonly device: GPUDevice) {}

  get(source: string, bindings: readonly BindingKind[]): CachedPipeline {
    const key = bindings.join(",") + "\n" + source;
    let cached = this.pipelines.get(key);
    if (!cached) {
      const layout = this.layout(bindings);
      const module = this.device.createShaderModule({ code: source });
      const pipeline = this.device.createComputePipeline({
        layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module, entryPoint: "main" },
      });
      cached = { pipeline, layout };
      this.pipelines.set(key, cached);
      this.compiled += 1;
    }
    return cached;
  }

  private layout(bindings: readonly BindingKind[]): GPUBindGroupLayout {
    const key = bindings.join(",");
    let layout = this.layouts.get(key);
    if (!layout) {
      layout = this.device.createBindGroupLayout({
        entries: bindings.map((kind, binding) => ({
          binding,
          visibility: GPUShaderStage.COMPUTE,
          buffer: { type: kind === "read" ? "read-only-storage" : "storage" },
        })),
      });
      this.layouts.set(key, layout);
    }
    return layout;
  }
}
