import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { ensureTestModel, startCoordinator, startProvider, waitFor, type RunningCoordinator, type RunningProvider } from "@darkbloom/testkit";
import { stopAndAuditLedger } from "../support/ledger.js";

/**
 * One real provider offering three generated models: one loaded at start, one loaded on demand,
 * one whose chat template fails its self-check. Requests for both good models are served (the
 * second after a load), an operator's unload really unloads (and the next request loads it
 * again), the broken one gets nothing routed to it, and a second provider whose memory cap is tiny
 * refuses a load with the memory gate's reason in load_model_status.
 */
const LOADED = "mm-loaded";
const COLD = "mm-cold";
const BROKEN = "mm-broken-template";
const GATED = "mm-gated";
const ADMIN = "admin-token-multi-model-0123456789";

interface PoolModel {
  id: string;
  slot_state: string;
  load_state: string | null;
  reason?: string;
  cooldown_until: number | null;
}
interface PoolProvider {
  id: string;
  free_for_load_gb: number | null;
  pending_load: string | null;
  models: PoolModel[];
}

describe("multi-model provider: load on demand, unload, memory gate, template fence", () => {
  let coord: RunningCoordinator;
  let provider: RunningProvider;
  let gated: RunningProvider | undefined;

  before(async () => {
    const [loadedPath, coldPath, brokenPath] = await Promise.all([
      ensureTestModel({ preset: "tiny" }),
      ensureTestModel({ preset: "tiny", seed: 2 }),
      ensureTestModel({ preset: "tiny-bad-template" }),
    ]);
    // Automatic warm-pool loads off: every load here is one this test caused (operator or request).
    coord = await startCoordinator({ env: { DARKBLOOM_ADMIN_TOKEN: ADMIN, DARKBLOOM_WARM_POOL_TICK_MS: "0" } });
    provider = await startProvider(coord, {
      modelPath: loadedPath,
      modelId: LOADED,
      parallel: 2,
      extraModels: [
        { path: coldPath, id: COLD, preload: false },
        { path: brokenPath, id: BROKEN, preload: false },
      ],
    });
  });

  after(async () => {
    await gated?.stop();
    await provider?.stop();
    await stopAndAuditLedger(coord);
  });

  const client = () => new OpenAI({ baseURL: coord.baseURL, apiKey: coord.apiKey, maxRetries: 0 });
  const ask = (model: string) => client().chat.completions.create({ model, messages: [{ role: "user", content: "Hello" }], max_tokens: 8 });
  const admin = { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" };
  const pool = async (): Promise<PoolProvider[]> => {
    const res = await fetch(`${coord.origin}/v1/admin/warm-pool`, { headers: admin });
    assert.equal(res.status, 200);
    return ((await res.json()) as { providers: PoolProvider[] }).providers;
  };
  const modelOn = async (model: string, providerModel = model): Promise<{ provider: PoolProvider; model: PoolModel | undefined }> => {
    const p = (await pool()).find((x) => x.models.some((m) => m.id === providerModel));
    assert.ok(p, `a provider offering ${providerModel}`);
    return { provider: p, model: p.models.find((m) => m.id === model) };
  };
  const until = (what: string, check: () => Promise<boolean>) => waitFor(what, async () => check(), 60_000, [coord.proc, provider.proc]);

  test("every offered model is registered; only the preloaded one has a slot, and the room is reported", async () => {
    const listed = ((await client().models.list()).data.map((m) => m.id)).sort();
    assert.deepEqual(listed, [COLD, LOADED], "the broken-template model is not listed as served");
    await until("the first heartbeat", async () => (await modelOn(LOADED)).model?.slot_state === "idle");
    const { provider: p, model } = await modelOn(COLD);
    assert.equal(model?.slot_state, "cold", "an offered model never loaded has no slot");
    assert.ok((p.free_for_load_gb ?? 0) > 0, "free_for_load_gb in heartbeats");
  });

  test("requests for both models are served, the cold one after a load", async () => {
    const a = await ask(LOADED);
    assert.equal(a.model, LOADED);
    assert.equal(a.usage?.completion_tokens, 8);
    const b = await ask(COLD);
    assert.equal(b.model, COLD);
    assert.equal(b.usage?.completion_tokens, 8);
    await until("the cold model to report loaded and a live slot", async () => {
      const m = (await modelOn(COLD)).model;
      return m?.load_state === "loaded" && m.slot_state === "idle";
    });
  });

  test("nothing is routed to a model whose template failed the self-check", async () => {
    await assert.rejects(ask(BROKEN), (err: unknown) => err instanceof OpenAI.APIError && err.status === 503);
    assert.equal((await modelOn(BROKEN, LOADED)).model?.slot_state, "cold", "never loaded");
  });

  test("an operator unload unloads (idle_shutdown); the next request loads it again", async () => {
    const { provider: p } = await modelOn(COLD);
    const res = await fetch(`${coord.origin}/v1/admin/providers/${p.id}/unload`, { method: "POST", headers: admin, body: JSON.stringify({ model: COLD }) });
    assert.equal(res.status, 202);
    await until("the unload to be reported and the slot to rest", async () => {
      const m = (await modelOn(COLD)).model;
      return m?.load_state === "unloaded" && m.slot_state === "idle_shutdown";
    });
    const again = await ask(COLD);
    assert.equal(again.usage?.completion_tokens, 8);
    await until("the model to be loaded again", async () => (await modelOn(COLD)).model?.slot_state === "idle");
  });

  test("the memory gate refuses a load under a tiny DARKBLOOM_MEM_CAP_FRACTION, with its reason in load_model_status", async () => {
    gated = await startProvider(coord, {
      modelPath: await ensureTestModel({ preset: "tiny" }),
      modelId: GATED,
      preload: false,
      parallel: 1,
      env: { DARKBLOOM_MEM_CAP_FRACTION: "0.01" },
    });
    await until("the gated provider's first heartbeat", async () => (await modelOn(GATED)).provider.free_for_load_gb !== null);
    const { provider: p } = await modelOn(GATED);
    assert.equal(p.free_for_load_gb, 0);
    const res = await fetch(`${coord.origin}/v1/admin/providers/${p.id}/load`, { method: "POST", headers: admin, body: JSON.stringify({ model: GATED }) });
    assert.equal(res.status, 202);
    await until("the refusal", async () => (await modelOn(GATED)).model?.load_state === "failed");
    const m = (await modelOn(GATED)).model;
    assert.match(m?.reason ?? "", /^memory gate: .* > cap .* \(0\.01 × .* RAM/);
    assert.ok((m?.cooldown_until ?? 0) > Date.now(), "a failed load cools the provider down for that model");
    assert.equal(m?.slot_state, "cold");
    // A request for it fails cleanly (the provider's retryable refusal), and is not billed.
    await assert.rejects(ask(GATED), (err: unknown) => err instanceof OpenAI.APIError && (err.status ?? 0) >= 500);
  });
});
