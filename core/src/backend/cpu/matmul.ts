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
    const row = new Float64Array(n);
    for (let i = 0; i < m; i++) {
      row.fill(0);
      for (let p = 0; p < k; p++) {
        const a = A[ao + i * k + p];
        const brow = bo + p * n;
        for (let j = 0; j < n; j++) row[j] += a * B[brow + j];
      }
      C.set(row, co + i * n);
    }
  }
  return r;
};
