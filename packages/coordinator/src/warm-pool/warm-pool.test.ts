import assert from "node:assert/strict";
import { test } from "node:test";
import type { CoordinatorFrame, HeartbeatFrame, ProviderModel, SlotCapacity } from "@darkbloom/protocol";
import { createLogger } from "../log/index.js";
import { MemoryRegistry, type LiveProvider } from "../registry/index.js";
import { ManualClock } from "../test-support/manual-clock.js";
import { WarmPool } from "./warm-pool.js";

const GB = 2 ** 30;
const model = (id: string, gb: number, ok = true): ProviderModel => ({ id, size_bytes: gb * GB, quantization: "F16", context_length: 4096, template_render_ok: ok });
const slot = (m: string, state: SlotCapacity["state"], running = 0): SlotCapacity => ({
  model: m, state, num_running: running, num_waiting: 0, max_concurrency: 4, observed_decode_tps: 10, observed_prefill_tps: 100,
  active_token_budget_used: 0, active_token_budget_max: 16_384, queued_token_budget: 0,
});
const heartbeat = (free: number, slots: SlotCapacity[] = []): HeartbeatFrame => ({
  type: "heartbeat", status: "idle", active_models: [], backend_capacity: { slots }, free_for_load_gb: free,
});

function setup() {
  const clock = new ManualClock(1_000_000);
  const registry = new MemoryRegistry(() => 0, clock.now);
  const sent = new Map<string, CoordinatorFrame[]>();
  const add = (id: string, models: ProviderModel[]): LiveProvider => {
    const frames: CoordinatorFrame[] = [];
    sent.set(id, frames);
    const p: LiveProvider = {
      id, kid: `kid-${id}`, publicKey: new Uint8Array(32), attestation: {} as LiveProvider["attestation"], trustLevel: "self_signed",
      // Only the pool's frames are recorded (the registry sends trust_status on the link too).
      version: "0", models: new Map(models.map((m) => [m.id, m])), link: { send: (f) => ((f.type === "load_model" || f.type === "unload_model") && frames.push(f), true), close: () => {} },
      connectedAt: 0, lastSeenAt: clock.now(), slots: new Map(), inFlight: 0,
    };
    registry.add(p);
    return p;
  };
  const pool = new WarmPool({ registry, clock, logger: createLogger({ level: "silent" }), tickMs: 5_000, loadTimeoutMs: 60_000, cooldownMs: 300_000 });
  const beat = (p: LiveProvider, free: number, slots: SlotCapacity[] = []) => {
    registry.applyHeartbeat(p.id, heartbeat(free, slots), clock.now());
    pool.onHeartbeat(p, heartbeat(free, slots));
  };
  return { clock, registry, sent, add, pool, beat };
}

test("traffic for a cold model sends load_model to an idle provider with room, once; loaded answers clear it", () => {
  const { clock, sent, add, pool, beat } = setup();
  const a = add("a", [model("m", 4), model("n", 1)]);
  const small = add("small", [model("m", 4)]);
  beat(a, 10, [slot("n", "idle")]);
  beat(small, 2);
  assert.deepEqual(pool.tick(), [], "no traffic, no loads");
  pool.noteArrival("m");
  pool.start();
  clock.advance(5_000);
  assert.deepEqual(sent.get("a"), [{ type: "load_model", model: "m" }]);
  assert.deepEqual(sent.get("small"), [], "2 GB of room is too little for a 4 GB model");
  // Pending: no second load to the same provider while it answers.
  pool.noteArrival("m");
  clock.advance(5_000);
  assert.equal(sent.get("a")?.length, 1);
  pool.onLoadStatus(a, { type: "load_model_status", model: "m", state: "loading" });
  clock.advance(5_000);
  assert.equal(sent.get("a")?.length, 1);
  pool.onLoadStatus(a, { type: "load_model_status", model: "m", state: "loaded", free_for_load_gb: 6 });
  beat(a, 6, [slot("n", "idle"), slot("m", "idle")]);
  clock.advance(5_000);
  assert.equal(sent.get("a")?.length, 1, "a loaded copy meets the target");
  const snap = pool.snapshot();
  assert.ok((snap.rates.m ?? 0) > 0);
  assert.deepEqual(snap.providers.find((p) => p.id === "a"), {
    id: "a", free_for_load_gb: 6, pending_load: null,
    models: [
      { id: "m", slot_state: "idle", load_state: "loaded", cooldown_until: null },
      { id: "n", slot_state: "idle", load_state: null, cooldown_until: null },
    ],
  });
  pool.stop();
  assert.equal(clock.pending, 0);
});

test("a failed load cools that provider down for that model; another provider is asked instead", () => {
  const { sent, add, pool, beat, clock } = setup();
  const a = add("a", [model("m", 1)]);
  beat(a, 30);
  pool.noteArrival("m");
  pool.tick();
  assert.equal(sent.get("a")?.length, 1);
  pool.onLoadStatus(a, { type: "load_model_status", model: "m", state: "failed", reason: "memory gate: …" });
  pool.noteArrival("m");
  assert.deepEqual(pool.tick(), []);
  const b = add("b", [model("m", 1)]);
  beat(b, 5);
  assert.deepEqual(pool.tick().map((x) => x.providerId), ["b"]);
  const view = pool.snapshot().providers.find((p) => p.id === "a") as { models: { reason?: string; cooldown_until: number | null }[] };
  assert.equal(view.models[0]?.reason, "memory gate: …");
  assert.equal(view.models[0]?.cooldown_until, clock.now() + 300_000);
  // The cooldown lifts.
  clock.advance(300_001);
  pool.noteArrival("m");
  pool.onLoadStatus(b, { type: "load_model_status", model: "m", state: "failed" });
  assert.deepEqual(pool.tick().map((x) => x.providerId), ["a"]);
});

test("an unanswered load times out into a cooldown; a busy provider is not asked", () => {
  const { sent, add, pool, beat, clock } = setup();
  const a = add("a", [model("m", 1), model("n", 1)]);
  beat(a, 30, [slot("n", "running", 1)]);
  pool.noteArrival("m");
  assert.deepEqual(pool.tick(), [], "running sequences: not idle");
  beat(a, 30, [slot("n", "idle")]);
  assert.equal(pool.tick().length, 1);
  clock.advance(60_001);
  pool.noteArrival("m");
  assert.deepEqual(pool.tick(), [], "timed out: cooling down");
  const view = pool.snapshot().providers[0] as { pending_load: string | null; models: { load_state: string | null; reason?: string }[] };
  assert.equal(view.pending_load, null);
  assert.equal(view.models[0]?.load_state, "failed");
  assert.match(view.models[0]?.reason ?? "", /no answer within 60000 ms/);
  assert.equal(sent.get("a")?.length, 1);
});

test("state is dropped when the provider goes; operator load/unload are validated", () => {
  const { sent, add, pool, beat, registry } = setup();
  const a = add("a", [model("m", 1)]);
  beat(a, 30);
  assert.deepEqual(pool.requestLoad("a", "m"), { ok: true });
  assert.deepEqual(pool.requestLoad("a", "m"), { ok: false, status: 409, reason: "a load of m is pending on a" });
  assert.deepEqual(pool.requestLoad("a", "zzz"), { ok: false, status: 404, reason: "provider a does not offer zzz" });
  assert.deepEqual(pool.requestLoad("nope", "m"), { ok: false, status: 404, reason: "no registered provider nope" });
  assert.deepEqual(pool.requestUnload("a", "m"), { ok: true });
  assert.deepEqual(sent.get("a"), [{ type: "load_model", model: "m" }, { type: "unload_model", model: "m" }]);
  registry.remove(a);
  pool.onProviderGone(a);
  assert.deepEqual(pool.snapshot().providers, []);
  // A load status from a model the provider does not offer is ignored.
  const b = add("b", [model("m", 1)]);
  pool.onLoadStatus(b, { type: "load_model_status", model: "other", state: "failed" });
  assert.deepEqual((pool.snapshot().providers[0] as { models: unknown[] }).models, [{ id: "m", slot_state: "cold", load_state: null, cooldown_until: null }]);
});

test("a model whose template failed is never loaded", () => {
  const { add, pool, beat } = setup();
  const a = add("a", [model("broken", 1, false)]);
  beat(a, 30);
  pool.noteArrival("broken");
  assert.deepEqual(pool.tick(), []);
});
