// One change to tslab's converter, made as its module loads: a cell's own top-level names (which
// tslab exports with an `export { ... }` line so later cells see them) come from binding the
// cell alone, not from a first full update of the program. tslab updated the program twice for
// every cell that declares anything (once to learn the names, once with the export line); the
// binder looks at one file only, so the names are the same, and the second update, the costly
// part (a new program, builder state and type checker), happens once.
//
// If the converter's source is not the one this was written for (another tslab version), it
// loads unchanged.

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

/** Loads `converterPath` (tslab/dist/converter.js) into require.cache, patched if it matches. */
export function loadPatchedConverter(converterPath: string): void {
  const source = fs.readFileSync(converterPath, "utf8");
  const at = source.indexOf(TWO_PASSES);
  if (at < 0 || source.indexOf(TWO_PASSES, at + 1) >= 0) {
    log("tslab's converter is not the version the kernel patches; cells are converted in two passes");
    return;
  }
  const patched = source.slice(0, at) + ONE_PASS + source.slice(at + TWO_PASSES.length);
  const m = new Module(converterPath, module);
  m.filename = converterPath;
  m.paths = (Module as unknown as { _nodeModulePaths(d: string): string[] })._nodeModulePaths(path.dirname(converterPath));
  (m as unknown as { _compile(code: string, file: string): void })._compile(patched, converterPath);
  m.loaded = true;
  require.cache[converterPath] = m;
}
