import assert from "node:assert/strict";
import { test } from "node:test";
import type { HardwareEvidence } from "@darkbloom/protocol";
import { earnedTrustLevel } from "../level.js";
import type { HardwareVerifier } from "./types.js";
import { HardwareVerifiers } from "./verifiers.js";

const evidence: HardwareEvidence = { kind: "tpm2", ak_public: "AA==", quote: "AA==", signature: "AA==" };
const subject = new Uint8Array(32);

test("evidence of a kind no verifier handles earns nothing", async () => {
  const none = new HardwareVerifiers();
  assert.equal(none.size, 0);
  assert.deepEqual(await none.verify(evidence, subject, 0), { ok: false, reason: "no verifier configured for tpm2 evidence" });
});

test("a verifier that throws is a refusal, not a crash; two verifiers for one kind are a programming error", async () => {
  const throwing: HardwareVerifier = { kind: "tpm2", verify: () => Promise.reject(new Error("boom")) };
  const v = new HardwareVerifiers([throwing]);
  assert.deepEqual(v.kinds(), ["tpm2"]);
  assert.deepEqual(await v.verify(evidence, subject, 0), { ok: false, reason: "tpm2 verifier failed: boom" });
  assert.throws(() => new HardwareVerifiers([throwing, throwing]), /two hardware verifiers/);
});

test("earnedTrustLevel: hardware evidence raises self_signed to hardware", () => {
  assert.equal(earnedTrustLevel({ hardware: false }), "self_signed");
  assert.equal(earnedTrustLevel({ hardware: true }), "hardware");
});
