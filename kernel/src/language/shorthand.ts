// tslab's converter rewrites references to earlier cells' names as `exports.name`, but misses
// shorthand properties: with `const n = 3` in one cell, `({ n })` in the next throws
// "n is not defined" (tslab 1.0.22, converter.js wrapPrevIdentifier). Students write
// `{ batchSize }` all the time, so before conversion every shorthand property `n` becomes
// `n: n`, which means the same and which tslab does rewrite. Lines are unchanged; columns
// after an expanded property on the same line shift by the inserted text.

import type * as TS from "@tslab/typescript-for-tslab";

export function expandShorthand(source: string): string {
  if (!/[{,]\s*[A-Za-z_$][\w$]*\s*[,}=]/.test(source)) return source; // cheap pre-check
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
