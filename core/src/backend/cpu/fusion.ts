// Elementwise fusion on the CPU, invisible above the backend seam (the WebGPU backend's design,
// webgpu/fusion.ts, over generated JavaScript loops instead of shaders). The elementwise kernels
// (unary, binary, where, cast, broadcast) compute nothing: they return a pending storage that
// holds an expression tree over real arrays (leaves). An elementwise kernel whose inputs are
// pending composes their trees; reduce folds a pending input's expression directly; every
// other kernel, and reads, get the values through `data()`, which computes the tree in one
// generated loop (loops.ts) into a new array. Each pass over memory and each intermediate array
// saved is time: a step's SGD update `p - lr * g` reads p and g once and writes once.
//
// Values are identical to the unfused kernels: every intermediate value is rounded to its
// dtype (Math.fround, | 0, & 255) exactly as storing it in its typed array would.
//
// Bounds, as on WebGPU: at most MAX_NODES operations and MAX_LEAVES distinct leaves per tree; a
// tree of more than SHARED_OPS operations is computed (stored) when a second consumer wants
// it; a value that outlived a read or sync is computed when next used (else an optimizer's
// state would inline the previous step's update, a chain growing with every step). Results
// over MAX_DEFERRED elements are computed at once, so that a failing allocation fails at the
// operation that asked for it.

import type { Storage } from "../backend";
import type { DType } from "../../dtype";
import type { TensorInfo } from "../../ops/primitives";
import { broadcastStrides, sizeOf, stridesOf } from "../../shape";
import { CpuStorage, PendingStorage, allocOverwritten, hold, unhold } from "./storage";
import { computeElementwise, type ElementwiseOp } from "./elementwise";
import { storedExpr } from "./expressions";
import { blockPlan, runMap, type Body } from "./loops";
import type { ReduceInput } from "./reduce";
import { Flattener, Interner, type Flat as FlatOf } from "../flatten";

interface Leaf {
  kind: "leaf";
  storage: CpuStorage;
  /** The shape it is read as; it broadcasts to the root's shape (NumPy rules). */
  shape: readonly number[];
  dtype: DType;
}

interface OpNode {
  kind: "op";
  op: ElementwiseOp;
  /** Its flattening and summary, memoized, and the last walk's mark (../flatten.ts). */
  flat?: unknown;
  summary?: unknown;
  walk?: number;
  index?: number;
  inputs: FNode[];
  dtypes: DType[];
  dtype: DType;
  shape: readonly number[];
}

type FNode = Leaf | OpNode;

const MAX_NODES = 32;
const MAX_LEAVES = 8;
const SHARED_OPS = 4;
const MAX_DEFERRED = 1 << 24;
/** How many pending values sync() computes at most: those an op chain left unconsumed last. */
const TRACKED = 64;

class FusedStorage extends PendingStorage {
  /** Consumers that inlined this tree so far. */
  uses = 0;
  /** Its slot in the fuser's window of recent values (CpuFuser.recent). */
  slot = -1;
  /**
   * The leaf arrays the tree reads, held (storage.ts) until it is computed or freed, so that
   * their owners' free() cannot hand them to another kernel first.
   */
  holding: readonly CpuStorage[] = [];
  constructor(
    public node: OpNode | null,
    bytes: number,
    readonly ops: number,
    /** The fuser's epoch (reads and syncs so far) when this was created. */
    readonly epoch: number,
    compute: (self: PendingStorage) => CpuStorage,
  ) {
    super(bytes, compute);
  }
}

/** A tree flattened for code generation; its key names the code, whatever the arrays. */
type Flat = FlatOf<Leaf, OpNode>;

/** Memoized per root: a tree is flattened when built, computed, reshaped or reduced. */
const opIds = new Interner();
const flattener = new Flattener<CpuStorage, Leaf, OpNode>((n) => opIds.id(n.op.key));

/** A new operation node; every field is set here, so all nodes share one object layout. */
function opNode(op: ElementwiseOp, inputs: FNode[], infos: readonly TensorInfo[], out: TensorInfo): OpNode {
  const dtypes: DType[] = new Array(infos.length);
  for (let k = 0; k < infos.length; k++) dtypes[k] = infos[k].dtype;
  return { kind: "op", op, flat: undefined, summary: undefined, walk: 0, index: 0, inputs, dtypes, dtype: out.dtype, shape: out.shape };
}

function flatten(root: OpNode): Flat {
  return flattener.flatten(root);
}

/** The tree's value from its leaves' values; `round` also rounds the root (for a reduction). */
function bodyOf(flat: Flat, round: boolean): Body {
  const code = () => {
    const last = flat.ops.length - 1;
    const lines = flat.ops.map((n, j) => {
      const e = n.op.expr(flat.args[j].map((x) => (x >= 0 ? `l${x}` : `t${-x - 1}`)));
      return `const t${j} = ${j === last && !round ? e : storedExpr(e, n.dtype)};`;
    });
    return { prelude: lines.join("\n"), expr: `t${last}` };
  };
  const key = `fused{${flat.key}}${round ? "r" : ""}`;
  const ops = flat.ops.map((n, j) => ({ key: n.op.key, args: flat.args[j] }));
  return { key, dtypes: flat.leaves.map((l) => l.dtype), code, ops };
}

export class CpuFuser {
  /** Operations that ran inside another one's loop instead of their own (for counters()). */
  fusedOps = 0;
  /** Reads and syncs so far: the host waited for values, so a training step (say) ended. */
  private epoch = 0;
  /**
   * The latest pending values not yet computed or freed, oldest first, for computeUnconsumed().
   * CPU tensors that become unreachable undisposed are collected without a free() (memory.ts),
   * so this must not keep them all. Nor can it hold them weakly: V8 keeps every WeakRef target
   * made during a task alive until the task ends, which kept every intermediate (and the arrays
   * its tree reads) of a training loop that never awaits. So it keeps a short window instead, a
   * ring: a value that falls out of it is only no longer computed by sync().
   */
  private readonly recent: (FusedStorage | null)[] = new Array(TRACKED).fill(null);
  /** The slot of `recent` the next pending value takes (the oldest one's, once full). */
  private next = 0;

  /** FusedStorage's compute callback: one function for every pending value, not a closure each. */
  private readonly computeFn = (self: PendingStorage): CpuStorage => this.compute(self as FusedStorage);

  constructor(readonly enabled: boolean) {}

  /** An elementwise operation: a pending storage, or (fusion off, empty or huge) a real one. */
  elementwise(op: ElementwiseOp, inputs: readonly Storage[], infos: readonly TensorInfo[], out: TensorInfo): Storage {
    const n = sizeOf(out.shape);
    if (!this.enabled || n === 0 || n > MAX_DEFERRED) return computeElementwise(op, inputs, infos, out);
    const nodes: FNode[] = new Array(inputs.length);
    for (let k = 0; k < inputs.length; k++) nodes[k] = this.pendingNode(inputs[k], infos[k]) ?? leaf(inputs[k], infos[k]);
    let root = opNode(op, nodes, infos, out);
    let sum = flattener.summary(root);
    if (sum.leaves.length > MAX_LEAVES || sum.ops > MAX_NODES) {
      const leaves: FNode[] = new Array(inputs.length);
      for (let k = 0; k < inputs.length; k++) leaves[k] = leaf(inputs[k], infos[k]);
      root = opNode(op, leaves, infos, out);
      sum = flattener.summary(root);
    }
    const bytes = n * (out.dtype === "bool" ? 1 : 4);
    const p = new FusedStorage(root, bytes, sum.ops, this.epoch, this.computeFn);
    const holding: CpuStorage[] = [];
    for (const l of sum.leaves) {
      hold(l.storage);
      holding.push(l.storage);
    }
    p.holding = holding;
    p.slot = this.next;
    this.recent[this.next] = p;
    this.next = (this.next + 1) % TRACKED;
    return p;
  }

  /**
   * The tree of a pending input read as `info` (a reshape may have changed its shape), or null
   * when it is to be read from an array instead.
   */
  private pendingNode(s: Storage, info: TensorInfo): OpNode | null {
    if (!(s instanceof FusedStorage)) return null;
    if (s.freed) throw new TypeError("use of freed cpu storage");
    const node = s.node;
    if (!node || s.epoch !== this.epoch) return null;
    s.uses += 1;
    if (s.uses > 1 && s.ops > SHARED_OPS) return null;
    return flattener.readAs(node, info.shape);
  }

  private compute(s: FusedStorage): CpuStorage {
    const node = s.node!;
    const flat = flatten(node);
    const r = allocOverwritten(node.dtype, sizeOf(node.shape));
    const plan = blockPlan(node.shape, [...flat.leaves.map((l) => broadcastStrides(l.shape, node.shape)), stridesOf(node.shape)]);
    runMap(bodyOf(flat, false), r.data, plan, flat.leaves.map((l) => l.storage.data), node.dtype);
    this.fusedOps += flat.ops.length - 1;
    s.node = null;
    letGo(s);
    this.forget(s);
    return r;
  }

  /** A reduction's input: a pending tree's expression, or null to read `s` as it is. */
  reduceInput(s: Storage, info: TensorInfo): ReduceInput | null {
    if (!this.enabled) return null;
    const node = this.pendingNode(s, info);
    if (!node) return null;
    const flat = flatten(node);
    this.fusedOps += flat.ops.length;
    return {
      body: bodyOf(flat, true),
      xs: flat.leaves.map((l) => l.storage.data),
      strides: flat.leaves.map((l) => broadcastStrides(l.shape, info.shape)),
    };
  }

  /** Backend.free: a pending tree is dropped (its leaves with it) without being computed. */
  free(s: Storage): void {
    if (!(s instanceof FusedStorage) || s.freed) return;
    s.freed = true;
    s.node = null;
    s.result = null;
    letGo(s);
    this.forget(s);
  }

  private forget(s: FusedStorage): void {
    if (this.recent[s.slot] === s) this.recent[s.slot] = null;
  }

  /** The host read a value: later uses of values pending now compute them (see above). */
  endEpoch(): void {
    this.epoch += 1;
  }

  /**
   * sync(): computes the pending values nothing has consumed yet, so that a timing ending in
   * sync() measures the work, not its deferral (values inlined into a consumer are done).
   */
  computeUnconsumed(): void {
    for (let i = 0; i < TRACKED; i++) {
      const s = this.recent[(this.next + i) % TRACKED]; // oldest first
      if (s && s.uses === 0) s.materialize();
    }
    this.recent.fill(null);
    this.endEpoch();
  }
}

/** Releases the holds of a tree that was computed or freed. */
function letGo(s: FusedStorage): void {
  for (const l of s.holding) unhold(l);
  s.holding = [];
}

/** A leaf over the array behind `s` read as `info`; the last one made is reused (leaves are
 * never modified), so that `x.add(1)` in a loop does not make a leaf for the constant every time. */
function leaf(s: Storage, info: TensorInfo): Leaf {
  const storage = s instanceof PendingStorage ? s.materialize() : (s as CpuStorage);
  const last = storage.leaf as Leaf | null;
  if (last && last.shape === info.shape && last.dtype === info.dtype) return last;
  const made: Leaf = { kind: "leaf", storage, shape: info.shape, dtype: info.dtype };
  storage.leaf = made;
  return made;
}
