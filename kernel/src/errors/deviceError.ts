// Device and memory failures told in the user's terms: what happened, which tensor (the
// variable or expression from the cell's syntax tree), and what to do. Covers the core's
// DeviceLimitError (a tensor over a WebGPU binding or buffer limit, more elements than one
// tensor can hold, the device out of memory, the device lost) and JavaScript's own allocation
// failures (RangeError from `new Float32Array(1e10)` or a failed ArrayBuffer allocation), e.g.
//
//   DeviceLimitError: x (shape [40960, 1024], float32, 160 MiB) is too big for one WebGPU binding (at most 128 MiB on this device)
//     cell 2, line 2:  const y = x.add(1);
//                                ^^^^^^^^
//     What happened: a shader must see each tensor whole in one storage binding, and this
//       device's maxStorageBufferBindingSize is 128 MiB.
//     What to do: work in batches of at most 32,768 rows of x (split(x, 32768) gives them; ...),
//       so each piece stays under 128 MiB; or compute on the CPU: await setBackend("cpu").
//     (DeviceLimitError: <the core's own message>)

import type * as TS from "@tslab/typescript-for-tslab";
import { ts } from "../language/tslab";
import type { CellLocation } from "../language/cells";
import { CallSite, findCall } from "./callsite";
import type { ErrorReport } from "./report";
import type { CellFrame } from "./stack";
import { cellLabel, pointAt } from "./stack";

type Kind = "binding" | "buffer" | "elements" | "oom" | "lost" | "destroyed" | "device";

interface Classified {
  kind: Kind;
  /** Bytes of the offending tensor, when the message says. */
  bytes?: number;
  /** The device limit in bytes or elements, when the message says. */
  limit?: number;
  shape?: string;
  elements?: number;
}

const ALLOCATION_RANGE_ERROR = /Array buffer allocation failed|Invalid typed array length|Invalid array buffer length|Array buffer length|allocation failed/i;

/** A core DeviceLimitError, or a RangeError from allocating a typed array or ArrayBuffer. */
export function isDeviceError(e: unknown): e is Error {
  if (!(e instanceof Error)) return false;
  if (e.name === "DeviceLimitError") return true;
  if (!(e instanceof RangeError) || !ALLOCATION_RANGE_ERROR.test(e.message)) return false;
  // "Invalid typed array length: -1" is a wrong size, not a lack of memory.
  const length = /length: (-?[\d.e+]+)/.exec(e.message);
  return !length || Number(length[1]) >= 2 ** 28;
}

function classify(e: Error): Classified {
  const m = e.message;
  const num = (re: RegExp) => {
    const x = re.exec(m);
    return x ? Number(x[1]) : undefined;
  };
  if (e.name !== "DeviceLimitError") return { kind: "oom", elements: num(/length:? (\d+)/) };
  if (/maxStorageBufferBindingSize/.test(m)) return { kind: "binding", bytes: num(/tensor of (\d+) bytes/), limit: num(/maxStorageBufferBindingSize \((\d+) bytes\)/) };
  if (/maxBufferSize/.test(m)) return { kind: "buffer", bytes: num(/tensor of (\d+) bytes/), limit: num(/maxBufferSize \((\d+) bytes\)/) };
  const elems = /shape (\[[^\]]*\]) has (\d+(?:\.\d+)?(?:e\+?\d+)?) elements, more than the (\d+)/.exec(m);
  if (elems) return { kind: "elements", shape: elems[1], elements: Number(elems[2]), limit: Number(elems[3]) };
  if (/out of memory/i.test(m)) return { kind: "oom" };
  if (/device was lost/i.test(m)) return { kind: "lost" };
  if (/backend was destroyed/i.test(m)) return { kind: "destroyed" };
  return { kind: "device" };
}

export function formatBytes(n: number): string {
  const unit = (v: number, name: string) => `${v.toFixed(1).replace(/\.0$/, "")} ${name}`;
  if (n >= 2 ** 30) return unit(n / 2 ** 30, "GiB");
  if (n >= 2 ** 20) return unit(n / 2 ** 20, "MiB");
  if (n >= 2 ** 10) return unit(n / 2 ** 10, "KiB");
  return `${n} bytes`;
}

const group = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : String(n));

interface TensorValue {
  shape: number[];
  dtype: string;
  device?: string;
}

function asTensor(v: unknown): TensorValue | null {
  const t = v as Partial<TensorValue> | null;
  return t && typeof t === "object" && Array.isArray(t.shape) && typeof t.dtype === "string" ? (t as TensorValue) : null;
}

/** The name the failing expression's value was going to get: `x` in `const x = ...` or
 * `x = ...`, `model.w` in `model.w = ...`. */
function assignedName(location: CellLocation, call: CallSite): string | null {
  const source = location.cell.source;
  const sf = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  let pos: number;
  try {
    pos = sf.getPositionOfLineAndCharacter(location.line - 1, call.start);
  } catch {
    return null;
  }
  let node: TS.Node | undefined;
  const visit = (n: TS.Node): void => {
    if (pos < n.getStart(sf) || pos >= n.getEnd()) return;
    node = n;
    n.forEachChild(visit);
  };
  visit(sf);
  for (let n = node; n; n = n.parent) {
    if (ts.isVariableDeclaration(n)) return ts.isIdentifier(n.name) ? n.name.text : null;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) return n.left.getText(sf);
    if (ts.isBlock(n) || ts.isSourceFile(n) || ts.isFunctionLike(n)) return null;
  }
  return null;
}

export interface DeviceErrorContext {
  /** The value of a variable or property path in the user's scope (`x`, `model.fc1`), if any. */
  valueOf(expr: string): unknown;
}

/** An operand of the call: its source text and, where it names a tensor, the tensor. */
interface Operand {
  expr: string;
  tensor: TensorValue | null;
}

function operands(call: CallSite | null, ctx: DeviceErrorContext): Operand[] {
  if (!call) return [];
  const exprs = [...(call.receiver !== null ? [call.receiver] : []), ...call.args];
  return exprs.map((expr) => {
    let value: unknown;
    try {
      value = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(expr) ? ctx.valueOf(expr) : undefined;
    } catch {
      value = undefined;
    }
    return { expr, tensor: asTensor(value) };
  });
}

const describeTensor = (o: Operand, size: (bytes: number) => string = formatBytes) => {
  const t = o.tensor as TensorValue;
  const n = t.shape.reduce((a, b) => a * b, 1);
  return `${o.expr} (shape [${t.shape.join(", ")}], ${t.dtype}, ${size(n * 4)})`;
};

/** "y = x.add(1)" or "x.add(1)": the result being computed, named the way the user wrote it. */
function resultText(call: CallSite | null, target: string | null): string {
  if (!call) return target ?? "this cell";
  const text = call.text.length > 60 ? `${call.text.slice(0, 57)}...` : call.text;
  return target ? `${target} = ${text}` : text;
}

export function reportDeviceError(error: Error, frames: CellFrame[], ctx: DeviceErrorContext): ErrorReport {
  const c = classify(error);
  const where = frames[0]?.location ?? null;
  const call = where ? findCall(where) : null;
  const target = where && call ? assignedName(where, call) : null;
  const ops = operands(call, ctx);
  const tensors = ops.filter((o) => o.tensor);
  const result = resultText(call, target);
  /** Rows of `o` (its first axis) that fit under the limit, for `split(o, rows)`. */
  const rowsUnder = (o: Operand | undefined, limitBytes: number | undefined): number | null => {
    const t = o?.tensor;
    if (!t || t.shape.length === 0 || limitBytes === undefined) return null;
    const rowBytes = t.shape.slice(1).reduce((a, b) => a * b, 1) * 4;
    const rows = Math.floor(limitBytes / Math.max(rowBytes, 1));
    return rows >= 1 ? rows : null;
  };

  let ename = error.name === "DeviceLimitError" ? "DeviceLimitError" : "OutOfMemoryError";
  let headline: string;
  let happened: string;
  let todo: string;
  switch (c.kind) {
    case "binding":
    case "buffer": {
      const limitName = c.kind === "binding" ? "maxStorageBufferBindingSize" : "maxBufferSize";
      // Sizes just over the limit read the same rounded ("128 MiB ... at most 128 MiB"): exact bytes then.
      const exact = c.limit !== undefined && c.bytes !== undefined && formatBytes(c.bytes) === formatBytes(c.limit);
      const size = (n: number) => (exact ? `${group(n)} bytes` : formatBytes(n));
      const limit = c.limit !== undefined ? size(c.limit) : "its limit";
      // The operand whose size is the one reported; else the result of the call is too big.
      const culprit = tensors.find((o) => {
        const n = (o.tensor as TensorValue).shape.reduce((a, b) => a * b, 1);
        return c.bytes !== undefined && n * 4 === c.bytes;
      });
      const what = culprit ? describeTensor(culprit, size) : `the result of ${result}${c.bytes !== undefined ? ` (${size(c.bytes)})` : ""}`;
      headline =
        c.kind === "binding"
          ? `${what} is too big for one WebGPU binding (at most ${limit} on this device)`
          : `${what} is too big for one WebGPU buffer (at most ${limit} on this device)`;
      happened =
        c.kind === "binding"
          ? `a shader must see each tensor whole in one storage binding, and this device's ${limitName} is ${limit}.`
          : `every tensor lives in one device buffer, and this device's ${limitName} is ${limit}.`;
      const batched = culprit ?? tensors[0];
      const rows = rowsUnder(batched, c.limit);
      todo =
        batched && rows !== null
          ? `work in batches of at most ${group(rows)} rows of ${batched.expr} (split(${batched.expr}, ${rows}) gives them; run the step on each piece and concat the results), so each piece stays under ${limit}; or compute on the CPU: await setBackend("cpu").`
          : `work in batches (fewer rows at a time) so each tensor stays under ${limit}; or compute on the CPU: await setBackend("cpu").`;
      break;
    }
    case "elements": {
      const bytes = c.elements !== undefined ? ` (${formatBytes(c.elements * 4)} as float32)` : "";
      headline = `${result} asks for a tensor of shape ${c.shape ?? "?"}: ${group(c.elements ?? NaN)} elements${bytes}, more than one tensor can hold`;
      happened = `one tensor holds at most ${group(c.limit ?? 2 ** 31 - 1)} elements (8 GiB of float32); nothing was allocated and no memory is lost.`;
      todo = `check the shape for a mistake (e.g. 1e5 where 1e3 was meant); for data this big, make and process it in batches (one slice at a time), freeing each with dispose() or tidy().`;
      break;
    }
    case "oom": {
      ename = error.name === "DeviceLimitError" ? "DeviceLimitError" : "OutOfMemoryError";
      const onGpu = error.name === "DeviceLimitError";
      const size = c.elements !== undefined ? ` of ${group(c.elements)} elements (${formatBytes(c.elements * 4)} as float32)` : "";
      headline = onGpu
        ? `the WebGPU device ran out of memory (found at ${result})`
        : `out of memory: ${result} could not allocate an array${size}`;
      happened = onGpu
        ? `an allocation on the device failed. WebGPU reports this after the fact, so it may have been an earlier command of this cell or the last one; the tensors still alive hold the device's memory.`
        : `JavaScript could not allocate that much memory in one array${c.elements !== undefined ? " (a typed array holds at most 4,294,967,295 elements)" : ""}; nothing was allocated and the kernel is still running.`;
      todo = onGpu
        ? `free tensors you no longer need (x.dispose(), or wrap temporary work in tidy(() => ...)), use smaller batches, or compute on the CPU: await setBackend("cpu").`
        : `use a smaller size or process the data in batches, and free tensors you no longer need (x.dispose(), tidy(() => ...)).`;
      break;
    }
    case "lost": {
      const onDevice = tensors.filter((o) => o.tensor?.device === "webgpu");
      headline = `the WebGPU device was lost, so ${result} cannot run`;
      happened = `the GPU driver reset or removed the device (a crash, a timeout, or the GPU was taken away); ${
        onDevice.length ? `tensors on it, such as ${onDevice.map((o) => o.expr).join(", ")}, are gone` : "tensors on it are gone"
      }.`;
      todo = `restart the kernel to get a new device and re-run the notebook; or continue on the CPU now: await setBackend("cpu"), then re-create the tensors.`;
      break;
    }
    case "destroyed":
      headline = `the WebGPU backend was shut down, so ${result} cannot run`;
      happened = `shutdown() released the device; tensors created on it are gone.`;
      todo = `call await setBackend("webgpu") to get a new device (or setBackend("cpu")), then re-create the tensors.`;
      break;
    default:
      headline = `${result} failed on the WebGPU device`;
      happened = error.message;
      todo = `compute on the CPU: await setBackend("cpu"); if this keeps happening, please report it with the cell that causes it.`;
  }

  const lines = [`${ename}: ${headline}`];
  if (where) {
    const col = where.column - 1;
    const inCall = call && call.start <= col && col < call.end;
    lines.push(...pointAt(where, inCall ? call.start : col, inCall ? call.end : col + 1));
  }
  for (const f of frames.slice(1)) lines.push(`  called from ${cellLabel(f.location)}:  ${f.location.sourceLine.trim()}`);
  lines.push(`  What happened: ${happened}`, `  What to do: ${todo}`);
  if (c.kind !== "device") lines.push(`  (${error.name}: ${error.message})`);
  return { ename, evalue: headline, traceback: lines };
}
