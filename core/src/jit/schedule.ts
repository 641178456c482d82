// Reorders a traced program so that a reduction of an elementwise result runs after the step
// that computes that result into an array anyway.
//
// Fusing backends keep an elementwise result pending (an expression over its inputs) and fold
// it directly into a reduction that reads it; a matmul (or any other non-elementwise kernel)
// computes it into an array. A value read by both, in that order, is thus computed twice: the
// bias gradient sum(g * relu'(z), axis 0) of a Linear layer evaluates the whole tree inside the
// reduction, and the weight gradient's matmul evaluates it again. Run the other way round, the
// reduction sums the computed array. The values are the same either way (the fused reduction
// rounds each element to its dtype exactly like the stored array), so only the order changes.

import type { Primitive } from "../ops/primitives";
import type { KernelStep, Step } from "./trace";

/** Kernels that a fusing backend leaves pending. */
const ELEMENTWISE: ReadonlySet<Primitive> = new Set(["unary", "binary", "where", "cast", "broadcast"]);

/**
 * The steps with each reduction of an elementwise result moved to just after the first later
 * step that reads the same value as an array, when nothing in between reads the reduction's
 * result and no host step (source, effect) lies in between.
 */
export function reduceAfterMaterialize(steps: readonly Step[]): Step[] {
  const out = [...steps];
  const producer = new Map<number, KernelStep>();
  for (const s of out) if (s.kind === "kernel") producer.set(s.result, s);
  const moved = new Set<Step>();
  for (let i = 0; i < out.length; i++) {
    const r = out[i];
    if (r.kind !== "kernel" || r.prim !== "reduce" || moved.has(r)) continue;
    const v = r.inputs[0];
    const made = producer.get(v);
    if (!made || !ELEMENTWISE.has(made.prim)) continue;
    let target = -1;
    for (let j = i + 1; j < out.length; j++) {
      const s = out[j];
      if (s.kind !== "kernel" || s.inputs.includes(r.result)) break;
      if (s.inputs.includes(v) && !ELEMENTWISE.has(s.prim) && s.prim !== "reduce") {
        target = j;
        break;
      }
    }
    if (target < 0) continue;
    out.splice(i, 1);
    out.splice(target, 0, r); // target shifted down by one: this lands right after that step
    moved.add(r);
    i -= 1; // the step that followed the reduction is at i now
  }
  return out;
}
