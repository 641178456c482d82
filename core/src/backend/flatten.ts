// Flattening of the fusers' expression trees (cpu/fusion.ts, webgpu/fusion.ts): distinct leaves
// and operations in dependency order, plus a structural key naming the generated code. Every
// elementwise op flattens its new tree to check the fusion bounds, so this runs once per op:
// a chain `x.add(1).mul(2)...` extends its input's memoized flattening by one operation
// instead of walking the whole tree again (which made a 32-op chain cost O(32) per op).

export interface FlatLeaf<S> {
  kind: "leaf";
  storage: S;
  shape: readonly number[];
}

export interface FlatOp<L> {
  kind: "op";
  inputs: (L | FlatOp<L>)[];
  /**
   * The memoized flattening (a field, not a WeakMap: one per op, and ephemeron tables cost the
   * garbage collector). A copy of a node with other inputs or shapes must not carry it over.
   */
  flat?: unknown;
}

/** A tree flattened for code generation. */
export interface Flat<L, O> {
  leaves: L[];
  ops: O[];
  /** Per op, its arguments: leaf index (>= 0) or -(op index + 1). */
  args: number[][];
  /**
   * Structural key: the same key means the same code, whatever the buffers and values. An
   * interned id ("#12"), so that caches keyed by it hash a few characters, not a 32-op text.
   */
  key: string;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function leafIndexOf<S>(leaves: FlatLeaf<S>[], n: FlatLeaf<S>): number {
  for (let i = 0; i < leaves.length; i++) if (leaves[i].storage === n.storage && sameShape(leaves[i].shape, n.shape)) return i;
  return -1;
}

function argKey(x: number): string {
  return x >= 0 ? `L${x}` : `N${-x - 1}`;
}

/**
 * Flattens trees and memoizes the result on the root (trees are immutable once built). `opKey`
 * names one operation apart from its arguments.
 */
export class Flattener<S, L extends FlatLeaf<S>, O extends FlatOp<L>> {
  /** Structure texts to their ids; bounded by the distinct fused programs, like the code caches. */
  private readonly ids = new Map<string, string>();

  constructor(private readonly opKey: (n: O) => string) {}

  flatten(root: O): Flat<L, O> {
    let f = root.flat as Flat<L, O> | undefined;
    if (!f) {
      f = this.extend(root) ?? this.walk(root);
      root.flat = f;
    }
    return f;
  }

  /**
   * A root whose first input is an operation already flattened and whose other inputs are
   * leaves: the walk from the root would list the first input's leaves and operations first,
   * in the same order, so its flattening is the prefix of the root's.
   */
  private extend(root: O): Flat<L, O> | null {
    const first = root.inputs[0];
    if (!first || first.kind !== "op") return null;
    const prefix = first.flat as Flat<L, O> | undefined;
    if (!prefix) return null;
    for (let k = 1; k < root.inputs.length; k++) if (root.inputs[k].kind !== "leaf") return null;
    const leaves = prefix.leaves.slice();
    const a = [-prefix.ops.length];
    for (let k = 1; k < root.inputs.length; k++) {
      const n = root.inputs[k] as L;
      let i = leafIndexOf(leaves, n);
      if (i < 0) i = leaves.push(n) - 1;
      a.push(i);
    }
    const ops = prefix.ops.slice();
    ops.push(root);
    const args = prefix.args.slice();
    args.push(a);
    return { leaves, ops, args, key: this.intern(`${prefix.key};${this.opKey(root)}[${a.map(argKey).join(",")}]`) };
  }

  private walk(root: O): Flat<L, O> {
    const leaves: L[] = [];
    const ops: O[] = [];
    const opIndex = new Map<O, number>();
    const args: number[][] = [];
    const parts: string[] = [];
    const visit = (n: L | FlatOp<L>): number => {
      if (n.kind === "leaf") {
        let i = leafIndexOf(leaves, n as L);
        if (i < 0) i = leaves.push(n as L) - 1;
        return i;
      }
      const op = n as O;
      const seen = opIndex.get(op);
      if (seen !== undefined) return -(seen + 1);
      const a = op.inputs.map(visit);
      const j = ops.push(op) - 1;
      args.push(a);
      opIndex.set(op, j);
      parts.push(`${this.opKey(op)}[${a.map(argKey).join(",")}]`);
      return -(j + 1);
    };
    visit(root);
    return { leaves, ops, args, key: this.intern(parts.join(";")) };
  }

  /**
   * The id of a structure text. A prefix's text enters an extension's as its id: ids name
   * structures one to one either way, since a walk's text (ops in dependency order) and an
   * extension's (its prefix's id, then the new op) never coincide.
   */
  private intern(text: string): string {
    let id = this.ids.get(text);
    if (id === undefined) this.ids.set(text, (id = `#${this.ids.size}`));
    return id;
  }
}
