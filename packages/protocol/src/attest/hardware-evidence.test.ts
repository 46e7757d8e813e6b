import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeProviderFrame } from "../frames/index.js";
import { HardwareChallengeSchema, HardwareEvidenceSchema } from "./hardware-evidence.js";

const ok = { kind: "tpm2", ak_public: "AAAA", quote: "AAAA", signature: "AAAA" };

test("hardware evidence is a tagged union, bounded field by field", () => {
  assert.equal(HardwareEvidenceSchema.safeParse(ok).success, true);
  assert.equal(HardwareEvidenceSchema.safeParse({ ...ok, kind: "sev-snp" }).success, false);
  assert.equal(HardwareEvidenceSchema.safeParse({ ...ok, quote: "A".repeat(2052) }).success, false);
  assert.equal(HardwareEvidenceSchema.safeParse({ ...ok, ek_cert: "A".repeat(8196) }).success, false);
  assert.equal(HardwareEvidenceSchema.safeParse({ ...ok, credential: "not base64!" }).success, false);
  assert.equal(HardwareEvidenceSchema.safeParse({ ...ok, signature: "" }).success, false);
  assert.equal(HardwareChallengeSchema.safeParse({ kind: "tpm2", id_object: "AAAA", encrypted_secret: "A".repeat(1404) }).success, false);
});

test("attestation_response decodes with and without evidence (old peers keep working)", () => {
  const base = { type: "attestation_response", nonce: "n", timestamp: 1, signature: "s" };
  assert.equal(decodeProviderFrame(JSON.stringify(base)).type, "attestation_response");
  const withEvidence = decodeProviderFrame(JSON.stringify({ ...base, hardware_evidence: ok }));
  assert.ok(withEvidence.type === "attestation_response" && withEvidence.hardware_evidence?.kind === "tpm2");
  assert.throws(() => decodeProviderFrame(JSON.stringify({ ...base, hardware_evidence: { ...ok, kind: "other" } })));
});
