// nn.summary(model, [64, 1, 28, 28]): the layers a forward pass runs, each with its output shape
// and parameter count, as torchinfo's summary does for PyTorch. It runs one forward on zeros
// (or given tensors) under noGrad, watching every submodule's forward. When a layer fails (a
// shape mistake), the summary keeps the layers that ran and shows the failure in place, so the
// table says where the shapes stopped fitting.

import type { Tensor } from "../tensor";
import type { Module } from "./module";
import { noGrad } from "../autodiff/mode";
import { isTensor, zeros } from "../creation";
import { InputError } from "../errors";
import { formatShape } from "../shape";
import { tidy } from "../api";
import { displaySymbol, escapeHtml, type MimeBundle } from "../display/sink";

export interface SummaryRow {
  /** Dotted path of the module in the model ("" for the model itself). */
  name: string;
  type: string;
  depth: number;
  /** Output shapes (one per returned tensor); null when the layer failed. */
  output: number[][] | null;
  /** Parameters of this module and everything below it. */
  params: number;
}

export class ModelSummary {
  constructor(
    readonly rows: SummaryRow[],
    readonly totalParams: number,
    readonly trainableParams: number,
    readonly bufferValues: number,
    /** The error the forward pass threw, if it did (the last row is the layer that threw it). */
    readonly error: Error | null,
  ) {}

  private lines(indent = true): string[][] {
    return this.rows.map((r) => [
      `${indent ? "  ".repeat(r.depth) : ""}${r.name ? `${r.name}: ` : ""}${r.type}`,
      r.output ? r.output.map((s) => formatShape(s)).join(", ") : "✗ failed here",
      r.params ? r.params.toLocaleString("en-US") : "",
    ]);
  }

  private footer(): string[] {
    const mb = ((this.totalParams + this.bufferValues) * 4) / 2 ** 20;
    return [
      `Total params: ${this.totalParams.toLocaleString("en-US")}`,
      `Trainable params: ${this.trainableParams.toLocaleString("en-US")}`,
      `Parameters and buffers: ${mb.toFixed(2)} MB (float32)`,
      ...(this.error ? [`${this.error.name}: ${this.error.message}`] : []),
    ];
  }

  toString(): string {
    const head = ["Layer (type)", "Output shape", "Param #"];
    const lines = this.lines();
    const w = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
    const fmt = (l: string[]) => `${l[0].padEnd(w[0])}  ${l[1].padEnd(w[1])}  ${l[2].padStart(w[2])}`;
    const rule = "=".repeat(w[0] + w[1] + w[2] + 4);
    return [rule, fmt(head), rule, ...lines.map(fmt), rule, ...this.footer()].join("\n");
  }

  [displaySymbol](): MimeBundle {
    const rows = this.lines(false).map(
      (l, i) =>
        `<tr${this.rows[i].output ? "" : ' style="color: #c62828"'}><td style="text-align: left; padding-left: ${this.rows[i].depth * 1.2}em">${escapeHtml(l[0])}</td><td style="text-align: left">${escapeHtml(l[1])}</td><td>${escapeHtml(l[2])}</td></tr>`,
    );
    const html =
      `<table class="tsdl-summary"><thead><tr><th style="text-align: left">Layer (type)</th><th style="text-align: left">Output shape</th><th>Param #</th></tr></thead>` +
      `<tbody>${rows.join("")}</tbody></table><div>${this.footer().map(escapeHtml).join("<br>")}</div>`;
    return { "text/html": html, "text/plain": this.toString() };
  }
}

function shapesOf(out: unknown): number[][] {
  if (isTensor(out)) return [out.shape.slice()];
  if (Array.isArray(out)) return out.flatMap(shapesOf);
  return [];
}

/**
 * Runs model.forward once on zeros of the given shapes (or on given tensors, e.g. int32 token
 * ids for an Embedding) and tabulates every layer it called.
 */
export function summary(model: Module, ...inputs: (number[] | Tensor)[]): ModelSummary {
  if (!model || typeof model.forward !== "function") throw new InputError("summary: expected an nn.Module");
  if (!inputs.length) throw new InputError("summary: give the input shape, e.g. summary(model, [64, 1, 28, 28]) (the batch axis included)");
  const names = new Map<Module, string>([[model, ""]]);
  const walk = (m: Module, prefix: string) => {
    for (const [k, child] of m.namedChildren()) {
      if (!names.has(child)) names.set(child, prefix + k);
      walk(child, `${prefix}${k}.`);
    }
  };
  walk(model, "");
  const count = (m: Module) => m.parameters().reduce((s, p) => s + p.size, 0);
  const rows: SummaryRow[] = [];
  const stack: SummaryRow[] = [];
  // Own forward properties (an arrow-function field) are put back as they were.
  const patched: [Module, PropertyDescriptor | undefined][] = [];
  for (const m of names.keys()) {
    const original = m.forward;
    const instrumented = (...args: unknown[]) => {
      const row: SummaryRow = { name: names.get(m)!, type: m.constructor.name, depth: stack.length, output: null, params: count(m) };
      rows.push(row);
      stack.push(row);
      try {
        const out = original.apply(m, args);
        row.output = shapesOf(out);
        return out;
      } finally {
        stack.pop();
      }
    };
    patched.push([m, Object.getOwnPropertyDescriptor(m, "forward")]);
    Object.defineProperty(m, "forward", { value: instrumented, configurable: true, writable: true, enumerable: false });
  }
  let error: Error | null = null;
  try {
    noGrad(() =>
      tidy(() => {
        const args = inputs.map((i) => (isTensor(i) ? i : zeros(i)));
        model.forward(...args);
      }),
    );
  } catch (e) {
    error = e as Error;
    // The innermost unfinished layer threw; the containers around it only stopped with it.
    const failed = rows.filter((r) => !r.output);
    for (const r of failed.slice(0, -1)) r.output = [];
  } finally {
    for (const [m, own] of patched) {
      if (own) Object.defineProperty(m, "forward", own);
      else delete (m as unknown as Record<string, unknown>).forward;
    }
  }
  const params = model.parameters();
  const total = params.reduce((s, p) => s + p.size, 0);
  const buffers = model.namedBuffers().reduce((s, [, b]) => s + b.size, 0);
  return new ModelSummary(rows, total, params.filter((p) => p.requiresGrad).reduce((s, p) => s + p.size, 0), buffers, error);
}
