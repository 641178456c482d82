// Elementwise CPU kernels with NumPy broadcasting. Fast paths for same-shape and scalar
// operands keep the reference backend usable as the default on machines without a GPU.

import type { Kernel } from "../backend";
import type { TensorInfo } from "../../ops/primitives";
import { castValue } from "../../dtype";
import { broadcastStrides, sizeOf } from "../../shape";
import { alloc, data } from "./storage";
import { offsets, isIdentity } from "./strided";
import { floatMath, intMath, unaryMath } from "./math";
import { tryFastBinary } from "./fastpaths";
import { rowPlan } from "./rows";
import { binaryRows } from "./broadcastRows";

/** Input offsets for reading `info` broadcast to `out` (null when it is a plain read). */
function readIndex(info: TensorInfo, out: TensorInfo): Int32Array | null {
  return isIdentity(info.shape, out.shape) ? null : offsets(out.shape, broadcastStrides(info.shape, out.shape));
}

export const unary: Kernel<"unary"> = ({ inputs, out, attrs }) => {
  const x = data(inputs[0]);
  const f = unaryMath[attrs.fn];
  const r = alloc(out.dtype, x.length);
  const y = r.data;
  if (out.dtype === "int32") for (let i = 0; i < x.length; i++) y[i] = f(x[i]) | 0;
  else for (let i = 0; i < x.length; i++) y[i] = f(x[i]);
  return r;
};

export const binary: Kernel<"binary"> = ({ inputs, infos, out, attrs }) => {
  const a = data(inputs[0]);
  const b = data(inputs[1]);
  const f = (infos[0].dtype === "float32" ? floatMath : intMath)[attrs.fn];
  const n = sizeOf(out.shape);
  const r = alloc(out.dtype, n);
  const y = r.data;
  if (infos[0].dtype === "float32" && out.dtype === "float32") {
    const same = isIdentity(infos[0].shape, out.shape) && isIdentity(infos[1].shape, out.shape);
    if (tryFastBinary(attrs.fn, a as Float32Array, b as Float32Array, y as Float32Array, same)) return r;
  }
  const sameA = isIdentity(infos[0].shape, out.shape);
  const sameB = isIdentity(infos[1].shape, out.shape);
  if (sameA && sameB) for (let i = 0; i < n; i++) y[i] = f(a[i], b[i]);
  else if (sameA && b.length === 1) {
    const s = b[0];
    for (let i = 0; i < n; i++) y[i] = f(a[i], s);
  } else if (sameB && a.length === 1) {
    const s = a[0];
    for (let i = 0; i < n; i++) y[i] = f(s, b[i]);
  } else {
    const plan = rowPlan(out.shape, [broadcastStrides(infos[0].shape, out.shape), broadcastStrides(infos[1].shape, out.shape)]);
    binaryRows(attrs.fn, f, infos[0].dtype === "float32" && out.dtype === "float32", a, b, y, plan);
  }
  return r;
};

export const where: Kernel<"where"> = ({ inputs, infos, out }) => {
  const [c, a, b] = inputs.map(data);
  const [ic, ia, ib] = infos.map((info) => readIndex(info, out));
  const n = sizeOf(out.shape);
  const r = alloc(out.dtype, n);
  const y = r.data;
  for (let i = 0; i < n; i++) {
    y[i] = c[ic ? ic[i] : i] ? a[ia ? ia[i] : i] : b[ib ? ib[i] : i];
  }
  return r;
};

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

export const cast: Kernel<"cast"> = ({ inputs, out }) => {
  const x = data(inputs[0]);
  const r = alloc(out.dtype, x.length);
  const y = r.data;
  if (out.dtype === "int32") {
    // Truncate toward zero; NaN becomes 0 and out-of-range values saturate.
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      y[i] = v !== v ? 0 : v >= INT_MAX ? INT_MAX : v <= INT_MIN ? INT_MIN : Math.trunc(v);
    }
  } else {
    for (let i = 0; i < x.length; i++) y[i] = castValue(x[i], out.dtype);
  }
  return r;
};
