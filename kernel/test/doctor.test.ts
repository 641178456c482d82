// `tsdl doctor` as a real process: the WebGPU adapter report, and the kernelspec and
// labextension states in an isolated Jupyter data dir and prefix, before and after install.

import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const CLI = path.join(__dirname, "..", "src", "cli.js");

interface Report {
  ok: boolean;
  checks: { id: string; status: string; summary: string; fix?: string }[];
  backend: string;
  adapter: null | { description: string; isSoftware: boolean; limits: { maxStorageBufferBindingSize: number; maxBufferSize: number } };
  jupyter: { dataDir: string; runtimeDir: string; sysPrefixDataDir: string | null };
  kernelspec: { installed: boolean; path: string | null };
  labextension: { installed: boolean; path: string | null };
}

function tsdl(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, timeout: 50_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function doctor(env: NodeJS.ProcessEnv): Promise<{ code: number; report: Report }> {
  const r = await tsdl(["doctor", "--json"], env);
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

const check = (r: Report, id: string) => r.checks.find((c) => c.id === id)!;

describe("tsdl doctor", function () {
  let root: string;
  let env: NodeJS.ProcessEnv;
  let data: string;
  let prefix: string;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "tsdl-doctor-"));
    data = path.join(root, "data");
    prefix = path.join(root, "prefix");
    // An isolated user dir and "active environment"; no JUPYTER_PATH, no forced backend.
    env = { ...process.env, HOME: root, JUPYTER_DATA_DIR: data, VIRTUAL_ENV: prefix };
    delete env.JUPYTER_PATH;
    delete env.JUPYTER_RUNTIME_DIR;
    delete env.TSDL_BACKEND;
    delete env.CONDA_PREFIX;
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it("reports nothing installed, with the fixes, and exits 1", async () => {
    const { code, report } = await doctor(env);
    assert.equal(code, 1);
    assert.equal(report.ok, false);
    assert.deepEqual(report.kernelspec, { installed: false, path: null });
    assert.deepEqual(report.labextension, { installed: false, path: null });
    assert.equal(report.jupyter.dataDir, data);
    assert.equal(report.jupyter.runtimeDir, path.join(data, "runtime"));
    assert.equal(report.jupyter.sysPrefixDataDir, path.join(prefix, "share", "jupyter"));
    assert.equal(check(report, "kernelspec").status, "problem");
    assert.match(check(report, "kernelspec").fix!, /tsdl install.*--sys-prefix/);
    assert.equal(check(report, "labextension").status, "problem");
    assert.match(check(report, "labextension").fix!, /tsdl install/);
    assert.equal(check(report, "node").status, "ok");
  });

  it("reports the WebGPU adapter (lavapipe here) or why there is none", async () => {
    const { report } = await doctor(env);
    const webgpu = check(report, "webgpu");
    if (report.adapter === null) {
      assert.equal(webgpu.status, "problem");
      assert.match(webgpu.fix ?? "", /mesa-vulkan-drivers/);
      assert.equal(report.backend, "cpu");
      return;
    }
    assert.ok(report.adapter.limits.maxStorageBufferBindingSize >= 2 ** 27);
    assert.ok(report.adapter.limits.maxBufferSize >= report.adapter.limits.maxStorageBufferBindingSize);
    assert.match(webgpu.summary, /maxStorageBufferBindingSize \d+ MiB, maxBufferSize \d+ MiB/);
    if (/lavapipe|llvmpipe/.test(report.adapter.description)) {
      assert.equal(report.adapter.isSoftware, true);
      assert.equal(webgpu.status, "note"); // tsdl works (cpu backend): not a problem
      assert.match(webgpu.fix!, /mesa-vulkan-drivers from bookworm-backports/);
      assert.equal(report.backend, "cpu");
    }
  });

  // VK_ICD_FILENAMES is how the Vulkan loader (Linux, our target) is pointed at drivers.
  it("says why there is no adapter and how to get one (no Vulkan driver visible)", async function () {
    const { code, report } = await doctor({ ...env, VK_ICD_FILENAMES: path.join(root, "none.json") });
    assert.equal(code, 1);
    assert.equal(report.adapter, null);
    assert.equal(report.backend, "cpu");
    const webgpu = check(report, "webgpu");
    assert.equal(webgpu.status, "problem");
    assert.match(webgpu.summary, /no WebGPU adapter: VK_ICD_FILENAMES.*none\.json gave Dawn no adapter/);
    assert.match(webgpu.fix!, /bookworm-backports.*mesa-vulkan-drivers/);
  });

  it("finds a user install (JUPYTER_DATA_DIR) and exits 0", async () => {
    const inst = await tsdl(["install"], env);
    assert.equal(inst.code, 0, inst.stderr);
    const { code, report } = await doctor(env);
    assert.equal(code, 0, JSON.stringify(report.checks, null, 2));
    assert.equal(report.ok, true);
    assert.deepEqual(report.kernelspec, { installed: true, path: path.join(data, "kernels", "tsdl", "kernel.json") });
    assert.deepEqual(report.labextension, { installed: true, path: path.join(data, "labextensions", "@tsdl", "labextension") });
    assert.equal((await tsdl(["uninstall"], env)).code, 0);
  });

  it("finds a --prefix install in the active environment", async () => {
    assert.equal((await tsdl(["install", "--prefix", prefix], env)).code, 0);
    const { code, report } = await doctor(env);
    assert.equal(code, 0);
    const share = path.join(prefix, "share", "jupyter");
    assert.equal(report.kernelspec.path, path.join(share, "kernels", "tsdl", "kernel.json"));
    assert.equal(report.labextension.path, path.join(share, "labextensions", "@tsdl", "labextension"));
  });

  it("flags a stale kernelspec and prints readable lines with fixes", async () => {
    const spec = path.join(prefix, "share", "jupyter", "kernels", "tsdl", "kernel.json");
    fs.writeFileSync(spec, JSON.stringify({ argv: [process.execPath, "/nonexistent/cli.js", "kernel", "{connection_file}"] }));
    const { code, report } = await doctor(env);
    assert.equal(code, 1);
    assert.equal(report.kernelspec.installed, false);
    assert.match(check(report, "kernelspec").summary, /stale \(missing \/nonexistent\/cli\.js\)/);
    const text = await tsdl(["doctor"], env);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /^PROBLEM kernelspec .*stale/m);
    assert.match(text.stdout, /^ +fix: run `tsdl install` again/m);
    assert.match(text.stdout, /^ok +labextension /m);
    assert.match(text.stdout, /tsdl doctor: problems found/);
  });
});

describe("environment.yml", function () {
  it("pins jupyterlab to the version the test setup installs (scripts/requirements.txt)", () => {
    const repo = path.join(__dirname, "..", "..", "..");
    const req = fs.readFileSync(path.join(repo, "scripts", "requirements.txt"), "utf8").match(/^jupyterlab==(\S+)/m);
    const yml = fs.readFileSync(path.join(repo, "environment.yml"), "utf8").match(/^\s*-\s*jupyterlab\s*=+\s*(\S+)/m);
    assert.ok(req && yml, "jupyterlab pinned in both files");
    assert.equal(yml[1], req[1]);
    assert.match(fs.readFileSync(path.join(repo, "environment.yml"), "utf8"), /^\s*-\s*nodejs\s*>=\s*20/m);
  });
});
