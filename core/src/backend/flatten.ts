// Flattening of the fusers' expression trees (cpu/fusion.ts, webgpu/fusion.ts): distinct leaves
// and operations in dependency order, plus a structural key naming the generated code.
// Flattening runs once per computed tree, i.e. every up to 32 elementwise ops of a chain, so
// it builds no per-operation strings or maps (see Flattener).
//
// Every elementwise op checks the fusion bounds (operations, distinct leaves) of its new tree,
// so that check must not walk the tree: a chain `x.add(1).mul(2)...` would cost O(32) per op.
// A summary (leaf list, op count) extends the first input's in O(1) when the other inputs are
// leaves, the chain case; the full flattening runs once, when the tree is computed.

export interface FlatLeaf<S> {
  kind: "leaf";
  storage: S;
  shape: readonly number[];
}

export interface FlatOp<L> {
  kind: "op";
  shape: readonly number[];
  inputs: (L | FlatOp<L>)[];
  /**
   * The memoized flattening (a field, not a WeakMap: one per op, and ephemeron tables cost the
   * garbage collector). A copy of a node with other inputs or shapes must not carry it over.
   */
  flat?: unknown;
  /** Its summary, memoized likewise. */
  summary?: unknown;
  /** The last walk that listed it and its index there (a field, not a Map per walk). */
  walk?: number;
  index?: number;
}

/** A tree flattened for code generation. */
export interface Flat<L, O> {
  leaves: L[];
  ops: O[];
  /** Per op, its arguments: leaf index (>= 0) or -(op index + 1). */
  args: number[][];
  /**
   * Structural key: the same key means the same code, whatever the buffers and values. A
   * short id ("#12"), so that caches keyed by it hash a few characters, not a 32-op text.
   */
  key: string;
}

/** What the fusion bounds need: the distinct leaves (as a flattening lists them) and op count. */
export interface Summary<L> {
  /** Shared between summaries: never modified once built. */
  leaves: readonly L[];
  ops: number;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function leafIndexOf<S>(leaves: readonly FlatLeaf<S>[], n: FlatLeaf<S>): number {
  for (let i = 0; i < leaves.length; i++) if (leaves[i].storage === n.storage && sameShape(leaves[i].shape, n.shape)) return i;
  return -1;
}

/** A walk's state (see Flattener.walk). */
interface Walk<L, O> {
  id: number;
  leaves: L[];
  ops: O[];
  args: number[][];
  /** The structure trie's node for the operations listed so far (see Flattener.step). */
  state: number;
}

/**
 * Flattens trees and memoizes the result on the root (trees are immutable once built). `opId`
 * names one operation apart from its arguments, as a small non-negative integer.
 *
 * The structural key is the path of the walk through a trie whose edges are tokens: each
 * operation's id, then its argument indices. Equal token sequences, and only those, end at
 * the same trie node, whose number is the key: no text per operation is built or hashed.
 */
export class Flattener<S, L extends FlatLeaf<S>, O extends FlatOp<L>> {
  /**
   * Trie edges, bounded by the distinct fused programs' prefixes. Most nodes have one child, so
   * per node its first edge sits in two arrays and a Map holds any others (a Map per node would
   * cost a hundred bytes each, times up to ~100 nodes per program).
   */
  private readonly firstToken: number[] = [0];
  private readonly firstNext: number[] = [-1];
  private readonly moreEdges = new Map<number, Map<number, number>>();
  /** Keys of the trie nodes that ended a walk, made once. */
  private readonly keys: string[] = [];
  private walks = 0;

  constructor(private readonly opId: (n: O) => number) {}

  flatten(root: O): Flat<L, O> {
    let f = root.flat as Flat<L, O> | undefined;
    if (!f) root.flat = f = this.walk(root);
    return f;
  }

  /** The tree read as `shape` by a consumer: itself, or (a reshape in between) a copy read at
   * the new shape when every leaf is full-size; null when it must be computed first. */
  readAs(root: O, shape: readonly number[]): O | null {
    if (sameShape(root.shape, shape)) return root;
    const n = root.shape.reduce((p, d) => p * d, 1);
    if (!this.summary(root).leaves.every((l) => l.shape.reduce((p, d) => p * d, 1) === n)) return null;
    return reshapeTree(root as unknown as TreeNode, shape) as unknown as O;
  }

  /** The distinct leaves and the number of operations of a tree, without walking it if it can. */
  summary(root: O): Summary<L> {
    let m = root.summary as Summary<L> | undefined;
    if (!m) {
      m = this.extend(root);
      if (!m) {
        const f = this.flatten(root);
        m = { leaves: f.leaves, ops: f.ops.length };
      }
      root.summary = m;
    }
    return m;
  }

  /**
   * A root whose first input is an operation already summarized and whose other inputs are
   * leaves: the walk from the root lists the first input's leaves first, in the same order,
   * then the new ones; its operations are the first input's and the root.
   */
  private extend(root: O): Summary<L> | undefined {
    const first = root.inputs[0];
    if (!first || first.kind !== "op") return undefined;
    const prefix = first.summary as Summary<L> | undefined;
    if (!prefix) return undefined;
    let leaves = prefix.leaves;
    for (let k = 1; k < root.inputs.length; k++) {
      const n = root.inputs[k];
      if (n.kind !== "leaf") return undefined;
      if (leafIndexOf(leaves, n as L) < 0) leaves = [...leaves, n as L];
    }
    return { leaves, ops: prefix.ops + 1 };
  }

  private walk(root: O): Flat<L, O> {
    const w: Walk<L, O> = { id: ++this.walks, leaves: [], ops: [], args: [], state: 0 };
    this.visit(w, root);
    return { leaves: w.leaves, ops: w.ops, args: w.args, key: (this.keys[w.state] ??= `#${w.state}`) };
  }

  /** Lists `n`'s subtree in dependency order; its index (leaf >= 0, op -(j + 1)). A method,
   * not a closure made per walk, so that V8 keeps one optimized copy. */
  private visit(w: Walk<L, O>, n: L | FlatOp<L>): number {
    if (n.kind === "leaf") {
      let i = leafIndexOf(w.leaves, n as L);
      if (i < 0) i = w.leaves.push(n as L) - 1;
      return i;
    }
    const op = n as O;
    if (op.walk === w.id) return -(op.index! + 1);
    const inputs = op.inputs;
    const a: number[] = new Array(inputs.length);
    for (let k = 0; k < inputs.length; k++) a[k] = this.visit(w, inputs[k]);
    const j = w.ops.push(op) - 1;
    w.args.push(a);
    op.walk = w.id;
    op.index = j;
    // Tokens: an operation is -(id + 1), an argument x its zigzag code (x >= 0: 2x, else -2x - 1).
    let state = this.step(w.state, -(this.opId(op) + 1));
    for (let k = 0; k < a.length; k++) state = this.step(state, a[k] >= 0 ? 2 * a[k] : -2 * a[k] - 1);
    w.state = state;
    return -(j + 1);
  }

  /** The trie node after `token` from `state`, added if new. Nodes are numbered in order of
   * creation and never reused: a key names one structure for the life of the process. */
  private step(state: number, token: number): number {
    const first = this.firstNext[state]; // -1: no edge yet
    if (first >= 0 && this.firstToken[state] === token) return first;
    let more = this.moreEdges.get(state);
    const found = more?.get(token);
    if (found !== undefined) return found;
    const next = this.firstToken.push(0) - 1;
    this.firstNext.push(-1);
    if (first < 0) {
      this.firstToken[state] = token;
      this.firstNext[state] = next;
    } else {
      if (!more) this.moreEdges.set(state, (more = new Map()));
      more.set(token, next);
    }
    return next;
  }
}

/** Small integer ids for strings (an operation's key text), for Flattener's opId. */
export class Interner {
  private readonly ids = new Map<string, number>();
  id(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) this.ids.set(text, (id = this.ids.size));
    return id;
  }
}

/** A pending tree node as both fusers build it: a leaf, or an op over inputs whose flattening
 * and limits summary are cached on the node. */
interface TreeNode {
  kind: "leaf" | "op";
  shape: readonly number[];
  inputs?: TreeNode[];
}

/** The tree with every node and leaf read as `shape` (valid when all leaves are full-size);
 * cached flattenings and summaries are dropped, since they describe the old shape. */
function reshapeTree<N extends TreeNode>(root: N, shape: readonly number[]): N {
  const memo = new Map<TreeNode, TreeNode>();
  const visit = (n: TreeNode): TreeNode => {
    let m = memo.get(n);
    if (!m) {
      m = n.kind === "leaf" ? { ...n, shape } : ({ ...n, shape, inputs: n.inputs!.map(visit), flat: undefined, summary: undefined } as TreeNode);
      memo.set(n, m);
    }
    return m;
  };
  return visit(root) as N;
}
