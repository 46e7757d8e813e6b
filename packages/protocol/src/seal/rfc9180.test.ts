import { test } from "node:test";
import assert from "node:assert/strict";
import type { CipherSuite } from "@hpke/core";
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { RFC9180_A2_BASE as V } from "./rfc9180-a2.fixture.js";
import { createPortableSuite, getSuite } from "./suite.js";
import { decodeHex as h, encodeHex as hex } from "./bytes.js";

function xorNonce(base: Uint8Array, seq: number): Uint8Array {
  const out = base.slice();
  for (let i = 0, s = seq; i < 8 && s > 0; i++, s = Math.floor(s / 256)) out[11 - i]! ^= s & 0xff;
  return out;
}

async function checkSuite(name: string, suite: CipherSuite): Promise<void> {
  const eKp = await suite.kem.deriveKeyPair(h(V.ikmE));
  const rKp = await suite.kem.deriveKeyPair(h(V.ikmR));
  assert.equal(hex(new Uint8Array(await suite.kem.serializePublicKey(eKp.publicKey))), V.pkEm, `${name} pkEm`);
  assert.equal(hex(new Uint8Array(await suite.kem.serializePublicKey(rKp.publicKey))), V.pkRm, `${name} pkRm`);
  assert.equal(hex(new Uint8Array(await suite.kem.serializePrivateKey(rKp.privateKey))), V.skRm, `${name} skRm`);

  const sender = await suite.createSenderContext({ recipientPublicKey: rKp.publicKey, info: h(V.info), ekm: eKp });
  assert.equal(hex(new Uint8Array(sender.enc)), V.enc, `${name} enc`);
  const recipient = await suite.createRecipientContext({ recipientKey: rKp, enc: sender.enc, info: h(V.info) });

  const bySeq = new Map<number, (typeof V.encryptions)[number]>(V.encryptions.map((e) => [e.seq, e]));
  const pt = h(V.encryptions[0].pt);
  for (let seq = 0; seq <= 256; seq++) {
    const aad = new TextEncoder().encode(`Count-${seq}`);
    const ct = new Uint8Array(await sender.seal(pt, aad));
    const vec = bySeq.get(seq);
    if (vec) {
      assert.equal(hex(aad), vec.aad, `${name} aad ${seq}`);
      assert.equal(hex(ct), vec.ct, `${name} ct seq ${seq}`);
    }
    assert.deepEqual(new Uint8Array(await recipient.open(ct, aad)), pt, `${name} open seq ${seq}`);
  }
  for (const e of V.exports) {
    const ctx = h(e.exporter_context);
    assert.equal(hex(new Uint8Array(await sender.export(ctx, e.L))), e.exported_value, `${name} sender export`);
    assert.equal(hex(new Uint8Array(await recipient.export(ctx, e.L))), e.exported_value, `${name} recipient export`);
  }
}

test("RFC 9180 A.2.1 vectors through @hpke/core (runtime suite)", async () => {
  await checkSuite("runtime", await getSuite());
});

test("RFC 9180 A.2.1 vectors through @hpke/core (portable pure-JS suite)", async () => {
  await checkSuite("portable", createPortableSuite());
});

test("RFC 9180 A.2.1 key/nonce schedule matches the raw ChaCha20-Poly1305 used for streams", () => {
  for (const e of V.encryptions) {
    const nonce = xorNonce(h(V.base_nonce), e.seq);
    assert.equal(hex(nonce), e.nonce);
    const ct = chacha20poly1305(h(V.key), nonce, h(e.aad)).encrypt(h(e.pt));
    assert.equal(hex(ct), e.ct);
  }
});
