// `tsdl doctor [--json]`: checks what tsdl needs and says how to fix what is missing. One line
// per check (ok / note / PROBLEM, with a fix); `--json` prints the same as an object. Exit code
// 0 when nothing is a problem, 1 otherwise. A software-only WebGPU adapter is a note, not a
// problem: tsdl then runs on the cpu backend, which is as fast there.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ready, shutdown } from "@tsdl/core";
import { dataDir, findLabExtension, KERNEL_NAME } from "./install";

type Status = "ok" | "note" | "problem";
interface Check { id: string; status: Status; summary: string; fix?: string }
interface AdapterReport {
  description: string; isSoftware: boolean; vendor: string; architecture: string; device: string; driver: string;
  limits: { maxStorageBufferBindingSize: number; maxBufferSize: number };
}
interface Found { dir: string; path: string; installed: boolean }

const EXT_PATH = ["labextensions", "@tsdl", "labextension", "package.json"];
const VULKAN_FIX =
  "install a Vulkan driver; on Debian 12: add `deb http://deb.debian.org/debian bookworm-backports main` to " +
  "/etc/apt/sources.list.d/backports.list, then `sudo apt-get update && sudo apt-get install -t bookworm-backports " +
  "mesa-vulkan-drivers` (lavapipe, a software Vulkan, works everywhere; a GPU's own driver is faster)";

/** Jupyter's data path in jupyter_core's order: JUPYTER_PATH, the env's and the user dir, the system's. */
function jupyterPath(env: NodeJS.ProcessEnv): { user: string; sysPrefix: string | null; search: string[] } {
  const user = dataDir({ kind: "user" }, env);
  let sysPrefix: string | null = null;
  try {
    sysPrefix = dataDir({ kind: "sys-prefix" }, env);
  } catch {
    // No active environment and no `jupyter` on PATH; reported by the jupyter check.
  }
  const system = process.platform === "win32" ? [path.join(env.PROGRAMDATA ?? "C:\\ProgramData", "jupyter")] : ["/usr/local/share/jupyter", "/usr/share/jupyter"];
  const fromEnv = (env.JUPYTER_PATH ?? "").split(path.delimiter).filter(Boolean).map((p) => path.resolve(p));
  // Like jupyter_core: inside an environment its dir comes before the user's (JUPYTER_PREFER_ENV_PATH).
  const preferEnv = sysPrefix !== null && !/^(0|false|no|off)$/i.test(env.JUPYTER_PREFER_ENV_PATH ?? "");
  const middle = sysPrefix ? (preferEnv ? [sysPrefix, user] : [user, sysPrefix]) : [user];
  const search = [...fromEnv, ...middle, ...system];
  return { user, sysPrefix, search: search.filter((d, i) => search.indexOf(d) === i) };
}

function findIn(dirs: string[], rel: string[]): Found | null {
  for (const dir of dirs) {
    const p = path.join(dir, ...rel);
    if (fs.existsSync(p)) return { dir, path: p, installed: true };
  }
  return null;
}

async function probeAdapter(): Promise<{ backend: string; adapter: AdapterReport | null; why?: string }> {
  let backend: string;
  try {
    backend = await ready({ quiet: true });
  } catch (e) {
    backend = `error: ${(e as Error).message}`;
  }
  // The registry module is the one @tsdl/core's index uses, so this reuses ready()'s device.
  const registry = require("@tsdl/core/dist/src/backend/registry") as { backendByName(n: string): Promise<unknown> };
  try {
    const b = (await registry.backendByName("webgpu")) as { adapter: Omit<AdapterReport, "limits">; limits: AdapterReport["limits"] };
    return { backend, adapter: { ...b.adapter, limits: { ...b.limits } } };
  } catch {
    return { backend, adapter: null, why: await whyNoAdapter() };
  }
}

async function whyNoAdapter(): Promise<string> {
  try {
    const specifier = require.resolve("webgpu", { paths: [path.dirname(require.resolve("@tsdl/core"))] });
    await import(specifier);
  } catch (e) {
    return `Dawn (the \`webgpu\` npm package) does not load on ${process.platform}-${process.arch}: ${(e as Error).message.split("\n")[0]}`;
  }
  if (process.platform !== "linux") return "Dawn loaded but reported no adapter (no Metal/D3D12/Vulkan device)";
  const icdDirs = ["/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d", "/usr/local/share/vulkan/icd.d"];
  const icds = icdDirs.flatMap((d) => (fs.existsSync(d) ? fs.readdirSync(d).filter((f) => f.endsWith(".json")) : []));
  const forced = process.env.VK_ICD_FILENAMES ?? process.env.VK_DRIVER_FILES;
  if (forced) return `VK_ICD_FILENAMES/VK_DRIVER_FILES=${forced} gave Dawn no adapter (unset it to use the installed drivers)`;
  return icds.length === 0
    ? "no Vulkan driver is installed (no ICD in /usr/share/vulkan/icd.d)"
    : `Vulkan drivers are installed (${icds.join(", ")}) but none gave Dawn an adapter (an older mesa may lack what Dawn needs)`;
}

function mib(n: number): string {
  return `${Math.round(n / 2 ** 20)} MiB`;
}

export async function doctorReport(env: NodeJS.ProcessEnv = process.env): Promise<Record<string, unknown> & { ok: boolean; checks: Check[] }> {
  const checks: Check[] = [];
  const major = Number(process.versions.node.split(".")[0]);
  checks.push(major >= 20
    ? { id: "node", status: "ok", summary: `Node ${process.versions.node} (${process.execPath})` }
    : { id: "node", status: "problem", summary: `Node ${process.versions.node} is too old (tsdl needs 20 or newer)`, fix: "install Node 20+ (conda: `conda install -c conda-forge 'nodejs>=20'`; or https://nodejs.org)" });

  let probe: Awaited<ReturnType<typeof probeAdapter>>;
  try {
    probe = await probeAdapter();
  } finally {
    shutdown(); // releases Dawn's device so the process can exit
  }
  const a = probe.adapter;
  if (!a) {
    checks.push({ id: "webgpu", status: "problem", summary: `no WebGPU adapter: ${probe.why}; tsdl runs on the cpu backend`, fix: process.platform === "linux" ? VULKAN_FIX : "update the GPU driver (Metal on macOS 13+, D3D12 on Windows 10+)" });
  } else {
    const limits = `maxStorageBufferBindingSize ${mib(a.limits.maxStorageBufferBindingSize)}, maxBufferSize ${mib(a.limits.maxBufferSize)}`;
    checks.push(a.isSoftware
      ? { id: "webgpu", status: "note", summary: `WebGPU adapter ${a.description} is software (runs on the CPU); ${limits}`, fix: "for GPU speed, install the GPU's Vulkan driver (on Debian: mesa-vulkan-drivers from bookworm-backports, or the vendor's)" }
      : { id: "webgpu", status: "ok", summary: `WebGPU adapter ${a.description}; ${limits}` });
  }
  checks.push({ id: "backend", status: probe.backend.startsWith("error") ? "problem" : "ok", summary: `ready() chooses the ${probe.backend} backend${env.TSDL_BACKEND ? ` (TSDL_BACKEND=${env.TSDL_BACKEND})` : ""}`, ...(probe.backend.startsWith("error") ? { fix: "unset TSDL_BACKEND or set it to cpu" } : {}) });

  const jp = jupyterPath(env);
  const runtimeDir = env.JUPYTER_RUNTIME_DIR ? path.resolve(env.JUPYTER_RUNTIME_DIR) : path.join(jp.user, "runtime");
  checks.push({ id: "jupyter", status: jp.sysPrefix ? "ok" : "note", summary: `Jupyter data dir ${jp.user}, runtime dir ${runtimeDir}, environment ${jp.sysPrefix ?? "(none: no VIRTUAL_ENV/CONDA_PREFIX and no jupyter on PATH)"}`, ...(jp.sysPrefix ? {} : { fix: "activate the Python environment that has JupyterLab (conda activate ENV / source .venv/bin/activate)" }) });

  const spec = findIn(jp.search, ["kernels", KERNEL_NAME, "kernel.json"]);
  let specCheck: Check = { id: "kernelspec", status: "problem", summary: `kernelspec ${KERNEL_NAME} not found in ${jp.search.join(", ")}`, fix: "run `tsdl install` (this user) or `tsdl install --sys-prefix` (the active environment)" };
  if (spec) {
    let argv: string[] = [];
    try {
      argv = (JSON.parse(fs.readFileSync(spec.path, "utf8")) as { argv?: string[] }).argv ?? [];
    } catch { /* reported as stale below */ }
    const missing = argv.slice(0, 2).filter((p) => !fs.existsSync(p));
    specCheck = argv.length >= 2 && missing.length === 0
      ? { id: "kernelspec", status: "ok", summary: `kernelspec ${KERNEL_NAME} installed in ${path.dirname(spec.path)}` }
      : { id: "kernelspec", status: "problem", summary: `kernelspec ${KERNEL_NAME} in ${path.dirname(spec.path)} is stale (missing ${missing.join(", ") || "argv"})`, fix: "run `tsdl install` again (same option as before) from this checkout" };
  }
  checks.push(specCheck);

  const ext = findIn(jp.search, EXT_PATH);
  checks.push(ext
    ? { id: "labextension", status: "ok", summary: `JupyterLab extension @tsdl/labextension installed in ${path.join(ext.dir, "labextensions", "@tsdl", "labextension")}` }
    : { id: "labextension", status: "problem", summary: "JupyterLab extension @tsdl/labextension not installed (tensor views and the inspector need it)", fix: findLabExtension() ? "run `tsdl install` again (same option as for the kernelspec)" : "run `npm run build` (builds labextension/), then `tsdl install` again" });

  return {
    ok: checks.every((c) => c.status !== "problem"),
    checks,
    node: { version: process.versions.node, execPath: process.execPath },
    backend: probe.backend,
    adapter: a,
    noAdapterReason: probe.why ?? null,
    jupyter: { dataDir: jp.user, runtimeDir, sysPrefixDataDir: jp.sysPrefix, searchPath: jp.search },
    kernelspec: spec ? { installed: specCheck.status === "ok", path: spec.path } : { installed: false, path: null },
    labextension: ext ? { installed: true, path: path.dirname(ext.path) } : { installed: false, path: null },
    platform: `${process.platform}-${process.arch} (${os.release()})`,
  };
}

export async function doctor(args: string[], say: (line: string) => void = console.log): Promise<number> {
  const json = args.includes("--json");
  const bad = args.filter((a) => a !== "--json");
  if (bad.length) throw new Error(`unexpected arguments: ${bad.join(" ")} (use --json)`);
  const report = await doctorReport();
  if (json) {
    say(JSON.stringify(report, null, 2));
  } else {
    const mark = { ok: "ok     ", note: "note   ", problem: "PROBLEM" };
    for (const c of report.checks) {
      say(`${mark[c.status]} ${c.id.padEnd(12)} ${c.summary}`);
      if (c.fix && c.status !== "ok") say(`${" ".repeat(21)}fix: ${c.fix}`);
    }
    say(report.ok ? "tsdl doctor: all good" : "tsdl doctor: problems found (see fix: lines above)");
  }
  return report.ok ? 0 : 1;
}
