import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ProviderModel, SlotCapacity } from "@darkbloom/protocol";
import { MemoryRegistry } from "./memory-registry.js";
import type { LiveProvider } from "./types.js";

const model = (id: string, ok = true): ProviderModel => ({
  id,
  size_bytes: 1,
  quantization: "q4",
  context_length: 4096,
  template_render_ok: ok,
});

function provider(id: string, models: ProviderModel[], extra: Partial<LiveProvider> = {}): LiveProvider {
  return {
    id,
    kid: `kid-${id}`,
    publicKey: new Uint8Array(32),
    attestation: {} as LiveProvider["attestation"],
    trustLevel: "self_signed",
    version: "0",
    models: new Map(models.map((m) => [m.id, m])),
    link: { send: () => true, close: () => {} },
    connectedAt: 0,
    lastSeenAt: 0,
    slots: new Map(),
    inFlight: 0,
    ...extra,
  };
}

const slot = (m: string, running: number, waiting: number, max: number, state: SlotCapacity["state"] = "running"): SlotCapacity => ({
  model: m,
  state,
  num_running: running,
  num_waiting: waiting,
  max_concurrency: max,
  observed_decode_tps: 0,
  observed_prefill_tps: 0,
  active_token_budget_used: 0,
  active_token_budget_max: 32_768,
  queued_token_budget: 0,
});

describe("MemoryRegistry", () => {
  it("offers only providers that serve the model with a working template", () => {
    const r = new MemoryRegistry(() => 0);
    r.add(provider("a", [model("m1")]));
    r.add(provider("b", [model("m1", false), model("m2")]));
    assert.deepEqual(r.candidates("m1").map((p) => p.id), ["a"]);
    assert.deepEqual(r.servedModels().map((m) => m.id), ["m1", "m2"]);
    assert.equal(r.knowsModel("m2"), true);
    assert.equal(r.knowsModel("zzz"), false);
  });

  it("prefers the lowest (running + waiting + in-flight) / max_concurrency", () => {
    const r = new MemoryRegistry(() => 0);
    const a = provider("a", [model("m")]);
    const b = provider("b", [model("m")]);
    r.add(a);
    r.add(b);
    r.applyHeartbeat("a", { type: "heartbeat", status: "serving", active_models: ["m"], backend_capacity: { slots: [slot("m", 2, 0, 4)] } }, 1);
    r.applyHeartbeat("b", { type: "heartbeat", status: "serving", active_models: ["m"], backend_capacity: { slots: [slot("m", 1, 0, 4)] } }, 1);
    assert.equal(r.pick("m")?.id, "b");
    r.acquire(b);
    r.acquire(b);
    assert.equal(r.pick("m")?.id, "a");
    assert.equal(r.pick("m", { exclude: new Set(["a"]) })?.id, "b");
    assert.equal(r.pick("m", { accept: (p) => p.id === "b" })?.id, "b");
  });

  it("skips crashed and reloading slots", () => {
    const r = new MemoryRegistry();
    r.add(provider("a", [model("m")]));
    r.applyHeartbeat("a", { type: "heartbeat", status: "idle", active_models: [], backend_capacity: { slots: [slot("m", 0, 0, 1, "crashed")] } }, 1);
    assert.equal(r.pick("m"), undefined);
  });

  it("breaks ties with the injected random source", () => {
    const ids = (x: number) => {
      const r = new MemoryRegistry(() => x);
      for (const id of ["a", "b", "c"]) r.add(provider(id, [model("m")]));
      return r.pick("m")?.id;
    };
    assert.equal(ids(0), "a");
    assert.equal(ids(0.5), "b");
    assert.equal(ids(0.99), "c");
  });

  it("removes only the instance it was given and lists silent providers", () => {
    const r = new MemoryRegistry();
    const old = provider("a", [model("m")], { lastSeenAt: 10 });
    r.add(old);
    assert.deepEqual(r.silentSince(11).map((p) => p.id), ["a"]);
    r.touch("a", 20);
    assert.deepEqual(r.silentSince(11), []);
    assert.equal(r.remove(provider("a", [model("m")])), false);
    assert.equal(r.remove(old), true);
    assert.equal(r.size, 0);
    assert.equal(r.knowsModel("m"), true);
  });

  it("never routes, lists or remembers a provider whose trust is none (not yet proven)", () => {
    const r = new MemoryRegistry(() => 0);
    const unproven = provider("u", [model("m"), model("only-u")], { trustLevel: "none" });
    r.add(unproven);
    r.add(provider("a", [model("m")]));
    assert.deepEqual(r.candidates("m").map((p) => p.id), ["a"]);
    assert.equal(r.pick("only-u"), undefined);
    assert.deepEqual(r.servedModels().map((m) => m.id), ["m"]);
    assert.equal(r.knowsModel("only-u"), false);
    r.remove(unproven);
    assert.equal(r.knowsModel("only-u"), false);
  });

  it("caps advertised concurrency, so a 1e6 claim cannot soak up requests an honest provider should get", () => {
    const r = new MemoryRegistry(() => 0);
    const honest = provider("honest", [model("m")]);
    const liar = provider("liar", [model("m")]);
    r.add(honest);
    r.add(liar);
    const beat = (id: string, max: number, budget: number) =>
      r.applyHeartbeat(id, { type: "heartbeat", status: "idle", active_models: ["m"], backend_capacity: { slots: [{ ...slot("m", 0, 0, max), active_token_budget_max: budget }] } }, 1);
    beat("honest", 4, 4 * 4096);
    beat("liar", 1_000_000, 1e12);
    assert.equal(liar.slots.get("m")?.max_concurrency, 64);
    assert.equal(liar.slots.get("m")?.active_token_budget_max, 64 * 4096);
    assert.equal(honest.slots.get("m")?.max_concurrency, 4);
    // The liar already holds 20 requests, the honest provider 1 of its 4: the next goes to the honest one.
    for (let i = 0; i < 20; i++) r.acquire(liar);
    r.acquire(honest);
    assert.equal(r.pick("m")?.id, "honest");
  });

  it("ignores heartbeat slots for models the provider did not register", () => {
    const r = new MemoryRegistry();
    const p = provider("a", [model("m")]);
    r.add(p);
    r.applyHeartbeat("a", { type: "heartbeat", status: "idle", active_models: ["x"], backend_capacity: { slots: [slot("x", 0, 0, 4), slot("m", 0, 0, 4)] } }, 1);
    assert.deepEqual([...p.slots.keys()], ["m"]);
  });

  it("refuses a provider with more models than the per-provider bound", () => {
    const r = new MemoryRegistry();
    assert.throws(() => r.add(provider("a", Array.from({ length: 9 }, (_, i) => model(`m${i}`)))), /more than 8 models/);
  });
});
