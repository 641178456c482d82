// The `display` global of cells: show a value mid-cell through the display ladder, or raw
// HTML/Markdown/bundles. Also routes tslab's own `display` API (import from "tslab") into the
// current cell, adding the text/plain fallback tslab leaves out.

import { randomUUID } from "node:crypto";
import { cellContext } from "../output";
import { MimeBundle, toBundle } from "./ladder";

/** Its type for the cells' type checker (a script's declaration, for the kernel's ambient
 * declaration file). */
export const DISPLAY_DECLARATION = `/** Shows a value in this cell's output the way a cell's last expression is shown: tensors
 * with shape, dtype, device and values (read back for you), other values as text. */
declare var display: {
  (value: unknown): void;
  /** Shows HTML. */
  html(html: string): void;
  /** Shows Markdown. */
  markdown(markdown: string): void;
  /** Shows a MIME bundle as given, e.g. { "image/svg+xml": svg }. */
  bundle(data: Record<string, unknown>, metadata?: Record<string, unknown>): void;
  /** Clears this cell's output; with wait, only when new output arrives (no flicker in loops). */
  clear(wait?: boolean): void;
};
`;

function sendBundle(bundle: MimeBundle | Promise<MimeBundle>, msgType = "display_data", transient: object = {}): void {
  const out = cellContext.getStore();
  if (!out) return;
  out.send(
    msgType,
    Promise.resolve(bundle).then((b) => ({ data: b.data, metadata: b.metadata, transient })),
  );
}

const keysOf = (data: Record<string, unknown>) => `[${Object.keys(data).join(", ")}]`;

function withText(data: Record<string, unknown>, text: () => string): Record<string, unknown> {
  return "text/plain" in data ? data : { ...data, "text/plain": text() };
}

export interface Display {
  (value: unknown): void;
  html(html: string): void;
  markdown(markdown: string): void;
  bundle(data: Record<string, unknown>, metadata?: Record<string, unknown>): void;
  clear(wait?: boolean): void;
}

export function createDisplay(): Display {
  const display = ((value: unknown) => sendBundle(toBundle(value))) as Display;
  display.html = (html) => sendBundle({ data: { "text/html": html, "text/plain": html.replace(/<[^>]*>/g, "") }, metadata: {} });
  display.markdown = (md) => sendBundle({ data: { "text/markdown": md, "text/plain": md }, metadata: {} });
  display.bundle = (data, metadata = {}) =>
    sendBundle({ data: withText(data, () => keysOf(data)), metadata });
  display.clear = (wait = false) => cellContext.getStore()?.send("clear_output", { wait });
  return display;
}

export function installDisplay(): void {
  Object.defineProperty(globalThis, "display", { value: createDisplay(), writable: true, configurable: true });
}

interface TslabDisplayData {
  data: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  transient?: { display_id?: string };
}

/** Loads tslab's public module with its display output sent to the current cell. */
export function loadTslabPublic(): unknown {
  const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: unknown };
  jupyter.lastWriteDisplayData = (d: TslabDisplayData, update: boolean) => {
    const data = withText(d.data, () => keysOf(d.data));
    sendBundle({ data, metadata: d.metadata ?? {} }, update ? "update_display_data" : "display_data", d.transient ?? {});
  };
  return require("tslab");
}

interface CoreDisplayApi {
  setDisplaySink?(sink: { display(bundle: Record<string, unknown>): { update(bundle: Record<string, unknown>): void } } | null): void;
}

/** Lets the core show live output (progress bars, plots): one display_data with a display_id,
 * then update_display_data for it, always in the cell that created it, even when updated later
 * from a callback. Ready bundles go out at once, so a bar moves during a synchronous loop. */
export function installCoreDisplaySink(core: CoreDisplayApi | object): void {
  (core as CoreDisplayApi).setDisplaySink?.({
    display(bundle) {
      const out = cellContext.getStore();
      const transient = { display_id: randomUUID() };
      out?.send("display_data", { data: withText(bundle, () => keysOf(bundle)), metadata: {}, transient });
      return {
        update(next) {
          out?.send("update_display_data", { data: withText(next, () => keysOf(next)), metadata: {}, transient });
        },
      };
    },
  });
}
