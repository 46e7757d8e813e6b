import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CoordinatorFrame, HeartbeatFrame, ProviderModel, SlotCapacity, TrustStatusFrame } from "@darkbloom/protocol";
import { ManualClock } from "../test-support/manual-clock.js";
import { MemoryRegistry, type MemoryRegistryOptions } from "./memory-registry.js";
import type { LiveProvider } from "./types.js";

const model = (id: string, ok = true): ProviderModel => ({ id, size_bytes: 1, quantization: "q4", context_length: 4096, template_render_ok: ok });

function provider(id: string, models: ProviderModel[], extra: Partial<LiveProvider> = {}): LiveProvider & { sent: CoordinatorFrame[] } {
  const sent: CoordinatorFrame[] = [];
  return {
    id,
    kid: `kid-${id}`,
    publicKey: new Uint8Array(32),
    attestation: {} as LiveProvider["attestation"],
    trustLevel: "self_signed",
    version: "0",
    models: new Map(models.map((m) => [m.id, m])),
    link: { send: (f) => (sent.push(f), true), close: () => {} },
    connectedAt: 0,
    lastSeenAt: 0,
    slots: new Map(),
    inFlight: 0,
    sent,
    ...extra,
  };
}

const slot = (m: string, over: Partial<SlotCapacity> = {}): SlotCapacity => ({
  model: m,
  state: "idle",
  num_running: 0,
  num_waiting: 0,
  max_concurrency: 4,
  observed_decode_tps: 0,
  observed_prefill_tps: 0,
  active_token_budget_used: 0,
  active_token_budget_max: 16_384,
  queued_token_budget: 0,
  ...over,
});

const beat = (slots: SlotCapacity[], extra: Partial<HeartbeatFrame> = {}): HeartbeatFrame => ({
  type: "heartbeat",
  status: "idle",
  active_models: slots.map((s) => s.model),
  backend_capacity: { slots },
  ...extra,
});

function setup(opts: MemoryRegistryOptions = {}) {
  const clock = new ManualClock(1_000_000);
  return { clock, r: new MemoryRegistry(() => 0, clock.now, opts) };
}

const statuses = (p: { sent: CoordinatorFrame[] }): TrustStatusFrame[] => p.sent.filter((f): f is TrustStatusFrame => f.type === "trust_status");

describe("registry gates", () => {
  it("an error cooldown takes the provider out of candidates, names the gate, and lifts after 5 min", () => {
    const { clock, r } = setup();
    const a = provider("a", [model("m")]);
    const b = provider("b", [model("m")]);
    r.add(a);
    r.add(b);
    r.recordOutcome(a, "m", "error");
    r.recordOutcome(a, "m", "error");
    assert.deepEqual(r.candidates("m").map((p) => p.id), ["b"]);
    assert.deepEqual(r.gatesFor(a).map((g) => g.name), ["error_cooldown"]);
    assert.equal(r.statusOf(a).routable, false);
    for (let i = 0; i < 10; i++) assert.equal(r.pick("m")?.id, "b");
    clock.advance(5 * 60_000);
    assert.deepEqual(r.candidates("m").map((p) => p.id).sort(), ["a", "b"]);
  });

  it("a half-open circuit admits one trial request at a time", () => {
    const { clock, r } = setup();
    const a = provider("a", [model("m")]);
    r.add(a);
    for (let i = 0; i < 5; i++) {
      clock.advance(61_000);
      r.recordOutcome(a, "m", "error");
    }
    assert.deepEqual(r.gatesFor(a).map((g) => g.name), ["circuit_open"]);
    assert.equal(r.pick("m"), undefined);
    clock.advance(60_000);
    assert.equal(r.pick("m")?.id, "a");
    r.acquire(a);
    assert.equal(r.pick("m"), undefined, "the trial is in flight");
    r.release(a);
    r.recordOutcome(a, "m", "success");
    r.acquire(a);
    assert.equal(r.pick("m")?.id, "a", "closed again: no limit");
  });

  it("a capacity cooldown gates only that model", () => {
    const { r } = setup();
    const a = provider("a", [model("m"), model("n")]);
    r.add(a);
    for (let i = 0; i < 3; i++) r.recordOutcome(a, "m", "capacity_rejected");
    assert.equal(r.pick("m"), undefined);
    assert.equal(r.pick("n")?.id, "a");
    assert.deepEqual(r.gatesFor(a).map((g) => [g.name, g.model]), [["capacity_cooldown", "m"]]);
    assert.equal(r.statusOf(a).routable, true);
  });

  it("names template, slot, drain, trust and challenge gates; the challenge predicate is injected", () => {
    let fresh = true;
    const { r } = setup({ challengeFresh: () => fresh });
    const a = provider("a", [model("m"), model("broken", false), model("c")]);
    r.add(a);
    r.applyHeartbeat("a", beat([slot("m"), slot("c", { state: "crashed" })]), 1);
    assert.deepEqual(r.gatesFor(a).map((g) => [g.name, g.model]), [["template_failed", "broken"], ["slot_unavailable", "c"]]);
    assert.deepEqual(r.candidates("broken"), []);
    assert.deepEqual(r.candidates("c"), []);
    fresh = false;
    assert.deepEqual(r.candidates("m"), []);
    assert.equal(r.gatesFor(a)[0]?.name, "challenge_stale");
    fresh = true;
    r.applyHeartbeat("a", beat([slot("m")], { status: "draining" }), 2);
    assert.deepEqual(r.candidates("m"), []);
    assert.ok(r.gatesFor(a).some((g) => g.name === "draining"));
    a.trustLevel = "none";
    assert.ok(r.gatesFor(a).some((g) => g.name === "untrusted"));
    assert.equal(r.statusOf(a).routable, false);
  });

  it("a provider cannot shed a cooldown by reconnecting; everything else is dropped on disconnect", () => {
    const { clock, r } = setup();
    const a = provider("a", [model("m")]);
    r.add(a);
    r.applyHeartbeat("a", beat([slot("m", { observed_decode_tps: 77 })]), 1);
    assert.equal(r.speedOf(a, "m").decodeTps, 77);
    r.recordOutcome(a, "m", "error");
    r.recordOutcome(a, "m", "error");
    r.remove(a);
    const again = provider("a", [model("m")]);
    r.add(again);
    assert.equal(r.pick("m"), undefined);
    assert.equal(r.speedOf(again, "m").decodeSource, "default", "speeds were dropped with the old connection");
    clock.advance(5 * 60_000);
    assert.equal(r.pick("m")?.id, "a");
  });
});

describe("trust_status frames", () => {
  it("announced after registration, sent on every gate change, and answering heartbeats while gated", () => {
    const { clock, r } = setup();
    const a = provider("a", [model("m")]);
    r.add(a);
    r.announceStatus(a);
    assert.deepEqual(statuses(a), [{ type: "trust_status", trust_level: "self_signed", routable: true, gates: [] }]);
    r.applyHeartbeat("a", beat([slot("m")]), 1);
    assert.equal(statuses(a).length, 1, "nothing changed, nothing closed: no reply");
    r.recordOutcome(a, "m", "error");
    assert.equal(statuses(a).length, 1);
    r.recordOutcome(a, "m", "error");
    const gated = statuses(a)[1]!;
    assert.equal(gated.routable, false);
    assert.deepEqual(gated.gates.map((g) => [g.name, g.until]), [["error_cooldown", clock.now() + 5 * 60_000]]);
    assert.match(gated.reason ?? "", /error_cooldown/);
    r.applyHeartbeat("a", beat([slot("m")]), 2);
    r.applyHeartbeat("a", beat([slot("m")]), 3);
    assert.equal(statuses(a).length, 4, "each heartbeat answered while a gate is closed");
    clock.advance(5 * 60_000);
    r.applyHeartbeat("a", beat([slot("m")]), 4);
    assert.deepEqual(statuses(a).at(-1), { type: "trust_status", trust_level: "self_signed", routable: true, gates: [] });
    r.applyHeartbeat("a", beat([slot("m")]), 5);
    assert.equal(statuses(a).length, 5);
  });

  it("refreshStatus sends only when the trust level or gates changed", () => {
    const { r } = setup();
    const a = provider("a", [model("m")]);
    r.add(a);
    r.announceStatus(a);
    r.refreshStatus(a);
    assert.equal(statuses(a).length, 1);
    a.trustLevel = "none";
    r.refreshStatus(a);
    assert.equal(statuses(a).at(-1)?.trust_level, "none");
    assert.equal(statuses(a).at(-1)?.gates[0]?.name, "untrusted");
  });
});

describe("registry speeds and cost routing", () => {
  it("prefers the provider that measured faster once the cost gap passes 3 s", () => {
    const { r } = setup();
    const fast = provider("fast", [model("m")]);
    const slow = provider("slow", [model("m")]);
    r.add(fast);
    r.add(slow);
    for (const p of [fast, slow]) r.applyHeartbeat(p.id, beat([slot("m")]), 1);
    for (let i = 0; i < 3; i++) {
      r.recordCompletion(fast, "m", { promptTokens: 50, completionTokens: 101, ttftMs: 100, decodeMs: 1_000 }); // 100 tok/s
      r.recordCompletion(slow, "m", { promptTokens: 50, completionTokens: 101, ttftMs: 100, decodeMs: 10_000 }); // 10 tok/s
    }
    // 512 tokens: 5 s vs 51 s.
    assert.equal(r.pick("m", { maxTokens: 512 })?.id, "fast");
    assert.ok(r.estimateMs(slow, "m", { maxTokens: 512 }) > r.estimateMs(fast, "m", { maxTokens: 512 }) + 3_000);
    // 16 tokens: 0.16 s vs 1.6 s — a tie; the shorter queue (then chance) decides.
    r.acquire(fast);
    assert.equal(r.pick("m", { maxTokens: 16 })?.id, "slow");
  });

  it("caps concurrency by the registered machine's RAM tier", () => {
    const { r } = setup();
    const small = provider("small", [model("m")], { hardware: { platform: "linux", arch: "x64", cpu: "c", cores: 4, memory_gb: 8, backend: "cpu" } });
    const big = provider("big", [model("m")], { hardware: { platform: "linux", arch: "x64", cpu: "c", cores: 4, memory_gb: 128, backend: "cpu" } });
    r.add(small);
    r.add(big);
    r.applyHeartbeat("small", beat([slot("m", { max_concurrency: 32, active_token_budget_max: 32 * 4096 })]), 1);
    r.applyHeartbeat("big", beat([slot("m", { max_concurrency: 32, active_token_budget_max: 32 * 4096 })]), 1);
    assert.equal(small.slots.get("m")?.max_concurrency, 4);
    assert.equal(big.slots.get("m")?.max_concurrency, 32);
  });

  it("a completion from a replaced connection does not feed the new one", () => {
    const { r } = setup();
    const old = provider("a", [model("m")]);
    r.add(old);
    r.remove(old);
    const now = provider("a", [model("m")]);
    r.add(now);
    r.recordCompletion(old, "m", { promptTokens: 1, completionTokens: 100, decodeMs: 1 });
    r.recordOutcome(old, "m", "error");
    r.recordOutcome(old, "m", "error");
    assert.equal(r.speedOf(now, "m").decodeSource, "default");
    assert.deepEqual(r.gatesFor(now), []);
  });
});
