// Shape errors carry what the kernel and the extension need: the op, the operands with their
// roles and shapes, the conflicting axes, the rule in words, and fixes that really work.

import { t, assert } from "./helpers";
import { ShapeError, fillRoles } from "../src/index";

function catchShapeError(fn: () => unknown): ShapeError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ShapeError, `expected a ShapeError, got ${e}`);
    return e;
  }
  assert.fail("expected a ShapeError");
}

describe("ShapeError detail", () => {
  it("matmul [1,2] x [1,2] names the dims and suggests both transposes", () => {
    const x = t.tensor([[1, 2]]);
    const w = t.tensor([[3, 4]]);
    const e = catchShapeError(() => x.matmul(w));
    assert.match(e.message, /left's last dim \(2\) must equal right's second-to-last dim \(1\)/);
    assert.equal(e.detail.op, "matmul");
    assert.deepEqual(e.detail.operands, [
      { role: "left", shape: [1, 2], dtype: "int32" },
      { role: "right", shape: [1, 2], dtype: "int32" },
    ]);
    assert.deepEqual(e.detail.conflict, [{ operand: 0, axis: 1 }, { operand: 1, axis: 0 }]);
    assert.equal(fillRoles(e.detail.rule, { left: "x", right: "w" }), "matmul needs x's last dim (2) to equal w's second-to-last dim (1).");
    assert.deepEqual(e.detail.suggestions.slice(0, 2), [
      { code: "{left}.matmul({right}.T)", resultShape: [1, 1] },
      { code: "{left}.T.matmul({right})", resultShape: [2, 2] },
    ]);
  });

  it("every suggestion runs and gives the promised shape", () => {
    const cases: [() => unknown, Record<string, ReturnType<typeof t.tensor>>][] = [];
    const x = t.ones([3, 4]);
    const v = t.ones([3]);
    const a = t.ones([2, 5]);
    const b = t.ones([2, 5]);
    cases.push([() => x.add(v), { left: x, right: v }], [() => a.matmul(b), { left: a, right: b }]);
    for (const [fn, operands] of cases) {
      const e = catchShapeError(fn);
      assert.ok(e.detail.suggestions.length > 0, `no suggestion for ${e.message}`);
      for (const s of e.detail.suggestions) {
        const code = fillRoles(s.code, { left: "operands.left", right: "operands.right" });
        const result = new Function("operands", `return ${code};`)(operands);
        assert.deepEqual(result.shape, s.resultShape, `${s.code} should give ${s.resultShape}`);
      }
    }
  });

  it("broadcast failure names the axis after right-alignment", () => {
    const e = catchShapeError(() => t.ones([2, 3]).add(t.ones([4, 2])));
    assert.match(e.message, /shapes \[2, 3\] and \[4, 2\] do not broadcast: at axis -1 \(counting from the right\) the sizes 3 and 2 differ/);
    assert.deepEqual(e.detail.conflict, [{ operand: 0, axis: 1 }, { operand: 1, axis: 1 }]);
    assert.match(e.detail.rule, /At axis -1, \{left\} has 3 and \{right\} has 2/);
  });

  it("reshape names the element counts", () => {
    const e = catchShapeError(() => t.ones([2, 3]).reshape([4, 2]));
    assert.equal(e.message, "reshape: cannot reshape [2, 3] (6 elements) into [4, 2] (8 elements)");
    assert.equal(e.detail.op, "reshape");
    const e2 = catchShapeError(() => t.ones([2, 3]).reshape([4, -1]));
    assert.match(e2.message, /6 is not a multiple of 4/);
  });

  it("axis out of range", () => {
    const e = catchShapeError(() => t.ones([2, 3]).sum(2));
    assert.match(e.message, /axis 2 is out of range for shape \[2, 3\]; valid axes are -2\.\.1/);
  });
});

describe("bad input", () => {
  it("ragged nested arrays name the rows", () => {
    assert.throws(() => t.tensor([[1, 2], [3]]), /ragged nested array: element \[0\] has shape \[2\] but element \[1\] has shape \[1\]/);
  });
  it("NaN, negative and fractional sizes", () => {
    assert.throws(() => t.zeros([2, NaN]), /invalid size at axis 1 \(NaN\)/);
    assert.throws(() => t.zeros([-1]), /invalid size at axis 0 \(-1\)/);
    assert.throws(() => t.ones([1.5]), /invalid size at axis 0 \(1\.5\)/);
  });
  it("unknown dtypes and non-numbers", () => {
    assert.throws(() => t.tensor([1], { dtype: "float64" as never }), /unknown dtype "float64"; use one of "float32", "int32", "bool"/);
    assert.throws(() => t.tensor([1, "a" as never]), /element 1 \(in flat order\) is "a"/);
  });
  it("huge allocations fail before allocating", () => {
    assert.throws(() => t.zeros([100000, 100000]), /10000000000 elements, more than the 2147483647/);
  });
});
