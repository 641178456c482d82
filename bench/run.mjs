// `npm run bench`: every peer side by side in one run, each in its own child process (so one
// peer's Dawn instance or crash cannot disturb another), then a table on stdout, JSON in
// results/latest.json, an SVG chart in results/latest.svg and the children's chatter in
// results/latest.log. A run of some peers or workloads (--only, --workloads) writes
// results/partial.* instead, so that it does not replace the last full run.
//
// Options: --only PEER,PEER  run some peers     --quick  one short block per workload
//          --budget S        seconds per workload and peer (default 20)
//          --repeat R        R rounds over all peers, keeping each cell's best (for a busy machine)
//          --workloads W,W   run some workloads (ids in lib/workloads.mjs, e.g. mlp-step,conv-step)
//          --out NAME        write results/NAME.* (default: latest, or partial with --only or --workloads)
//          --render          redraw table and chart from results/latest.json, run nothing
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PEERS } from "./peers/index.mjs";
import { WORKLOADS, higherIsBetter } from "./lib/workloads.mjs";
import { renderTable, renderTraining, renderChecks, renderSvg } from "./lib/report.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const resultsDir = path.join(here, "results");
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes("--quick");
const budget = Number(option("--budget") ?? 20);
const repeat = Math.max(1, Number(option("--repeat") ?? 1));
const only = option("--only")?.split(",");
const peers = only ? PEERS.filter((p) => only.includes(p.id)) : PEERS;
if (only && peers.length !== only.length) {
  console.error(`unknown peer in --only; peers are: ${PEERS.map((p) => p.id).join(", ")}`);
  process.exit(2);
}
const onlyWorkloads = option("--workloads")?.split(",");
const workloads = onlyWorkloads ? WORKLOADS.filter((w) => onlyWorkloads.includes(w.id)) : WORKLOADS;
if (onlyWorkloads && workloads.length !== onlyWorkloads.length) {
  console.error(`unknown workload in --workloads; workloads are: ${WORKLOADS.map((w) => w.id).join(", ")}`);
  process.exit(2);
}

const outName = option("--out") ?? (only || onlyWorkloads ? "partial" : "latest");
const outFile = (ext) => path.join(resultsDir, `${outName}.${ext}`);

fs.mkdirSync(resultsDir, { recursive: true });
if (args.includes("--render")) {
  const saved = JSON.parse(fs.readFileSync(path.join(resultsDir, "latest.json"), "utf8"));
  fs.writeFileSync(path.join(resultsDir, "latest.svg"), renderSvg(saved));
  console.log([renderTable(saved), renderTraining(saved), renderChecks(saved)].filter(Boolean).join("\n\n"));
  process.exit(0);
}
const log = fs.createWriteStream(outFile("log"));
const noise = /artificially reduced|Hi, looks like you are running TensorFlow\.js|tfjs-node|^=+$|^\s*$/;

/** One child process over the given workloads; resolves with what it reported. */
function runChild(peer, workloadIds, estimates) {
  return new Promise((resolve) => {
    const childArgs = [path.join(here, "child.mjs"), peer.id, workloadIds.join(","), "--budget", String(budget), "--estimates", JSON.stringify(estimates)];
    if (quick) childArgs.push("--quick");
    const child = spawn(process.execPath, childArgs, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...peer.env } });
    const report = { results: {}, started: null, info: null, exit: null, timedOut: false };
    // A training workload may also spend up to 2 budgets on each of two variants' first steps
    // (shader compilation, tracing), which do not count against its budget (training.mjs).
    const perWorkload = (id) => budget * (WORKLOADS.find((w) => w.id === id).kind === "train" ? 5.5 : 1.5);
    const limit = (workloadIds.reduce((s, id) => s + perWorkload(id), 0) + 90) * 1000;
    const timer = setTimeout(() => {
      report.timedOut = true;
      child.kill("SIGKILL");
    }, limit);
    let buffered = "";
    child.stdout.on("data", (chunk) => {
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const lineText = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const m = /^@@(\w+) (.*)$/.exec(lineText);
        if (!m) {
          if (!noise.test(lineText)) log.write(`[${peer.id}] ${lineText}\n`);
        } else if (m[1] === "start") {
          report.started = m[2];
          process.stdout.write(`  ${peer.label}: ${m[2]} ...`);
        } else if (m[1] === "result") {
          const r = JSON.parse(m[2]);
          report.results[r.workload] = r;
          const shown = r.value !== undefined ? `${r.value.toFixed(2)} ${r.unit}` : r.absent ? "—" : r.skipped ? r.skipped : `error: ${r.error}`;
          process.stdout.write(report.started === r.workload ? ` ${shown}\n` : `  ${peer.label}: ${r.workload} ${shown}\n`);
          report.started = null;
        } else if (m[1] === "peer") {
          report.info = JSON.parse(m[2]);
        }
      }
    });
    child.stderr.on("data", (chunk) => {
      for (const lineText of String(chunk).split("\n")) if (!noise.test(lineText)) log.write(`[${peer.id}] ${lineText}\n`);
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      report.exit = signal ?? code;
      if (report.started) process.stdout.write(report.timedOut ? " timed out\n" : ` died (${report.exit})\n`);
      resolve(report);
    });
  });
}

/** All workloads on one peer; a crashed or hung child is restarted on what is left, once per workload. */
async function runPeer(peer) {
  const results = {};
  const estimates = {};
  const tries = {};
  let info = null;
  let remaining = workloads.map((w) => w.id);
  while (remaining.length > 0) {
    const report = await runChild(peer, remaining, estimates);
    info ??= report.info;
    Object.assign(results, report.results);
    for (const r of Object.values(report.results)) {
      const w = WORKLOADS.find((x) => x.id === r.workload);
      if (r.secondsPerCall !== undefined && w.kind !== "tiny") estimates[w.kind] = { n: w.n, secondsPerCall: r.secondsPerCall };
    }
    if (report.started) {
      tries[report.started] = (tries[report.started] ?? 0) + 1;
      if (tries[report.started] >= 2) {
        results[report.started] = {
          workload: report.started,
          error: report.timedOut ? "timed out twice" : `the process died twice (${report.exit}); see results/${outName}.log`,
        };
      }
    } else if (remaining.some((id) => !results[id])) {
      // Left without starting what remains (e.g. died at start-up): record it rather than loop.
      for (const id of remaining) results[id] ??= { workload: id, error: `the process exited with ${report.exit}; see results/${outName}.log` };
    }
    remaining = remaining.filter((id) => !results[id]);
  }
  return { results, info };
}

const load = () => os.loadavg()[0];
const started = Date.now();
const run = {
  date: new Date().toISOString(),
  machine: {
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    cpuCount: os.cpus().length,
    loadAverageAtStart: load(),
  },
  options: { quick, budget, repeat },
  method:
    "Random inputs. Per workload: one warm-up call, one sizing call, then up to 3 timed blocks of calls " +
    "(about 0.7 s each; 0.2 s when quick; a first block shorter than that is doubled until it is not), each ended by the library's sync and one readback of the last result; the best block counts. " +
    "matmul: 2N^3 flops per call; add: 12 bytes per float (two reads, one write); tiny: x = x + 1 on 16 floats, 1000 times, one readback, timed differently: whole chains until the median of the last 3 " +
    "is within 5% of the 3 before (at least 6), then the median of 15 chains (5 when quick), shown with its interquartile range. " +
    "Training steps (ms per step): forward, backward and SGD update (lr 0.1) on one fixed random batch from weights shared by all peers, " +
    "each step ended by the new parameters being computed and the loss read back; 5 checked steps (the first, with shader compilation, " +
    "timed alone as the first step), untimed steps (one block, and at least 1.5 s quick / 3 s full), then blocks of steps, the best block counts.",
  adapter: null,
  peers: [],
  results: {},
};

console.log(`tsdl bench: ${peers.length} peers, ${workloads.length} workloads${quick ? " (quick)" : ""}, budget ${budget} s per workload`);
if (run.machine.loadAverageAtStart > 1) {
  console.log(`note: load average ${run.machine.loadAverageAtStart.toFixed(1)} at start; other work on this machine skews the numbers`);
}
// Written after every peer too, so a run stopped part-way (a device machine's time limit)
// still leaves the peers it finished.
function save() {
  run.seconds = (Date.now() - started) / 1000;
  run.machine.loadAverageAtEnd = load();
  fs.writeFileSync(outFile("json"), JSON.stringify(run, null, 2) + "\n");
  fs.writeFileSync(outFile("svg"), renderSvg(run));
}
// A cell keeps its best value over the rounds (highest, or lowest for per-op latency).
const better = (id, a, b) => {
  if (a?.value === undefined) return b;
  if (b?.value === undefined) return a;
  const kind = WORKLOADS.find((w) => w.id === id).kind;
  return higherIsBetter(kind) === b.value > a.value ? b : a;
};
for (let round = 1; round <= repeat; round++) {
  if (repeat > 1) console.log(`round ${round} of ${repeat}`);
  for (const peer of peers) {
    const t0 = Date.now();
    console.log(`${peer.label}`);
    const { results, info } = await runPeer(peer);
    const kept = (run.results[peer.id] ??= {});
    for (const [id, r] of Object.entries(results)) kept[id] = better(id, kept[id], r);
    if (round === 1) run.peers.push({ id: peer.id, label: peer.label, notes: info?.notes ?? {}, seconds: 0, loadAverageAfter: [] });
    const entry = run.peers.find((p) => p.id === peer.id);
    entry.seconds += (Date.now() - t0) / 1000;
    entry.loadAverageAfter.push(load());
    if (info?.adapter) run.adapter ??= info.adapter;
    save();
  }
}
save();
log.end();

console.log("");
console.log(`${run.machine.cpuCount} × ${run.machine.cpuModel}, Node ${run.machine.node}; WebGPU adapter: ${run.adapter?.description ?? "none used"}`);
console.log("");
console.log(renderTable(run));
const training = renderTraining(run);
if (training) console.log(`\n${training}`);
const checks = renderChecks(run);
if (checks) console.log(`\n${checks}`);
console.log(`\n${run.seconds.toFixed(0)} s; wrote bench/results/${outName}.json, ${outName}.svg, ${outName}.log`);
