// Renders a benchmark run: a Markdown table for the terminal (and for pasting into notes) and
// a hand-written SVG bar chart. Input is the JSON that run.mjs writes to results/latest.json.
import { WORKLOADS, describeWorkload } from "./workloads.mjs";
import { CHECK_STEPS, lossesFall } from "./training.mjs";

const formatValue = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/** Footnote markers: the same text gets the same number. */
function footnotes() {
  const texts = [];
  const mark = (text) => {
    let i = texts.indexOf(text);
    if (i < 0) i = texts.push(text) - 1;
    return `[${i + 1}]`;
  };
  return { texts, mark };
}

/** A Markdown table, first column left-aligned and the others right-aligned. */
function markdown(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  const out = [line(header), `|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : "-".repeat(w + 1) + ":")).join("|")}|`];
  for (const r of rows) out.push(line(r));
  return out;
}

/** A cell that did not get a number: "—" where the peer has no such path, else a footnote. */
function missingCell(r, where, mark) {
  if (!r || r.absent) return "—";
  if (r.unsupported) return `unsupported ${mark(`${where}: ${r.unsupported}`)}`;
  if (r.skipped) return `${r.skipped.startsWith("unsupported") ? "unsupported" : "skip"} ${mark(`${where}: ${r.skipped}`)}`;
  return `error ${mark(`${where}: ${r.error}`)}`;
}

/** The table: one row per workload that ran, one column per peer; skips and errors become footnotes. */
export function renderTable(run) {
  const { texts, mark } = footnotes();
  const header = ["workload", ...run.peers.map((p) => p.label)];
  const ran = WORKLOADS.filter((w) => run.peers.some((p) => run.results[p.id]?.[w.id]));
  const rows = ran.map((w) => [
    describeWorkload(w),
    ...run.peers.map((p) => {
      const r = run.results[p.id]?.[w.id];
      if (r?.value === undefined) return missingCell(r, `${p.label}, ${w.id}`, mark);
      // Per-op latency is a median over chains: its interquartile range shows the noise.
      if (r.spread) return `${formatValue(r.value)} (${formatValue(r.spread.p25)}–${formatValue(r.spread.p75)})`;
      return formatValue(r.value);
    }),
  ]);
  const out = markdown(header, rows);
  const notes = run.peers.flatMap((p) => Object.entries(p.notes ?? {}).map(([kind, text]) => `${p.label} (${kind}): ${text}`));
  if (texts.length) out.push("", ...texts.map((f, i) => `[${i + 1}] ${f}`));
  if (notes.length) out.push("", ...notes.map((n) => `- ${n}`));
  return out.join("\n");
}

/** Training steps in detail: one row per peer and variant (jax-js: jit and eager), first step and ms per step. */
export function renderTraining(run) {
  const trains = WORKLOADS.filter((w) => w.kind === "train" && run.peers.some((p) => run.results[p.id]?.[w.id]?.variants));
  if (!trains.length) return "";
  const { texts, mark } = footnotes();
  const header = ["training step, ms", "variant", ...trains.flatMap((w) => [`${w.id} first`, `${w.id} steady`])];
  const rows = [];
  for (const p of run.peers) {
    const names = [...new Set(trains.flatMap((w) => (run.results[p.id]?.[w.id]?.variants ?? []).map((v) => v.name)))];
    for (const name of names) {
      const cells = trains.flatMap((w) => {
        const v = run.results[p.id]?.[w.id]?.variants?.find((x) => x.name === name);
        if (v?.value === undefined) return [missingCell(v, `${p.label} ${name}, ${w.id}`, mark), ""];
        return [formatValue(v.firstMs), formatValue(v.value)];
      });
      rows.push([p.label, name, ...cells]);
    }
  }
  const out = markdown(header, rows);
  out.push("", "first: the first step alone (includes shader compilation and tracing); steady: the best block's mean after warm-up.");
  if (texts.length) out.push("", ...texts.map((f, i) => `[${i + 1}] ${f}`));
  return out.join("\n");
}

/** Loss checks for the training steps: it falls on every peer, and peers agree (same weights and batch). */
function trainingChecks(run) {
  const lines = [];
  for (const w of WORKLOADS.filter((x) => x.kind === "train")) {
    const runs = run.peers.flatMap((p) =>
      (run.results[p.id]?.[w.id]?.variants ?? []).filter((v) => v.losses?.length >= 2).map((v) => ({ label: `${p.label} ${v.name}`, losses: v.losses })),
    );
    if (!runs.length) continue;
    const falling = runs.filter((r) => lossesFall(r.losses));
    const spread = (i) => Math.max(...runs.map((r) => r.losses[i])) - Math.min(...runs.map((r) => r.losses[i]));
    const common = Math.min(...runs.map((r) => r.losses.length)); // slow peers check fewer steps
    const trail = (r) => `${r.label} ${r.losses[0].toFixed(4)}→${r.losses[r.losses.length - 1].toFixed(4)}`;
    lines.push(
      `${w.id}: loss falls over ${CHECK_STEPS} steps (fewer where a step is slow) on ${falling.length} of ${runs.length} peer variants; ` +
        `spread across peers ${spread(0).toExponential(1)} at step 1, ${spread(common - 1).toExponential(1)} at step ${common}` +
        ` (${runs.map(trail).join(", ")})`,
    );
    const bad = runs.filter((r) => !lossesFall(r.losses));
    if (bad.length) lines.push(`${w.id}: LOSS DOES NOT FALL for ${bad.map((r) => `${r.label} (${r.losses.map((l) => l.toFixed(4)).join(", ")})`).join("; ")}`);
    const ours = run.results["tsdl-webgpu"]?.[w.id]?.value;
    const tfjs = run.results["tfjs-webgpu"]?.[w.id]?.value;
    if (ours !== undefined && tfjs !== undefined) {
      lines.push(`${w.id}: tsdl webgpu ${formatValue(ours)} ms/step ${ours < tfjs ? "beats" : "does not beat"} tfjs webgpu ${formatValue(tfjs)} ms/step`);
    }
  }
  return lines;
}

/** The issue's goals that one run can check: tsdl against tfjs-webgpu and the raw ceiling. */
export function renderChecks(run) {
  const value = (peer, id) => run.results[peer]?.[id]?.value;
  const lines = [];
  for (const id of ["matmul-512", "matmul-1024", "matmul-2048"]) {
    const ours = value("tsdl-webgpu", id);
    const tfjs = value("tfjs-webgpu", id);
    const raw = value("raw-webgpu", id);
    if (ours === undefined) continue;
    const parts = [`${id}: tsdl webgpu ${formatValue(ours)} GFLOP/s`];
    if (tfjs !== undefined) parts.push(`${ours > tfjs ? "beats" : "does not beat"} tfjs webgpu ${formatValue(tfjs)}`);
    if (raw !== undefined) parts.push(`${((100 * ours) / raw).toFixed(0)}% of raw WGSL`);
    lines.push(parts.join(", "));
  }
  const ours = value("tsdl-webgpu", "tiny-1000");
  const tfjs = value("tfjs-webgpu", "tiny-1000");
  if (ours !== undefined) {
    const p75 = run.results["tsdl-webgpu"]["tiny-1000"].spread?.p75;
    const parts = [`tiny ops: tsdl webgpu ${formatValue(ours)} µs/op (median${p75 !== undefined ? `, 75th percentile ${formatValue(p75)}` : ""})`];
    parts.push(`${ours <= 25 ? "within" : "over"} the 25 µs goal`);
    if (tfjs !== undefined) parts.push(`${ours < tfjs ? "below" : "not below"} tfjs webgpu ${formatValue(tfjs)}`);
    lines.push(parts.join(", "));
  }
  // The cpu goals: matmul at N=1024 of at least 70 GFLOP/s on 2 threads, an MLP step of at most 3 ms.
  for (const peer of ["tsdl-cpu", "tsdl-cpu-fma"]) {
    const mm = value(peer, "matmul-1024");
    const wasm = value("tfjs-wasm", "matmul-1024");
    const label = peer === "tsdl-cpu" ? "tsdl cpu" : "tsdl cpu FMA";
    if (mm !== undefined) {
      const parts = [`matmul-1024: ${label} ${formatValue(mm)} GFLOP/s, ${mm >= 70 ? "meets" : "below"} the 70 GFLOP/s goal`];
      if (wasm !== undefined) parts.push(`${(mm / wasm).toFixed(1)}x tfjs wasm`);
      lines.push(parts.join(", "));
    }
    const mlp = value(peer, "mlp-step");
    if (mlp !== undefined) lines.push(`mlp-step: ${label} ${formatValue(mlp)} ms/step, ${mlp <= 3 ? "meets" : "over"} the 3 ms goal`);
  }
  lines.push(...trainingChecks(run));
  return lines.join("\n");
}

const COLOURS = ["#444444", "#e8710a", "#1a73e8", "#12b5cb", "#f9ab00", "#a0522d", "#7cb342", "#9334e6", "#d93025"];
const escapeXml = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Bar chart: one panel per workload kind, groups per size, one bar per peer. */
export function renderSvg(run) {
  const panels = [
    { kind: "matmul", title: "matmul, GFLOP/s (higher is better)", label: (w) => `N=${w.n}` },
    { kind: "add", title: "elementwise add, GB/s (higher is better)", label: (w) => (w.n >= 1 << 24 ? "16M" : "1M") },
    { kind: "tiny", title: "1,000 tiny ops, µs per op (lower is better)", label: () => "x = x + 1" },
    // One panel per model: the convnet's steps are ten times the MLP's and would flatten its bars.
    { kind: "train", id: "mlp-step", title: "MLP training step, ms (lower is better)", label: () => "784-256-10, batch 128" },
    { kind: "train", id: "conv-step", title: "convnet training step, ms (lower is better)", label: () => "batch 64" },
  ];
  const peers = run.peers;
  const bar = 14;
  const groupGap = 18;
  const panelHeight = 170;
  const left = 50;
  const top = 36 + 18 * Math.ceil(peers.length / 4);
  const parts = [];
  let y = top;
  let width = 0;
  for (const panel of panels) {
    const ws = WORKLOADS.filter((w) => w.kind === panel.kind && (!panel.id || w.id === panel.id));
    const values = ws.flatMap((w) => peers.map((p) => run.results[p.id]?.[w.id]?.value).filter((v) => v !== undefined));
    const max = Math.max(1e-9, ...values);
    const min = Math.min(max, ...values.filter((v) => v > 0));
    // When one library is 30x slower than the rest (tfjs-cpu's training steps), a linear axis
    // flattens every other bar; a log axis keeps them comparable.
    const log = max / min > 30;
    const floor = log ? min / 2 : 0;
    const scale = (v) => (log ? Math.log(v / floor) / Math.log(max / floor) : v / max);
    const plotH = panelHeight - 50;
    const base = y + 20 + plotH;
    parts.push(`<text x="${left}" y="${y + 12}" class="title">${escapeXml(panel.title + (log ? ", log scale" : ""))}</text>`);
    parts.push(`<line x1="${left}" y1="${base}" x2="${left + ws.length * (peers.length * bar + groupGap)}" y2="${base}" stroke="#999"/>`);
    parts.push(`<text x="${left - 6}" y="${y + 24}" class="axis" text-anchor="end">${formatValue(max)}</text>`);
    parts.push(`<text x="${left - 6}" y="${base}" class="axis" text-anchor="end">${log ? formatValue(floor) : "0"}</text>`);
    ws.forEach((w, gi) => {
      const gx = left + 4 + gi * (peers.length * bar + groupGap);
      peers.forEach((p, pi) => {
        const r = run.results[p.id]?.[w.id];
        const x = gx + pi * bar;
        if (r?.value === undefined) {
          parts.push(`<text x="${x + bar / 2}" y="${base - 3}" class="miss" text-anchor="middle">×</text>`);
          return;
        }
        const h = Math.max(1, scale(r.value) * plotH);
        const tip = `${p.label}, ${describeWorkload(w)}: ${formatValue(r.value)}`;
        parts.push(`<rect x="${x}" y="${(base - h).toFixed(1)}" width="${bar - 2}" height="${h.toFixed(1)}" fill="${COLOURS[pi % COLOURS.length]}"><title>${escapeXml(tip)}</title></rect>`);
      });
      parts.push(`<text x="${gx + (peers.length * bar) / 2}" y="${base + 14}" class="axis" text-anchor="middle">${escapeXml(panel.label(w))}</text>`);
    });
    width = Math.max(width, left + ws.length * (peers.length * bar + groupGap) + 20);
    y += panelHeight;
  }
  width = Math.max(width, 560);
  const legend = peers.map((p, i) => {
    const lx = 10 + (i % 4) * 140;
    const ly = 32 + 18 * Math.floor(i / 4);
    return `<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${COLOURS[i % COLOURS.length]}"/><text x="${lx + 14}" y="${ly}" class="axis">${escapeXml(p.label)}</text>`;
  });
  const caption = `${run.machine.cpuCount} × ${run.machine.cpuModel}; WebGPU: ${run.adapter?.description ?? "n/a"}; ${run.date.slice(0, 10)}; × = skipped or failed`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 20}" viewBox="0 0 ${width} ${y + 20}" font-family="sans-serif">`,
    `<style>.title{font-size:13px;font-weight:bold}.axis{font-size:11px;fill:#333}.miss{font-size:11px;fill:#999}</style>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="12" class="axis">${escapeXml(caption)}</text>`,
    ...legend,
    ...parts,
    `</svg>`,
    "",
  ].join("\n");
}
