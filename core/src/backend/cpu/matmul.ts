// Batched matmul on the CPU: [...batch, m, k] x [...batch, k, n] with broadcast batch dims.
// The i-p-j loop order streams rows of B and C, which V8 turns into tight array loops.

import type { Kernel } from "../backend";
import { broadcastStrides, sizeOf } from "../../shape";
import { alloc, data } from "./storage";
import { offsets } from "./strided";

export const matmul: Kernel<"matmul"> = ({ inputs, infos, out }) => {
  const A = data(inputs[0]);
  const B = data(inputs[1]);
  const [m, k] = infos[0].shape.slice(-2);
  const n = infos[1].shape[infos[1].shape.length - 1];
  const batch = out.shape.slice(0, -2);
  const aBatch = offsets(batch, broadcastStrides(infos[0].shape.slice(0, -2), batch).map((s) => s * m * k));
  const bBatch = offsets(batch, broadcastStrides(infos[1].shape.slice(0, -2), batch).map((s) => s * k * n));
  const r = alloc(out.dtype, sizeOf(out.shape));
  const C = r.data;
  const isInt = out.dtype === "int32";
  for (let bi = 0; bi < aBatch.length; bi++) {
    const ao = aBatch[bi];
    const bo = bBatch[bi];
    const co = bi * m * n;
    if (isInt) {
      for (let i = 0; i < m; i++) {
        for (let p = 0; p < k; p++) {
          const a = A[ao + i * k + p];
          if (a === 0) continue;
          const brow = bo + p * n;
          const crow = co + i * n;
          for (let j = 0; j < n; j++) C[crow + j] = (C[crow + j] + Math.imul(a, B[brow + j])) | 0;
        }
      }
      continue;
    }
    gemmF32(A as Float32Array, ao, B as Float32Array, bo, C as Float32Array, co, m, k, n);
  }
  return r;
};

/**
 * C[m, n] = A[m, k] B[k, n] for one batch entry, float32. Four rows of A at a time share each
 * load of a B row (register blocking), and the monomorphic typed-array arguments keep V8's
 * loads and stores specialized; accumulation is in float64 and rounded once per element.
 */
function gemmF32(A: Float32Array, ao: number, B: Float32Array, bo: number, C: Float32Array, co: number, m: number, k: number, n: number): void {
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
    const a0 = ao + i * k;
    for (let p = 0; p < k; p++) {
      const x0 = A[a0 + p];
      const x1 = A[a0 + k + p];
      const x2 = A[a0 + 2 * k + p];
      const x3 = A[a0 + 3 * k + p];
      const brow = bo + p * n;
      for (let j = 0; j < n; j++) {
        const b = B[brow + j];
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
      const x0 = A[ao + i * k + p];
      const brow = bo + p * n;
      for (let j = 0; j < n; j++) r0[j] += x0 * B[brow + j];
    }
    C.set(r0, co + i * n);
  }
}
