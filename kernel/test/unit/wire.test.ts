// Message framing and signing, without sockets.

import { strict as assert } from "node:assert";
import { createHmac } from "node:crypto";
import { DELIMITER, Signer, decode, encode, newHeader } from "../../src/protocol/wire";

const signer = new Signer("secret-key");

function sample() {
  return {
    identities: [Buffer.from("client-1")],
    header: newHeader("execute_request", "s1"),
    parent_header: {},
    metadata: { cellId: "c" },
    content: { code: "1 + 1" },
    buffers: [Buffer.from([1, 2, 3])],
  };
}

describe("wire format", () => {
  it("signs header, parent, metadata and content with HMAC-SHA256 (hex)", () => {
    const msg = sample();
    const frames = encode(msg, signer);
    assert.equal(frames[1].toString(), DELIMITER);
    const expected = createHmac("sha256", "secret-key");
    for (const f of frames.slice(3, 7)) expected.update(f);
    assert.equal(frames[2].toString(), expected.digest("hex"));
  });

  it("round-trips a message with identities and buffers", () => {
    const msg = sample();
    const back = decode(encode(msg, signer), signer);
    assert.ok(!("failure" in back));
    assert.deepEqual(back.identities, msg.identities);
    assert.deepEqual(back.header, msg.header);
    assert.deepEqual(back.content, msg.content);
    assert.deepEqual(back.metadata, msg.metadata);
    assert.deepEqual(back.buffers, msg.buffers);
  });

  it("rejects a wrong, missing or truncated signature and a changed body", () => {
    const frames = encode(sample(), signer);
    const withSig = (sig: Buffer) => [...frames.slice(0, 2), sig, ...frames.slice(3)];
    assert.deepEqual(decode(withSig(Buffer.from("f".repeat(64))), signer), { failure: "invalid signature" });
    assert.deepEqual(decode(withSig(Buffer.alloc(0)), signer), { failure: "invalid signature" });
    assert.deepEqual(decode(withSig(frames[2].subarray(0, 10)), signer), { failure: "invalid signature" });
    const tampered = frames.slice();
    tampered[6] = Buffer.from('{"code":"process.exit()"}');
    assert.deepEqual(decode(tampered, signer), { failure: "invalid signature" });
    const otherKey = new Signer("other");
    assert.deepEqual(decode(frames, otherKey), { failure: "invalid signature" });
  });

  it("accepts unsigned messages only when the key is empty", () => {
    const open = new Signer("");
    const frames = encode(sample(), open);
    assert.equal(frames[2].length, 0);
    assert.ok(!("failure" in decode(frames, open)));
    assert.deepEqual(decode(frames, signer), { failure: "invalid signature" });
  });

  it("explains malformed frames instead of throwing", () => {
    const frames = encode(sample(), signer);
    assert.deepEqual(decode([Buffer.from("x")], signer), { failure: "no <IDS|MSG> delimiter" });
    assert.deepEqual(decode(frames.slice(0, 5), signer), { failure: "expected 5 frames after the delimiter, got 3" });
    const bad = [Buffer.from("{"), Buffer.from("{}"), Buffer.from("{}"), Buffer.from("{}")];
    assert.deepEqual(decode([Buffer.from(DELIMITER), Buffer.from(signer.sign(bad)), ...bad], signer), { failure: "header is not valid JSON" });
  });

  it("rejects unknown signature schemes", () => {
    assert.throws(() => new Signer("k", "sha256"), /unsupported signature_scheme/);
  });
});
