// The Tensor: a shape, a dtype and a device buffer, plus what autodiff needs. Methods are thin:
// each forwards to a function in ops/ or composite/, where the shape and dtype rules live.
// Values stay on the device until asked for (data(), array(), item()).

import type { Backend, BackendName, Storage } from "./backend/backend";
import type { DType, HostArray } from "./dtype";
import type { TensorInfo } from "./ops/primitives";
import type { GradNode } from "./dispatch";
import { BufferRef, releaseRef } from "./memory";
import { DisposedError, GradError, InputError } from "./errors";
import { sizeOf } from "./shape";
import { trackInScope } from "./scope";
import * as ew from "./ops/elementwise";
import * as red from "./ops/reduce";
import * as lay from "./ops/layout";
import * as idx from "./ops/indexing";
import { matmul, dot, outer } from "./ops/matmul";
import * as comp from "./composite/math";
import * as stats from "./composite/stats";
import * as scan from "./composite/scan";
import * as tri from "./composite/triangle";
import * as sorting from "./ops/sort";
import * as compare from "./composite/compare";
import * as fill from "./composite/fill";
import * as reorder from "./composite/reorder";
import * as rep from "./composite/repeat";
import * as diagonals from "./composite/diagonal";
import * as quant from "./composite/quantile";
import { chunk } from "./composite/chunk";
import { diff, type DiffOptions } from "./composite/diff";
import { indexAdd } from "./composite/indexAdd";
import { backward, type BackwardOptions } from "./autodiff/backprop";
import { registerHook, retainGrad, type GradHook, type HookHandle } from "./autodiff/hooks";
import { formatTensor, toNested } from "./format";
import type { Nested } from "./format";
import { backendByName } from "./backend/registry";
import { active as activeTrace, checkHostRead } from "./jit/trace";

/** Tensors up to this many elements keep the values read from the device (readHost). */
const HOST_CACHE_ELEMENTS = 1 << 18;

type Operand = ew.Operand;
type Axes = number | number[] | undefined;
type KeepDims = { keepdims?: boolean };

let nextId = 1;

/** @internal The id the next tensor will get (jit tells tensors made inside a trace by it). */
export function peekNextTensorId(): number {
  return nextId;
}

export class Tensor {
  readonly id = nextId++;
  readonly shape: number[];
  readonly dtype: DType;
  /** The buffer, or null once disposed. */
  ref: BufferRef | null;
  private _grad: Tensor | null = null;
  /**
   * The gradient was made by backward() or a jit replay, and no caller has taken it through
   * the .grad getter since: replacing it (zeroGrad, the next backward) frees its buffer at
   * once. Otherwise every step's gradients would wait for garbage collection, and a training
   * loop would allocate new device buffers every step.
   */
  private gradOwned = false;
  /** @internal A jitted function's result: it has no autodiff graph (see jit/jit.ts). */
  fromJit = false;
  /** The op that made this tensor, when it was recorded for autodiff. */
  node: GradNode | null = null;
  private _requiresGrad = false;
  private readonly pinned: boolean;
  /** Values read back so far, so printing and display never read twice. */
  private host: HostArray | null = null;

  constructor(ref: BufferRef, shape: readonly number[], dtype: DType, options?: { pinned?: boolean }) {
    this.ref = ref;
    this.shape = shape.slice();
    this.dtype = dtype;
    this.pinned = options?.pinned ?? false;
    if (!this.pinned) trackInScope(this);
  }

  /** @internal 0, or the depth of the vmap whose batched stand-in this is (vmap/batched.ts). */
  get vmapLevel(): number {
    return 0;
  }
  get ndim(): number {
    return this.shape.length;
  }
  get size(): number {
    return sizeOf(this.shape);
  }
  get device(): BackendName {
    return this.backend.name;
  }
  get backend(): Backend {
    return this.live().backend;
  }
  get isDisposed(): boolean {
    return this.ref === null || this.ref.storage === null;
  }
  /** @internal The backend storage (throws if disposed). */
  get storage(): Storage {
    return this.live().storage as Storage;
  }
  /** @internal Shape and dtype for kernels; one object per tensor (both are fixed), shared. */
  get info(): TensorInfo {
    this.live();
    return (this._info ??= { shape: this.shape, dtype: this.dtype });
  }
  private _info: TensorInfo | undefined = undefined;
  private live(): BufferRef {
    if (!this.ref || !this.ref.storage) {
      throw new DisposedError(
        `this tensor (shape [${this.shape.join(", ")}], ${this.dtype}) was disposed, by dispose() or at the end of tidy(); ` +
          `keep it by returning it from tidy() or create it again`,
      );
    }
    return this.ref;
  }

  /** Gradient accumulated by backward() (PyTorch style). */
  get grad(): Tensor | null {
    this.gradOwned = false; // the caller may keep it
    return this.peekGrad();
  }
  set grad(g: Tensor | null) {
    this.replaceGrad(g, false);
  }
  /** @internal .grad for the library's own transient use (optimizers, accumulation): it stays owned. */
  peekGrad(): Tensor | null {
    if (activeTrace) activeTrace.readGrad(this, this._grad);
    return this._grad;
  }
  /** @internal Sets a gradient the library made (backward, jit replay); see gradOwned. */
  setOwnedGrad(g: Tensor | null): void {
    this.replaceGrad(g, true);
  }
  private replaceGrad(g: Tensor | null, owned: boolean): void {
    activeTrace?.setGrad(this, g);
    const old = this._grad;
    if (old && old !== g && this.gradOwned) old.dispose();
    this._grad = g;
    this.gradOwned = owned && g !== null;
  }

  get requiresGrad(): boolean {
    return this._requiresGrad;
  }
  set requiresGrad(on: boolean) {
    if (on && this.dtype !== "float32") {
      throw new GradError(`only float32 tensors can require gradients; this one is ${this.dtype} (use .astype("float32"))`);
    }
    this._requiresGrad = on;
  }

  /** Marks this tensor as a leaf whose .grad backward() fills, and returns it. */
  requiresGrad_(on = true): this {
    this.requiresGrad = on;
    return this;
  }

  /**
   * Calls hook(grad) with this tensor's whole gradient whenever one is computed (backward(),
   * grad, vjp), as PyTorch's register_hook; a returned tensor replaces the gradient. Under jit,
   * a hook's tensor ops are replayed but its other effects (logging) happen once, at tracing.
   */
  registerHook(hook: GradHook): HookHandle {
    return registerHook(this, hook);
  }
  /** Makes backward() fill .grad of this intermediate result too (PyTorch's retain_grad). */
  retainGrad(): this {
    retainGrad(this);
    return this;
  }

  // ---- reading values ----
  /** The values as a flat typed array (Float32Array, Int32Array, or Uint8Array for bool). */
  data(): Promise<HostArray> {
    checkHostRead(this, "data()"); // synchronously, so the error stops the traced function
    return this.readHost();
  }
  private async readHost(): Promise<HostArray> {
    if (this.host) return this.host.slice() as HostArray;
    const values = await this.backend.read(this.storage, this.dtype, this.size);
    // Small values are kept for later reads (item() in a loop, display). A big tensor's copy
    // would double its memory and cost a second copy of every read (a 64 MB product read back
    // in 132 ms where raw Dawn took 66), so the fresh array is handed over as it is.
    if (values.length > HOST_CACHE_ELEMENTS) return values;
    this.host = values;
    return values.slice() as HostArray;
  }
  /** The values as nested JS arrays (booleans for bool tensors). */
  array(): Promise<Nested> {
    checkHostRead(this, "array()");
    return this.data().then((d) => toNested(d, this.shape, this.dtype));
  }
  /** The single value of a one-element tensor. */
  item(): Promise<number | boolean> {
    checkHostRead(this, "item()");
    return this.itemAsync();
  }
  private async itemAsync(): Promise<number | boolean> {
    if (this.size !== 1) throw new Error(`item() needs a tensor with one element; this one has shape [${this.shape.join(", ")}] (${this.size} elements)`);
    const v = (await this.data())[0];
    return this.dtype === "bool" ? v !== 0 : v;
  }
  /** @internal Records values known on the host (they must equal the device's). */
  rememberHost(data: HostArray): void {
    this.host = data;
  }
  /** Values if already known (read before, or on the cpu backend), else null. */
  peek(): HostArray | null {
    // Under jit, a traced tensor's values are not known: they differ on every call.
    if (activeTrace?.isTraced(this)) return null;
    if (this.host) return this.host;
    if (this.isDisposed) return null;
    const b = this.backend;
    return b.readSync ? b.readSync(this.storage, this.dtype, this.size) : null;
  }
  toString(): string {
    return formatTensor(this);
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  // ---- memory ----
  /** Frees the buffer now (tensors sharing it keep it until they are disposed too). */
  dispose(): void {
    if (this.pinned || !this.ref) return;
    const ref = this.ref;
    this.ref = null;
    this.host = null;
    this.node = null;
    releaseRef(ref);
  }

  /**
   * Replaces this tensor's values by `value`'s (same shape and dtype), keeping its identity:
   * what optimizers do to parameters (PyTorch's in-place update). Not recorded for autodiff.
   */
  assign(value: Tensor): this {
    if (value.shape.length !== this.shape.length || value.shape.some((d, i) => d !== this.shape[i]) || value.dtype !== this.dtype) {
      throw new InputError(`assign: value of shape [${value.shape.join(", ")}] ${value.dtype} does not match [${this.shape.join(", ")}] ${this.dtype}`);
    }
    if (value.vmapLevel > 0) {
      throw new InputError(
        "assign() of a value computed inside vmap: it holds one value per example; update outside the vmapped " +
          "function, e.g. with gradients from vmap(grad(f)) averaged over the batch",
      );
    }
    activeTrace?.assign(this, value);
    const ref = value.live();
    ref.refs += 1;
    const old = this.live();
    this.ref = ref;
    this.host = value.host;
    this.node = null;
    releaseRef(old);
    return this;
  }

  /** @internal assign() from jit's replay: takes over one count of `ref`. */
  adoptRef(ref: BufferRef): void {
    const old = this.live();
    this.ref = ref;
    this.host = null;
    this.node = null;
    releaseRef(old);
  }

  // ---- dtype, device and graph ----
  astype(dtype: DType): Tensor {
    return ew.cast(this, dtype);
  }
  /** PyTorch's casting shortcuts: float32, int32 (long() too: tsdl has no int64), bool. */
  float(): Tensor { return ew.cast(this, "float32"); }
  int(): Tensor { return ew.cast(this, "int32"); }
  long(): Tensor { return ew.cast(this, "int32"); }
  bool(): Tensor { return ew.cast(this, "bool"); }
  /** A copy on another device. */
  async to(device: BackendName): Promise<Tensor> {
    const target = await backendByName(device);
    if (target === this.backend) return this;
    const { fromHost } = await import("./creation.js");
    return fromHost(await this.data(), this.shape, this.dtype, target);
  }
  /** Same values, no autodiff history (shares the buffer). */
  detach(): Tensor {
    const ref = this.live();
    ref.refs += 1;
    const t = new Tensor(ref, this.shape, this.dtype);
    t.host = this.host;
    return t;
  }
  clone(): Tensor {
    return lay.copy(this);
  }
  /**
   * Fills .grad of every leaf tensor with requiresGrad that this depends on. Like PyTorch it
   * then frees what layers and losses kept for the gradient; `{ retainGraph: true }` keeps it,
   * to call backward() through the same graph again.
   */
  backward(gradient?: Tensor | BackwardOptions, options?: BackwardOptions): void {
    if (gradient !== undefined && !(gradient instanceof Tensor)) backward(this, undefined, gradient);
    else backward(this, gradient, options);
  }

  // ---- elementwise ----
  add(o: Operand): Tensor { return ew.binary("add", this, o); }
  sub(o: Operand): Tensor { return ew.binary("sub", this, o); }
  mul(o: Operand): Tensor { return ew.binary("mul", this, o); }
  div(o: Operand): Tensor { return ew.binary("div", this, o); }
  pow(o: Operand): Tensor { return ew.binary("pow", this, o); }
  mod(o: Operand): Tensor { return ew.binary("mod", this, o); }
  maximum(o: Operand): Tensor { return ew.binary("maximum", this, o); }
  minimum(o: Operand): Tensor { return ew.binary("minimum", this, o); }
  eq(o: Operand): Tensor { return ew.binary("eq", this, o); }
  ne(o: Operand): Tensor { return ew.binary("ne", this, o); }
  lt(o: Operand): Tensor { return ew.binary("lt", this, o); }
  le(o: Operand): Tensor { return ew.binary("le", this, o); }
  gt(o: Operand): Tensor { return ew.binary("gt", this, o); }
  ge(o: Operand): Tensor { return ew.binary("ge", this, o); }
  logicalAnd(o: Operand): Tensor { return ew.binary("logicalAnd", this, o); }
  logicalOr(o: Operand): Tensor { return ew.binary("logicalOr", this, o); }
  logicalXor(o: Operand): Tensor { return ew.binary("logicalXor", this, o); }
  logicalNot(): Tensor { return ew.unary("logicalNot", this); }
  neg(): Tensor { return ew.unary("neg", this); }
  abs(): Tensor { return ew.unary("abs", this); }
  exp(): Tensor { return ew.unary("exp", this); }
  log(): Tensor { return ew.unary("log", this); }
  sqrt(): Tensor { return ew.unary("sqrt", this); }
  rsqrt(): Tensor { return ew.unary("rsqrt", this); }
  sin(): Tensor { return ew.unary("sin", this); }
  cos(): Tensor { return ew.unary("cos", this); }
  tanh(): Tensor { return ew.unary("tanh", this); }
  sigmoid(): Tensor { return ew.unary("sigmoid", this); }
  relu(): Tensor { return ew.unary("relu", this); }
  erf(): Tensor { return ew.unary("erf", this); }
  sign(): Tensor { return ew.unary("sign", this); }
  floor(): Tensor { return ew.unary("floor", this); }
  ceil(): Tensor { return ew.unary("ceil", this); }
  round(): Tensor { return ew.unary("round", this); }
  reciprocal(): Tensor { return ew.unary("reciprocal", this); }
  isnan(): Tensor { return ew.unary("isnan", this); }
  /** log(1 + x), accurate for tiny x (where 1 + x rounds to 1). */
  log1p(): Tensor { return ew.unary("log1p", this); }
  /** exp(x) - 1, accurate for tiny x. */
  expm1(): Tensor { return ew.unary("expm1", this); }
  tan(): Tensor { return ew.unary("tan", this); }
  atan(): Tensor { return ew.unary("atan", this); }
  asin(): Tensor { return ew.unary("asin", this); }
  acos(): Tensor { return ew.unary("acos", this); }
  sinh(): Tensor { return ew.unary("sinh", this); }
  cosh(): Tensor { return ew.unary("cosh", this); }
  asinh(): Tensor { return ew.unary("asinh", this); }
  acosh(): Tensor { return ew.unary("acosh", this); }
  atanh(): Tensor { return ew.unary("atanh", this); }
  /** The angle of the point (o, this) in (-pi, pi]: this is y, the argument x, as torch.atan2. */
  atan2(o: Operand): Tensor { return ew.binary("atan2", this, o); }
  square(): Tensor { return this.mul(this); }
  gelu(): Tensor { return comp.gelu(this); }
  softplus(): Tensor { return comp.softplus(this); }
  clip(min: number | null, max: number | null): Tensor { return comp.clip(this, min, max); }
  /** clip under PyTorch's name. */
  clamp(min: number | null, max: number | null = null): Tensor { return comp.clip(this, min, max); }
  log2(): Tensor { return comp.log2(this); }
  log10(): Tensor { return comp.log10(this); }
  /** sqrt(this^2 + o^2) without overflow. */
  hypot(o: Operand): Tensor { return comp.hypot(this, o); }
  /** log(exp(this) + exp(o)) without overflow. */
  logaddexp(o: Operand): Tensor { return comp.logaddexp(this, o); }
  /** this + weight * (end - this), as torch.lerp. */
  lerp(end: Operand, weight: Operand): Tensor { return comp.lerp(this, end, weight); }
  /** this * log(o), 0 where this is 0. */
  xlogy(o: Operand): Tensor { return comp.xlogy(this, o); }
  isinf(): Tensor { return compare.isinf(this); }
  isposinf(): Tensor { return compare.isposinf(this); }
  isneginf(): Tensor { return compare.isneginf(this); }
  isfinite(): Tensor { return compare.isfinite(this); }
  /** Elementwise |this - o| <= atol + rtol * |o| (bool), as torch.isclose. */
  isclose(o: Operand, opts?: compare.CloseOptions): Tensor { return compare.isclose(this, o, opts); }
  /** isclose everywhere, as a 0-d bool tensor (await .item() for a boolean). */
  allclose(o: Operand, opts?: compare.CloseOptions): Tensor { return compare.allclose(this, o, opts); }
  /** NaN -> 0 and infinities -> the largest float32s, or the given numbers (torch.nan_to_num). */
  nanToNum(nan: number | fill.NanToNumOptions = 0, posinf?: number, neginf?: number): Tensor {
    return fill.nanToNum(this, typeof nan === "number" ? { nan, posinf, neginf } : nan);
  }
  /** value where mask is true (mask broadcasts to this shape), as torch.masked_fill. */
  maskedFill(mask: Tensor, value: number | boolean | Tensor): Tensor { return fill.maskedFill(this, mask, value); }

  // ---- reductions ----
  sum(axis?: Axes, o?: KeepDims): Tensor { return red.reduce("sum", this, axis, o?.keepdims); }
  prod(axis?: Axes, o?: KeepDims): Tensor { return red.reduce("prod", this, axis, o?.keepdims); }
  max(axis?: Axes, o?: KeepDims): Tensor { return red.reduce("max", this, axis, o?.keepdims); }
  min(axis?: Axes, o?: KeepDims): Tensor { return red.reduce("min", this, axis, o?.keepdims); }
  all(axis?: Axes, o?: KeepDims): Tensor { return red.all(this, axis, o?.keepdims); }
  any(axis?: Axes, o?: KeepDims): Tensor { return red.any(this, axis, o?.keepdims); }
  argmax(axis?: number, o?: KeepDims): Tensor { return red.argReduce("argmax", this, axis, o?.keepdims); }
  argmin(axis?: number, o?: KeepDims): Tensor { return red.argReduce("argmin", this, axis, o?.keepdims); }
  mean(axis?: Axes, o?: KeepDims): Tensor { return stats.mean(this, axis, o?.keepdims); }
  var(axis?: Axes, o?: KeepDims & { correction?: number }): Tensor { return stats.variance(this, axis, o); }
  std(axis?: Axes, o?: KeepDims & { correction?: number }): Tensor { return stats.std(this, axis, o); }
  norm(axis?: Axes, o?: KeepDims & { ord?: number }): Tensor { return stats.norm(this, axis, o); }
  logsumexp(axis?: Axes, o?: KeepDims): Tensor { return stats.logsumexp(this, axis, o?.keepdims); }
  softmax(axis = -1): Tensor { return stats.softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return stats.logSoftmax(this, axis); }
  /** Running sum along axis (flattened when omitted), as torch.cumsum / jnp.cumsum. */
  cumsum(axis?: number): Tensor { return scan.cumsum(this, axis); }
  cumprod(axis?: number): Tensor { return scan.cumprod(this, axis); }
  /** n-th differences along axis (default the last), as torch.diff. */
  diff(n = 1, axis = -1, o?: DiffOptions): Tensor { return diff(this, n, axis, o); }
  /** Median along axis (all elements without one); the lower middle value for even counts, as torch.median. */
  median(axis?: number, o?: KeepDims): Tensor { return quant.median(this, axis, o); }
  /** q-th quantiles (q in [0, 1], or an array of them: a new first axis), as torch.quantile. */
  quantile(q: number | number[], axis?: number, o?: quant.QuantileOptions): Tensor { return quant.quantile(this, q, axis, o); }
  /** Lower triangle of the last two axes (j - i <= k), zeros elsewhere, as torch.tril. */
  tril(k = 0): Tensor { return tri.tril(this, k); }
  triu(k = 0): Tensor { return tri.triu(this, k); }
  /** The diagonal of axes axis1, axis2 (a new last axis), as torch.diagonal. */
  diagonal(offset = 0, axis1 = 0, axis2 = 1): Tensor { return diagonals.diagonal(this, offset, axis1, axis2); }
  /** Vector -> diagonal matrix, matrix -> its diagonal, as torch.diag. */
  diag(offset = 0): Tensor { return diagonals.diag(this, offset); }
  trace(): Tensor { return diagonals.trace(this); }
  /** Sorted values along axis (default the last); stable; NaN last (first when descending). */
  sort(axis = -1, o?: sorting.SortOptions): Tensor { return sorting.sort(this, axis, o); }
  argsort(axis = -1, o?: sorting.SortOptions): Tensor { return sorting.argsort(this, axis, o); }
  /** [values, indices] of the k largest along axis (smallest with { largest: false }), as torch.topk. */
  topk(k: number, axis = -1, o?: { largest?: boolean }): [Tensor, Tensor] { return sorting.topk(this, k, axis, o); }
  /** One element per index along axis: numpy's take_along_axis, torch.gather(x, axis, indices). */
  takeAlongAxis(indices: Tensor, axis: number): Tensor { return sorting.takeAlongAxis(this, indices, axis); }

  // ---- linear algebra ----
  matmul(o: Tensor): Tensor { return matmul(this, o); }
  dot(o: Tensor): Tensor { return dot(this, o); }
  outer(o: Tensor): Tensor { return outer(this, o); }

  // ---- shape ----
  reshape(...shape: (number | number[])[]): Tensor { return lay.reshape(this, shape.flat()); }
  view(...shape: (number | number[])[]): Tensor { return lay.reshape(this, shape.flat()); }
  flatten(startAxis = 0, endAxis = -1): Tensor { return lay.flatten(this, startAxis, endAxis); }
  permute(...perm: (number | number[])[]): Tensor { return lay.permute(this, perm.flat()); }
  transpose(a?: number, b?: number): Tensor { return lay.transpose(this, a, b); }
  get T(): Tensor { return lay.transpose(this); }
  /** The last two axes swapped (a batch of matrices transposed), as PyTorch's x.mT. */
  get mT(): Tensor { return lay.transpose(this, -2, -1); }
  squeeze(axis?: Axes): Tensor { return lay.squeeze(this, axis); }
  unsqueeze(axis: number): Tensor { return lay.unsqueeze(this, axis); }
  expandDims(axis: number): Tensor { return lay.unsqueeze(this, axis); }
  broadcastTo(shape: number[]): Tensor { return lay.broadcastTo(this, shape); }
  expand(shape: number[]): Tensor { return lay.broadcastTo(this, shape); }
  /** Reversed along axes (all without any), as torch.flip. */
  flip(...axes: (number | number[])[]): Tensor { return reorder.flip(this, axes.length === 0 ? undefined : axes.flat()); }
  /** Shifted with wrap-around along axes (the flattened tensor without any), as torch.roll. */
  roll(shifts: number | number[], axes?: number | number[]): Tensor { return reorder.roll(this, shifts, axes); }
  /** The whole tensor repeated along each axis, as torch's x.repeat(2, 3). */
  repeat(...reps: (number | number[])[]): Tensor { return rep.repeat(this, reps.flat()); }
  /** numpy.tile / torch.tile: repeat, with missing leading counts taken as 1. */
  tile(...reps: (number | number[])[]): Tensor { return rep.tile(this, reps.flat()); }
  /** Each element repeated (1 1 2 2), as torch.repeat_interleave. */
  repeatInterleave(repeats: number | number[], axis?: number): Tensor { return rep.repeatInterleave(this, repeats, axis); }

  // ---- indexing ----
  /** NumPy-style indexing: numbers pick, [start, stop, step] or {start, stop, step} slice,
   * null keeps an axis, "..." fills the rest, an int32 Tensor gathers. */
  index(...specs: idx.IndexSpec[]): Tensor { return idx.index(this, specs); }
  /** Slice one axis: start (inclusive) to stop (exclusive), with a positive step. */
  slice(axis: number, start?: number, stop?: number, step?: number): Tensor { return idx.sliceAxis(this, axis, start, stop, step); }
  take(indices: Tensor | number[], axis?: number): Tensor { return idx.take(this, indices, axis); }
  gather(indices: Tensor, axis: number): Tensor { return idx.gatherAlong(this, indices, axis); }
  /** The elements where mask is true (needs the mask's values, hence async). */
  booleanMask(mask: Tensor): Promise<Tensor> { return idx.booleanMask(this, mask); }
  pad(widths: [number, number][] | number, value = 0): Tensor { return idx.pad(this, widths, value); }
  split(sizes: number | number[], axis = 0): Tensor[] { return idx.split(this, sizes, axis); }
  /** n pieces of ceil(size / n) along axis, as torch.chunk. */
  chunk(n: number, axis = 0): Tensor[] { return chunk(this, n, axis); }
  /** source's slices added at index along axis, out of place (torch's index_add). */
  indexAdd(axis: number, index: Tensor, source: Tensor, o?: { alpha?: number }): Tensor { return indexAdd(this, axis, index, source, o); }
}
