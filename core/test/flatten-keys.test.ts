// The fusers' shared Flattener (src/backend/flatten.ts): the structural key names the generated
// code, so two trees must get the same key exactly when they flatten to the same structure
// (operations, their order and arguments, shared subtrees and repeated leaves), whatever the
// buffers. Checked against a reference: the structure written out as text.

import assert from "node:assert/strict";
import { Flattener, Interner, type FlatLeaf, type FlatOp } from "../src/backend/flatten";

interface Leaf extends FlatLeaf<object> {
  kind: "leaf";
}
interface Op extends FlatOp<Leaf> {
  kind: "op";
  name: string;
  inputs: (Leaf | Op)[];
}

const shape = [4];
const leaf = (storage: object): Leaf => ({ kind: "leaf", storage, shape });
const op = (name: string, ...inputs: (Leaf | Op)[]): Op => ({ kind: "op", name, shape, inputs });

function makeFlattener(): Flattener<object, Leaf, Op> {
  const names = new Interner();
  return new Flattener<object, Leaf, Op>((n) => names.id(n.name));
}

/** The structure as text: each operation with its arguments (leaf or earlier operation index). */
function reference(flattener: Flattener<object, Leaf, Op>, root: Op): string {
  const f = flattener.flatten(root);
  return f.ops.map((o, j) => `${o.name}(${f.args[j].map((x) => (x >= 0 ? `L${x}` : `N${-x - 1}`)).join(",")})`).join(";");
}

describe("fusion: structural keys of flattened trees", () => {
  it("the same structure over other buffers gets the same key; a different one another key", () => {
    const fl = makeFlattener();
    const [a, b, c, d] = [{}, {}, {}, {}];
    const chain = (x: object, y: object) => op("mul", op("add", leaf(x), leaf(y)), leaf(y));
    const k1 = fl.flatten(chain(a, b)).key;
    assert.equal(fl.flatten(chain(c, d)).key, k1);
    // Argument order, operation names, a repeated leaf and a longer chain all change it.
    const others = [
      op("mul", leaf(b), op("add", leaf(a), leaf(b))),
      op("add", op("add", leaf(a), leaf(b)), leaf(b)),
      op("mul", op("add", leaf(a), leaf(a)), leaf(a)),
      op("mul", op("add", leaf(a), leaf(b)), leaf(c)),
      op("neg", chain(a, b)),
      op("add", leaf(a), leaf(b)),
    ];
    const keys = others.map((t) => fl.flatten(t).key);
    assert.equal(new Set([k1, ...keys]).size, 1 + others.length);
  });

  it("a subtree used twice is listed once; the same text written out twice is another structure", () => {
    const fl = makeFlattener();
    const [a, b] = [{}, {}];
    const shared = op("exp", leaf(a));
    const dag = op("add", shared, shared);
    const tree = op("add", op("exp", leaf(a)), op("exp", leaf(b)));
    assert.equal(fl.flatten(dag).ops.length, 2);
    assert.deepEqual(fl.flatten(dag).args, [[0], [-1, -1]]);
    assert.equal(fl.flatten(tree).ops.length, 3);
    assert.notEqual(fl.flatten(dag).key, fl.flatten(tree).key);
  });

  it("keys match the written-out structure one to one over many random trees", () => {
    const fl = makeFlattener();
    let seed = 7;
    const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
    const byText = new Map<string, string>();
    const byKey = new Map<string, string>();
    for (let i = 0; i < 3000; i++) {
      const buffers = [{}, {}, {}];
      const nodes: (Leaf | Op)[] = [leaf(buffers[rand(3)])];
      const size = 1 + rand(8);
      for (let j = 0; j < size; j++) {
        const pick = () => (rand(3) === 0 ? leaf(buffers[rand(3)]) : nodes[rand(nodes.length)]);
        const name = ["add", "mul", "neg", "where"][rand(4)];
        const arity = name === "neg" ? 1 : name === "where" ? 3 : 2;
        nodes.push(op(name, ...Array.from({ length: arity }, pick)));
      }
      const root = nodes[nodes.length - 1];
      if (root.kind !== "op") continue;
      const text = reference(fl, root);
      const key = fl.flatten(root).key;
      assert.equal(byText.get(text) ?? key, key, `one structure, two keys: ${text}`);
      assert.equal(byKey.get(key) ?? text, text, `one key, two structures: ${key}`);
      byText.set(text, key);
      byKey.set(key, text);
    }
    assert.ok(byKey.size > 1000, `only ${byKey.size} distinct structures were tried`);
  });
});
