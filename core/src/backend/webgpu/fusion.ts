// Elementwise fusion, invisible above the backend seam. The elementwise kernels (unary, binary,
// where, cast, broadcast) do not dispatch: they return a PendingStorage holding an expression
// tree over real buffers (leaves). An elementwise kernel whose inputs are pending composes
// their trees; reduce inlines a pending input's expression into its first pass (see
// kernels/reduce.ts); every other kernel, and `read`, materializes pending inputs first:
// one generated shader computes the whole tree into a pooled buffer.
//
//   y = x.mul(2).add(1).relu()   -> three pending storages, nothing dispatched
//   y.sum()                      -> one reduction whose load computes relu(x * 2 + 1)
//
// Values are bit-identical to the unfused kernels: every node is its own WGSL function taking
// and returning the node's *storage* type (f32, i32 or u32 for bool), so intermediate values
// are rounded and converted exactly as if they had been stored.
//
// Lifetime: a pending storage holds its leaf buffers (GPUStorage.holds). free() of a held buffer
// is deferred until the last pending tree that reads it is materialized or freed. A pending
// storage that is freed before it was ever needed dispatches nothing. A subtree shared by
// several consumers is recomputed by each (pure math, bounded by MAX_NODES per kernel); once a
// pending storage is materialized, later consumers read its buffer instead.
//
// Bounds: at most MAX_NODES operations and maxLeaves distinct leaf bindings per tree (the
// device's storage-buffer-per-stage limit, less the output and params); past them the pending
// inputs are materialized first.

import type { DType } from "../../dtype";
import type { TensorInfo } from "../../ops/primitives";
import type { Storage } from "../backend";
import { GPUStorage, sizeClass } from "./buffers";
import { asGPU, GPU_ELEMENT_BYTES, type GpuContext } from "./context";
import { broadcastStrides, collapse, sizeOf } from "./layout";
import { Params } from "./params";
import { storageType, type Decl } from "./wgsl/common";
import { unravel } from "./wgsl/divide";
import { storeExpr, type Expr } from "./wgsl/elementwise";
import { Flattener, type Flat as FlatOf } from "../flatten";

export interface Leaf {
  kind: "leaf";
  storage: GPUStorage;
  /** The shape it is read as; it broadcasts to the root's shape (NumPy rules). */
  shape: readonly number[];
  dtype: DType;
}

export interface OpNode {
  kind: "op";
  /** Its flattening and summary, memoized, and the last walk's mark (../flatten.ts). */
  flat?: unknown;
  summary?: unknown;
  walk?: number;
  index?: number;
  /** Identifies the operation given its input and output dtypes (e.g. "binary.add"). */
  key: string;
  inputs: FNode[];
  dtypes: DType[];
  dtype: DType;
  shape: readonly number[];
  /** The operation on its inputs' stored values (see wgsl/elementwise.ts). */
  body: (values: string[]) => Expr;
}

export type FNode = Leaf | OpNode;

/** A result not computed yet. `bytes` is what it will occupy once materialized. */
export class PendingStorage implements Storage {
  result: GPUStorage | null = null;
  freed = false;
  /** Consumers that inlined this tree so far. */
  uses = 0;
  /** The fuser's epoch (readbacks and syncs so far) when this was created. */
  epoch = 0;
  /** Neighbours in the fuser's list of values not yet computed or freed (PendingList). */
  prev: PendingStorage | null = null;
  next: PendingStorage | null = null;
  listed = false;
  constructor(
    public node: OpNode | null,
    readonly bytes: number,
    /** Distinct leaf buffers this tree holds. */
    public held: GPUStorage[],
    /** Operations in the tree. */
    readonly ops: number,
  ) {}
}

export const MAX_NODES = 32;
/** A tree of more operations than this is materialized when a second consumer wants it. */
export const SHARED_OPS = 4;

/** A tree flattened for code generation: distinct leaves and operations in dependency order. */
export type Flat = FlatOf<Leaf, OpNode>;

/** A node of the operation-id trie: key, result dtype, then each input dtype. */
interface OpIdNode {
  next: Map<string, OpIdNode>;
  id: number;
}
const opIdRoot: OpIdNode = { next: new Map(), id: -1 };
let opIdCount = 0;

/** An id per (key, input dtypes, result dtype), found without building a text per node. */
function opId(n: OpNode): number {
  let t = opIdStep(opIdStep(opIdRoot, n.key), n.dtype);
  for (let k = 0; k < n.dtypes.length; k++) t = opIdStep(t, n.dtypes[k]);
  if (t.id < 0) t.id = opIdCount++;
  return t.id;
}

function opIdStep(t: OpIdNode, part: string): OpIdNode {
  let next = t.next.get(part);
  if (!next) t.next.set(part, (next = { next: new Map(), id: -1 }));
  return next;
}

const flattener = new Flattener<GPUStorage, Leaf, OpNode>(opId);

/** A new operation node; every field is set here, so all nodes share one object layout. */
function opNode(key: string, inputs: FNode[], infos: readonly TensorInfo[], out: TensorInfo, body: (values: string[]) => Expr): OpNode {
  const dtypes: DType[] = new Array(infos.length);
  for (let k = 0; k < infos.length; k++) dtypes[k] = infos[k].dtype;
  return { kind: "op", flat: undefined, summary: undefined, walk: 0, index: 0, key, inputs, dtypes, dtype: out.dtype, shape: out.shape, body };
}

/** Memoized per root: every elementwise op flattens its new tree to check the bounds. */
export function flatten(root: OpNode): Flat {
  return flattener.flatten(root);
}

/** The composed operation over the leaves' stored values, as one Expr (see elementwiseShader). */
export function composeBody(flat: Flat): (values: string[]) => Expr {
  return (values) => {
    const functions: string[] = [];
    const lines: string[] = [];
    const helpers: string[] = [];
    flat.ops.forEach((op, j) => {
      const e = op.body(op.inputs.map((_, k) => `v${k}`));
      helpers.push(...e.helpers);
      const params = op.dtypes.map((d, k) => `v${k}: ${storageType(d)}`).join(", ");
      functions.push(`fn f${j}(${params}) -> ${storageType(op.dtype)} {
${e.prelude}
  return ${storeExpr(e, op.dtype)};
}`);
      const a = flat.args[j].map((x) => (x >= 0 ? values[x] : `t${-x - 1}`));
      lines.push(`  let t${j} = f${j}(${a.join(", ")});`);
    });
    return {
      prelude: lines.join("\n"),
      expr: `t${flat.ops.length - 1}`,
      type: "f32",
      helpers,
      raw: true,
      functions: functions.join("\n"),
    };
  };
}

/** What a shader needs to compute a tree: leaf bindings in order, a cache key, the body. */
export interface Program {
  storages: GPUStorage[];
  infos: TensorInfo[];
  key: string;
  body: (values: string[]) => Expr;
  /** Operations it computes. */
  ops: number;
}

/** A single operation on plain leaves keeps its unfused shader (and compiled pipeline). */
export function program(root: OpNode): Program {
  if (root.inputs.every((n) => n.kind === "leaf")) {
    const leaves = root.inputs as Leaf[];
    return {
      storages: leaves.map((l) => l.storage),
      infos: leaves.map((l) => ({ shape: l.shape, dtype: l.dtype })),
      key: root.key,
      body: root.body,
      ops: 1,
    };
  }
  const flat = flatten(root);
  return {
    storages: flat.leaves.map((l) => l.storage),
    infos: flat.leaves.map((l) => ({ shape: l.shape, dtype: l.dtype })),
    key: `fused{${flat.key}}`,
    body: composeBody(flat),
    ops: flat.ops.length,
  };
}

/**
 * The pending values not yet computed or freed, in creation order: a list threaded through
 * the values themselves, so that adding and removing one (every elementwise op does both)
 * allocates and hashes nothing.
 */
class PendingList {
  private head: PendingStorage | null = null;
  private tail: PendingStorage | null = null;

  add(s: PendingStorage): void {
    s.prev = this.tail;
    s.next = null;
    if (this.tail) this.tail.next = s;
    else this.head = s;
    this.tail = s;
    s.listed = true;
  }

  delete(s: PendingStorage): void {
    if (!s.listed) return;
    if (s.prev) s.prev.next = s.next;
    else this.head = s.next;
    if (s.next) s.next.prev = s.prev;
    else this.tail = s.prev;
    s.prev = s.next = null;
    s.listed = false;
  }

  /** A snapshot, for a loop that removes entries. */
  toArray(): PendingStorage[] {
    const out: PendingStorage[] = [];
    for (let s = this.head; s; s = s.next) out.push(s);
    return out;
  }
}

export class Fuser {
  /** Operations that went into fused kernels instead of their own (for counters()). */
  fusedOps = 0;
  /** Readbacks and syncs so far: the host waited, so a training step (say) ended. */
  epoch = 0;
  readonly maxLeaves: number;
  /** Pending values not yet computed or freed, for computeAll(). */
  private readonly pending = new PendingList();
  /** bytesFor's last question and answer. */
  private lastElements = -1;
  private lastBytes = 0;

  constructor(
    private readonly ctx: GpuContext,
    readonly enabled: boolean,
    /** Runs a program into a new buffer (kernels/elementwise.ts). */
    private readonly execute: (p: Program, out: TensorInfo) => GPUStorage,
  ) {
    this.maxLeaves = Math.max(3, Math.min(8, ctx.device.limits.maxStorageBuffersPerShaderStage - 2));
  }

  /**
   * An elementwise operation: a pending storage, or (fusion off, empty result) a real one.
   * Inputs may be pending; `body` is the operation on stored values.
   */
  elementwise(key: string, inputs: readonly Storage[], infos: readonly TensorInfo[], out: TensorInfo, body: (v: string[]) => Expr): Storage {
    const n = sizeOf(out.shape);
    if (!this.enabled || n === 0) return this.execute(program(opNode(key, this.leaves(inputs, infos), infos, out, body)), out);
    this.ctx.checkBinding(n);
    const nodes: FNode[] = new Array(inputs.length);
    for (let k = 0; k < inputs.length; k++) nodes[k] = this.nodeOf(inputs[k], infos[k]);
    let root = opNode(key, nodes, infos, out, body);
    let sum = flattener.summary(root);
    if (sum.leaves.length > this.maxLeaves || sum.ops > MAX_NODES) {
      root = opNode(key, this.leaves(inputs, infos), infos, out, body);
      sum = flattener.summary(root);
    }
    const held = distinctStorages(sum.leaves);
    for (let k = 0; k < held.length; k++) held[k].holds += 1;
    const pending = new PendingStorage(root, this.bytesFor(n), held, sum.ops);
    pending.epoch = this.epoch;
    this.pending.add(pending);
    return pending;
  }

  /** The pooled size of an n-element result: the last answer is kept, since a chain of ops
   * asks for the same size over and over. */
  private bytesFor(n: number): number {
    if (n !== this.lastElements) {
      this.lastElements = n;
      this.lastBytes = sizeClass(n * GPU_ELEMENT_BYTES);
    }
    return this.lastBytes;
  }

  /**
   * The tree of a pending input read as `info` (a reshape may have changed its shape), or null
   * when it has to be read from a buffer (`materialize`).
   */
  pendingNode(s: Storage, info: TensorInfo): OpNode | null {
    if (!(s instanceof PendingStorage)) return null;
    if (s.freed) throw new TypeError("use of freed webgpu storage");
    const node = s.node;
    if (!node) return null;
    // A value that outlived a readback or sync (a parameter or an optimizer's moments after a
    // training step) is stored when next used: otherwise each step would inline the previous
    // step's update, a chain growing with every step. Within a step, recomputing a big tree
    // for every consumer costs more than one kernel that stores it.
    if (s.epoch !== this.epoch) return null;
    s.uses += 1;
    if (s.uses > 1 && s.ops > SHARED_OPS) return null;
    return flattener.readAs(node, info.shape);
  }

  private nodeOf(s: Storage, info: TensorInfo): FNode {
    return this.pendingNode(s, info) ?? this.leaf(this.materialize(s), info);
  }

  /** The inputs as leaves, pending ones computed first. */
  private leaves(inputs: readonly Storage[], infos: readonly TensorInfo[]): Leaf[] {
    const leaves: Leaf[] = new Array(inputs.length);
    for (let k = 0; k < inputs.length; k++) leaves[k] = this.leaf(this.materialize(inputs[k]), infos[k]);
    return leaves;
  }

  /** A leaf over `storage` read as `info`; the last one made is reused (leaves are never
   * modified), so that `x.add(1)` in a loop does not make a leaf for the constant every time. */
  private leaf(storage: GPUStorage, info: TensorInfo): Leaf {
    const last = storage.leaf as Leaf | null;
    if (last && last.shape === info.shape && last.dtype === info.dtype) return last;
    const leaf: Leaf = { kind: "leaf", storage, shape: info.shape, dtype: info.dtype };
    storage.leaf = leaf;
    return leaf;
  }

  /** The buffer behind a storage, computing a pending one (once) if needed. */
  materialize(s: Storage): GPUStorage {
    if (!(s instanceof PendingStorage)) return asGPU(s);
    if (s.freed) throw new TypeError("use of freed webgpu storage");
    if (s.result) return s.result;
    const node = s.node!;
    const p = program(node);
    const result = this.execute(p, { shape: node.shape, dtype: node.dtype });
    this.fusedOps += p.ops - 1;
    s.result = result;
    s.node = null;
    this.pending.delete(s);
    this.unholdAll(s);
    return result;
  }

  /**
   * Computes the pending values nothing has consumed yet: sync() means "all the work asked for
   * so far is done", so a timing that ends in sync() measures the work, not its deferral. A
   * value already inlined into a consumer's kernel is not computed again: its work is done (or
   * will be, with the consumer), and such intermediates are most of what is pending.
   */
  computeUnconsumed(): void {
    for (const s of this.pending.toArray()) if (!s.freed && !s.result && s.uses === 0) this.materialize(s);
  }

  /** Backend.free: drops a pending tree's holds, or releases a buffer once nothing holds it. */
  free(s: Storage): void {
    if (s instanceof PendingStorage) {
      if (s.freed) return;
      s.freed = true;
      s.node = null;
      this.pending.delete(s);
      if (s.result) this.drop(s.result);
      s.result = null;
      this.unholdAll(s);
      return;
    }
    if (s instanceof GPUStorage) this.drop(s);
  }

  private drop(g: GPUStorage): void {
    if (g.holds > 0) g.dropped = true;
    else this.ctx.pool.release(g);
  }

  private unholdAll(s: PendingStorage): void {
    const held = s.held;
    s.held = [];
    for (let k = 0; k < held.length; k++) {
      const g = held[k];
      g.holds -= 1;
      if (g.holds === 0 && g.dropped) {
        g.dropped = false;
        this.ctx.pool.release(g);
      }
    }
  }

  /** A pending tree as the first load of a reduction (see kernels/reduce.ts). */
  reduceInput(root: OpNode, base: number): FusedLoad {
    const p = program(root);
    const n = sizeOf(root.shape);
    const access = p.infos.map((info): LeafAccess => {
      const size = sizeOf(info.shape);
      return size === n ? "full" : size === 1 ? "scalar" : "strided";
    });
    const strided = p.infos.filter((_, k) => access[k] === "strided");
    const layout = collapse(root.shape, strided.map((info) => broadcastStrides(info.shape, root.shape)));
    const rank = strided.length === 0 ? 0 : layout.shape.length <= 4 ? layout.shape.length : null;
    const dtypes = p.infos.map((i) => i.dtype);
    this.fusedOps += p.ops;
    return {
      storages: p.storages,
      sizes: p.infos.map((i) => sizeOf(i.shape)),
      key: `${p.key}|${dtypes.join(",")}|${access.join(",")}|${rank}`,
      source: () => fusedLoadSource(dtypes, access, root.dtype, p.body, base, rank),
      params: (params: Params) => {
        if (strided.length === 0) return;
        params.u32(layout.shape.length).axes(layout.shape, n);
        for (const s of layout.strides) params.list(s);
      },
    };
  }
}

/** The leaves' buffers, each once (leaves read one buffer at several shapes); sized up front,
 * since pushing onto [] would reserve room for 17. */
function distinctStorages(leaves: readonly Leaf[]): GPUStorage[] {
  let count = 0;
  for (let k = 0; k < leaves.length; k++) if (firstWith(leaves, k)) count++;
  const out: GPUStorage[] = new Array(count);
  let i = 0;
  for (let k = 0; k < leaves.length; k++) if (firstWith(leaves, k)) out[i++] = leaves[k].storage;
  return out;
}

/** Whether leaf k is the first with its buffer. */
function firstWith(leaves: readonly Leaf[], k: number): boolean {
  for (let j = 0; j < k; j++) if (leaves[j].storage === leaves[k].storage) return false;
  return true;
}

export type LeafAccess = "full" | "scalar" | "strided";

/** A reduction's input computed from leaves: the shader's `fx(i)` gives element i. */
export interface FusedLoad {
  storages: GPUStorage[];
  /** Elements of each leaf (binding sizes). */
  sizes: number[];
  key: string;
  source: () => FusedSource;
  /** Appends the leaves' index parameters (at `base` in the params block). */
  params: (params: Params) => void;
}

export interface FusedSource {
  /** Leaf bindings `in0`, `in1`, ... (the output and params follow). */
  decls: Decl[];
  helpers: string[];
  /** WGSL functions, ending with `fn fx(i: u32) -> T` (T the tree's storage type). */
  source: string;
}

/**
 * `fx(i)`: the tree at linear index i of its shape. Full-size leaves read in[i], single values
 * in[0], broadcast ones through strides unravelled from the params at p[base] (rank, axes
 * block, one stride list per strided leaf; see wgsl/divide.ts).
 */
export function fusedLoadSource(
  dtypes: readonly DType[],
  access: readonly LeafAccess[],
  out: DType,
  body: (values: string[]) => Expr,
  base: number,
  rank: number | null,
): FusedSource {
  const e = body(dtypes.map((_, k) => `v${k}`));
  const outType = storageType(out);
  const op = `fn op(${dtypes.map((d, k) => `v${k}: ${storageType(d)}`).join(", ")}) -> ${outType} {
${e.prelude}
  return ${storeExpr(e, out)};
}`;
  const stridedIdx = access.map((a, k) => (a === "strided" ? k : -1)).filter((k) => k >= 0);
  const offsets = stridedIdx.length
    ? `  let rank = ${rank === null ? `p[${base}u]` : `${rank}u`};
${stridedIdx.map((k) => `  var o${k} = 0u;`).join("\n")}
  var rem = i;
${unravel(`${base + 1}u`, stridedIdx.map((k) => `o${k}`))}`
    : "";
  const loads = access.map((a, k) => `in${k}[${a === "full" ? "i" : a === "scalar" ? "0" : `o${k}`}]`);
  const fx = `fn fx(i: u32) -> ${outType} {
${offsets}
  return op(${loads.join(", ")});
}`;
  return {
    decls: dtypes.map((d, k) => ({ name: `in${k}`, type: storageType(d) })),
    helpers: e.helpers,
    source: `${e.functions ?? ""}\n${op}\n${fx}`,
  };
}
