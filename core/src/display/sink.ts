// How core shows rich output without knowing about Jupyter. The kernel installs a sink that
// sends display_data / update_display_data; elsewhere (a script, a test) there is none and
// progress bars draw on the terminal instead. Objects that know how to show themselves
// implement [displaySymbol]() -> MIME bundle, the convention Deno's Jupyter kernel uses.

export type MimeBundle = Record<string, unknown>;

export interface DisplayHandle {
  update(bundle: MimeBundle): void;
}

export interface DisplaySink {
  display(bundle: MimeBundle): DisplayHandle;
}

export const displaySymbol: unique symbol = Symbol.for("Jupyter.display") as never;

let sink: DisplaySink | null = null;

/** Installed by the kernel; null restores terminal output. */
export function setDisplaySink(s: DisplaySink | null): void {
  sink = s;
}

export function displaySink(): DisplaySink | null {
  return sink;
}

export function hasDisplay(x: unknown): x is { [displaySymbol](): MimeBundle } {
  return !!x && typeof (x as Record<symbol, unknown>)[displaySymbol] === "function";
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
