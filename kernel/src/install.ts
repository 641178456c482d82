// `tsdl install` / `tsdl uninstall`: the kernelspec `tsdl` and the prebuilt JupyterLab
// extension, written into one Jupyter data directory. No Python package is needed (tslab's
// installer needs IPython): the directory is computed the way jupyter_core computes it.
//
//   --user (default)  JUPYTER_DATA_DIR if set, else ~/.local/share/jupyter (Linux; XDG_DATA_HOME
//                     honoured), ~/Library/Jupyter (macOS), %APPDATA%\jupyter (Windows)
//   --sys-prefix      <prefix>/share/jupyter, where <prefix> is the active Python environment:
//                     $VIRTUAL_ENV, else $CONDA_PREFIX, else the folder above the `jupyter`
//                     executable on PATH (a venv's or conda env's bin/ sits right below it)
//   --prefix DIR      DIR/share/jupyter

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { KERNEL_DIR } from "./version";

export const KERNEL_NAME = "tsdl";
export const DISPLAY_NAME = "TypeScript (tsdl)";
const LABEXTENSION_NAME = "@tsdl/labextension";

export type InstallTarget = { kind: "user" } | { kind: "sys-prefix" } | { kind: "prefix"; dir: string };

export function parseInstallArgs(args: string[]): InstallTarget {
  if (args.length === 0 || (args.length === 1 && args[0] === "--user")) return { kind: "user" };
  if (args.length === 1 && args[0] === "--sys-prefix") return { kind: "sys-prefix" };
  if (args.length === 2 && args[0] === "--prefix") return { kind: "prefix", dir: path.resolve(args[1]) };
  if (args.length === 1 && args[0].startsWith("--prefix=")) return { kind: "prefix", dir: path.resolve(args[0].slice(9)) };
  throw new Error(`unexpected arguments: ${args.join(" ")} (use --user, --sys-prefix or --prefix DIR)`);
}

function userDataDir(env: NodeJS.ProcessEnv): string {
  if (env.JUPYTER_DATA_DIR) return path.resolve(env.JUPYTER_DATA_DIR);
  const home = os.homedir();
  if (process.platform === "darwin") return path.join(home, "Library", "Jupyter");
  if (process.platform === "win32") return path.join(env.APPDATA ?? path.join(home, "AppData", "Roaming"), "jupyter");
  return path.join(env.XDG_DATA_HOME || path.join(home, ".local", "share"), "jupyter");
}

function findOnPath(command: string, env: NodeJS.ProcessEnv): string | null {
  const exts = process.platform === "win32" ? [".exe", ".cmd", ""] : [""];
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    for (const ext of exts) {
      const p = path.join(dir, command + ext);
      if (dir && fs.existsSync(p)) return p;
    }
  }
  return null;
}

function sysPrefix(env: NodeJS.ProcessEnv): string {
  if (env.VIRTUAL_ENV) return env.VIRTUAL_ENV;
  if (env.CONDA_PREFIX) return env.CONDA_PREFIX;
  const jupyter = findOnPath("jupyter", env);
  if (!jupyter) throw new Error("--sys-prefix: no active environment (VIRTUAL_ENV, CONDA_PREFIX) and no `jupyter` on PATH");
  return path.dirname(path.dirname(fs.realpathSync(jupyter)));
}

export function dataDir(target: InstallTarget, env: NodeJS.ProcessEnv = process.env): string {
  switch (target.kind) {
    case "user":
      return userDataDir(env);
    case "sys-prefix":
      return path.join(sysPrefix(env), "share", "jupyter");
    case "prefix":
      return path.join(target.dir, "share", "jupyter");
  }
}

export function kernelSpec(): Record<string, unknown> {
  return {
    argv: [process.execPath, path.join(KERNEL_DIR, "dist", "src", "cli.js"), "kernel", "{connection_file}"],
    display_name: DISPLAY_NAME,
    language: "typescript",
    // Jupyter sends interrupt_request on the control channel, which a worker thread reads even
    // while a cell runs; it stops the cell at its next op, or by SIGINT if none comes (control.ts).
    interrupt_mode: "message",
    metadata: { debugger: false },
  };
}

/** The built prebuilt extension (a folder with package.json and static/), if there is one. */
export function findLabExtension(): string | null {
  const candidates: string[] = [];
  const source = path.join(KERNEL_DIR, "..", "labextension");
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(source, "package.json"), "utf8")) as { jupyterlab?: { outputDir?: string } };
    candidates.push(path.join(source, pkg.jupyterlab?.outputDir ?? "labextension"));
  } catch {
    // No labextension package next to the kernel.
  }
  candidates.push(path.join(KERNEL_DIR, "labextension"));
  return candidates.find((d) => fs.existsSync(path.join(d, "package.json")) && fs.existsSync(path.join(d, "static"))) ?? null;
}

export function install(target: InstallTarget, say: (line: string) => void = console.log): number {
  const data = dataDir(target);
  const specDir = path.join(data, "kernels", KERNEL_NAME);
  fs.mkdirSync(specDir, { recursive: true });
  fs.writeFileSync(path.join(specDir, "kernel.json"), JSON.stringify(kernelSpec(), null, 2) + "\n");
  say(`installed kernelspec ${KERNEL_NAME} ("${DISPLAY_NAME}") in ${specDir}`);
  const ext = findLabExtension();
  const extDir = path.join(data, "labextensions", ...LABEXTENSION_NAME.split("/"));
  if (ext) {
    fs.rmSync(extDir, { recursive: true, force: true });
    fs.cpSync(ext, extDir, { recursive: true });
    say(`installed the JupyterLab extension ${LABEXTENSION_NAME} in ${extDir}`);
  } else {
    say(`no prebuilt JupyterLab extension found (build labextension/ first); installed the kernel only`);
  }
  return 0;
}

export function uninstall(target: InstallTarget, say: (line: string) => void = console.log): number {
  const data = dataDir(target);
  for (const dir of [path.join(data, "kernels", KERNEL_NAME), path.join(data, "labextensions", ...LABEXTENSION_NAME.split("/"))]) {
    if (fs.existsSync(dir)) {
      fs.rmSync(dir, { recursive: true, force: true });
      say(`removed ${dir}`);
    }
  }
  return 0;
}
