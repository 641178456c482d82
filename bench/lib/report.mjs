// Renders a benchmark run: a Markdown table for the terminal (and for pasting into notes) and
// a hand-written SVG bar chart. Input is the JSON that run.mjs writes to results/latest.json.
import { WORKLOADS, describeWorkload } from "./workloads.mjs";

const formatValue = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/** The table: one row per workload, one column per peer; skips and errors become footnotes. */
export function renderTable(run) {
  const footnotes = [];
  const footnote = (text) => {
    let i = footnotes.indexOf(text);
    if (i < 0) i = footnotes.push(text) - 1;
    return `[${i + 1}]`;
  };
  const header = ["workload", ...run.peers.map((p) => p.label)];
  const rows = WORKLOADS.map((w) => [
    describeWorkload(w),
    ...run.peers.map((p) => {
      const r = run.results[p.id]?.[w.id];
      if (!r) return "—";
      if (r.skipped) return `skip ${footnote(`${p.label}, ${w.id}: ${r.skipped}`)}`;
      if (r.error) return `error ${footnote(`${p.label}, ${w.id}: ${r.error}`)}`;
      return formatValue(r.value);
    }),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  const out = [line(header), `|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : "-".repeat(w + 1) + ":")).join("|")}|`];
  for (const r of rows) out.push(line(r));
  const notes = run.peers.flatMap((p) => Object.entries(p.notes ?? {}).map(([kind, text]) => `${p.label} (${kind}): ${text}`));
  if (footnotes.length) out.push("", ...footnotes.map((f, i) => `[${i + 1}] ${f}`));
  if (notes.length) out.push("", ...notes.map((n) => `- ${n}`));
  return out.join("\n");
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
  if (ours !== undefined && tfjs !== undefined) {
    lines.push(`tiny ops: tsdl webgpu ${formatValue(ours)} µs/op ${ours < tfjs ? "below" : "not below"} tfjs webgpu ${formatValue(tfjs)}`);
  }
  return lines.join("\n");
}

const COLOURS = ["#444444", "#e8710a", "#1a73e8", "#12b5cb", "#f9ab00", "#7cb342", "#9334e6", "#d93025"];
const escapeXml = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Bar chart: one panel per workload kind, groups per size, one bar per peer. */
export function renderSvg(run) {
  const panels = [
    { kind: "matmul", title: "matmul, GFLOP/s (higher is better)", label: (w) => `N=${w.n}` },
    { kind: "add", title: "elementwise add, GB/s (higher is better)", label: (w) => (w.n >= 1 << 24 ? "16M" : "1M") },
    { kind: "tiny", title: "1,000 tiny ops, µs per op (lower is better)", label: () => "x = x + 1" },
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
    const ws = WORKLOADS.filter((w) => w.kind === panel.kind);
    const values = ws.flatMap((w) => peers.map((p) => run.results[p.id]?.[w.id]?.value).filter((v) => v !== undefined));
    const max = Math.max(1e-9, ...values);
    const plotH = panelHeight - 50;
    const base = y + 20 + plotH;
    parts.push(`<text x="${left}" y="${y + 12}" class="title">${escapeXml(panel.title)}</text>`);
    parts.push(`<line x1="${left}" y1="${base}" x2="${left + ws.length * (peers.length * bar + groupGap)}" y2="${base}" stroke="#999"/>`);
    parts.push(`<text x="${left - 6}" y="${y + 24}" class="axis" text-anchor="end">${formatValue(max)}</text>`);
    parts.push(`<text x="${left - 6}" y="${base}" class="axis" text-anchor="end">0</text>`);
    ws.forEach((w, gi) => {
      const gx = left + 4 + gi * (peers.length * bar + groupGap);
      peers.forEach((p, pi) => {
        const r = run.results[p.id]?.[w.id];
        const x = gx + pi * bar;
        if (r?.value === undefined) {
          parts.push(`<text x="${x + bar / 2}" y="${base - 3}" class="miss" text-anchor="middle">×</text>`);
          return;
        }
        const h = Math.max(1, (r.value / max) * plotH);
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
