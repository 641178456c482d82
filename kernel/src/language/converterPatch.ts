// Two changes to tslab's converter, made as its module loads (each applies only if the
// converter's source is the one it was written for; otherwise that part loads unchanged):
//
// 1. One program update per cell. A cell's own top-level names (which tslab exports with an
//    `export { ... }` line so later cells see them) come from binding the cell alone, not from a
//    first full update of the program. tslab updated the program twice for every cell that
//    declares anything (once to learn the names, once with the export line); the binder looks at
//    one file only, so the names are the same, and the second update, the costly part (a new
//    program, builder state and type checker), happens once.
// 2. CommonJS from the program's own emit. tslab emits an ES module and then converts that text
//    to CommonJS with ts.transpileModule: a second parse, a second program and a fresh type
//    checker for every cell, about a quarter of a warm `1+1`. The same CommonJS transform
//    (TypeScript's module transformer, which transpileModule runs too) is added after tslab's
//    own transformer in the first emit, where the program's real checker answers its questions;
//    the second step then only strips the inline source map (tslab.ts).

import * as fs from "node:fs";
import Module from "node:module";
import * as path from "node:path";
import { log } from "../log";

const TWO_PASSES = `        updateContent(prevDecl, src);
        let declsFile = builder.getSourceFile(declFilename);
        let srcFile = builder.getSourceFile(srcFilename);
        const locals = srcFile.locals;
        const keys = new Set();
        if (locals) {
            locals.forEach((_, key) => {
                keys.add(key);
            });
        }
        if (keys.size > 0) {
            // Export all local variables.
            // TODO: Disallow "export" in the input.
            const suffix = "\\nexport {" + Array.from(keys).join(", ") + "}";
            updateContent(prevDecl, src + suffix);
            declsFile = builder.getSourceFile(declFilename);
            srcFile = builder.getSourceFile(srcFilename);
        }
`;

const ONE_PASS = `        const cellAlone = ts.createSourceFile(srcFilename, srcPrefix + src, transpileTarget, false, ts.ScriptKind.TS);
        ts.bindSourceFile(cellAlone, {});
        const keys = new Set();
        if (cellAlone.locals) {
            cellAlone.locals.forEach((_, key) => {
                keys.add(key);
            });
        }
        updateContent(prevDecl, keys.size > 0 ? src + "\\nexport {" + Array.from(keys).join(", ") + "}" : src);
        let declsFile = builder.getSourceFile(declFilename);
        let srcFile = builder.getSourceFile(srcFilename);
`;

const ES_AFTER = `            after: [after],\n`;
const CJS_AFTER = `            after: [after, ts.transformModule],\n`;

/** Replaces the one occurrence of `from` in `source`, or returns null. */
function replaceOnce(source: string, from: string, to: string): string | null {
  const at = source.indexOf(from);
  if (at < 0 || source.indexOf(from, at + 1) >= 0) return null;
  return source.slice(0, at) + to + source.slice(at + from.length);
}

/** Loads `converterPath` (tslab/dist/converter.js) into require.cache, patched where it matches.
 * `commonJsEmit`: try change 2 (the caller checked that the compiler has the transform). Returns
 * whether the converter's first emit now gives CommonJS. */
export function loadPatchedConverter(converterPath: string, commonJsEmit: boolean): boolean {
  let source = fs.readFileSync(converterPath, "utf8");
  const onePass = replaceOnce(source, TWO_PASSES, ONE_PASS);
  if (onePass) source = onePass;
  else log("tslab's converter is not the version the kernel patches; cells are converted in two passes");
  const cjs = commonJsEmit ? replaceOnce(source, ES_AFTER, CJS_AFTER) : null;
  if (cjs) source = cjs;
  else if (commonJsEmit) log("tslab's converter is not the version the kernel patches; cells are converted to CommonJS in a second step");
  if (!onePass && !cjs) return false;
  const m = new Module(converterPath, module);
  m.filename = converterPath;
  m.paths = (Module as unknown as { _nodeModulePaths(d: string): string[] })._nodeModulePaths(path.dirname(converterPath));
  (m as unknown as { _compile(code: string, file: string): void })._compile(source, converterPath);
  m.loaded = true;
  require.cache[converterPath] = m;
  return cjs !== null;
}
