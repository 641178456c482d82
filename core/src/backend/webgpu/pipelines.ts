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
  /** Identifies the layout in bind group cache keys. */
  layoutId: number;
}

export class PipelineCache {
  private readonly pipelines = new Map<string, Map<string, CachedPipeline>>();
  private readonly layouts = new Map<string, { layout: GPUBindGroupLayout; id: number }>();
  /** Compilations so far, for tests and profiling. */
  compiled = 0;

  constructor(private readonly device: GPUDevice) {}

  /**
   * The pipeline of `source` with bindings of the given kinds, one letter each in binding
   * order ("r" read, "w" write; a short string, not an array, since it is built per dispatch).
   */
  get(source: string, kinds: string): CachedPipeline {
    // Keyed by the source string itself (kernels pass the same memoized string every time, so
    // its hash is computed once) and then by the binding kinds.
    let bySource = this.pipelines.get(source);
    if (!bySource) this.pipelines.set(source, (bySource = new Map()));
    let cached = bySource.get(kinds);
    if (!cached) {
      const bindings = Array.from(kinds, (c): BindingKind => (c === "r" ? "read" : "write"));
      const { layout, id } = this.layout(bindings);
      const module = this.device.createShaderModule({ code: source });
      const pipeline = this.device.createComputePipeline({
        layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module, entryPoint: "main" },
      });
      cached = { pipeline, layout, layoutId: id };
      bySource.set(kinds, cached);
      this.compiled += 1;
    }
    return cached;
  }

  /** The last binding is the params block, bound with a dynamic offset into the arena. */
  private layout(bindings: readonly BindingKind[]): { layout: GPUBindGroupLayout; id: number } {
    const key = bindings.join(",");
    let entry = this.layouts.get(key);
    if (!entry) {
      const layout = this.device.createBindGroupLayout({
        entries: bindings.map((kind, binding) => ({
          binding,
          visibility: GPUShaderStage.COMPUTE,
          buffer: {
            type: kind === "read" ? "read-only-storage" : "storage",
            hasDynamicOffset: binding === bindings.length - 1,
          },
        })),
      });
      entry = { layout, id: this.layouts.size + 1 };
      this.layouts.set(key, entry);
    }
    return entry;
  }
}
