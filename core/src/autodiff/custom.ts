// Composite ops with a hand-written gradient: the forward runs as ordinary ops without
// recording, and the output gets one graph node whose VJP is the supplied backward. Autodiff
// then walks one node instead of every op of the composite (conv2d's im2col would otherwise
// turn into K*K pads and adds in its input gradient).

import type { Tensor } from "../tensor";
import type { GradNode } from "../dispatch";
import { isGradEnabled, withGradMode } from "./mode";
import { internal } from "../scope";

/** Input cotangents from the output cotangent g; `needs[i]` says whether input i wants one.
 * It runs with recording on when the backward pass itself is differentiated (createGraph), so
 * it must then build its result from recorded ops of the inputs, not from untracked saves. */
export type CustomBackward = (g: Tensor, needs: boolean[]) => (Tensor | null)[];

/** The node backprop finds on a custom op's output: `vjp` replaces the primitive's rule. */
export interface CustomNode {
  prim: "custom";
  attrs: null;
  inputs: Tensor[];
  vjp: CustomBackward;
}

/** The custom VJP of a recorded node, or null for a primitive's node. */
export function customRule(node: GradNode): CustomBackward | null {
  return (node as unknown as CustomNode).vjp ?? null;
}

/**
 * Runs `forward` (ops on `inputs`) without recording and gives its float32 result one graph
 * node over `inputs` whose VJP is `backward`. `backward` may close over what the forward
 * computed (saved activations).
 */
export function customVjp(inputs: Tensor[], forward: () => Tensor, backward: CustomBackward): Tensor {
  const record = isGradEnabled() && inputs.some((t) => t.requiresGrad);
  // What the forward saved for `backward` goes to the node, and is freed after backward().
  return internal(() => {
    const out = record ? withGradMode(false, forward) : forward();
    if (record && out.dtype === "float32") {
      if (out.node || inputs.includes(out)) throw new Error("customVjp: the forward must return a new tensor");
      const node: CustomNode = { prim: "custom", attrs: null, inputs, vjp: backward };
      out.node = node as unknown as GradNode;
      out.requiresGrad = true;
    }
    return out;
  });
}
