// The plain-TypeScript float32 GEMM. The CPU backend runs the WebAssembly kernel (wasm/);
// this one stays as the reference its tests compare against, and as the kernel of last resort.

/**
 * C[m, n] = op(A)[m, k] op(B)[k, n] for one batch entry, float32; op transposes an operand
 * stored as [k, m] (transA) or [n, k] (transB). Four rows of A at a time share each load of a
 * B row (register blocking), and the monomorphic typed-array arguments keep V8's loads and
 * stores specialized; accumulation is in float64 and rounded once per element.
 */
export function gemmF32Reference(
  A: Float32Array, ao: number, B: Float32Array, bo: number, C: Float32Array, co: number,
  m: number, k: number, n: number, transA = false, transB = false,
): void {
  // A[i, p] is at ao + i * ai + p * ap; B[p, j] at bo + p * bp + j * bj.
  const ai = transA ? 1 : k;
  const ap = transA ? m : 1;
  const bp = transB ? 1 : n;
  const bj = transB ? k : 1;
  const r0 = new Float64Array(n);
  const r1 = new Float64Array(n);
  const r2 = new Float64Array(n);
  const r3 = new Float64Array(n);
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    r0.fill(0);
    r1.fill(0);
    r2.fill(0);
    r3.fill(0);
    const a0 = ao + i * ai;
    for (let p = 0; p < k; p++) {
      const x0 = A[a0 + p * ap];
      const x1 = A[a0 + ai + p * ap];
      const x2 = A[a0 + 2 * ai + p * ap];
      const x3 = A[a0 + 3 * ai + p * ap];
      const brow = bo + p * bp;
      for (let j = 0; j < n; j++) {
        const b = B[brow + j * bj];
        r0[j] += x0 * b;
        r1[j] += x1 * b;
        r2[j] += x2 * b;
        r3[j] += x3 * b;
      }
    }
    const c0 = co + i * n;
    for (let j = 0; j < n; j++) {
      C[c0 + j] = r0[j];
      C[c0 + n + j] = r1[j];
      C[c0 + 2 * n + j] = r2[j];
      C[c0 + 3 * n + j] = r3[j];
    }
  }
  for (; i < m; i++) {
    r0.fill(0);
    for (let p = 0; p < k; p++) {
      const x0 = A[ao + i * ai + p * ap];
      const brow = bo + p * bp;
      for (let j = 0; j < n; j++) r0[j] += x0 * B[brow + j * bj];
    }
    C.set(r0, co + i * n);
  }
}
