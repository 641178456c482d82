// The GPU matmul table of bench/gpu.sh: each WebGPU peer's GFLOP/s from results/latest.json
// next to PyTorch fp32 on the same card from results/torch.json (written by gpu.sh), with
// tsdl's share of raw WGSL (the issue's goal) and of PyTorch. Prints markdown.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const results = path.join(path.dirname(fileURLToPath(import.meta.url)), "results");
const run = JSON.parse(fs.readFileSync(path.join(results, "latest.json"), "utf8"));
const torchFile = path.join(results, "torch.json");
const torch = fs.existsSync(torchFile) ? JSON.parse(fs.readFileSync(torchFile, "utf8")) : null;

const peers = ["raw-webgpu", "tsdl-webgpu", "tfjs-webgpu", "jax-webgpu"].filter((id) => run.results[id]);
const label = (id) => run.peers.find((p) => p.id === id)?.label ?? id;
const value = (id, n) => run.results[id]?.[`matmul-${n}`]?.value;
const fmt = (v) => (v === undefined ? "—" : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const pct = (a, b) => (a === undefined || b === undefined ? "—" : `${((100 * a) / b).toFixed(0)}%`);

const columns = [...peers.map(label), ...(torch ? [`PyTorch ${torch.torch} fp32`] : []), "tsdl / raw", ...(torch ? ["tsdl / PyTorch"] : [])];
console.log(`matmul GFLOP/s on ${run.adapter?.description ?? "the adapter"}${torch ? ` (${torch.device})` : ""}`);
console.log(`| N | ${columns.join(" | ")} |`);
console.log(`|--:|${columns.map(() => "--:").join("|")}|`);
for (const n of [256, 512, 1024, 2048]) {
  const torchValue = torch?.matmulGflops?.[n];
  const tsdl = value("tsdl-webgpu", n);
  const cells = [...peers.map((id) => fmt(value(id, n))), ...(torch ? [fmt(torchValue)] : []), pct(tsdl, value("raw-webgpu", n)), ...(torch ? [pct(tsdl, torchValue)] : [])];
  console.log(`| ${n} | ${cells.join(" | ")} |`);
}
