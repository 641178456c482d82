// Pieces of the kernel that need no process: source maps, history, tensor JSON helpers,
// install locations, completion offsets.

import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { SourceMap, mapThrough } from "../../src/language/sourcemap";
import { History } from "../../src/history";
import { corner, shownShape, stats, tensorBundle } from "../../src/display/tensor";
import { toBundle } from "../../src/display/ladder";
import { dataDir, install, kernelSpec, parseInstallArgs, uninstall } from "../../src/install";
import { codePointsToUnits, unitsToCodePoints } from "../../src/language/assist";
import { asOperand } from "../../src/errors/callsite";
import { shortenTypeNames } from "../../src/errors/diagnostics";
import { addressOf, readConnectionFile } from "../../src/protocol/connection";
import { mayHaveGpu } from "../../src/gpuPresence";

describe("source maps", () => {
  it("maps generated positions to source positions through a chain", () => {
    // "AAAA" maps (0,0)->(0,0); "IAAI" maps (0,4)->(0,4); ";AACA" maps (1,0)->(1,4): source
    // columns are relative to the previous segment, across lines.
    const inner = new SourceMap({ version: 3, sources: ["a"], mappings: "AAAA,IAAI;AACA" });
    const outer = new SourceMap({ version: 3, sources: ["b"], mappings: ";AAAA,MAAM" });
    assert.deepEqual(inner.lookup(0, 5), { line: 0, column: 4 });
    assert.deepEqual(inner.lookup(1, 3), { line: 1, column: 4 });
    assert.equal(inner.lookup(7, 0), null);
    // outer: generated line 1 -> source line 0 (cols 0 and 6); then inner: line 0 col 6 -> col 4.
    assert.deepEqual(mapThrough([outer, inner], 1, 7), { line: 0, column: 4 });
  });
});

describe("history", () => {
  const h = new History();
  h.add(1, "a = 1");
  h.add(2, "b = 2").output = "2";
  h.add(3, "a = 1");
  it("answers tail, range and search like IPython", () => {
    assert.deepEqual(h.query({ hist_access_type: "tail", n: 2 }), [[1, 2, "b = 2"], [1, 3, "a = 1"]]);
    assert.deepEqual(h.query({ hist_access_type: "range", session: 0, start: 2, stop: 3, output: true }), [[1, 2, ["b = 2", "2"]]]);
    assert.deepEqual(h.query({ hist_access_type: "range", session: 5, start: 1, stop: 4 }), []);
    assert.deepEqual(h.query({ hist_access_type: "search", pattern: "a*" }).map((e) => e[1]), [1, 3]);
    assert.deepEqual(h.query({ hist_access_type: "search", pattern: "a*", unique: true }).map((e) => e[1]), [3]);
    assert.deepEqual(h.query({ hist_access_type: "search", pattern: "?*", n: 1 }).map((e) => e[1]), [3]);
  });
});

describe("tensor display helpers", () => {
  it("halves the largest axes until at most 1000 values are shown", () => {
    assert.deepEqual(shownShape([10, 10]), [10, 10]);
    assert.deepEqual(shownShape([50, 100]), [25, 25]);
    assert.deepEqual(shownShape([100000]), [781]);
  });
  it("takes the leading corner of row-major data", () => {
    assert.deepEqual(corner([0, 1, 2, 3, 4, 5], [2, 3], [2, 2], false), [[0, 1], [3, 4]]);
    assert.deepEqual(corner([1, 0], [2], [2], true), [true, false]);
    assert.equal(corner([5], [], [], false), 5);
  });
  it("ignores non-finite values in stats", () => {
    assert.deepEqual(stats([1, NaN, 3, Infinity]), { min: 1, max: 3, mean: 2 });
    assert.equal(stats([NaN]), undefined);
  });
  it("builds a bundle from any tensor-like object", async () => {
    const fake = { shape: [2], dtype: "float32", device: "test", data: async () => new Float32Array([1.5, 2.5]), toString: () => "fake" };
    const b = await tensorBundle(fake);
    assert.deepEqual(b.data["application/vnd.tsdl.tensor+json"], {
      shape: [2], dtype: "float32", device: "test", values: [1.5, 2.5], truncated: false, stats: { min: 1.5, max: 2.5, mean: 2 },
    });
    assert.equal(b.data["text/plain"], "fake");
  });
  it("shows a big WebGPU tensor's values in text/plain too (core hands big reads over uncached)", async function () {
    this.timeout(60000);
    const t = await import("@tsdl/core");
    await t.setBackend("webgpu");
    try {
      const x = t.arange(300_000).astype("float32");
      const b = await tensorBundle(x);
      const text = String(b.data["text/plain"]);
      assert.doesNotMatch(text, /read with await/);
      assert.match(text, /299999/);
      x.dispose();
    } finally {
      await t.setBackend("cpu");
    }
  });
  it("uses an object's own display bundle and adds text/plain", async () => {
    const own = { [Symbol.for("Jupyter.display")]: () => ({ "text/html": "<i>x</i>" }) };
    const b = await toBundle(own);
    assert.equal(b.data["text/html"], "<i>x</i>");
    assert.equal(typeof b.data["text/plain"], "string");
    assert.deepEqual((await toBundle("s")).data, { "text/plain": "'s'" });
    const broken = { [Symbol.for("Jupyter.display")]: () => { throw new Error("nope"); } };
    assert.match(String((await toBundle(broken)).data["text/plain"]), /\(display failed: nope\)$/);
  });
});

describe("install", () => {
  it("computes the Jupyter data dir for each target", () => {
    const env = { HOME: "/home/u", JUPYTER_DATA_DIR: "/custom" };
    assert.equal(dataDir({ kind: "user" }, env), "/custom");
    if (process.platform === "linux") {
      assert.equal(dataDir({ kind: "user" }, { XDG_DATA_HOME: "/xdg" }), "/xdg/jupyter");
    }
    assert.equal(dataDir({ kind: "sys-prefix" }, { VIRTUAL_ENV: "/venv" }), "/venv/share/jupyter");
    assert.equal(dataDir({ kind: "prefix", dir: "/opt/x" }), "/opt/x/share/jupyter");
    assert.deepEqual(parseInstallArgs(["--prefix", "/opt/x"]), { kind: "prefix", dir: "/opt/x" });
    assert.deepEqual(parseInstallArgs([]), { kind: "user" });
    assert.throws(() => parseInstallArgs(["--bogus"]), /unexpected arguments/);
  });

  it("writes and removes the kernelspec (and the labextension when built)", () => {
    const prefix = fs.mkdtempSync(path.join(os.tmpdir(), "tsdl-prefix-"));
    const lines: string[] = [];
    install({ kind: "prefix", dir: prefix }, (l) => lines.push(l));
    const specFile = path.join(prefix, "share", "jupyter", "kernels", "tsdl", "kernel.json");
    const spec: any = JSON.parse(fs.readFileSync(specFile, "utf8"));
    assert.deepEqual(JSON.parse(JSON.stringify(kernelSpec())), spec);
    assert.equal(spec.display_name, "TypeScript (tsdl)");
    assert.equal(spec.language, "typescript");
    assert.equal(spec.interrupt_mode, "message");
    assert.deepEqual(spec.argv.slice(-2), ["kernel", "{connection_file}"]);
    assert.ok(fs.existsSync(spec.argv[1]), "argv points at the built CLI");
    assert.match(lines[1], /JupyterLab extension|no prebuilt JupyterLab extension/);
    uninstall({ kind: "prefix", dir: prefix }, () => undefined);
    assert.ok(!fs.existsSync(specFile));
    assert.ok(!fs.existsSync(path.join(prefix, "share", "jupyter", "labextensions", "@tsdl", "labextension")));
  });
});

describe("small text helpers", () => {
  it("converts cursor positions between code points and UTF-16 units", () => {
    const s = "a😀b";
    assert.equal(codePointsToUnits(s, 2), 3);
    assert.equal(unitsToCodePoints(s, 3), 2);
  });
  it("parenthesizes operands only where a method call would bind differently", () => {
    assert.equal(asOperand("x"), "x");
    assert.equal(asOperand("relu(h)"), "relu(h)");
    assert.equal(asOperand("w.T"), "w.T");
    assert.equal(asOperand("a + b"), "(a + b)");
    assert.equal(asOperand("await f()"), "(await f())");
  });
  it("drops module paths from type names", () => {
    assert.equal(shortenTypeNames(`types 'import("/x/tensor").Tensor' and 'number'`), "types 'Tensor' and 'number'");
  });
});

describe("connection file", () => {
  const write = (o: object) => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tsdl-conn-")), "c.json");
    fs.writeFileSync(f, JSON.stringify(o));
    return f;
  };
  const ports = { shell_port: 1, control_port: 2, stdin_port: 3, iopub_port: 4, hb_port: 5 };
  it("binds exactly the address it names", () => {
    const info = readConnectionFile(write({ transport: "tcp", ip: "127.0.0.1", key: "k", signature_scheme: "hmac-sha256", ...ports }));
    assert.equal(addressOf(info, "shell"), "tcp://127.0.0.1:1");
    assert.equal(addressOf(info, "hb"), "tcp://127.0.0.1:5");
    const ipc = readConnectionFile(write({ transport: "ipc", ip: "/tmp/k", key: "", ...ports }));
    assert.equal(addressOf(ipc, "iopub"), "ipc:///tmp/k-4");
  });
  it("refuses files without an ip or with bad ports", () => {
    assert.throws(() => readConnectionFile(write({ transport: "tcp", key: "k", ...ports })), /no ip/);
    assert.throws(() => readConnectionFile(write({ ip: "127.0.0.1", ...ports, hb_port: "x" })), /hb_port/);
    assert.throws(() => readConnectionFile(write({ transport: "udp", ip: "127.0.0.1", ...ports })), /unsupported transport/);
  });
});

describe("GPU presence from device nodes", () => {
  const devWith = (entries: string[]) => {
    const dev = fs.mkdtempSync(path.join(os.tmpdir(), "tsdl-dev-"));
    for (const e of entries) {
      fs.mkdirSync(path.dirname(path.join(dev, e)), { recursive: true });
      fs.writeFileSync(path.join(dev, e), "");
    }
    return dev;
  };

  it("sees a DRM render node, an NVIDIA device or WSL2's GPU on Linux", () => {
    assert.equal(mayHaveGpu(devWith(["dri/renderD128", "dri/card0"]), "linux"), true);
    assert.equal(mayHaveGpu(devWith(["nvidia0", "nvidiactl"]), "linux"), true);
    assert.equal(mayHaveGpu(devWith(["dxg"]), "linux"), true);
  });

  it("rules a GPU out on Linux without such a node, and never elsewhere", () => {
    assert.equal(mayHaveGpu(devWith(["null", "dri/card0", "nvidiactl"]), "linux"), false);
    assert.equal(mayHaveGpu(path.join(os.tmpdir(), "tsdl-no-such-dev"), "linux"), false);
    assert.equal(mayHaveGpu(devWith([]), "darwin"), true);
    assert.equal(mayHaveGpu(devWith([]), "win32"), true);
  });
});
