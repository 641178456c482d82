// einsum("ij,jk->ik", a, b): NumPy/PyTorch/JAX Einstein summation, composed from permute,
// reshape, sum and matmul, so autodiff, jit and vmap need nothing of their own. Operands are
// contracted pairwise from the left: each pair becomes one batched matmul over the labels both
// share (kept ones as batch axes, the others summed by the product), after summing away the
// labels only one of them has and nothing later needs.

import type { Tensor } from "../tensor";
import { InputError, ShapeError } from "../errors";
import { formatShape } from "../shape";
import { isTensor } from "../creation";

/** One operand: its tensor and one label per axis (ellipsis axes get private labels). */
interface Term {
  t: Tensor;
  labels: string[];
}

const ELLIPSIS = "...";

/** Labels of one side of the spec; "..." stands for `rank - letters` axes, labelled .0 .1 ... */
function parseTerm(text: string, rank: number | null, where: string): { labels: string[]; ellipsis: boolean; letters: number } {
  const parts = text.split(ELLIPSIS);
  if (parts.length > 2) throw new InputError(`einsum: ${where} "${text}" has "..." more than once`);
  for (const ch of parts.join("")) {
    if (!/[a-zA-Z]/.test(ch)) throw new InputError(`einsum: ${where} "${text}" has "${ch}"; use letters a-z, A-Z and at most one "..."`);
  }
  const letters = parts.join("").length;
  const ellipsis = parts.length === 2;
  if (rank === null) return { labels: [], ellipsis, letters };
  const extra = rank - letters;
  if (extra < 0 || (!ellipsis && extra !== 0)) {
    throw new InputError(
      `einsum: ${where} "${text}" names ${letters} axes, but the tensor has ${rank} (shape ${ellipsis ? "at least " : ""}` +
        `${letters}); write one letter per axis, or "..." for the leading ones`,
    );
  }
  const dots = Array.from({ length: extra }, (_, i) => `.${i}`);
  return { labels: ellipsis ? [...parts[0], ...dots, ...parts[1]] : [...text], ellipsis, letters };
}

/** The diagonal over a label that appears twice in one operand ("ii->i", traces "ii"). */
function diagonal(term: Term): Term {
  let { t, labels } = term;
  for (;;) {
    const a = labels.findIndex((l, i) => labels.indexOf(l) !== i);
    if (a < 0) return { t, labels };
    const first = labels.indexOf(labels[a]);
    const n = t.shape[first];
    if (t.shape[a] !== n) throw new InputError(`einsum: label ${labels[a]} is used twice in one operand for axes of sizes ${n} and ${t.shape[a]}; a diagonal needs equal sizes`);
    // Move both axes last, flatten them, and step n + 1 through the n * n values.
    const rest = labels.map((_, i) => i).filter((i) => i !== first && i !== a);
    const moved = t.permute([...rest, first, a]);
    const flat = moved.reshape([...moved.shape.slice(0, -2), n * n]);
    t = flat.slice(-1, 0, n * n, n + 1);
    labels = [...rest.map((i) => labels[i]), labels[first]];
  }
}

/** Sums the axes whose labels are not in `keep`. */
function sumExcept(term: Term, keep: Set<string>): Term {
  const axes = term.labels.map((l, i) => (keep.has(l) ? -1 : i)).filter((i) => i >= 0);
  if (!axes.length) return term;
  return { t: term.t.sum(axes), labels: term.labels.filter((l) => keep.has(l)) };
}

function transposeTo(term: Term, order: string[]): Tensor {
  const perm = order.map((l) => term.labels.indexOf(l));
  return perm.every((p, i) => p === i) ? term.t : term.t.permute(perm);
}

/** One batched matmul: [batch, freeA, shared] x [batch, shared, freeB]. */
function contract(a: Term, b: Term, later: Set<string>): Term {
  // A summed "..." axis of size 1 on one side and n on the other: sum_k a[0] b[k] is
  // a[0] * sum_k b[k], so sum it on both sides first.
  for (const l of a.labels) {
    const [ia, ib] = [a.labels.indexOf(l), b.labels.indexOf(l)];
    if (ib < 0 || later.has(l) || a.t.shape[ia] === b.t.shape[ib]) continue;
    const drop = (term: Term) => sumExcept(term, new Set(term.labels.filter((x) => x !== l)));
    return contract(drop(a), drop(b), later);
  }
  const inB = new Set(b.labels);
  const inA = new Set(a.labels);
  const batch = a.labels.filter((l) => inB.has(l) && later.has(l));
  const shared = a.labels.filter((l) => inB.has(l) && !later.has(l));
  const freeA = a.labels.filter((l) => !inB.has(l));
  const freeB = b.labels.filter((l) => !inA.has(l));
  const sizeOf = (term: Term, ls: string[]) => ls.map((l) => term.t.shape[term.labels.indexOf(l)]);
  const prod = (s: number[]) => s.reduce((x, y) => x * y, 1);
  const batchA = sizeOf(a, batch);
  const batchB = sizeOf(b, batch);
  const [fa, fb, k] = [sizeOf(a, freeA), sizeOf(b, freeB), sizeOf(a, shared)];
  const left = transposeTo(a, [...batch, ...freeA, ...shared]).reshape([...batchA, prod(fa), prod(k)]);
  const right = transposeTo(b, [...batch, ...shared, ...freeB]).reshape([...batchB, prod(k), prod(fb)]);
  const product = left.matmul(right);
  const batchOut = product.shape.slice(0, batch.length);
  return { t: product.reshape([...batchOut, ...fa, ...fb]), labels: [...batch, ...freeA, ...freeB] };
}

/** Checks that every label has one size (ellipsis axes may broadcast from 1), naming the axes. */
function checkSizes(terms: Term[], spec: string): void {
  const seen = new Map<string, { size: number; operand: number; axis: number }>();
  for (let k = 0; k < terms.length; k++) {
    terms[k].labels.forEach((l, axis) => {
      const size = terms[k].t.shape[axis];
      const before = seen.get(l);
      if (!before || before.size === size) {
        if (!before) seen.set(l, { size, operand: k, axis });
        return;
      }
      const broadcasts = l.startsWith(".") && (before.size === 1 || size === 1);
      if (broadcasts) {
        if (before.size === 1) seen.set(l, { size, operand: k, axis });
        return;
      }
      if (before.operand === k) {
        throw new InputError(
          `einsum("${spec}"): label ${l} is used twice in operand ${k} (shape ${formatShape(terms[k].t.shape)}) for axes of sizes ` +
            `${before.size} and ${size}; a diagonal needs equal sizes`,
        );
      }
      const name = l.startsWith(".") ? `an axis under "..."` : `label ${l}`;
      throw new ShapeError(
        `einsum("${spec}"): ${name} has size ${before.size} in operand ${before.operand} (shape ${formatShape(terms[before.operand].t.shape)}) ` +
          `but ${size} in operand ${k} (shape ${formatShape(terms[k].t.shape)})`,
        {
          op: "einsum",
          operands: terms.map((term, i) => ({ role: `operand${i}`, shape: term.t.shape.slice(), dtype: term.t.dtype })),
          conflict: [{ operand: before.operand, axis: before.axis }, { operand: k, axis }],
          rule:
            `{operand${before.operand}}'s axis ${before.axis} and {operand${k}}'s axis ${axis} are both labelled ` +
            `${l.startsWith(".") ? '"..."' : l}, so they must have the same size (${l.startsWith(".") ? "or one of them 1" : "they have " + before.size + " and " + size}).`,
          suggestions: [],
        },
      );
    });
  }
}

/**
 * Einstein summation. "ij,jk->ik" is a matrix product, "bij,bjk->bik" a batched one,
 * "ii->" a trace, "ij->ji" a transpose, "i,j->ij" an outer product, "...ij->...ji" works on any
 * leading axes. Without "->", the output has the labels used once, in alphabetical order.
 */
export function einsum(spec: string, ...operands: Tensor[]): Tensor {
  if (typeof spec !== "string") throw new InputError(`einsum: the first argument must be a spec such as "ij,jk->ik", got ${typeof spec}`);
  const clean = spec.replace(/\s+/g, "");
  const arrow = clean.split("->");
  if (arrow.length > 2) throw new InputError(`einsum: "${spec}" has "->" more than once`);
  const inputs = arrow[0].split(",");
  if (inputs.length !== operands.length) {
    throw new InputError(`einsum: "${spec}" describes ${inputs.length} operand${inputs.length === 1 ? "" : "s"}, but ${operands.length} tensor${operands.length === 1 ? " was" : "s were"} given`);
  }
  operands.forEach((t, i) => {
    if (!isTensor(t)) throw new InputError(`einsum: operand ${i} must be a tensor, got ${t === null ? "null" : typeof t}`);
  });
  let terms: Term[] = operands.map((t, i) => ({ t, labels: parseTerm(inputs[i], t.ndim, `operand ${i}'s labels`).labels }));
  const ellipsisRank = Math.max(0, ...terms.map((term) => term.labels.filter((l) => l.startsWith(".")).length));
  // Ellipsis axes line up from the right, as in broadcasting: relabel each operand's to the
  // rightmost of the widest one's.
  terms = terms.map((term) => {
    const dots = term.labels.filter((l) => l.startsWith(".")).length;
    return { t: term.t, labels: term.labels.map((l) => (l.startsWith(".") ? `.${Number(l.slice(1)) + ellipsisRank - dots}` : l)) };
  });
  checkSizes(terms, spec);
  const dotLabels = Array.from({ length: ellipsisRank }, (_, i) => `.${i}`);
  let output: string[];
  if (arrow.length === 2) {
    const out = parseTerm(arrow[1], null, "the output");
    const letters = [...arrow[1].replace(ELLIPSIS, "")];
    for (const l of letters) {
      if (!terms.some((term) => term.labels.includes(l))) throw new InputError(`einsum: the output label ${l} in "${spec}" does not appear in any operand`);
      if (letters.indexOf(l) !== letters.lastIndexOf(l)) throw new InputError(`einsum: the output label ${l} in "${spec}" appears twice`);
    }
    const [before, after] = arrow[1].split(ELLIPSIS);
    output = out.ellipsis ? [...before, ...dotLabels, ...(after ?? "")] : letters;
  } else {
    const counts = new Map<string, number>();
    for (const term of terms) for (const l of term.labels) if (!l.startsWith(".")) counts.set(l, (counts.get(l) ?? 0) + 1);
    output = [...dotLabels, ...[...counts].filter(([, c]) => c === 1).map(([l]) => l).sort()];
  }
  terms = terms.map(diagonal);
  const wanted = new Set(output);
  let acc = terms[0];
  for (let k = 1; k <= terms.length; k++) {
    // Labels anything after this step still needs: the output's and later operands'.
    const later = new Set(wanted);
    for (const term of terms.slice(k + 1)) for (const l of term.labels) later.add(l);
    if (k === terms.length) {
      acc = sumExcept(acc, later);
      break;
    }
    const next = terms[k];
    const needA = new Set([...later, ...next.labels]);
    const needB = new Set([...later, ...acc.labels]);
    acc = contract(sumExcept(acc, needA), sumExcept(next, needB), later);
  }
  return transposeTo(acc, output);
}
