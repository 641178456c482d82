// tslab's converter rewrites references to earlier cells' names as `exports.name`, but misses
// shorthand properties: with `const n = 3` in one cell, `({ n })` in the next throws
// "n is not defined" (tslab 1.0.22, converter.js wrapPrevIdentifier). Students write
// `{ batchSize }` all the time, so before conversion every shorthand property `n` becomes
// `n: n`, which means the same and which tslab does rewrite. Lines are unchanged; columns
// after an expanded property on the same line shift by the inserted text.

import type * as TS from "@tslab/typescript-for-tslab";

/** `{ name,` `, name }` `{ name =`: what a shorthand property (or binding) looks like. */
const SHORTHAND_LIKE = /[{,]\s*([A-Za-z_$][\w$]*)\s*(?=[,}=])/g;

/** `isEarlierName` says whether a name is an earlier cell's (the only names tslab misses);
 * a cell without such a shorthand is not parsed here at all (a few ms for a long cell). */
export function expandShorthand(source: string, isEarlierName: (name: string) => boolean = () => true): string {
  let found = false;
  for (const m of source.matchAll(SHORTHAND_LIKE)) {
    if (isEarlierName(m[1])) {
      found = true;
      break;
    }
  }
  if (!found) return source;
  const ts = require("@tslab/typescript-for-tslab") as typeof TS;
  const file = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const inserts: { at: number; text: string }[] = [];
  const visit = (node: TS.Node): void => {
    if (ts.isShorthandPropertyAssignment(node)) {
      inserts.push({ at: node.name.getEnd(), text: `: ${node.name.text}` });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  if (!inserts.length) return source;
  let out = source;
  for (const { at, text } of inserts.sort((a, b) => b.at - a.at)) out = out.slice(0, at) + text + out.slice(at);
  return out;
}
