import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SlotCapacity } from "@darkbloom/protocol";
import type { LiveProvider } from "../registry/types.js";
import { COLD_PENALTY_MS, IDLE_SHUTDOWN_PENALTY_MS, costOf } from "./cost.js";
import { costStrategy, leastLoadedStrategy, roundRobinStrategy } from "./strategies.js";
import type { CandidateView, RequestShape } from "./types.js";

const provider = (id: string): LiveProvider => ({ id }) as LiveProvider;

function slot(over: Partial<SlotCapacity> = {}): SlotCapacity {
  return {
    model: "m",
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
  };
}

function view(id: string, over: Partial<CandidateView> & { decode?: number; prefill?: number } = {}): CandidateView {
  const { decode = 10, prefill = 100, ...rest } = over;
  return {
    provider: provider(id),
    slot: slot(),
    reporting: true,
    pending: 0,
    speed: { decodeTps: decode, prefillTps: prefill, decodeSource: "measured", prefillSource: "measured" },
    system: undefined,
    ...rest,
  };
}

const req: RequestShape = { model: "m", inputTokens: 200, maxTokens: 100 };

describe("cost function (SPEC)", () => {
  it("an idle loaded slot costs prefill (input / prefill tps) + decode (max_tokens / decode tps)", () => {
    assert.deepEqual(costOf(view("a"), req), { state: 0, queue: 0, pending: 0, prefill: 2000, decode: 10_000, health: 0, total: 12_000 });
  });

  it("state penalties: cold 30 s, idle_shutdown 20 s, running 0; no heartbeat yet is not cold", () => {
    assert.equal(costOf(view("a", { slot: undefined }), req).state, COLD_PENALTY_MS);
    assert.equal(costOf(view("a", { slot: undefined, reporting: false }), req).state, 0);
    assert.equal(costOf(view("a", { slot: slot({ state: "idle_shutdown" }) }), req).state, IDLE_SHUTDOWN_PENALTY_MS);
    assert.equal(costOf(view("a", { slot: slot({ state: "running", num_running: 1 }) }), req).state, 0);
  });

  it("a full slot adds the queue ahead; running sequences add a pending (batch) penalty", () => {
    const busy = costOf(view("a", { slot: slot({ state: "running", num_running: 4, num_waiting: 2 }) }), req);
    // 6 there, 4 at a time: 3 ahead of this one, each ~12 s shared over 4 sequences.
    assert.equal(busy.queue, (3 * 12_000) / 4);
    assert.equal(busy.pending, 3 * 0.1 * 10_000);
    // The coordinator's own count wins when the heartbeat lags behind it.
    assert.equal(costOf(view("a", { pending: 6 }), req).queue, (3 * 12_000) / 4);
  });

  it("memory pressure and CPU load from the heartbeat cost", () => {
    assert.equal(costOf(view("a", { system: { memory_pressure: 0.5, cpu_load: 0.5 } }), req).health, 0);
    assert.equal(costOf(view("a", { system: { memory_pressure: 1 } }), req).health, 10_000);
    assert.equal(Math.round(costOf(view("a", { system: { cpu_load: 1.4 } }), req).health), 2_500);
  });
});

describe("selection strategies", () => {
  const fixed = () => 0;

  it("cost: the fastest provider wins when the gap exceeds 3 s", () => {
    const fast = view("fast", { decode: 50 });
    const slow = view("slow", { decode: 5 });
    assert.equal(costStrategy().choose([slow, fast], req, fixed)?.id, "fast");
  });

  it("cost: within 3 s the shorter queue wins, then chance", () => {
    const a = view("a", { decode: 10, pending: 1 });
    const b = view("b", { decode: 11 });
    assert.equal(costStrategy().choose([b, a], req, fixed)?.id, "b");
    const c = view("c", { decode: 10.5 });
    assert.equal(costStrategy().choose([c, b], req, () => 0)?.id, "c");
    assert.equal(costStrategy().choose([c, b], req, () => 0.99)?.id, "b");
  });

  it("cost: a cold provider loses to a warm slower one, and nothing is chosen from nothing", () => {
    const cold = view("cold", { slot: undefined, decode: 1000 });
    const warm = view("warm", { decode: 10 });
    assert.equal(costStrategy().choose([cold, warm], req, fixed)?.id, "warm");
    assert.equal(costStrategy().choose([], req, fixed), undefined);
  });

  it("least-loaded ignores speed; round-robin takes each provider in turn per model", () => {
    const fast = view("fast", { decode: 1000, pending: 1 });
    const slow = view("slow", { decode: 1 });
    assert.equal(leastLoadedStrategy().choose([fast, slow], req, fixed)?.id, "slow");
    const rr = roundRobinStrategy();
    const order = [0, 1, 2, 3].map(() => rr.choose([slow, fast], req, fixed)?.id);
    assert.deepEqual(order, ["fast", "slow", "fast", "slow"]);
    assert.equal(rr.choose([slow, fast], { ...req, model: "other" }, fixed)?.id, "fast");
  });
});
