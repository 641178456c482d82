// Float64 linear algebra in plain JavaScript, written the textbook way (no vectorizing, no
// tricks), for the linalg tests to compare tsdl's float32 results against.

import type { Tensor } from "../src/index";

export type Mat = number[][];

/** The matrices of a [..., m, n] tensor, in row-major batch order. */
export async function matrices(x: Tensor): Promise<Mat[]> {
  const [m, n] = x.shape.slice(-2);
  const d = Array.from(await x.data());
  const out: Mat[] = [];
  for (let b = 0; b < d.length / (m * n); b++) {
    out.push(Array.from({ length: m }, (_, i) => d.slice(b * m * n + i * n, b * m * n + (i + 1) * n)));
  }
  return out;
}

export const flat = (ms: Mat[]): number[] => ms.flatMap((m) => m.flat());

export function matmul(a: Mat, b: Mat): Mat {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
}

export function transpose(a: Mat): Mat {
  return a[0].map((_, j) => a.map((row) => row[j]));
}

export function eye(n: number): Mat {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
}

/** X with A X = B, by Gaussian elimination with partial pivoting. */
export function solve(A: Mat, B: Mat): Mat {
  const n = A.length;
  const M = A.map((row, i) => [...row, ...B[i]]);
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(M[i][k]) > Math.abs(M[p][k])) p = i;
    [M[k], M[p]] = [M[p], M[k]];
    for (let i = k + 1; i < n; i++) {
      const f = M[i][k] / M[k][k];
      for (let j = k; j < M[i].length; j++) M[i][j] -= f * M[k][j];
    }
  }
  const X = B.map((row) => row.map(() => 0));
  for (let i = n - 1; i >= 0; i--) {
    for (let c = 0; c < B[0].length; c++) {
      let s = M[i][n + c];
      for (let j = i + 1; j < n; j++) s -= M[i][j] * X[j][c];
      X[i][c] = s / M[i][i];
    }
  }
  return X;
}

/** The determinant by cofactor expansion along the first row (small n only). */
export function detCofactor(A: Mat): number {
  const n = A.length;
  if (n === 1) return A[0][0];
  let s = 0;
  for (let j = 0; j < n; j++) {
    const minor = A.slice(1).map((row) => row.filter((_, c) => c !== j));
    s += (j % 2 ? -1 : 1) * A[0][j] * detCofactor(minor);
  }
  return s;
}

/** log|det A| and its sign, by elimination with partial pivoting. */
export function slogdet(A: Mat): { sign: number; logabsdet: number } {
  const n = A.length;
  const M = A.map((row) => row.slice());
  let sign = 1;
  let log = 0;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(M[i][k]) > Math.abs(M[p][k])) p = i;
    if (p !== k) sign = -sign;
    [M[k], M[p]] = [M[p], M[k]];
    if (M[k][k] === 0) return { sign: 0, logabsdet: -Infinity };
    sign *= Math.sign(M[k][k]);
    log += Math.log(Math.abs(M[k][k]));
    for (let i = k + 1; i < n; i++) {
      const f = M[i][k] / M[k][k];
      for (let j = k; j < n; j++) M[i][j] -= f * M[k][j];
    }
  }
  return { sign, logabsdet: log };
}

/** Lower L with L Lᵀ = A (Cholesky–Banachiewicz). */
export function cholesky(A: Mat): Mat {
  const n = A.length;
  const L = A.map((row) => row.map(() => 0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i][j];
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
      L[i][j] = i === j ? Math.sqrt(s) : s / L[j][j];
    }
  }
  return L;
}

/** Eigenvalues of a symmetric matrix, ascending, by the classical Jacobi method. */
export function eigvalsh(A: Mat): number[] {
  const n = A.length;
  const M = A.map((row) => row.slice());
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += M[p][q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (M[p][q] === 0) continue;
        const theta = (M[q][q] - M[p][p]) / (2 * M[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const [mkp, mkq] = [M[k][p], M[k][q]];
          M[k][p] = c * mkp - s * mkq;
          M[k][q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const [mpk, mqk] = [M[p][k], M[q][k]];
          M[p][k] = c * mpk - s * mqk;
          M[q][k] = s * mpk + c * mqk;
        }
      }
    }
  }
  return M.map((row, i) => row[i]).sort((a, b) => a - b);
}

/** Singular values, descending: square roots of the eigenvalues of AᵀA (or AAᵀ). */
export function svdvals(A: Mat): number[] {
  const G = A.length >= A[0].length ? matmul(transpose(A), A) : matmul(A, transpose(A));
  return eigvalsh(G).map((v) => Math.sqrt(Math.max(v, 0))).reverse();
}

/** The least-squares solution of an overdetermined full-rank system: (AᵀA)⁻¹ AᵀB. */
export function lstsq(A: Mat, B: Mat): Mat {
  const At = transpose(A);
  return solve(matmul(At, A), matmul(At, B));
}
