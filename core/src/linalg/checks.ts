// Argument checks shared by the linalg functions, run up front at the user's call: every
// shape problem is known before any work starts, because a singular matrix is the only thing
// these functions cannot tell without reading values back from the device.

import type { Tensor } from "../tensor";
import { InputError, ShapeError } from "../errors";
import { formatShape } from "../shape";
import { isTensor } from "../creation";
import { broadcastShapes } from "../ops/shapeRules";

/**
 * The tensor as float32. Integer and bool matrices are converted, as jnp.linalg does (torch
 * raises instead): the answer (an inverse, a determinant of an int matrix) is fractional anyway.
 */
export function floatMatrix(name: string, role: string, x: unknown): Tensor {
  if (!isTensor(x)) throw new InputError(`${name}: ${role} must be a tensor, got ${x === null ? "null" : typeof x}`);
  return x.dtype === "float32" ? x : x.astype("float32");
}

function shapeError(name: string, x: Tensor, role: string, message: string, rule: string, axis: number): ShapeError {
  return new ShapeError(message, {
    op: name,
    operands: [{ role, shape: x.shape.slice(), dtype: x.dtype }],
    conflict: axis >= 0 ? [{ operand: 0, axis }] : [],
    rule,
    suggestions: [],
  });
}

/** A (batch of) matrices: at least 2 dims. */
export function checkMatrix(name: string, x: Tensor, role = "A"): void {
  if (x.ndim < 2) {
    throw shapeError(
      name, x, role,
      `${name}: ${role} must be a matrix (or a batch of them, [..., m, n]), got shape ${formatShape(x.shape)}`,
      `{${role}} needs at least 2 dims: rows and columns.`, -1,
    );
  }
}

/** A (batch of) square matrices; `hint` says what to use for non-square ones. */
export function checkSquare(name: string, x: Tensor, hint = "", role = "A"): number {
  checkMatrix(name, x, role);
  const [m, n] = x.shape.slice(-2);
  if (m !== n) {
    throw shapeError(
      name, x, role,
      `${name}: ${role} must be square in its last two axes, got shape ${formatShape(x.shape)}${hint ? `; ${hint}` : ""}`,
      `{${role}}'s last two dims (rows and columns) must be equal.`, x.ndim - 1,
    );
  }
  return n;
}

/** The broadcast of two batch shapes (the axes before each operand's matrix axes). */
export function batchShape(name: string, a: Tensor, b: Tensor, coreA: number, coreB: number, roles = ["A", "B"]): number[] {
  const ba = a.shape.slice(0, a.ndim - coreA);
  const bb = b.shape.slice(0, b.ndim - coreB);
  const out = broadcastShapes(ba, bb);
  if (out) return out;
  throw new ShapeError(
    `${name}: the batch dims of ${roles[0]} ${formatShape(a.shape)} and ${roles[1]} ${formatShape(b.shape)} do not broadcast: ` +
      `${formatShape(ba)} against ${formatShape(bb)}`,
    {
      op: name,
      operands: [
        { role: roles[0], shape: a.shape.slice(), dtype: a.dtype },
        { role: roles[1], shape: b.shape.slice(), dtype: b.dtype },
      ],
      conflict: [],
      rule: `the leading (batch) dims of {${roles[0]}} and {${roles[1]}} must broadcast: equal, or one of them 1.`,
      suggestions: [],
    },
  );
}

/** B's rows must match A's n. */
export function rowsMismatch(name: string, a: Tensor, b: Tensor, axisB: number, what: string): ShapeError {
  return new ShapeError(
    `${name}: A has shape ${formatShape(a.shape)} but B has shape ${formatShape(b.shape)}; ${what}`,
    {
      op: name,
      operands: [
        { role: "A", shape: a.shape.slice(), dtype: a.dtype },
        { role: "B", shape: b.shape.slice(), dtype: b.dtype },
      ],
      conflict: [{ operand: 0, axis: a.ndim - 2 }, { operand: 1, axis: axisB }],
      rule: "{B} must have as many rows as {A}.",
      suggestions: [],
    },
  );
}
