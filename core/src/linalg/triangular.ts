// Triangular systems: substitution as n steps of one column update each (a vectorized
// "column sweep": once x_k is final, subtract its share from every row it still reaches), and
// linalg.solveTriangular with its gradient written out, so autodiff does not keep n copies of
// the right-hand side.

import type { Tensor } from "../tensor";
import { InputError } from "../errors";
import { customVjp } from "../autodiff/custom";
import { isGradEnabled } from "../autodiff/mode";
import { internal } from "../scope";
import { batchShape, checkMatrix, checkSquare, floatMatrix, rowsMismatch } from "./checks";
import { diagonal } from "./parts";
import { loop, range } from "./loop";

/**
 * X with T X = Y for T [..., n, n] triangular (only that triangle is read) and Y [..., n, k].
 * A zero on T's diagonal gives inf/NaN in X. Not for users: no checks, no gradient of its own.
 */
export function substitute(T: Tensor, Y: Tensor, upper: boolean, unit = false): Tensor {
  const n = T.shape[T.ndim - 1];
  let strict = upper ? T.triu(1) : T.tril(-1);
  let x = Y;
  if (!unit) {
    // Scale each row by its pivot first: the sweep then needs no division per step.
    const d = diagonal(T).unsqueeze(-1);
    strict = strict.div(d);
    x = x.div(d);
  }
  // Column k of the strict triangle reaches only the rows still unsolved.
  const ks = upper ? range(n, true).slice(0, -1) : range(n - 1);
  [x] = loop([x], ks, ([y], k) => [y.sub(strict.slice(-1, k, k + 1).mul(y.slice(-2, k, k + 1)))]);
  // A custom op's forward must return a new tensor (n = 1 with a unit diagonal did nothing).
  return x === Y ? Y.add(0) : x;
}

export interface SolveTriangularOptions {
  /** Whether A is upper (true) or lower (false) triangular; required, as in torch. */
  upper: boolean;
  /** true: solve A X = B; false: X A = B. Default true. */
  left?: boolean;
  /** Take A's diagonal as ones (it is not read). Default false. */
  unitriangular?: boolean;
}

/** The triangle of A that the solve reads (the gradient is zero elsewhere). */
function triangle(A: Tensor, upper: boolean, unit: boolean): Tensor {
  const k = unit ? 1 : 0;
  return upper ? A.triu(k) : A.tril(-k);
}

/** A X = B for triangular A, with a gradient for both A and B (no checks: for linalg itself). */
export function solveLeft(A: Tensor, B: Tensor, upper: boolean, unit: boolean): Tensor {
  let X: Tensor | null = null;
  const out = customVjp(
    [A, B],
    () => (X = substitute(A, B, upper, unit)),
    (g, needs) => {
      // B̄ = A⁻ᵀ X̄ (a solve with the other triangle), Ā = -B̄ Xᵀ on A's triangle.
      const gB = solveLeft(A.mT, g, !upper, unit);
      const x = isGradEnabled() ? solveLeft(A, B, upper, unit) : (X as Tensor);
      const gA = needs[0] ? triangle(gB.matmul(x.mT).neg(), upper, unit) : null;
      return [gA, needs[1] ? gB : null];
    },
  );
  return out;
}

/**
 * X with A X = B (or X A = B with `{ left: false }`) for triangular A [..., n, n] and
 * B [..., n, k] ([..., k, n] when left is false), batch dims broadcast, as
 * torch.linalg.solve_triangular. Only A's `upper` or lower triangle is read. A zero on the
 * diagonal gives inf/NaN in X rather than an error (checking would need the values).
 *
 *   linalg.solveTriangular(tensor([[2, 0], [1, 1]]), tensor([[2], [3]]), { upper: false })  // [[1], [2]]
 */
export function solveTriangular(A: Tensor, B: Tensor, options: SolveTriangularOptions): Tensor {
  const name = "linalg.solveTriangular";
  if (!options || typeof options.upper !== "boolean") {
    throw new InputError(`${name}: say which triangle A holds: solveTriangular(A, B, { upper: true }) or { upper: false }`);
  }
  const a = floatMatrix(name, "A", A);
  const b = floatMatrix(name, "B", B);
  const n = checkSquare(name, a, "only square triangular matrices can be solved; for least squares use linalg.lstsq(A, B)");
  checkMatrix(name, b, "B");
  const left = options.left ?? true;
  const unit = options.unitriangular ?? false;
  const axis = left ? b.ndim - 2 : b.ndim - 1;
  if (b.shape[axis] !== n) {
    throw rowsMismatch(name, a, b, axis, left ? `B needs ${n} rows (A X = B)` : `B needs ${n} columns (X A = B with left: false)`);
  }
  batchShape(name, a, b, 2, 2);
  return internal(() => {
    if (left) return solveLeft(a, b, options.upper, unit);
    // X A = B is Aᵀ Xᵀ = Bᵀ, and Aᵀ holds the other triangle.
    return solveLeft(a.mT, b.mT, !options.upper, unit).mT;
  });
}
