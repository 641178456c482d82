// The small named error classes of @tsdl/core. ShapeError carries structured data (see
// DESIGN.md "Structured shape errors") so the kernel and the JupyterLab extension can render
// it with the user's own variable names.

export interface ShapeErrorOperand {
  role: string;
  shape: number[];
  dtype: string;
}

export interface ShapeErrorDetail {
  op: string;
  operands: ShapeErrorOperand[];
  /** Which dims disagree: operand index and axis (non-negative, in that operand's own axes). */
  conflict: { operand: number; axis: number }[];
  /** The rule in plain words, with {role} placeholders left unexpanded, e.g. "{left}'s last dim". */
  rule: string;
  /** Fixes that work, as code with {role} placeholders, and the shape each produces. */
  suggestions: { code: string; resultShape: number[] }[];
}

/** Fills "{left}" style placeholders with names (defaults: the role names themselves). */
export function fillRoles(text: string, names: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (m, role: string) => names[role] ?? role);
}

export class ShapeError extends Error {
  override name = "ShapeError";
  readonly detail: ShapeErrorDetail;
  constructor(message: string, detail: ShapeErrorDetail) {
    super(message);
    this.detail = detail;
  }
}

/** A dtype that an op does not accept, or an unknown dtype name. */
export class DTypeError extends Error {
  override name = "DTypeError";
}

/** Input data that cannot become a tensor: ragged arrays, NaN sizes, non-numbers. */
export class InputError extends Error {
  override name = "InputError";
}

/** Use of a tensor whose memory was released by dispose() or tidy(). */
export class DisposedError extends Error {
  override name = "DisposedError";
}

/** A request beyond what the device can do: buffer binding limits, out of memory, device lost. */
export class DeviceLimitError extends Error {
  override name = "DeviceLimitError";
}

/** Misuse of autodiff, e.g. backward() from a tensor with more than one element. */
export class GradError extends Error {
  override name = "GradError";
}

/** Something jit() cannot trace: host reads of traced values, async functions, bad arguments. */
/** An op noticed the kernel's interrupt request (interrupt.ts). */
export class InterruptedError extends Error {
  override name = "InterruptedError";
  readonly code = "TSDL_INTERRUPTED";
}

export class JitError extends Error {
  override name = "JitError";
}
