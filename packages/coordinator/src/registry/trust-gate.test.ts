import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Attestation } from "@darkbloom/protocol";
import { MemoryRegistry } from "./memory-registry.js";
import type { LiveProvider } from "./types.js";

function provider(id: string): LiveProvider {
  return {
    id,
    kid: `kid-${id}`,
    publicKey: new Uint8Array(32),
    attestation: { nonce: "registered" } as Attestation,
    trustLevel: "self_signed",
    version: "0",
    models: new Map([["m", { id: "m", size_bytes: 1, quantization: "q", context_length: 4096, template_render_ok: true }]]),
    link: { send: () => true, close: () => {} },
    connectedAt: 0,
    lastSeenAt: 0,
    slots: new Map(),
    inFlight: 0,
  };
}

describe("registry trust gate", () => {
  it("the injected eligibility predicate removes a provider from candidates and served models", () => {
    const blocked = new Set<string>();
    const reg = new MemoryRegistry(() => 0, () => 0, { eligible: (p) => !blocked.has(p.id) });
    const a = provider("a");
    const b = provider("b");
    reg.add(a);
    reg.add(b);
    blocked.add("a");
    assert.deepEqual(reg.candidates("m").map((p) => p.id), ["b"]);
    blocked.add("b");
    assert.deepEqual(reg.servedModels(), []);
    assert.equal(reg.knowsModel("m"), true, "still known: 503, not 404");
  });

  it("setTrustLevel and replaceAttestation act on the registered instance only", () => {
    const reg = new MemoryRegistry();
    const a = provider("a");
    reg.add(a);
    assert.equal(reg.setTrustLevel(a, "none"), true);
    assert.deepEqual(reg.candidates("m"), []);
    assert.equal(reg.setTrustLevel(a, "self_signed"), true);
    assert.deepEqual(reg.candidates("m").map((p) => p.id), ["a"]);
    assert.equal(reg.replaceAttestation(a, { nonce: "fresh" } as Attestation), true);
    assert.equal(reg.get("a")?.attestation.nonce, "fresh");
    const stale = provider("a");
    assert.equal(reg.setTrustLevel(stale, "none"), false);
    assert.equal(reg.replaceAttestation(stale, { nonce: "x" } as Attestation), false);
    assert.equal(reg.get("a")?.trustLevel, "self_signed");
  });
});
