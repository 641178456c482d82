// Parallel (round-robin) Jacobi rotations, shared by eigh (two-sided, on A) and svd (one-sided,
// on A's columns). A round pairs every index with a partner so that the pairs are disjoint,
// and rotates all of them at once: per index i with partner π(i), new row i = c·row i ±
// s·row π(i), which is a gather and two products, not an n x n rotation matrix. n - 1 rounds
// (the "circle method" of a round-robin tournament) meet every pair once: a sweep. The number
// of sweeps is fixed, since stopping on convergence would need a host read; Jacobi converges
// quadratically: in trials ceil(log2 n) + 1 sweeps reached float32 precision for n up to 128;
// one more is the margin.

import type { Tensor } from "../tensor";
import type { Backend } from "../backend/backend";
import { run } from "../dispatch";
import { where } from "../ops/elementwise";
import { fromHost } from "../creation";

/** One round: each index's partner, and constants for the rotation formulas. */
export interface Round {
  /** π(i), int32 [n]. */
  partner: Tensor;
  /** +1 where i is the first (smaller) index of its pair, -1 where the second, float32 [n]. */
  first: Tensor;
  /** i·n + π(i) and π(i)·n + i, int32 [n]: where a_iπ(i) and a_π(i)i sit in a flattened [n, n]. */
  entry: Tensor;
  entryT: Tensor;
}

/** The n - 1 rounds of a round-robin over n (even) indices. */
export function schedule(n: number, backend: Backend): Round[] {
  const rounds: Round[] = [];
  // The circle method: index 0 stays, the others rotate one place per round.
  const ring = Array.from({ length: n - 1 }, (_, i) => i + 1);
  for (let r = 0; r < n - 1; r++) {
    const order = [0, ...ring.slice(r), ...ring.slice(0, r)];
    const partner = new Int32Array(n);
    for (let i = 0; i < n / 2; i++) {
      const [p, q] = [order[i], order[n - 1 - i]];
      partner[p] = q;
      partner[q] = p;
    }
    const first = new Float32Array(n);
    const entry = new Int32Array(n);
    const entryT = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      first[i] = i < partner[i] ? 1 : -1;
      entry[i] = i * n + partner[i];
      entryT[i] = partner[i] * n + i;
    }
    rounds.push({
      partner: fromHost(partner, [n], "int32", backend),
      first: fromHost(first, [n], "float32", backend),
      entry: fromHost(entry, [n], "int32", backend),
      entryT: fromHost(entryT, [n], "int32", backend),
    });
  }
  return rounds;
}

/** Sweeps enough for float32: Jacobi converges quadratically once the off-diagonal is small. */
export function defaultSweeps(n: number): number {
  return Math.max(5, Math.ceil(Math.log2(Math.max(n, 2))) + 2);
}

/** For symmetric W [..., n, n]: (a_iπ(i) + a_π(i)i) / 2 per index i, the same number at both
 * members of a pair even where rounding left W slightly asymmetric. */
export function crossEntries(W: Tensor, round: Round): Tensor {
  const n = W.shape[W.ndim - 1];
  const flat = W.reshape([...W.shape.slice(0, -2), n * n]);
  const last = flat.ndim - 1;
  return run("gather", [flat, round.entry], { axis: last }).add(run("gather", [flat, round.entryT], { axis: last })).mul(0.5);
}

/** x with its `axis` (non-negative) reordered by the partner permutation. */
export function swapped(x: Tensor, round: Round, axis: number): Tensor {
  return run("gather", [x, round.partner], { axis });
}

/** Per index i, the coefficients of  new_i = c_i · x_i + s_i · x_π(i)  in one round. */
export interface Rotation {
  c: Tensor;
  s: Tensor;
  round: Round;
}

/**
 * The rotation of each pair, given per index i the entries of its pair: `own` = a_ii,
 * `other` = a_jj for j = π(i), and `cross` = a_ij (equal for both members); it zeroes a_ij.
 * Both members compute c and s from the same numbers, so the rotation stays orthogonal to the
 * last bit.
 */
export function rotation(own: Tensor, other: Tensor, cross: Tensor, round: Round): Rotation {
  // d = a_qq - a_pp for the pair (p < q), the same value at both members.
  const d = other.sub(own).mul(round.first);
  const twoA = cross.mul(2);
  // tan θ = 2a / (d + sign(d) sqrt(d² + 4a²)), the smaller of the two angles (|θ| <= π/4);
  // with a = 0 and d = 0 (nothing to do, or padding) the guard gives t = 0.
  const r = d.square().add(twoA.square()).sqrt();
  const den = where(d.ge(0), d.add(r), d.sub(r));
  const t = twoA.div(where(den.eq(0), 1, den));
  const c = t.square().add(1).rsqrt();
  // Row p becomes c·p - s·q, row q becomes s·p + c·q.
  const s = t.mul(c).mul(round.first.neg());
  return { c, s, round };
}

/** Applies the rotation to the rows (axis = ndim - 2) or the columns (ndim - 1) of x. */
export function rotate(x: Tensor, rot: Rotation, axis: number): Tensor {
  const along = (v: Tensor) => (axis === x.ndim - 2 ? v.unsqueeze(-1) : v.unsqueeze(-2));
  return x.mul(along(rot.c)).add(swapped(x, rot.round, axis).mul(along(rot.s)));
}
