import assert from "node:assert/strict";
import { test } from "node:test";
import { ProviderStatusSchema } from "./control/messages.js";
import { formatStatus } from "./status-view.js";

test("the human status names every field", () => {
  const st = ProviderStatusSchema.parse({
    pid: 42,
    version: "0.1.0",
    coordinator: "ws://c/ws/provider",
    connection: "connected",
    provider_id: "prov_1",
    trust_level: "self_signed",
    linked: false,
    paused_by_schedule: false,
    models: [{ id: "m", path: "/m.gguf", state: "idle", running: 1, waiting: 2, max_concurrency: 4, price: { input_per_million: 5, output_per_million: 7 } }],
    requests_served: 3,
    tokens_generated: 99,
    started_at: new Date(0).toISOString(),
    uptime_s: 3725,
  });
  const text = formatStatus(st);
  for (const re of [/pid 42/, /ws:\/\/c\/ws\/provider/, /connected/, /prov_1/, /self_signed/, /1h 2m 5s/, /3 served, 99 tokens/, /m: idle, 1 running, 2 waiting, max concurrency 4, price in\/out 5\/7/]) {
    assert.match(text, re);
  }
});

test("a linked provider's status shows what its account earned, or says the coordinator did not answer", () => {
  const base = {
    pid: 1, version: "0.1.0", coordinator: "ws://c/ws/provider", connection: "connected", provider_id: "p", trust_level: "self_signed",
    linked: true, paused_by_schedule: false, models: [], requests_served: 0, tokens_generated: 0, started_at: new Date(0).toISOString(), uptime_s: 1,
  };
  assert.match(formatStatus(ProviderStatusSchema.parse({ ...base, earnings: { provider_micros: 1_234_567, referral_micros: 10 } })), /linked, earned \$1\.234567 serving \+ \$0\.000010 referrals/);
  assert.match(formatStatus(ProviderStatusSchema.parse({ ...base, earnings: null })), /did not answer/);
  assert.match(formatStatus(ProviderStatusSchema.parse({ ...base, linked: false })), /unlinked/);
});

test("a provider linked by darkbloom login shows its account balance and this device's earnings, today included", () => {
  const today = new Date().toISOString().slice(0, 10);
  const st = ProviderStatusSchema.parse({
    pid: 1, version: "0.1.0", coordinator: "ws://c/ws/provider", connection: "connected", provider_id: "prv_0123456789abcdef", trust_level: "self_signed",
    linked: true, paused_by_schedule: false, models: [], requests_served: 2, tokens_generated: 8, started_at: new Date(0).toISOString(), uptime_s: 1,
    device_earnings: {
      account_id: "acct_1", balance_micros: 2_500, device_id: "prv_0123456789abcdef", earned_micros: 2_000, requests: 2,
      days: [{ day: "2020-01-01", earned_micros: 500, requests: 1, completion_tokens: 4 }, { day: today, earned_micros: 1_500, requests: 1, completion_tokens: 4 }],
    },
  });
  assert.match(formatStatus(st), /linked to acct_1 \(balance \$0\.002500\); this device prv_0123456789abcdef: \$0\.002000 over 2 requests, today \$0\.001500/);
});
