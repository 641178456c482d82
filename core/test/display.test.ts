// Progress bars and live plots: their text, their bundles, and that they update one output in
// place through the display sink the kernel installs (recorded here by a sink of our own).

import { t, assert } from "./helpers";
import type { MimeBundle } from "../src/index";

function recordingSink() {
  const events: { kind: "display" | "update"; id: number; bundle: MimeBundle }[] = [];
  let next = 0;
  t.setDisplaySink({
    display(bundle) {
      const id = next++;
      events.push({ kind: "display", id, bundle });
      return { update: (b) => void events.push({ kind: "update", id, bundle: b }) };
    },
  });
  return events;
}

describe("progress bars", () => {
  afterEach(() => t.setDisplaySink(null));

  it("shows count, percent, rate and metrics as text", () => {
    const bar = t.progressBar(8, { desc: "epoch 1" });
    bar.update(2);
    bar.set({ loss: 0.123456 });
    assert.match(bar.text(), /^epoch 1  25% \|█{6} {18}\| 2\/8 \[00:00<[0-9?:]+, [0-9.]+ it\/s, loss=0\.1235\]$/);
  });

  it("wraps an iterable, knows a DataLoader's length, and updates one output in place", () => {
    const events = recordingSink();
    const loader = new t.data.DataLoader([t.arange(10)], { batchSize: 3 });
    let seen = 0;
    for (const [b] of t.progress(loader, { desc: "train" })) seen += b.size;
    assert.equal(seen, 10);
    assert.equal(events[0].kind, "display");
    assert.ok(events.slice(1).every((e) => e.kind === "update" && e.id === 0), "later draws update the same output");
    const last = events[events.length - 1].bundle;
    assert.match(String(last["text/plain"]), /^train 100% \|█+\| 4\/4 /);
    assert.match(String(last["text/html"]), /<progress value="100\.0" max="100"/);
  });
});

describe("live plots", () => {
  afterEach(() => t.setDisplaySink(null));

  it("builds a Vega-Lite spec with an SVG and text fallback", () => {
    const p = t.plot({ step: [0, 1, 2], loss: [1, 0.5, 0.25], accuracy: [0.1, 0.6, 0.9] }, { title: "training" });
    const b = p.bundle();
    const spec = b["application/vnd.vegalite.v5+json"] as { data: { values: unknown[] }; encoding: { color: { field: string } } };
    assert.equal(spec.data.values.length, 6);
    assert.deepEqual(spec.data.values[0], { step: 0, metric: "loss", value: 1 });
    assert.equal(spec.encoding.color.field, "metric");
    const svg = String(b["image/svg+xml"]);
    assert.equal((svg.match(/<polyline/g) ?? []).length, 2);
    assert.match(svg, /<text[^>]*>loss<\/text>/);
    assert.equal(b["text/plain"], "LivePlot(training: 3 points; last step=2 loss=0.2500 accuracy=0.9000)");
  });

  it("adds points and redraws the same output", () => {
    const events = recordingSink();
    const p = new t.LivePlot({ every: 0 });
    p.add({ step: 1, loss: 2 });
    p.add({ step: 2, loss: 1 });
    assert.deepEqual(events.map((e) => e.kind), ["display", "update"]);
    assert.match(String(events[1].bundle["text/plain"]), /2 points; last step=2 loss=1\.000/);
  });
});

describe("image grids", () => {
  it("encode a valid PNG of the digits (signature, IHDR size, CRCs)", async () => {
    const { xTrain } = t.data.mnist({ train: 12, test: 0 });
    const grid = t.imageGrid(xTrain, { cols: 6, scale: 1 });
    const { png, width, height } = await grid.png();
    assert.deepEqual(Array.from(png.subarray(0, 8)), [137, 80, 78, 71, 13, 10, 26, 10]);
    const view = new DataView(png.buffer, png.byteOffset);
    assert.equal(String.fromCharCode(...png.subarray(12, 16)), "IHDR");
    assert.equal(view.getUint32(16), width);
    assert.equal(view.getUint32(20), height);
    assert.equal(width, 6 * (28 + 2) + 2);
    assert.equal(height, 2 * (28 + 2) + 2);
    const { crc32 } = await import("../src/display/png.js");
    assert.equal(view.getUint32(8 + 8 + 13), crc32(png.subarray(12, 12 + 4 + 13)), "IHDR CRC");
    const bundle = await grid[t.displaySymbol]();
    assert.equal(bundle["text/plain"], "ImageGrid(12 images of 28x28)");
    assert.equal(Buffer.from(String(bundle["image/png"]), "base64").length, png.length);
  });

  it("names the accepted shapes", () => {
    assert.throws(() => t.imageGrid(t.zeros([2, 5, 8, 8])), /expected \[H, W\], \[N, H, W\] or \[N, C, H, W\]/);
  });
});

describe("heatmaps", () => {
  it("draw one cell per value, coloured from the lowest to the highest, with labels and a colour bar", async () => {
    const h = await t.heatmap(t.tensor([[0, 0.5], [1, 0.25], [0.75, 0]], { dtype: "float32" }), {
      title: "weights",
      xLabels: ["a", "b"],
      xTitle: "key",
      yTitle: "query",
    });
    const bundle = (h as any)[t.displaySymbol]() as MimeBundle;
    assert.equal(bundle["text/plain"], 'Heatmap(3x2, "weights")');
    const svg = String(bundle["image/svg+xml"]);
    const cells = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="\d+" height="\d+" fill="(rgb\([\d,]+\))"><title>\[(\d), (\d)\] ([\d.]+)<\/title>/g)];
    assert.equal(cells.length, 6);
    const fill = (i: number, j: number) => cells.find((c) => c[2] === String(i) && c[3] === String(j))![1];
    assert.equal(fill(0, 0), "rgb(68,1,84)"); // the minimum: the scale's low end
    assert.equal(fill(1, 0), "rgb(253,231,37)"); // the maximum: its high end
    assert.equal(fill(2, 1), fill(0, 0));
    assert.equal(fill(0, 1), "rgb(33,145,140)"); // the middle stop
    for (const s of ["weights", ">a<", ">b<", ">key<", ">query<", ">.75<", ">0<"]) assert.ok(svg.includes(s), s);
    // A fixed range: vmin/vmax, and nested arrays work too.
    const fixed = String(((await t.heatmap([[0.5]], { vmin: 0, vmax: 1 })) as any)[t.displaySymbol]()["image/svg+xml"]);
    assert.ok(fixed.includes('fill="rgb(33,145,140)"'));
  });

  it("explains what it needs", async () => {
    await assert.rejects(t.heatmap(t.zeros([2, 3, 4])), /heatmap: needs a 2-D tensor, got shape \[2, 3, 4\]/);
    await assert.rejects(t.heatmap([[1, 2], [3]]), /equal-length rows/);
    await assert.rejects(t.heatmap(t.zeros([2, 3]), { xLabels: ["a"] }), /xLabels has 1 names for 3 columns/);
  });
});

describe("histograms", () => {
  it("count values into equal bins, with each series' statistics in the text form", async () => {
    const h = await t.histogram(t.tensor([0, 1, 1, 2, 3, NaN], { dtype: "float32" }), { bins: 3, title: "x" });
    assert.deepEqual(h.edges, [0, 1, 2, 3]);
    assert.deepEqual(h.series[0].heights, [1, 2, 2], "the last bin includes its right edge; NaN is left out");
    const bundle = (h as any)[t.displaySymbol]() as MimeBundle;
    assert.equal(bundle["text/plain"], 'Histogram "x", 3 bins\nvalues: n=5 mean 1.4 std 1.02 min 0 max 3');
    const svg = String(bundle["image/svg+xml"]);
    assert.ok(svg.startsWith("<svg") && svg.includes("<polyline") && svg.includes(">x<"));
  });

  it("overlay several series over shared bins, as densities whose areas are 1", async () => {
    const h = await t.histogram({ narrow: t.randn([2000]).mul(0.1), wide: [-4, -1, 0, 1, 4] }, { bins: 8 });
    assert.deepEqual(h.series.map((s) => s.name), ["narrow", "wide"]);
    assert.equal(h.edges[0], -4);
    assert.equal(h.edges[8], 4);
    for (const s of h.series) {
      const area = s.heights.reduce((a, b) => a + b, 0) * (h.edges[1] - h.edges[0]);
      assert.ok(Math.abs(area - 1) < 1e-9, `${s.name}: area ${area}`);
    }
    // The narrow one sits in the two middle bins, [-1, 0) and [0, 1).
    assert.ok(h.series[0].heights[3] + h.series[0].heights[4] > 0.49, String(h.series[0].heights));
    const ranged = await t.histogram([5, 0.5, -5], { bins: 2, range: [0, 1] });
    assert.deepEqual(ranged.series[0].heights, [0, 1], "outside the range is not counted");
  });

  it("explains what it needs", async () => {
    await assert.rejects(t.histogram({}), /histogram: nothing to draw/);
    await assert.rejects(t.histogram([1, 2], { bins: 0 }), /bins must be a positive integer, got 0/);
    await assert.rejects(t.histogram({ a: "text" as any }), /histogram: a must be a tensor or an array of numbers/);
  });
});

describe("scatter plots", () => {
  it("place each point by its coordinates, coloured by its label, with a legend and Vega-Lite data", async () => {
    const s = await t.scatter(t.tensor([0, 1, 2, 3], { dtype: "float32" }), [10, 20, 30, 40], {
      labels: t.tensor([1, 0, 1, 10]),
      title: "pts",
      xTitle: "pc 1",
    });
    assert.deepEqual(s.groupNames(), ["0", "1", "10"], "numeric labels in numeric order");
    const bundle = (s as any)[t.displaySymbol]() as MimeBundle;
    assert.equal(bundle["text/plain"], 'Scatter("pts", 4 points, 3 groups: 0, 1, 10)');
    const spec = bundle["application/vnd.vegalite.v5+json"] as any;
    assert.deepEqual(spec.data.values[3], { x: 3, y: 40, group: "10" });
    assert.deepEqual(spec.encoding.color.sort, ["0", "1", "10"]);
    const svg = String(bundle["image/svg+xml"]);
    const circles = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)" r="3" fill="(#\w+)"/g)];
    assert.equal(circles.length, 4);
    // x grows to the right, y upwards; points 0 and 2 share label 1's colour.
    assert.ok(Number(circles[3][1]) > Number(circles[0][1]) && Number(circles[3][2]) < Number(circles[0][2]));
    assert.equal(circles[0][3], circles[2][3]);
    assert.notEqual(circles[0][3], circles[1][3]);
    assert.ok(svg.includes(">pc 1<") && svg.includes(">10<"));
  });

  it("take one [N, 2] tensor of points, and say what they need", async () => {
    const s = await t.scatter(t.tensor([[1, 2], [3, 4], [5, 6]], { dtype: "float32" }), { title: "pairs" });
    assert.deepEqual([s.xs, s.ys], [[1, 3, 5], [2, 4, 6]]);
    assert.equal(s.text(), 'Scatter("pairs", 3 points)');
    await assert.rejects(t.scatter(t.zeros([3, 3])), /scatter: give x and y, or one \[N, 2\] tensor of points; got shape \[3, 3\]/);
    await assert.rejects(t.scatter([1, 2], [1]), /scatter: x has 2 values but y has 1/);
    await assert.rejects(t.scatter([1, 2], [1, 2], { labels: [0] }), /scatter: 1 labels for 2 points/);
  });
});
