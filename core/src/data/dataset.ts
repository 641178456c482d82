// Datasets as PyTorch has them: anything with a length and an item per index (its __len__ and
// __getitem__), so students can load their own data, or transform each example as it is read
// (augmentation), and hand it to a DataLoader. collate() turns a list of examples into a batch,
// as torch's default_collate: tensors are stacked, numbers become a tensor, tuples go field by
// field.

import type { Tensor } from "../tensor";
import { isTensor, tensor } from "../creation";
import { stack } from "../ops/indexing";
import { InputError } from "../errors";
import { formatShape } from "../shape";

/** One example: a tensor, a number, or a tuple of those (e.g. [image, label]). */
export type Example = Tensor | number | boolean | (Tensor | number | boolean | number[])[];

/** PyTorch's map-style Dataset: `length` examples, `get(i)` for i in 0..length-1. */
export interface Dataset<E extends Example = Example> {
  readonly length: number;
  get(index: number): E;
}

/** Rows of tensors that share their first dim, as torch.utils.data.TensorDataset: get(i) is
 * [x[i], y[i], ...]. */
export class TensorDataset implements Dataset<Tensor[]> {
  readonly length: number;
  readonly tensors: Tensor[];
  constructor(...tensors: Tensor[]) {
    this.tensors = tensors;
    if (!tensors.length || !tensors.every(isTensor)) throw new InputError("TensorDataset: give one or more tensors, e.g. new data.TensorDataset(x, y)");
    this.length = tensors[0].shape[0] ?? 0;
    tensors.forEach((t, i) => {
      if (t.ndim === 0 || t.shape[0] !== this.length) {
        throw new InputError(`TensorDataset: tensor ${i} has shape ${formatShape(t.shape)}, but tensor 0 has ${this.length} rows; all need the same first dim`);
      }
    });
  }
  get(index: number): Tensor[] {
    return this.tensors.map((t) => t.index(index));
  }
}

export function isDataset(x: unknown): x is Dataset {
  return !!x && typeof x === "object" && !Array.isArray(x) && typeof (x as Dataset).get === "function" && Number.isInteger((x as Dataset).length);
}

/** The batch of one field: stacked tensors, or a tensor of the numbers (int32 if all are whole). */
function collateField(values: unknown[], where: string): Tensor {
  if (values.every(isTensor)) {
    const shapes = new Set(values.map((v) => formatShape(v.shape)));
    if (shapes.size > 1) {
      throw new InputError(`DataLoader: ${where} has different shapes in one batch (${[...shapes].slice(0, 3).join(", ")}); make every example the same shape, or pass a collateFn`);
    }
    return stack(values);
  }
  if (values.every((v) => typeof v === "number" || typeof v === "boolean" || Array.isArray(v))) {
    return tensor(values as number[]);
  }
  const kinds = [...new Set(values.map((v) => (isTensor(v) ? "tensor" : v === null ? "null" : typeof v)))].join(" and ");
  throw new InputError(`DataLoader: ${where} holds ${kinds} values; an example must be a tensor, a number, or an array of those (e.g. [image, label]), or pass a collateFn`);
}

/** Examples to one batch: always an array of tensors, one per field (a single tensor or
 * number per example gives one field), as a DataLoader over tensors yields. */
export function collate(examples: Example[]): Tensor[] {
  if (!examples.length) return [];
  const tuple = Array.isArray(examples[0]) && (examples[0] as unknown[]).some(isTensor);
  if (!tuple) return [collateField(examples, "the examples")];
  const width = (examples[0] as unknown[]).length;
  for (const [i, e] of examples.entries()) {
    if (!Array.isArray(e) || e.length !== width) {
      throw new InputError(`DataLoader: example ${i} of a batch has ${Array.isArray(e) ? e.length : 1} fields but the first has ${width}; get(i) must return the same kind of value every time`);
    }
  }
  return Array.from({ length: width }, (_, f) => collateField(examples.map((e) => (e as unknown[])[f]), `field ${f}`));
}
