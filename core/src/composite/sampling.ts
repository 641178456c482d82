// Drawing class indices: torch.multinomial(probs, n) and jax.random.categorical(logits), for
// sampling from a model (the next character of generated text, an action from a policy). Both
// use the Gumbel trick: argmax(log p + G) with G = -log(-log U) picks class c with probability
// p_c, and the top n of one such draw are n classes drawn without replacement. So sampling is
// a few vectorized ops on the device, on every backend, with no read back.

import type { Tensor } from "../tensor";
import { rand } from "../random";
import { topk } from "../ops/sort";
import { InputError } from "../errors";
import { internal } from "../scope";
import { formatShape } from "../shape";
import { isTensor } from "../creation";

/** -log(-log U), U uniform in (0, 1): U = 0 would give -inf, which only ever loses. */
function gumbel(shape: number[]): Tensor {
  return rand(shape).log().neg().log().neg();
}

function checkFloat(op: string, what: string, x: unknown): Tensor {
  if (!isTensor(x)) throw new InputError(`${op}: ${what} must be a tensor, got ${typeof x}`);
  if (x.ndim < 1 || x.ndim > 2) throw new InputError(`${op}: ${what} must be 1-D [classes] or 2-D [rows, classes], got shape ${formatShape(x.shape)}`);
  if (x.shape[x.ndim - 1] === 0) throw new InputError(`${op}: ${what} has no classes (shape ${formatShape(x.shape)})`);
  return x.astype("float32");
}

/**
 * `numSamples` class indices per row of `probs` ([C] or [rows, C], non-negative weights that
 * need not sum to 1), int32 [numSamples] or [rows, numSamples], as torch.multinomial. Without
 * replacement (the default, as in torch) a class is drawn at most once per row.
 */
export function multinomial(probs: Tensor, numSamples = 1, options: { replacement?: boolean } = {}): Tensor {
  const p = checkFloat("multinomial", "probs", probs);
  const classes = p.shape[p.ndim - 1];
  if (!Number.isInteger(numSamples) || numSamples < 1) throw new InputError(`multinomial: numSamples must be a positive integer, got ${numSamples}`);
  const replacement = options.replacement ?? false;
  if (!replacement && numSamples > classes) {
    throw new InputError(`multinomial: cannot draw ${numSamples} samples from ${classes} classes without replacement; pass { replacement: true }`);
  }
  const known = p.peek();
  if (known) {
    for (let i = 0; i < known.length; i++) {
      if (!(known[i] >= 0) || known[i] === Infinity) throw new InputError(`multinomial: probabilities must be finite and >= 0, got ${known[i]} at position ${i}`);
    }
    const rows = known.length / classes;
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let c = 0; c < classes; c++) s += known[r * classes + c];
      if (!(s > 0)) throw new InputError(`multinomial: row ${r} of probs sums to 0; every row needs some positive weight`);
    }
  }
  return internal(() => {
    const logp = p.log(); // 0 -> -inf: never drawn
    if (!replacement) return topk(logp.add(gumbel(p.shape)), numSamples, -1)[1];
    // Each sample an independent Gumbel-max: [..., n, C] noise against [..., 1, C] log-weights.
    const lead = p.shape.slice(0, -1);
    return logp.unsqueeze(-2).add(gumbel([...lead, numSamples, classes])).argmax(-1);
  });
}

/**
 * One class index per row of unnormalized log-probabilities (logits [C] or [rows, C]), int32
 * [] or [rows], as jax.random.categorical(key, logits) or torch.distributions.Categorical(
 * logits=...).sample(). `temperature` divides the logits first (below 1: more confident).
 */
export function categorical(logits: Tensor, options: { temperature?: number } = {}): Tensor {
  const z = checkFloat("categorical", "logits", logits);
  const temperature = options.temperature ?? 1;
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new InputError(`categorical: temperature must be a positive number, got ${temperature}`);
  return internal(() => (temperature === 1 ? z : z.div(temperature)).add(gumbel(z.shape)).argmax(-1));
}
