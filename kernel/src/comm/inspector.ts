// The `tsdl.inspector` comm target (DESIGN.md "comm target"): after each execution the kernel
// sends the tensors, modules and parameters in the user's scope and the shapes assigned on each
// line of the cell; the frontend may ask for a refresh or a preview bundle of one variable.

import type * as TS from "@tslab/typescript-for-tslab";
import type { Json, Message } from "../protocol/wire";
import { toBundle } from "../display/ladder";
import { TensorLike, isTensorLike } from "../display/tensor";
import { ts } from "../language/tslab";
import type { Comm, CommManager } from "./manager";

export const INSPECTOR_TARGET = "tsdl.inspector";

export interface VariableInfo {
  name: string;
  kind: "tensor" | "module" | "parameter";
  shape: number[] | null;
  dtype: string | null;
  device: string | null;
  bytes: number;
  requiresGrad: boolean;
}

interface ModuleLike {
  forward: unknown;
  namedParameters(): [string, TensorLike][];
  /** Buffers (BatchNorm's running statistics); older cores have none. */
  namedBuffers?(): [string, TensorLike][];
}

/** A module's parameters, then its buffers, by dotted path (none if the module's code throws). */
function moduleTensors(m: ModuleLike): [string, TensorLike][] {
  try {
    return [...m.namedParameters(), ...(typeof m.namedBuffers === "function" ? m.namedBuffers() : [])];
  } catch {
    return [];
  }
}

function isModuleLike(x: unknown): x is ModuleLike {
  const m = x as Partial<ModuleLike> | null;
  return typeof m === "object" && m !== null && typeof m.namedParameters === "function" && typeof m.forward === "function";
}

const elements = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function tensorInfo(name: string, t: TensorLike, kind: "tensor" | "parameter"): VariableInfo {
  const x = t as TensorLike & { requiresGrad?: boolean; isDisposed?: boolean };
  // Every dtype takes 4 bytes per element on the device (WGSL has no smaller storage type).
  return {
    name,
    kind,
    shape: t.shape.slice(),
    dtype: t.dtype,
    device: x.isDisposed ? null : (t.device ?? null),
    bytes: x.isDisposed ? 0 : elements(t.shape) * 4,
    requiresGrad: !!x.requiresGrad,
  };
}

export interface InspectorSources {
  /** The user's top-level names and values. */
  locals(): Record<string, unknown>;
  /** Names the kernel preloaded, hidden unless the user rebinds them. */
  isPreloaded(name: string, value: unknown): boolean;
  /** Device memory in use, if the core is loaded. */
  memory(): { bytes: number; buffers: number };
}

export class Inspector {
  constructor(
    private readonly comms: CommManager,
    private readonly sources: InspectorSources,
  ) {
    comms.registerTarget(INSPECTOR_TARGET, (comm) => {
      comm.onMessage = (data, msg) => this.onMessage(comm, data, msg);
      void comm.send(this.variables());
    });
  }

  variables(): Json {
    const variables: VariableInfo[] = [];
    for (const [name, value] of Object.entries(this.sources.locals())) {
      if (this.sources.isPreloaded(name, value)) continue;
      if (isTensorLike(value)) variables.push(tensorInfo(name, value, "tensor"));
      else if (isModuleLike(value)) {
        // Buffers are listed with the parameters, as tensors of the module without a gradient.
        const infos = moduleTensors(value).map(([p, t]) => tensorInfo(`${name}.${p}`, t, "parameter"));
        const bytes = infos.reduce((a, i) => a + i.bytes, 0);
        variables.push({ name, kind: "module", shape: null, dtype: null, device: infos[0]?.device ?? null, bytes, requiresGrad: infos.some((i) => i.requiresGrad) });
        variables.push(...infos);
      }
    }
    return { type: "variables", variables: variables as unknown as Json[], memory: this.sources.memory() };
  }

  /** Tensors assigned on each top-level line of a cell: `const y = ...` and `y = ...`. */
  shapes(source: string, cellId: string | null): Json {
    const sf = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const locals = this.sources.locals();
    const lines: Json[] = [];
    const add = (name: string, node: TS.Node) => {
      const value = locals[name];
      if (!isTensorLike(value)) return;
      const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
      lines.push({ line, name, shape: value.shape.slice(), dtype: value.dtype });
    };
    for (const stmt of sf.statements) {
      if (ts.isVariableStatement(stmt)) {
        for (const d of stmt.declarationList.declarations) if (ts.isIdentifier(d.name)) add(d.name.text, d);
      } else if (ts.isExpressionStatement(stmt) && ts.isBinaryExpression(stmt.expression) && ts.isIdentifier(stmt.expression.left)) {
        if (stmt.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) add(stmt.expression.left.text, stmt);
      }
    }
    return { type: "shapes", cellId, lines };
  }

  /** Sends the snapshot to every open inspector after an execution. */
  afterExecute(parent: Message, source: string): void {
    const open = this.comms.ofTarget(INSPECTOR_TARGET);
    if (!open.length) return;
    const meta = parent.metadata as { cellId?: unknown };
    const cellId = typeof meta.cellId === "string" ? meta.cellId : null;
    const variables = this.variables();
    const shapes = this.shapes(source, cellId);
    for (const comm of open) {
      void comm.send(variables, parent);
      void comm.send(shapes, parent);
    }
  }

  /** Sends the variables and memory again (after the kernel freed a cell's leftovers). */
  refresh(parent: Message): void {
    const open = this.comms.ofTarget(INSPECTOR_TARGET);
    if (!open.length) return;
    const variables = this.variables();
    for (const comm of open) void comm.send(variables, parent);
  }

  private async onMessage(comm: Comm, data: Json, msg: Message): Promise<void> {
    if (data.type === "refresh") await comm.send(this.variables(), msg);
    else if (data.type === "preview" && typeof data.name === "string") {
      const name = data.name;
      const value = this.lookup(name);
      const bundle = value === undefined ? { data: { "text/plain": `${name} is not defined` }, metadata: {} } : await toBundle(value);
      await comm.send({ type: "preview", name, bundle: bundle as unknown as Json }, msg);
    }
  }

  /** A variable or a parameter path ("model.fc1.weight"). */
  private lookup(name: string): unknown {
    const locals = this.sources.locals();
    if (name in locals) return locals[name];
    const [root, ...rest] = name.split(".");
    const m = locals[root];
    if (!isModuleLike(m)) return undefined;
    return moduleTensors(m).find(([p]) => p === rest.join("."))?.[1];
  }
}
