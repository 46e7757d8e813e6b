import assert from "node:assert/strict";
import { test } from "node:test";
import type { LoadModelStatusFrame, ProviderFrame, SlotCapacity } from "@darkbloom/protocol";
import { buildHeartbeat } from "./heartbeat.js";
import { onModelFrame, type Hosting } from "./model-hosting.js";

const slot = (model: string, state: SlotCapacity["state"]): SlotCapacity => ({
  model, state, num_running: 0, num_waiting: 0, max_concurrency: 2, observed_decode_tps: 0, observed_prefill_tps: 0,
  active_token_budget_used: 0, active_token_budget_max: 4096, queued_token_budget: 0,
});

function fakeHosting() {
  const calls: string[] = [];
  const hosting: Hosting = {
    offers: (m) => m === "a" || m === "b" || m === "c",
    acquire: () => Promise.reject(new Error("unused")),
    setStatusSink: (_sink: ((f: LoadModelStatusFrame) => void) | undefined) => {},
    load: async (m) => void calls.push(`load ${m}`),
    unload: async (m) => void calls.push(`unload ${m}`),
    slots: () => [slot("a", "idle"), slot("b", "idle_shutdown")],
    freeForLoadGb: () => 7.25,
  };
  return { hosting, calls };
}

test("load_model / unload_model go to the host; draining or no host answers failed with the reason", () => {
  const { hosting, calls } = fakeHosting();
  const sent: ProviderFrame[] = [];
  const send = (f: ProviderFrame) => void sent.push(f);
  onModelFrame(hosting, { type: "load_model", model: "b" }, false, send, () => {});
  onModelFrame(hosting, { type: "unload_model", model: "a" }, false, send, () => {});
  assert.deepEqual(calls, ["load b", "unload a"]);
  assert.deepEqual(sent, []);
  onModelFrame(hosting, { type: "load_model", model: "c" }, true, send, () => {});
  onModelFrame(undefined, { type: "load_model", model: "c" }, false, send, () => {});
  assert.deepEqual(sent, [
    { type: "load_model_status", model: "c", state: "failed", reason: "provider is shutting down" },
    { type: "load_model_status", model: "c", state: "failed", reason: "this provider does not host models on demand" },
  ]);
  assert.deepEqual(calls, ["load b", "unload a"]);
});

test("the heartbeat carries the host's slots (cold models have none), free_for_load_gb, and only loaded models as active", () => {
  const { hosting } = fakeHosting();
  const hb = buildHeartbeat([], false, hosting);
  assert.deepEqual(hb.backend_capacity.slots.map((s) => [s.model, s.state]), [["a", "idle"], ["b", "idle_shutdown"]]);
  assert.deepEqual(hb.active_models, ["a"]);
  assert.equal(hb.free_for_load_gb, 7.25);
  assert.equal(hb.status, "idle");
  assert.equal(buildHeartbeat([], false).free_for_load_gb, undefined, "no host, no room reported");
});
