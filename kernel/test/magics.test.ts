// IPython's timing magics in the real kernel: %timeit, %time, %%time and %%timeit, what they
// print and keep, that errors after a magic line still point at the user's line, and the
// message for magics the kernel does not have.

import { strict as assert } from "node:assert";
import { KernelClient, resultOf, textOf } from "./client";
import { blankMagics, rewriteMagics } from "../src/language/magics";

const PER_LOOP = /^[\d.]+ (s|ms|µs|ns) ± [\d.]+ (s|ms|µs|ns) per loop \(mean ± std\. dev\. of (\d+) runs?, ([\d,]+) loops? each\)$/m;
const TIMES = /^CPU times: user [\d.]+ (s|ms|µs|ns), sys: [\d.]+ (s|ms|µs|ns), total: [\d.]+ (s|ms|µs|ns)\nWall time: ([\d.]+) (s|ms|µs|ns)$/m;

function seconds(value: string, unit: string): number {
  return Number(value) * { s: 1, ms: 1e-3, µs: 1e-6, ns: 1e-9 }[unit]!;
}

describe("magics: the rewrite", () => {
  it("keeps one line per line, and leaves modulo and cells without magics alone", () => {
    const cell = "const a = 7\n%timeit -n 3 -r 2 a + 1\n%time const b = a * 2\n%time b";
    const out = rewriteMagics(cell);
    assert.equal(out.source.split("\n").length, 4);
    assert.match(out.source.split("\n")[1], /^;console\.log\(String\(await .*\.timeit\(\(\) => \{ a \+ 1 \}, \{ number: 3, repeat: 2 \}\)\)\);$/);
    assert.match(out.source.split("\n")[2], /^;.*\.timeStart\(\); const b = a \* 2; await .*\.timeEnd\(\);$/);
    assert.match(out.source.split("\n")[3], /^;.*\.timeStart\(\); await .*\.timeEnd\(\(b\)\);$/, "the last line's value is kept");
    const modulo = "const r = 7\n  % 3;";
    assert.equal(rewriteMagics(modulo).source, modulo);
    assert.equal(rewriteMagics("%%time\nconst z = 1;").timeCell, true);
  });

  it("blanks magic words at the same offsets, for completion and inspection", () => {
    assert.equal(blankMagics("%%timeit -n 3\n%timeit -r 2 x.matmul(w)\n%time y"), "             \n             x.matmul(w)\n      y");
  });
});

describe("magics in the kernel", function () {
  let k: KernelClient;
  before(async () => {
    k = await KernelClient.start();
  });
  after(async () => {
    if (k) assert.equal((await k.shutdown()).exitCode, 0);
  });

  it("%timeit prints IPython's line, with the loop and run counts given", async () => {
    const r = await k.execute("const x = randn([64, 64]);\n%timeit -n 5 -r 3 x.matmul(x)");
    assert.equal((r.reply.content as any).status, "ok", JSON.stringify(r.reply.content));
    const m = PER_LOOP.exec(textOf(r));
    assert.ok(m, textOf(r));
    assert.equal(m[3], "3");
    assert.equal(m[4], "5");
  });

  it("%timeit measures what it runs: a 20 ms busy wait", async () => {
    const r = await k.execute("const wait = (ms: number) => { const end = performance.now() + ms; while (performance.now() < end); };\n%timeit -r 2 wait(20)");
    const m = /^([\d.]+) (ms|s) ± .* of 2 runs, 10 loops each\)$/m.exec(textOf(r));
    assert.ok(m, textOf(r));
    const t = seconds(m[1], m[2]);
    assert.ok(t >= 0.0195 && t < 0.06, `${t} s`);
  });

  it("%time prints CPU and wall time; it keeps a declaration and shows the last line's value", async () => {
    const r = await k.execute("%time const y = tensor([1, 2, 3]).mul(2)\n%time y.sum()");
    assert.equal((r.reply.content as any).status, "ok", JSON.stringify(r.reply.content));
    assert.equal(textOf(r).match(new RegExp(TIMES.source, "gm"))?.length, 2, textOf(r));
    assert.match(String(resultOf(r)?.["text/plain"]), /^tensor\(12, /);
    const again = await k.execute("y");
    assert.match(String(resultOf(again)?.["text/plain"]), /^tensor\(\[2, 4, 6\]/);
  });

  it("%%time times the whole cell and still shows its value; %%timeit times the rest of the cell", async () => {
    const r = await k.execute("%%time\nconst start = performance.now();\nwhile (performance.now() - start < 30);\n6 * 7");
    const m = TIMES.exec(textOf(r));
    assert.ok(m, textOf(r));
    assert.ok(seconds(m[4], m[5]) >= 0.03, textOf(r));
    assert.equal(resultOf(r)?.["text/plain"], "42");
    const t = await k.execute("%%timeit -n 2 -r 2\nconst s = ones([8]).sum();\nawait s.item();");
    assert.equal((t.reply.content as any).status, "ok", JSON.stringify(t.reply.content));
    assert.match(textOf(t), /of 2 runs, 2 loops each\)/);
  });

  it("completes and inspects code after a magic word; a magic line is a complete statement", async () => {
    await k.execute("const mt = tensor([[1, 2]]);");
    const comp = (await k.request("complete_request", { code: "%timeit mt.resh", cursor_pos: 15 })).reply.content as any;
    assert.ok(comp.matches.includes("reshape"), `reshape in ${comp.matches}`);
    assert.equal(comp.cursor_start, 11);
    const insp = (await k.request("inspect_request", { code: "%time mt", cursor_pos: 8, detail_level: 0 })).reply.content as any;
    assert.match(insp.data["text/plain"], /const mt: Tensor/);
    assert.equal(((await k.request("is_complete_request", { code: "%timeit mt.sum()" })).reply.content as any).status, "complete");
  });

  it("name? shows what Shift+Tab shows: the type, the documentation, a tensor's shape", async () => {
    await k.execute("const hv = tensor([[1, 2, 3]]);");
    const text = async (code: string) => String(resultOf(await k.execute(code))?.["text/plain"]);
    assert.match(await text("hv?"), /const hv: Tensor[\s\S]*shape \[1, 3\] {2}dtype int32/);
    assert.match(await text("??linspace"), /linspace/);
    assert.match(await text("timeit?"), /Times fn like IPython's %timeit/);
    assert.equal(await text("noSuchName?"), "noSuchName: nothing is known by that name here");
  });

  it("an error after a magic line points at the user's line", async () => {
    const r = await k.execute("%time const q = 1\nconst bad = tensor([[1, 2]]).matmul(tensor([[1, 2]]));");
    const c = r.reply.content as any;
    assert.equal(c.ename, "ShapeError");
    assert.match(c.traceback[1], /line 2: {2}const bad = tensor\(\[\[1, 2\]\]\)\.matmul/);
  });

  it("says what to do for magics it does not have, and for misuse", async () => {
    const cases: [string, RegExp][] = [
      ["%matplotlib inline", /^%matplotlib is an IPython magic that the tsdl kernel does not have; plots need no setup in tsdl: plot\(\), LivePlot, histogram\(\), heatmap\(\) and imageGrid\(\) show inline\. Its magics are %time, %timeit, %%time and %%timeit\.$/],
      ["%pip install numpy", /^%pip is an IPython magic .*npm install NAME/],
      ["%%writefile a.txt\nhello", /^%%writefile is an IPython magic that the tsdl kernel does not have\./],
      ["const a1 = 1;\n%%time\na1", /^%%time is a cell magic: it must be the cell's first line$/],
      ["%timeit -q 1 + 1", /^%timeit: the only options are -n \(calls per run\) and -r \(runs\), got -q$/],
      ["%timeit -n 0 1 + 1", /^%timeit: -n takes a positive whole number, got 0$/],
      ["%timeit", /^%timeit needs code to time, e\.g\. %timeit x\.matmul\(w\)$/],
    ];
    for (const [code, message] of cases) {
      const c = (await k.execute(code)).reply.content as any;
      assert.equal(c.status, "error", code);
      assert.equal(c.ename, "MagicError", code);
      assert.match(c.evalue, message, code);
    }
    // The kernel goes on.
    assert.equal(resultOf(await k.execute("1 + 1"))?.["text/plain"], "2");
  });
});
