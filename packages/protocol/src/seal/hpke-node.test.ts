import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "@noble/hashes/utils.js";
import { decodeHex as h, encodeHex as hex, utf8Decode, utf8Encode } from "./bytes.js";
import { requireNodeHpke, setNodeHpkeEnabled } from "./hpke-node.js";
import { generateEncryptionKeyPair, openRequest, sealRequest } from "./index.js";
import { RFC9180_A2_BASE as V } from "./rfc9180-a2.fixture.js";
import { createPortableSuite, getSuite } from "./suite.js";

const hpke = requireNodeHpke();

test("RFC 9180 A.2.1 vectors through the synchronous Node HPKE", () => {
  const e = hpke.deriveKeyPair(h(V.ikmE));
  const r = hpke.deriveKeyPair(h(V.ikmR));
  assert.equal(hex(e.publicKey), V.pkEm);
  assert.equal(hex(r.publicKey), V.pkRm);
  const { enc, ctx: sender } = hpke.setupSender(r.publicKey, h(V.info), e);
  assert.equal(hex(enc), V.enc);
  const recipient = hpke.setupRecipient(enc, r, h(V.info));
  const bySeq = new Map<number, (typeof V.encryptions)[number]>(V.encryptions.map((x) => [x.seq, x]));
  const pt = h(V.encryptions[0].pt);
  for (let seq = 0; seq <= 256; seq++) {
    const aad = utf8Encode(`Count-${seq}`);
    const ct = sender.seal(pt, aad);
    const vec = bySeq.get(seq);
    if (vec) assert.equal(hex(ct), vec.ct, `ct seq ${seq}`);
    assert.deepEqual(recipient.open(ct, aad), pt, `open seq ${seq}`);
  }
  for (const x of V.exports) {
    assert.equal(hex(sender.export(h(x.exporter_context), x.L)), x.exported_value);
    assert.equal(hex(recipient.export(h(x.exporter_context), x.L)), x.exported_value);
  }
});

test("Node HPKE and @hpke/core interoperate in both directions", async () => {
  const info = utf8Encode("interop");
  const msg = randomBytes(32);
  for (const suite of [await getSuite(), createPortableSuite()]) {
    // Node sender → @hpke recipient (the recipient key derived from the same ikm on both sides).
    const ikm = randomBytes(32);
    const nodeR = hpke.deriveKeyPair(ikm);
    const suiteR = await suite.kem.deriveKeyPair(ikm);
    assert.equal(hex(new Uint8Array(await suite.kem.serializePublicKey(suiteR.publicKey))), hex(nodeR.publicKey));
    const { enc, ctx } = hpke.setupSender(nodeR.publicKey, info);
    const rc = await suite.createRecipientContext({ recipientKey: suiteR, enc, info });
    assert.deepEqual(new Uint8Array(await rc.open(ctx.seal(msg, info), info)), msg);
    assert.deepEqual(new Uint8Array(await rc.export(info, 32)), ctx.export(info, 32));
    // @hpke sender → Node recipient.
    const sc = await suite.createSenderContext({ recipientPublicKey: suiteR.publicKey, info });
    const nodeCtx = hpke.setupRecipient(new Uint8Array(sc.enc), nodeR, info);
    assert.deepEqual(nodeCtx.open(new Uint8Array(await sc.seal(msg, info)), info), msg);
    assert.deepEqual(nodeCtx.export(info, 32), new Uint8Array(await sc.export(info, 32)));
  }
});

/** Deterministic PRNG for the case mix (the key material itself is from the CSPRNG). */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (x * 1664525 + 1013904223) >>> 0) / 0x1_0000_0000;
}

test("Node HPKE matches @hpke/core on 200 random inputs, sealing with each and opening with the other", async () => {
  const rand = rng(20261129);
  const len = (max: number) => Math.floor(rand() * (max + 1));
  for (const suite of [await getSuite(), createPortableSuite()]) {
    for (let i = 0; i < 100; i++) {
      const info = randomBytes(len(64));
      const ikm = randomBytes(32);
      const nodeR = hpke.deriveKeyPair(ikm);
      const suiteR = await suite.kem.deriveKeyPair(ikm);
      const messages = Array.from({ length: 1 + len(3) }, () => ({ pt: randomBytes(len(2048)), aad: randomBytes(len(48)) }));
      const exportCtx = randomBytes(len(32));
      const exportLen = 1 + len(63);

      // Node seals (several messages: exercises the sequence counter) → @hpke/core opens.
      const { enc, ctx } = hpke.setupSender(nodeR.publicKey, info);
      const rc = await suite.createRecipientContext({ recipientKey: suiteR, enc, info });
      for (const m of messages) assert.deepEqual(new Uint8Array(await rc.open(ctx.seal(m.pt, m.aad), m.aad)), m.pt, `case ${i}: node → suite`);
      assert.deepEqual(new Uint8Array(await rc.export(exportCtx, exportLen)), ctx.export(exportCtx, exportLen), `case ${i}: export`);

      // @hpke/core seals → Node opens.
      const sc = await suite.createSenderContext({ recipientPublicKey: suiteR.publicKey, info });
      const nodeCtx = hpke.setupRecipient(new Uint8Array(sc.enc), nodeR, info);
      for (const m of messages) assert.deepEqual(nodeCtx.open(new Uint8Array(await sc.seal(m.pt, m.aad)), m.aad), m.pt, `case ${i}: suite → node`);
      assert.deepEqual(nodeCtx.export(exportCtx, exportLen), new Uint8Array(await sc.export(exportCtx, exportLen)), `case ${i}: export back`);

      // A flipped ciphertext bit is refused by both.
      const ct = ctx.seal(messages[0]!.pt, messages[0]!.aad);
      ct[Math.floor(rand() * ct.length)]! ^= 1 << Math.floor(rand() * 8);
      await assert.rejects(async () => rc.open(ct, messages[0]!.aad), `case ${i}: suite accepts a tampered ct`);
    }
  }
});

test("Node HPKE refuses low-order public keys and rejects tampering", () => {
  assert.throws(() => hpke.setupSender(new Uint8Array(32), utf8Encode("x")));
  assert.throws(() => hpke.setupSender(new Uint8Array(31), utf8Encode("x")));
  const r = hpke.generateKeyPair();
  assert.throws(() => hpke.setupRecipient(new Uint8Array(32), r, utf8Encode("x")));
  const { enc, ctx } = hpke.setupSender(r.publicKey, utf8Encode("x"));
  const ct = ctx.seal(utf8Encode("hello"), utf8Encode("aad"));
  ct[0]! ^= 1;
  assert.throws(() => hpke.setupRecipient(enc, r, utf8Encode("x")).open(ct, utf8Encode("aad")));
});

test("envelopes sealed by either implementation open with keys of either kind", async () => {
  const body = utf8Encode('{"model":"m","messages":[]}');
  try {
    const nodeKp = await generateEncryptionKeyPair();
    setNodeHpkeEnabled(false);
    const suiteKp = await generateEncryptionKeyPair();
    for (const sealWithNode of [true, false]) {
      setNodeHpkeEnabled(sealWithNode);
      const { envelope, responseKeys } = await sealRequest(body, [nodeKp, suiteKp]);
      setNodeHpkeEnabled(!sealWithNode);
      for (const kp of [nodeKp, suiteKp]) {
        const opened = await openRequest(envelope, kp);
        assert.equal(utf8Decode(opened.plaintext), utf8Decode(body));
        assert.deepEqual(opened.responseKey, responseKeys.get(kp.kid));
      }
    }
  } finally {
    setNodeHpkeEnabled(true);
  }
});
