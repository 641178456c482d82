// argsort over rows of the last axis. Values become unsigned keys whose integer order is the
// sort order (the WebGPU kernel uses the same keys, so both backends agree bit for bit): a
// float's bits with the sign flipped for positives and all bits flipped for negatives, NaN as
// one key above +infinity, -0 as 0; int32 with its sign bit flipped; bool as 0/1. Descending flips the
// keys. Ties go to the lower index, which makes the order stable.

import type { Kernel } from "../backend";
import type { DType } from "../../dtype";
import { alloc, data } from "./storage";
import { sizeOf } from "../../shape";

const bits = new DataView(new ArrayBuffer(4));

/** The ascending sort key of a value stored as dtype (see the top of the file). */
export function sortKey(v: number, dtype: DType): number {
  if (dtype === "bool") return v ? 1 : 0;
  if (dtype === "int32") return (v ^ 0x80000000) >>> 0;
  if (v !== v) return 0xffc00000; // every NaN: the canonical quiet NaN's key
  if (v === 0) return 0x80000000; // -0 equals 0: ties keep their order, as in NumPy
  bits.setFloat32(0, v);
  const b = bits.getUint32(0);
  return (b & 0x80000000 ? ~b : b | 0x80000000) >>> 0;
}

export const argsort: Kernel<"argsort"> = ({ inputs, infos, attrs }) => {
  const x = data(inputs[0]);
  const shape = infos[0].shape;
  const dtype = infos[0].dtype;
  const n = sizeOf(shape);
  const len = shape.length ? shape[shape.length - 1] : 1;
  const r = alloc("int32", n);
  const out = r.data as Int32Array;
  if (n === 0) return r;
  const keys = new Uint32Array(len);
  const order = new Int32Array(len);
  const flip = attrs.descending;
  for (let row = 0; row < n; row += len) {
    for (let j = 0; j < len; j++) {
      const k = sortKey(x[row + j], dtype);
      keys[j] = flip ? ~k >>> 0 : k;
      order[j] = j;
    }
    order.sort((a, b) => keys[a] - keys[b] || a - b);
    out.set(order, row);
  }
  return r;
};
