// The connection file a Jupyter client writes before starting the kernel: where to bind the five
// sockets and the key that signs every message.
// https://jupyter-client.readthedocs.io/en/latest/kernels.html#connection-files

import { readFileSync } from "node:fs";

export type Channel = "shell" | "control" | "stdin" | "iopub" | "hb";
export const CHANNELS: readonly Channel[] = ["shell", "control", "stdin", "iopub", "hb"];

export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  ip: string;
  key: string;
  signature_scheme: string;
  shell_port: number;
  control_port: number;
  stdin_port: number;
  iopub_port: number;
  hb_port: number;
}

export function readConnectionFile(path: string): ConnectionInfo {
  const raw = JSON.parse(readFileSync(path, "utf8")) as Partial<ConnectionInfo>;
  const transport = raw.transport ?? "tcp";
  if (transport !== "tcp" && transport !== "ipc") throw new Error(`${path}: unsupported transport ${String(transport)}`);
  if (typeof raw.ip !== "string" || raw.ip === "") throw new Error(`${path}: no ip`);
  for (const c of CHANNELS) {
    const port = raw[`${c}_port`];
    if (!Number.isInteger(port) || (port as number) <= 0) throw new Error(`${path}: ${c}_port must be a positive integer`);
  }
  return {
    transport,
    ip: raw.ip,
    key: raw.key ?? "",
    signature_scheme: raw.signature_scheme ?? "hmac-sha256",
    shell_port: raw.shell_port!,
    control_port: raw.control_port!,
    stdin_port: raw.stdin_port!,
    iopub_port: raw.iopub_port!,
    hb_port: raw.hb_port!,
  };
}

/** The one address a channel binds to: exactly the connection file's ip, never a wildcard
 * chosen by us, so a kernel started for localhost is not reachable from the network. */
export function addressOf(info: ConnectionInfo, channel: Channel): string {
  const port = info[`${channel}_port`];
  return info.transport === "ipc" ? `ipc://${info.ip}-${port}` : `tcp://${info.ip}:${port}`;
}
