// A batched tensor: what a function under vmap sees in place of a mapped argument. Its shape is
// one example's; its values live in `inner`, a real tensor (or one batched by an enclosing
// vmap) whose axis 0 runs over the examples. Ops on it run once for the whole batch
// (vmap/rules.ts), and autodiff records them with per-example shapes, so grad inside vmap
// differentiates each example on its own.

import type { Storage } from "../backend/backend";
import type { HostArray } from "../dtype";
import type { TensorInfo } from "../ops/primitives";
import type { Nested } from "../format";
import { Tensor } from "../tensor";
import { GradError, InputError } from "../errors";
import { formatShape } from "../shape";
import { keep } from "../scope";

/** One running vmap call. */
export interface Level {
  /** 1 for the outermost vmap, 2 for one inside it, ... */
  depth: number;
  /** The number of examples. */
  size: number;
  /** Real tensors made for this call (batched values and rule temporaries): the call frees
   * those its results do not need when it returns (vmap.ts). */
  made: Tensor[];
  closed: boolean;
  /** What a random draw inside the function does (VmapOptions.randomness). */
  randomness: "error" | "same" | "different";
}

const readMessage = (what: string) =>
  `${what} inside vmap: the function sees one example at a time, and its values differ from example to ` +
  `example, so they cannot be read here; return the tensor from the function and read the batched result`;

export class BatchedTensor extends Tensor {
  readonly inner: Tensor;
  readonly level: Level;

  /**
   * Wraps `inner` ([size, ...example shape]). `owned`: inner was made for this call (not a
   * caller's tensor), so the call tracks it for freeing, and no tidy() scope does.
   */
  constructor(inner: Tensor, level: Level, owned: boolean) {
    // The buffer reference is the inner tensor's, uncounted: the inner tensor owns it.
    super(inner.ref!, inner.shape.slice(1), inner.dtype);
    this.inner = inner;
    this.level = level;
    if (owned) level.made.push(keep(inner));
  }

  override get vmapLevel(): number {
    return this.level.depth;
  }

  private escaped(): InputError {
    return new InputError(
      `a tensor made inside vmap (shape ${formatShape(this.shape)} per example) was used after the vmap call ` +
        `returned, e.g. kept in a variable outside the function; return it from the function instead`,
    );
  }
  private checkOpen(): void {
    if (this.level.closed) throw this.escaped();
  }
  /** Ops read info first: an escaped tensor fails there, with a message that says so. */
  override get info(): TensorInfo {
    this.checkOpen();
    return super.info;
  }
  /** Escaped from its vmap call, it counts as disposed (the kernel's inspector lists it so). */
  override get isDisposed(): boolean {
    return this.level.closed || super.isDisposed;
  }
  override get storage(): Storage {
    throw new Error("internal: a batched tensor's storage was read as if it held one example");
  }

  override data(): Promise<HostArray> {
    throw this.level.closed ? this.escaped() : new InputError(readMessage("data()"));
  }
  override array(): Promise<Nested> {
    throw this.level.closed ? this.escaped() : new InputError(readMessage("array()"));
  }
  override item(): Promise<number | boolean> {
    throw this.level.closed ? this.escaped() : new InputError(readMessage("item()"));
  }
  override peek(): HostArray | null {
    return null;
  }
  override toString(): string {
    return `Tensor(shape ${formatShape(this.shape)} per example, ${this.dtype}, batched over ${this.level.size} examples by vmap)`;
  }

  /** Frees nothing: the inner tensor may still be needed by an autodiff graph outside the
   * function (grad of a vmapped function); the vmap call frees what is left when it returns. */
  override dispose(): void {
    this.ref = null;
    this.node = null;
  }
  override detach(): Tensor {
    this.checkOpen();
    return new BatchedTensor(this.inner.detach(), this.level, true);
  }
  override assign(): this {
    throw new InputError(
      "assign() inside vmap: in-place updates (optimizer steps, running statistics) are not batched; " +
        "update outside the vmapped function, e.g. with gradients from vmap(grad(f)) averaged over the batch",
    );
  }
  override async to(): Promise<Tensor> {
    throw this.level.closed ? this.escaped() : new InputError(readMessage("to()"));
  }
  override backward(): void {
    throw new GradError(
      "backward() inside vmap: use grad(f) inside vmap for per-example gradients, e.g. " +
        "vmap(grad(loss), { inAxes: [null, 0, 0] })(params, x, y)",
    );
  }
}
