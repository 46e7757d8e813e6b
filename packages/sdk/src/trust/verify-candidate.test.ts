import assert from "node:assert/strict";
import { test } from "node:test";
import { attestKeys, encodeBase64, generateEncryptionKeyPair, generateIdentityKeyPair, type ProviderKey, type TrustLevel } from "@darkbloom/protocol";
import { NoTrustedProviderError } from "./errors.js";
import { trustPolicy } from "./policy.js";
import { verifyCandidate } from "./verify-candidate.js";

const NOW = 1_800_000_000_000;

async function entry(opts: { timestamp?: number; trust?: TrustLevel } = {}) {
  const identity = await generateIdentityKeyPair();
  const keyPair = await generateEncryptionKeyPair();
  const attestation = await attestKeys(identity, keyPair, { provider_version: "1", models: [{ id: "m" }], hardware: {}, nonce: "n", timestamp: opts.timestamp ?? NOW - 60_000 });
  const e: ProviderKey = { provider_id: "prv_1", kid: keyPair.kid, public_key: encodeBase64(keyPair.publicKey), trust_level: opts.trust ?? "self_signed", attestation };
  return { e, identityKey: encodeBase64(identity.publicKey) };
}

const reasonOf = async (e: unknown, policy = trustPolicy()) => {
  const v = await verifyCandidate(e, policy, NOW);
  return v.ok ? "ok" : v.reason;
};

test("an honest, fresh, self_signed key verifies and names its identity key", async () => {
  const { e, identityKey } = await entry();
  const v = await verifyCandidate(e, trustPolicy(), NOW);
  assert.ok(v.ok);
  assert.equal(v.key.identityKey, identityKey);
  assert.equal(v.key.kid, e.kid);
});

test("forged: any field changed after signing, or a signature from another key", async () => {
  const { e } = await entry();
  const other = await entry();
  assert.equal(await reasonOf({ ...e, attestation: { ...e.attestation, provider_version: "evil" } }), "bad_signature");
  assert.equal(await reasonOf({ ...e, attestation: { ...e.attestation, models: [{ id: "m", weight_hash: "00".repeat(32) }] } }), "bad_signature");
  assert.equal(await reasonOf({ ...e, attestation: { ...e.attestation, identity_key: other.e.attestation.identity_key } }), "bad_signature");
  assert.equal(await reasonOf({ ...e, attestation: { ...e.attestation, signature: other.e.attestation.signature } }), "bad_signature");
});

test("mismatched: the offered key is not the attested one (coordinator swaps in its own key)", async () => {
  const { e } = await entry();
  const mitm = await generateEncryptionKeyPair();
  assert.equal(await reasonOf({ ...e, public_key: encodeBase64(mitm.publicKey), kid: mitm.kid }), "key_mismatch");
  assert.equal(await reasonOf({ ...e, public_key: encodeBase64(mitm.publicKey) }), "key_mismatch");
  // Attestation rewritten to the swapped key: its signature no longer verifies.
  assert.equal(
    await reasonOf({ ...e, public_key: encodeBase64(mitm.publicKey), kid: mitm.kid, attestation: { ...e.attestation, encryption_key: encodeBase64(mitm.publicKey), kid: mitm.kid } }),
    "bad_signature",
  );
});

test("stale or from the future beyond the window; the window is configurable", async () => {
  assert.equal(await reasonOf((await entry({ timestamp: NOW - 16 * 60_000 })).e), "stale");
  assert.equal(await reasonOf((await entry({ timestamp: NOW + 16 * 60_000 })).e), "stale");
  assert.equal(await reasonOf((await entry({ timestamp: NOW - 14 * 60_000 })).e), "ok");
  assert.equal(await reasonOf((await entry({ timestamp: NOW - 2 * 60_000 })).e, trustPolicy({ maxAttestationAgeMs: 60_000 })), "stale");
});

test("minimum trust, pinned identity keys, malformed entries, caller policy", async () => {
  const { e, identityKey } = await entry();
  assert.equal(await reasonOf(e, trustPolicy({ minTrust: "hardware" })), "below_min_trust");
  assert.equal(await reasonOf((await entry({ trust: "hardware" })).e, trustPolicy({ minTrust: "hardware" })), "ok");
  assert.equal(await reasonOf({ ...e, trust_level: "none" }), "below_min_trust");
  const other = await entry();
  assert.equal(await reasonOf(e, trustPolicy({ pinnedIdentityKeys: [other.identityKey] })), "not_pinned");
  assert.equal(await reasonOf(e, trustPolicy({ pinnedIdentityKeys: [other.identityKey, identityKey] })), "ok");
  assert.equal(await reasonOf({ provider_id: "x" }), "malformed");
  assert.equal(await reasonOf(null), "malformed");
  const v = await verifyCandidate(e, trustPolicy(), NOW, () => false);
  assert.equal(v.ok ? "ok" : v.reason, "rejected_by_policy");
});

test("bad policy options are refused up front", () => {
  assert.throws(() => trustPolicy({ minTrust: "none" as "self_signed" }), TypeError);
  assert.throws(() => trustPolicy({ pinnedIdentityKeys: ["not-a-key"] }), /pinnedIdentityKeys/);
  assert.throws(() => trustPolicy({ maxAttestationAgeMs: 0 }), /maxAttestationAgeMs/);
});

test("NoTrustedProviderError summarises why each candidate was refused", () => {
  const err = new NoTrustedProviderError("m", "self_signed", [
    { providerId: "a", reason: "stale", detail: "" },
    { providerId: "b", reason: "stale", detail: "" },
    { providerId: "c", reason: "bad_signature", detail: "" },
  ]);
  assert.equal(err.code, "e2e_no_trusted_provider");
  assert.match(err.message, /3 offered: 2 stale, 1 bad_signature\); nothing was sent/);
});
