// Batched matmul on the CPU: [...batch, m, k] x [...batch, k, n] with broadcast batch dims,
// either operand possibly stored transposed (attrs transA / transB: [k, m] or [n, k] in
// memory), which every path reads through strides rather than a copy. float32 runs in the
// generated WebAssembly SIMD kernel (wasm/), spread over worker threads when the product is
// large; int32 (and bool, counted as int32) keeps a plain i-p-j loop.

import type { Kernel } from "../backend";
import { broadcastStrides, sizeOf } from "../../shape";
import { alloc, allocOverwritten, data } from "./storage";
import { offsets } from "./strided";
import { gemmEngine } from "./wasm/index";
import { gemmF32Reference } from "./gemm-reference";

export const matmul: Kernel<"matmul"> = ({ inputs, infos, out, attrs }) => {
  const transA = attrs.transA === true;
  const transB = attrs.transB === true;
  const A = data(inputs[0]);
  const B = data(inputs[1]);
  const as = infos[0].shape;
  const bs = infos[1].shape;
  const m = as[as.length - (transA ? 1 : 2)];
  const k = as[as.length - (transA ? 2 : 1)];
  const n = bs[bs.length - (transB ? 2 : 1)];
  const batch = out.shape.slice(0, -2);
  const aBatch = offsets(batch, broadcastStrides(as.slice(0, -2), batch).map((s) => s * m * k));
  const bBatch = offsets(batch, broadcastStrides(bs.slice(0, -2), batch).map((s) => s * k * n));
  // The float32 kernel writes all of C; the int32 loop adds into zeros.
  const r = out.dtype === "float32" ? allocOverwritten(out.dtype, sizeOf(out.shape)) : alloc(out.dtype, sizeOf(out.shape));
  const C = r.data;
  if (out.dtype === "float32") {
    const engine = gemmEngine();
    if (engine) {
      engine.matmul(A as Float32Array, aBatch, B as Float32Array, bBatch, C as Float32Array, m, k, n, transA, transB);
    } else {
      for (let bi = 0; bi < aBatch.length; bi++) {
        gemmF32Reference(A as Float32Array, aBatch[bi], B as Float32Array, bBatch[bi], C as Float32Array, bi * m * n, m, k, n, transA, transB);
      }
    }
    return r;
  }
  // Element (i, p) of A is at i * ai + p * ap, element (p, j) of B at p * bp + j * bj.
  const [ai, ap] = transA ? [1, m] : [k, 1];
  const [bp, bj] = transB ? [1, k] : [n, 1];
  for (let bi = 0; bi < aBatch.length; bi++) {
    const ao = aBatch[bi];
    const bo = bBatch[bi];
    const co = bi * m * n;
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < k; p++) {
        const a = A[ao + i * ai + p * ap];
        if (a === 0) continue;
        const brow = bo + p * bp;
        const crow = co + i * n;
        for (let j = 0; j < n; j++) C[crow + j] = (C[crow + j] + Math.imul(a, B[brow + j * bj])) | 0;
      }
    }
  }
  return r;
};
