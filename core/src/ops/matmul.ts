// matmul with NumPy semantics: 1-D operands are promoted (a vector on the left becomes a row,
// on the right a column) and the added axis is removed again; batch dims broadcast. Shapes are
// checked here, at the user's call, so the error speaks of left and right as written.

import type { Tensor } from "../tensor";
import { run } from "../dispatch";
import { ShapeError, InputError } from "../errors";
import { formatShape } from "../shape";
import { broadcastShapes } from "./shapeRules";
import { reshape, unsqueeze, squeeze } from "./layout";
import { cast } from "./elementwise";
import { isTensor } from "../creation";
import { promote } from "../dtype";

/** The shape a @ b would have, or null. Used for suggestions. */
function resultShape(a: readonly number[], b: readonly number[]): number[] | null {
  if (a.length === 0 || b.length === 0) return null;
  const A = a.length === 1 ? [1, a[0]] : a;
  const B = b.length === 1 ? [b[0], 1] : b;
  if (A[A.length - 1] !== B[B.length - 2]) return null;
  const batch = broadcastShapes(A.slice(0, -2), B.slice(0, -2));
  if (!batch) return null;
  const out = [...batch, ...(a.length === 1 ? [] : [A[A.length - 2]]), ...(b.length === 1 ? [] : [B[B.length - 1]])];
  return out;
}

const T = (s: readonly number[]) => (s.length >= 2 ? [...s.slice(0, -2), s[s.length - 1], s[s.length - 2]] : s);

function matmulError(a: Tensor, b: Tensor): ShapeError {
  const operands = [
    { role: "left", shape: a.shape.slice(), dtype: a.dtype },
    { role: "right", shape: b.shape.slice(), dtype: b.dtype },
  ];
  if (a.ndim === 0 || b.ndim === 0) {
    return new ShapeError(`matmul: operands must have at least 1 dim; got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`, {
      op: "matmul",
      operands,
      conflict: [],
      rule: "matmul multiplies vectors and matrices; for a scalar use mul.",
      suggestions: [{ code: "{left}.mul({right})", resultShape: broadcastShapes(a.shape, b.shape) ?? [] }],
    });
  }
  const k1 = a.shape[a.ndim - 1];
  const k2 = b.ndim === 1 ? b.shape[0] : b.shape[b.ndim - 2];
  const bAxis = b.ndim === 1 ? 0 : b.ndim - 2;
  const suggestions: { code: string; resultShape: number[] }[] = [];
  const add = (code: string, s: number[] | null) => s && suggestions.push({ code, resultShape: s });
  if (k1 !== k2) {
    if (b.ndim >= 2) add("{left}.matmul({right}.T)", resultShape(a.shape, T(b.shape)));
    if (a.ndim >= 2) add("{left}.T.matmul({right})", resultShape(T(a.shape), b.shape));
    if (a.ndim >= 2 && b.ndim >= 2) add("{right}.matmul({left})", resultShape(b.shape, a.shape));
    const rightName = b.ndim === 1 ? "only dim" : "second-to-last dim";
    const leftName = a.ndim === 1 ? "only dim" : "last dim";
    return new ShapeError(
      `matmul: left's ${leftName} (${k1}) must equal right's ${rightName} (${k2}); ` +
        `cannot matmul shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
      {
        op: "matmul",
        operands,
        conflict: [{ operand: 0, axis: a.ndim - 1 }, { operand: 1, axis: bAxis }],
        rule: `matmul needs {left}'s ${leftName} (${k1}) to equal {right}'s ${rightName} (${k2}).`,
        suggestions,
      },
    );
  }
  return new ShapeError(
    `matmul: batch dims ${formatShape(a.shape.slice(0, -2))} and ${formatShape(b.shape.slice(0, -2))} do not broadcast ` +
      `(shapes ${formatShape(a.shape)} and ${formatShape(b.shape)})`,
    {
      op: "matmul",
      operands,
      conflict: [],
      rule: "the dims before the last two (batch dims) must broadcast: equal, or one of them 1, lined up from the right.",
      suggestions: [],
    },
  );
}

export function matmul(a: Tensor, b: Tensor): Tensor {
  if (!isTensor(a) || !isTensor(b)) throw new InputError("matmul: both operands must be tensors");
  if (!resultShape(a.shape, b.shape)) throw matmulError(a, b);
  let t = promote(a.dtype, b.dtype);
  if (t === "bool") t = "int32";
  let x = cast(a, t);
  let y = cast(b, t);
  if (x.ndim === 1) x = unsqueeze(x, 0);
  if (y.ndim === 1) y = unsqueeze(y, 1);
  let out = run("matmul", [x, y], {});
  if (b.ndim === 1) out = squeeze(out, -1);
  if (a.ndim === 1) out = squeeze(out, a.ndim === 1 && b.ndim === 1 ? 0 : -2 + (b.ndim === 1 ? 1 : 0));
  return out;
}

/**
 * op(a) @ op(b) for operands of rank >= 2 and one dtype, op being a transpose of the last two
 * axes where the flag says so, without copying the transpose. For library code that knows its
 * shapes are right (nn.Linear, VJPs); users write a.matmul(b.T).
 */
export function matmulT(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  const attrs: { transA?: boolean; transB?: boolean } = {};
  if (transA) attrs.transA = true;
  if (transB) attrs.transB = true;
  return run("matmul", [a, b], attrs);
}

/** Inner product of two 1-D tensors (or matmul for higher ranks, like NumPy's dot for 2-D). */
export function dot(a: Tensor, b: Tensor): Tensor {
  return matmul(a, b);
}

/** outer(u, v)[i, j] = u[i] * v[j] for vectors. */
export function outer(a: Tensor, b: Tensor): Tensor {
  return reshape(a, [a.size, 1]).mul(reshape(b, [1, b.size]));
}
