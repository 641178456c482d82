// @tsdl/core public exports. Everything here is what a notebook cell sees without an import.

export { Tensor } from "./tensor";
export type { DType, HostArray } from "./dtype";
export { dtypes, promote } from "./dtype";
export {
  ShapeError, DTypeError, InputError, DisposedError, DeviceLimitError, GradError, JitError, InterruptedError, fillRoles,
} from "./errors";
export type { ShapeErrorDetail, ShapeErrorOperand } from "./errors";
export {
  tensor, zeros, ones, full, zerosLike, onesLike, fullLike, arange, linspace, eye, isTensor,
} from "./creation";
export type { TensorData, NestedArray, CreateOptions } from "./creation";
export { manualSeed, rand, randn, randint, bernoulli } from "./random";
export { multinomial, categorical } from "./composite/sampling";
export { concat, stack, split, pad, take } from "./ops/indexing";
export type { IndexSpec } from "./ops/indexing";
export * from "./api";
export { grad, valueAndGrad } from "./autodiff/grad";
export type { GradOptions } from "./autodiff/grad";
export { noGrad, isGradEnabled } from "./autodiff/mode";
export { jit } from "./jit/jit";
export { vmap } from "./vmap/vmap";
export type { VmapOptions } from "./vmap/vmap";
export { vjp, jacobian, hessian } from "./autodiff/jacobian";
export { jvp, linearize, jacfwd, hvp } from "./autodiff/forward";
export type { GradHook, HookHandle } from "./autodiff/hooks";
export type { Jitted } from "./jit/jit";
export { memory } from "./memory";
export { collectGarbage } from "./collect";
export { recoverAfterInterrupt } from "./recover";
export { setInterruptFlags } from "./interrupt";
export { setBackend, getBackend, ready, sync, shutdown, backendInfo, emptyCache } from "./backend/registry";
export { setCpuThreads, cpuThreads } from "./backend/cpu/wasm/index";
export type { BackendName } from "./backend/backend";
export { formatValues, numberFormatter, toNested } from "./format";
export type { Nested } from "./format";
export * as nn from "./nn/index";
export * as optim from "./optim/index";
export * as data from "./data/index";
export * as safetensors from "./io/safetensors";
export { saveCheckpoint, loadCheckpoint } from "./io/checkpoint";
export type { Stateful } from "./io/checkpoint";
export * as linalg from "./linalg/index";
export { setDisplaySink, displaySymbol, hasDisplay } from "./display/sink";
export type { DisplaySink, DisplayHandle, MimeBundle } from "./display/sink";
export { progress, progressBar, range, Progress } from "./display/progress";
export type { ProgressOptions } from "./display/progress";
export { LivePlot, plot } from "./display/plot";
export type { PlotOptions } from "./display/plot";
export { imageGrid, ImageGrid } from "./display/images";
export { heatmap, Heatmap } from "./display/heatmap";
export type { HeatmapOptions } from "./display/heatmap";
export { histogram, Histogram } from "./display/histogram";
export { scatter, Scatter } from "./display/scatter";
export type { ScatterOptions } from "./display/scatter";
export type { HistogramOptions, HistogramSeries } from "./display/histogram";
export type { GridOptions } from "./display/images";
export { encodePng } from "./display/png";
export { timeit, TimeitResult, formatTime } from "./timeit";
export type { TimeitOptions } from "./timeit";
