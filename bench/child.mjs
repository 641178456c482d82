// Runs the given workloads on one peer and reports each result as a line on stdout:
//   @@start <workload id>      before a workload begins (so a crash or hang can be attributed)
//   @@result <json>            after it ends: {workload, value, unit, ...} or {workload, skipped|error}
//   @@peer <json>              once, after the peer initialised: {adapter?, notes}
// Usage: node child.mjs PEER_ID WORKLOAD_IDS [--budget S] [--quick] [--estimates JSON]
import { PEERS } from "./peers/index.mjs";
import { WORKLOADS, runWorkload, checkPeer } from "./lib/workloads.mjs";

const [peerId, workloadList, ...rest] = process.argv.slice(2);
const option = (name) => {
  const i = rest.indexOf(name);
  return i >= 0 ? rest[i + 1] : undefined;
};
const budget = Number(option("--budget") ?? 20);
const quick = rest.includes("--quick");
const estimates = JSON.parse(option("--estimates") ?? "{}");

const emit = (tag, payload) => process.stdout.write(`@@${tag} ${typeof payload === "string" ? payload : JSON.stringify(payload)}\n`);
const firstLine = (err) => String(err?.message ?? err).split("\n")[0];

const spec = PEERS.find((p) => p.id === peerId);
if (!spec) {
  console.error(`unknown peer ${peerId}`);
  process.exit(2);
}
const workloads = workloadList.split(",").map((id) => WORKLOADS.find((w) => w.id === id));

let peer;
try {
  peer = await spec.load();
  await checkPeer(peer);
} catch (err) {
  for (const w of workloads) emit("result", { workload: w.id, error: `${peer ? "check" : "init"} failed: ${firstLine(err)}` });
  process.exit(0);
}
emit("peer", { adapter: peer.adapter, notes: peer.notes });

for (const w of workloads) {
  emit("start", w.id);
  try {
    const r = await runWorkload(peer, w, { budget, estimates, quick, gpu: spec.gpu });
    emit("result", { workload: w.id, ...r, secondsPerCall: w.n !== undefined && estimates[w.kind]?.n === w.n ? estimates[w.kind].secondsPerCall : undefined });
  } catch (err) {
    emit("result", { workload: w.id, error: firstLine(err) });
  }
}
try {
  await peer.shutdown();
} catch (err) {
  console.error(`shutdown failed: ${firstLine(err)}`);
}
// Some peers keep Dawn's device (and its threads) alive; the results are out, so leave now.
process.exit(0);
