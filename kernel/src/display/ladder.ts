// The display ladder: how any value becomes a MIME bundle, for a cell's last expression,
// display(x), user_expressions and inspector previews alike.
//   1. a tensor            -> the tensor bundle (values read back first)
//   2. an object with a [Symbol.for("Jupyter.display")]() method (Deno's convention) -> its bundle
//   3. anything else       -> text/plain as Node's REPL would print it
// Every bundle carries text/plain, so every frontend shows something.

import { inspect } from "node:util";
import { isTensorLike, tensorBundle } from "./tensor";

export interface MimeBundle {
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

export const DISPLAY_SYMBOL = Symbol.for("Jupyter.display");

export function plainText(value: unknown): string {
  return inspect(value, { depth: 4, maxArrayLength: 100, breakLength: 100 });
}

async function ownBundle(value: object): Promise<MimeBundle | null> {
  const method = (value as Record<symbol, unknown>)[DISPLAY_SYMBOL];
  if (typeof method !== "function") return null;
  const data = (await method.call(value)) as Record<string, unknown> | null | undefined;
  if (!data || typeof data !== "object") return null;
  return { data: { "text/plain": plainText(value), ...data }, metadata: {} };
}

async function ladder(value: unknown): Promise<MimeBundle> {
  if (isTensorLike(value)) return tensorBundle(value);
  if (value !== null && (typeof value === "object" || typeof value === "function")) {
    const own = await ownBundle(value);
    if (own) return own;
  }
  return { data: { "text/plain": plainText(value) }, metadata: {} };
}

/** Never rejects: a value whose display method (or inspection) throws still shows as a note. */
export async function toBundle(value: unknown): Promise<MimeBundle> {
  try {
    return await ladder(value);
  } catch (e) {
    let text: string;
    try {
      text = plainText(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
    return { data: { "text/plain": `${text}\n(display failed: ${(e as Error)?.message ?? String(e)})` }, metadata: {} };
  }
}
