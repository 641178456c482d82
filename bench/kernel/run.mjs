// Kernel latency, side by side: the tsdl kernel and plain tslab in one run, each started with a
// fresh connection file and a fresh temporary notebook folder, measured over the Jupyter
// protocol on ZeroMQ. Cold starts run one kernel at a time (the order alternates by round); the
// warm measurements then alternate request by request between the kernels, so each pair of
// samples sees the same machine load.
//   cold start   spawn -> first kernel_info_reply
//   first 1+1    spawn -> execute_reply of the first `1+1` (the kernel fully usable)
//   warm 1+1     execute_request -> execute_reply, median of 20
//   typed cell   a 50-line typed cell (interface, type, functions), median of 20
//   RSS          VmRSS once the first cell has run, and after all the cells above plus 50 session
//                cells (each adds a 1000-element array and a function)
//
//   node bench/kernel/run.mjs [--rounds N] [--reps N] [--json FILE] [--only tsdl|tslab] [--kernel label=cli.js]
// Prints a markdown table of medians over the rounds (min–max in brackets).

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { Client, rssBytes } from "./client.mjs";
import { ONE_PLUS_ONE, growingCell, typedCell } from "./cells.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

const KERNELS = {
  tsdl: {
    label: "tsdl (ours)",
    // The kernelspec's argv (kernel/src/install.ts).
    argv: [process.execPath, path.join(ROOT, "kernel", "dist", "src", "cli.js"), "kernel", "{connection_file}"],
  },
  tslab: {
    label: "tslab 1.0.22",
    // tslab's own kernelspec: `tslab kernel --config-path {connection_file}`.
    argv: [process.execPath, path.join(ROOT, "node_modules", "tslab", "bin", "tslab"), "kernel", "--config-path", "{connection_file}"],
  },
};

function args() {
  const a = process.argv.slice(2);
  const get = (name, dflt) => {
    const i = a.indexOf(name);
    return i >= 0 ? a[i + 1] : dflt;
  };
  // --kernel "label=path/to/cli.js" (repeatable) adds another build of the tsdl kernel, e.g. the
  // previous commit's, measured in the same run.
  const extra = a.flatMap((x, i) => (x === "--kernel" ? [a[i + 1]] : []));
  return { rounds: Number(get("--rounds", "3")), json: get("--json", null), only: get("--only", null), reps: Number(get("--reps", "20")), extra };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function check(reply, what) {
  if (reply.content.status !== "ok") throw new Error(`${what} failed: ${JSON.stringify(reply.content)}`);
}

async function start(name) {
  const k = KERNELS[name];
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "tsdl-bench-nb-"));
  const { client, t0 } = await Client.spawn(k.argv, { cwd });
  // Sent at once: ZeroMQ queues it until the kernel has bound its sockets.
  const info = await client.request("kernel_info_request", {}, { timeoutMs: 60000 });
  const coldStart = performance.now() - t0;
  await client.waitReady();
  const first = await client.execute(ONE_PLUS_ONE);
  check(first.reply, `${name}: first 1+1`);
  const firstCell = performance.now() - t0;
  const rssStart = rssBytes(client.proc.pid);
  return { name, client, cwd, r: { kernel: name, implementation: info.reply.content.implementation, coldStart, firstCell, rssStart } };
}

/** Runs `code` on every kernel in turn, `reps` times (paired samples under the same load). */
async function interleaved(kernels, code, reps, what) {
  const times = new Map(kernels.map((k) => [k.name, []]));
  for (let i = 0; i < reps; i++) {
    const c = typeof code === "function" ? code(i) : code;
    for (const k of i % 2 ? [...kernels].reverse() : kernels) {
      const r = await k.client.execute(c);
      check(r.reply, `${k.name}: ${what}`);
      times.get(k.name).push(r.ms);
    }
  }
  return times;
}

/** One round: cold starts one after the other (alone on the machine), then the warm
 * measurements interleaved request by request, so both kernels see the same load. */
async function runRound(names, reps) {
  const kernels = [];
  try {
    for (const n of names) kernels.push(await start(n));
    await interleaved(kernels, ONE_PLUS_ONE, 3, "warm-up");
    const warm = await interleaved(kernels, ONE_PLUS_ONE, reps, "1+1");
    const typed = await interleaved(kernels, typedCell(), reps, "typed cell");
    const growing = await interleaved(kernels, growingCell, 50, "session cell");
    return kernels.map((k) => ({
      ...k.r,
      warm: median(warm.get(k.name)),
      typed: median(typed.get(k.name)),
      growing: median(growing.get(k.name)),
      rss50: rssBytes(k.client.proc.pid),
      missingIdle: k.client.missingIdle ?? 0,
    }));
  } finally {
    for (const k of kernels) {
      await k.client.shutdown();
      fs.rmSync(k.cwd, { recursive: true, force: true });
    }
  }
}

const COLUMNS = [
  ["coldStart", "cold start → kernel_info_reply (ms)", 0],
  ["firstCell", "start → first `1+1` reply (ms)", 0],
  ["warm", "warm `1+1` median (ms)", 1],
  ["typed", "50-line typed cell median (ms)", 1],
  ["growing", "50 session cells, median (ms)", 1],
  ["rssStart", "RSS after start (MB)", 0, 1e6],
  ["rss50", "RSS after all cells (MB)", 0, 1e6],
];

function table(results, names) {
  const head = `| kernel | ${COLUMNS.map((c) => c[1]).join(" | ")} |`;
  const sep = `|---|${COLUMNS.map(() => "---:").join("|")}|`;
  const rows = names.map((n) => {
    const rs = results.filter((r) => r.kernel === n);
    const cells = COLUMNS.map(([key, , digits, scale = 1]) => {
      const xs = rs.map((r) => r[key]).filter((x) => x !== null).map((x) => x / scale);
      if (!xs.length) return "n/a";
      const fmt = (x) => x.toFixed(digits);
      return xs.length > 1 ? `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})` : fmt(xs[0]);
    });
    return `| ${KERNELS[n].label} | ${cells.join(" | ")} |`;
  });
  return [head, sep, ...rows].join("\n");
}

async function main() {
  const o = args();
  const names = o.only ? [o.only] : ["tsdl", "tslab"];
  for (const spec of o.extra) {
    const at = spec.indexOf("=");
    if (at < 1) throw new Error(`--kernel needs label=path, got ${spec}`);
    const label = spec.slice(0, at);
    KERNELS[label] = { label, argv: [process.execPath, path.resolve(spec.slice(at + 1)), "kernel", "{connection_file}"] };
    names.push(label);
  }
  if (!fs.existsSync(KERNELS.tsdl.argv[1]) && names.includes("tsdl")) {
    throw new Error(`build the kernel first (npm run build -w kernel): ${KERNELS.tsdl.argv[1]} is missing`);
  }
  const results = [];
  for (let round = 0; round < o.rounds; round++) {
    // Alternate the order, so neither kernel always runs on a machine warmed by the other.
    const order = round % 2 ? [...names].reverse() : names;
    for (const r of await runRound(order, o.reps)) {
      const n = r.kernel;
      results.push(r);
      if (r.missingIdle) console.error(`  ${n}: ${r.missingIdle} requests never got their idle status`);
      console.error(
        `round ${round + 1} ${n}: cold ${r.coldStart.toFixed(0)} ms, first cell ${r.firstCell.toFixed(0)} ms, ` +
          `1+1 ${r.warm.toFixed(1)} ms, typed ${r.typed.toFixed(1)} ms, RSS ${(r.rssStart / 1e6).toFixed(0)} -> ${(r.rss50 / 1e6).toFixed(0)} MB`,
      );
    }
  }
  console.log(`\nKernel latency, ${o.rounds} rounds alternating, medians (min–max over rounds); ${os.cpus().length} CPUs, Node ${process.versions.node}\n`);
  console.log(table(results, names));
  console.log(`\nRSS after all cells: after 3 warm-up + ${o.reps} \`1+1\` + ${o.reps} typed cells + 50 session cells (each adds a 1000-element array and a function).`);
  if (o.json) fs.writeFileSync(o.json, JSON.stringify(results, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
