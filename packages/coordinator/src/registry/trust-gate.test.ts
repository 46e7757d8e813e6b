import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Attestation, TrustStatusFrame } from "@darkbloom/protocol";
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
  it("challenge freshness and the minimum trust level gate candidates and served models, with named gates", () => {
    const stale = new Set<string>();
    const reg = new MemoryRegistry(() => 0, () => 0, { challengeFresh: (p) => !stale.has(p.id), minTrust: "hardware" });
    const a = provider("a");
    const b = { ...provider("b"), trustLevel: "hardware" as const };
    reg.add(a);
    reg.add(b);
    assert.deepEqual(reg.candidates("m").map((p) => p.id), ["b"]);
    assert.deepEqual(reg.gatesFor(a).map((g) => g.name), ["below_min_trust"]);
    stale.add("b");
    assert.deepEqual(reg.candidates("m"), []);
    assert.deepEqual(reg.gatesFor(b).map((g) => g.name), ["challenge_stale"]);
    assert.deepEqual(reg.servedModels().map((m) => m.id), ["m"], "b still serves it (only freshness is off)");
    assert.equal(reg.knowsModel("m"), true, "known: 503, not 404");
  });

  it("setTrustLevel (with its reason in the untrusted gate and a trust_status) and replaceAttestation act on the registered instance only", () => {
    const reg = new MemoryRegistry();
    const sent: TrustStatusFrame[] = [];
    const a: LiveProvider = { ...provider("a"), link: { send: (f) => (f.type === "trust_status" && sent.push(f), true), close: () => {} } };
    reg.add(a);
    assert.equal(reg.setTrustLevel(a, "none", "3 attestation challenges failed in a row"), true);
    assert.deepEqual(reg.candidates("m"), []);
    assert.deepEqual(sent.map((f) => [f.trust_level, f.routable, f.gates[0]?.name, f.gates[0]?.detail]), [["none", false, "untrusted", "3 attestation challenges failed in a row"]]);
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
