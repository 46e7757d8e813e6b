import { test } from "node:test";
import assert from "node:assert/strict";
import { canonicalJson, generateIdentityKeyPair, signAttestation, verifyAttestation, AttestationSchema, type Attestation, type AttestationFields } from "./index.js";
import { generateEncryptionKeyPair } from "../seal/index.js";
import { encodeBase64 } from "../seal/bytes.js";

test("canonicalJson sorts keys recursively, no whitespace, omits undefined", () => {
  assert.equal(canonicalJson({ b: 1, a: [3, { z: "x", y: null }], c: undefined, "é": true }), '{"a":[3,{"y":null,"z":"x"}],"b":1,"é":true}');
  assert.equal(canonicalJson("a\"\n\u2028"), JSON.stringify("a\"\n\u2028"));
  assert.equal(canonicalJson([1.5, -0, 1e21, undefined]), "[1.5,0,1e+21,null]");
  assert.equal(canonicalJson({ B: 1, a: 2, _: 3 }), '{"B":1,"_":3,"a":2}');
  assert.throws(() => canonicalJson({ x: Number.NaN }), TypeError);
  assert.throws(() => canonicalJson({ x: 1n }), TypeError);
  const cyc: Record<string, unknown> = {};
  cyc.self = cyc;
  assert.throws(() => canonicalJson(cyc), TypeError);
  assert.equal(canonicalJson({ a: { k: 1 }, b: { k: 1 } }), '{"a":{"k":1},"b":{"k":1}}');
});

async function makeFields(): Promise<{ fields: AttestationFields; secret: Uint8Array }> {
  const id = await generateIdentityKeyPair();
  const enc = await generateEncryptionKeyPair();
  const fields: AttestationFields = {
    identity_key: encodeBase64(id.publicKey),
    encryption_key: encodeBase64(enc.publicKey),
    kid: enc.kid,
    provider_version: "0.1.0",
    models: [{ id: "qwen3-0.6b", weight_hash: "ab".repeat(32) }, { id: "tiny" }],
    hardware: { platform: "linux", cores: 8, memory_gb: 31.5 },
    nonce: "n-123",
    timestamp: 1_700_000_000_000,
  };
  return { fields, secret: id.secretKey };
}

test("sign then verify", async () => {
  const { fields, secret } = await makeFields();
  const a = await signAttestation(fields, secret);
  AttestationSchema.parse(a);
  assert.equal(await verifyAttestation(a), true);
  // Survives a JSON round trip and key reordering.
  const reordered = JSON.parse(canonicalJson(JSON.parse(JSON.stringify(a)))) as Attestation;
  assert.equal(await verifyAttestation(reordered), true);
});

test("any tampered field fails", async () => {
  const { fields, secret } = await makeFields();
  const a = await signAttestation(fields, secret);
  const other = await makeFields();
  const tampered: Attestation[] = [
    { ...a, provider_version: "0.1.1" },
    { ...a, nonce: "n-124" },
    { ...a, timestamp: a.timestamp + 1 },
    { ...a, models: [{ id: "qwen3-0.6b" }] },
    { ...a, hardware: { ...a.hardware, cores: 9 } },
    { ...a, identity_key: other.fields.identity_key },
    { ...a, encryption_key: other.fields.encryption_key, kid: other.fields.kid },
    { ...a, signature: encodeBase64(new Uint8Array(64)) },
    { ...a, signature: "not base64" },
    { ...a, package_hash: "cd".repeat(32) },
  ];
  for (const t of tampered) assert.equal(await verifyAttestation(t), false, JSON.stringify(t).slice(0, 80));
});

test("kid mismatch fails even when correctly signed", async () => {
  const { fields, secret } = await makeFields();
  const a = await signAttestation({ ...fields, kid: "0123456789abcdef" }, secret);
  assert.equal(await verifyAttestation(a), false);
});

test("maxAgeMs bounds the timestamp in both directions", async () => {
  const { fields, secret } = await makeFields();
  const a = await signAttestation(fields, secret);
  assert.equal(await verifyAttestation(a, { maxAgeMs: 60_000, now: a.timestamp + 59_000 }), true);
  assert.equal(await verifyAttestation(a, { maxAgeMs: 60_000, now: a.timestamp + 61_000 }), false);
  assert.equal(await verifyAttestation(a, { maxAgeMs: 60_000, now: a.timestamp - 61_000 }), false);
});
