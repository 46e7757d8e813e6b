import assert from "node:assert/strict";
import { createHash, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { encodeBase64, type Tpm2Evidence } from "@darkbloom/protocol";
import { TpmVerifier } from "./tpm-verifier.js";
import { makeCredential } from "./make-credential.js";
import { objectName, parsePublic } from "./structures.js";

// Recorded from a real swtpm by __fixtures__/make-fixtures.sh.
const fixture = (name: string): Buffer => readFileSync(new URL(`../../../../src/trust/hardware/tpm/__fixtures__/${name}`, import.meta.url));
const ca = new X509Certificate(fixture("ca.pem"));
const otherCa = new X509Certificate(fixture("other-ca.pem"));
const subjectHash = createHash("sha256").update(fixture("subject.txt")).digest();
const evidence: Tpm2Evidence = {
  kind: "tpm2",
  ek_cert: encodeBase64(fixture("ek.der")),
  ak_public: encodeBase64(fixture("ak.pub")),
  quote: encodeBase64(fixture("quote.msg")),
  signature: encodeBase64(fixture("quote.sig")),
};
const ek = new X509Certificate(fixture("ek.der"));
const now = Date.parse(ek.validFrom) + 60_000;

function flip(b64: string, index: number): string {
  const bytes = Buffer.from(b64, "base64");
  bytes[index]! ^= 0x01;
  return bytes.toString("base64");
}

test("a real swtpm quote over the subject, with an EK issued by the configured CA, verifies", async () => {
  const verdict = await new TpmVerifier({ anchors: [ca] }).verify(evidence, subjectHash, now);
  assert.equal(verdict.ok, true, verdict.ok ? "" : verdict.reason);
  assert.ok(verdict.ok && verdict.session.challenge?.kind === "tpm2");
});

test("refusals: tampered quote, tampered signature, other subject, wrong CA, expired or not-yet-valid EK cert, missing EK cert", async () => {
  const verifier = new TpmVerifier({ anchors: [ca] });
  const otherSubject = createHash("sha256").update("another attestation").digest();
  const quoteLength = fixture("quote.msg").length;
  const cases: [string, Tpm2Evidence, Uint8Array, number, RegExp, TpmVerifier?][] = [
    ["tampered quote (clock)", { ...evidence, quote: flip(evidence.quote, quoteLength - 40) }, subjectHash, now, /signature does not verify/],
    ["tampered quote (extraData)", { ...evidence, quote: flip(evidence.quote, 45) }, subjectHash, now, /extraData differs/],
    ["tampered quote (magic)", { ...evidence, quote: flip(evidence.quote, 0) }, subjectHash, now, /magic/],
    ["tampered signature", { ...evidence, signature: flip(evidence.signature, 40) }, subjectHash, now, /signature does not verify/],
    ["truncated quote", { ...evidence, quote: fixture("quote.msg").subarray(0, 60).toString("base64") }, subjectHash, now, /truncated/],
    ["quote over another attestation (wrong nonce/hash)", evidence, otherSubject, now, /extraData differs/],
    ["EK cert from another CA", evidence, subjectHash, now, /not issued by a configured TPM CA/, new TpmVerifier({ anchors: [otherCa] })],
    ["EK cert expired", evidence, subjectHash, Date.UTC(10_000, 0, 1), /expired/],
    ["EK cert not yet valid", evidence, subjectHash, Date.parse(ek.validFrom) - 86_400_000, /not valid before/],
    ["no EK cert", { ...evidence, ek_cert: undefined }, subjectHash, now, /no EK certificate/],
    ["AK not restricted (a key that could sign a forged quote)", { ...evidence, ak_public: flip(evidence.ak_public, 7) }, subjectHash, now, /AK attributes/],
  ];
  for (const [name, ev, subject, at, reason, v] of cases) {
    const verdict = await (v ?? verifier).verify(ev, subject, at);
    assert.equal(verdict.ok, false, name);
    assert.match(verdict.ok ? "" : verdict.reason, reason, name);
  }
});

test("the session asks for credential activation, then takes fresh quotes by the same AK only", async () => {
  const verdict = await new TpmVerifier({ anchors: [ca] }).verify(evidence, subjectHash, now);
  assert.ok(verdict.ok);
  const { session } = verdict;
  // The recorded quote stands in for a response quote over the challenge subject.
  assert.match(await reason(session.check(undefined, subjectHash, now)), /no TPM evidence/);
  assert.match(await reason(session.check(evidence, subjectHash, now)), /credential activation failed/);
  const wrongSecret = encodeBase64(new Uint8Array(32));
  assert.match(await reason(session.check({ ...evidence, credential: wrongSecret }, subjectHash, now)), /credential activation failed/);
  assert.match(await reason(session.check({ ...evidence, ak_public: flip(evidence.ak_public, 100) }, subjectHash, now)), /not the registered one/);
});

test("a correct credential answer completes activation; later quotes need no answer but must verify", async () => {
  const secret = new Uint8Array(32).fill(7);
  let calls = 0;
  const verifier = new TpmVerifier({ anchors: [ca], random: (n) => (calls++ === 0 ? secret : new Uint8Array(n).fill(9)) });
  const verdict = await verifier.verify(evidence, subjectHash, now);
  assert.ok(verdict.ok);
  const { session } = verdict;
  const credential = encodeBase64(secret);
  assert.match(await reason(session.check({ ...evidence, credential }, createHash("sha256").update("x").digest(), now)), /extraData differs/);
  assert.equal((await session.check({ ...evidence, credential }, subjectHash, now)).ok, true);
  assert.equal((await session.check(evidence, subjectHash, now)).ok, true);
  assert.match(await reason(session.check({ ...evidence, signature: flip(evidence.signature, 40) }, subjectHash, now)), /signature/);
});

test("makeCredential matches what the real TPM activated (recorded seed and secret)", () => {
  const rec = JSON.parse(fixture("credential.json").toString("utf8")) as { seed: string; secret: string; id_object: string; activated: string };
  assert.equal(rec.activated, rec.secret);
  const name = objectName(parsePublic(fixture("ak.pub")));
  const made = makeCredential(ek.publicKey, name, Buffer.from(rec.secret, "hex"), Buffer.from(rec.seed, "hex"));
  assert.equal(Buffer.from(made.idObject).toString("hex"), rec.id_object);
  assert.equal(made.encryptedSecret.length, 2 + 256);
});

async function reason(p: Promise<{ ok: true } | { ok: false; reason: string }>): Promise<string> {
  const r = await p;
  return r.ok ? "ok" : r.reason;
}
