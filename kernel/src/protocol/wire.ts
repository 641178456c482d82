// The Jupyter wire format: routing identities, the "<IDS|MSG>" delimiter, an HMAC signature,
// four JSON frames (header, parent header, metadata, content) and optional binary buffers.
// https://jupyter-client.readthedocs.io/en/latest/messaging.html#the-wire-protocol
//
// Decoding never throws: a malformed or badly signed message comes back as a DecodeFailure so
// that the socket loop can log and drop it without tearing the kernel down.

import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";

export const DELIMITER = "<IDS|MSG>";
export const PROTOCOL_VERSION = "5.3";

export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

export type Json = Record<string, unknown>;

export interface Message<C = Json> {
  /** ZeroMQ routing prefix of a ROUTER socket (who to answer); topic frames on iopub. */
  identities: Buffer[];
  header: Header;
  parent_header: Header | Json;
  metadata: Json;
  content: C;
  buffers: Buffer[];
}

export interface DecodeFailure {
  failure: string;
}

/** Signs and verifies with HMAC (the connection file's key and scheme). An empty key turns
 * authentication off, as the protocol specifies. */
export class Signer {
  private readonly algorithm: string | null;

  constructor(private readonly key: string, scheme = "hmac-sha256") {
    if (!scheme.startsWith("hmac-")) throw new Error(`unsupported signature_scheme ${scheme}`);
    this.algorithm = key ? scheme.slice("hmac-".length) : null;
  }

  sign(parts: Buffer[]): string {
    if (!this.algorithm) return "";
    const hmac = createHmac(this.algorithm, this.key);
    for (const part of parts) hmac.update(part);
    return hmac.digest("hex");
  }

  /** Constant-time comparison, so the signature cannot be guessed byte by byte from timing. */
  verify(signature: Buffer, parts: Buffer[]): boolean {
    if (!this.algorithm) return true;
    const expected = Buffer.from(this.sign(parts), "latin1");
    if (signature.length !== expected.length) return false;
    return timingSafeEqual(signature, expected);
  }
}

function parseObject(frame: Buffer, name: string): Json | string {
  let value: unknown;
  try {
    value = JSON.parse(frame.toString("utf8"));
  } catch {
    return `${name} is not valid JSON`;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return `${name} is not a JSON object`;
  return value as Json;
}

export function decode(frames: Buffer[], signer: Signer): Message | DecodeFailure {
  const at = frames.findIndex((f) => f.length === DELIMITER.length && f.toString("latin1") === DELIMITER);
  if (at < 0) return { failure: "no <IDS|MSG> delimiter" };
  if (frames.length < at + 6) return { failure: `expected 5 frames after the delimiter, got ${frames.length - at - 1}` };
  const [signature, ...signed] = frames.slice(at + 1, at + 6);
  if (!signer.verify(signature, signed)) return { failure: "invalid signature" };
  const parsed = signed.map((frame, i) => parseObject(frame, ["header", "parent_header", "metadata", "content"][i]));
  const bad = parsed.find((p): p is string => typeof p === "string");
  if (bad) return { failure: bad };
  const [header, parent, metadata, content] = parsed as Json[];
  if (typeof header.msg_type !== "string" || typeof header.msg_id !== "string") {
    return { failure: "header lacks msg_type or msg_id" };
  }
  return {
    identities: frames.slice(0, at),
    header: header as unknown as Header,
    parent_header: parent,
    metadata,
    content,
    buffers: frames.slice(at + 6),
  };
}

export function encode(msg: Message<unknown>, signer: Signer): Buffer[] {
  const signed = [msg.header, msg.parent_header, msg.metadata, msg.content].map((part) =>
    Buffer.from(JSON.stringify(part), "utf8"),
  );
  return [...msg.identities, Buffer.from(DELIMITER), Buffer.from(signer.sign(signed)), ...signed, ...msg.buffers];
}

export function newHeader(msgType: string, session: string): Header {
  return {
    msg_id: randomUUID(),
    session,
    username: "kernel",
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}

/** A message in answer to (or on behalf of) `parent`: same routing, parent header set. */
export function childOf<C>(parent: Message<unknown>, msgType: string, content: C, session: string, metadata: Json = {}): Message<C> {
  return {
    identities: parent.identities,
    header: newHeader(msgType, session),
    parent_header: parent.header,
    metadata,
    content,
    buffers: [],
  };
}
