// Index arithmetic for the CPU kernels: the flat input offset of every output element, given
// the input's strides as seen from the output's shape (0 on broadcast axes).

export function offsets(shape: readonly number[], strides: readonly number[], base = 0): Int32Array {
  let n = 1;
  for (const d of shape) n *= d;
  const out = new Int32Array(n);
  const rank = shape.length;
  if (n === 0) return out;
  if (rank === 0) {
    out[0] = base;
    return out;
  }
  const idx = new Array<number>(rank).fill(0);
  const last = rank - 1;
  const lastN = shape[last];
  const lastS = strides[last];
  let off = base;
  let p = 0;
  for (;;) {
    for (let i = 0; i < lastN; i++) out[p++] = off + i * lastS;
    let ax = last - 1;
    while (ax >= 0) {
      idx[ax]++;
      off += strides[ax];
      if (idx[ax] < shape[ax]) break;
      off -= strides[ax] * shape[ax];
      idx[ax] = 0;
      ax--;
    }
    if (ax < 0) return out;
  }
}

/**
 * The start offset of every innermost run of stream `k` of a block plan (loops.ts BlockPlan):
 * each block's start walked over the plan's inner axes but the last, in order.
 */
export function runStarts(plan: { starts: Int32Array[]; dims: number[]; strides: number[][] }, k: number): Int32Array {
  const outer = plan.dims.length - 1;
  const within = offsets(plan.dims.slice(0, outer), plan.strides[k].slice(0, outer));
  const blocks = plan.starts[k];
  const out = new Int32Array(blocks.length * within.length);
  for (let r = 0, p = 0; r < blocks.length; r++) for (let i = 0; i < within.length; i++) out[p++] = blocks[r] + within[i];
  return out;
}

/** True when reading `inShape` at `outShape` is a plain contiguous copy. */
export function isIdentity(inShape: readonly number[], outShape: readonly number[]): boolean {
  return inShape.length === outShape.length && inShape.every((d, i) => d === outShape[i]);
}
