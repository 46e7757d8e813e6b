import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { generateApiKey } from "../auth/index.js";
import { openStore } from "../store/index.js";
import { FakeProvider, TEST_PROVIDER_TOKEN } from "../test-support/fake-provider.js";
import { waitUntil, withDeadline } from "../test-support/wait.js";
import { startCoordinator, type RunningCoordinator } from "./coordinator.js";

const KEY = generateApiKey();
const ADMIN = "admin-token-0123456789abcdef";
const METRICS = "metrics-token-0123456789abcdef";
const dir = mkdtempSync(join(tmpdir(), "darkbloom-ops-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const chat = (model: string, content: string, extra: Record<string, unknown> = {}) => ({ model, max_tokens: 16, messages: [{ role: "user", content }], ...extra });
const post = (c: RunningCoordinator, body: unknown) =>
  fetch(`${c.url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" }, body: JSON.stringify(body) });
const scrape = (c: RunningCoordinator, token?: string) => fetch(`${c.url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

/** The value of one sample line (exact label set), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("/metrics, /readyz and reputation in /v1/stats", () => {
  let coord: RunningCoordinator;
  let provider: FakeProvider;
  before(async () => {
    coord = await startCoordinator({ providerToken: TEST_PROVIDER_TOKEN, port: 0, databaseUrl: "sqlite::memory:", bootstrapApiKey: KEY, bootstrapCreditUsd: 5 }, { logWrite: () => undefined });
    provider = await FakeProvider.connect(coord.url, { models: ["tiny"] });
  });
  after(async () => {
    await provider.close();
    await coord.close();
  });

  it("/readyz answers 200 while serving; /health is unchanged", async () => {
    const r = await fetch(`${coord.url}/readyz`);
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { status: "ready" });
    assert.equal((await fetch(`${coord.url}/health`)).status, 200);
  });

  it("a scrape after requests shows them by model and status, rejections by reason, providers, jobs and money", async () => {
    const ok = await post(coord, chat("tiny", "hi", { stream: true }));
    assert.equal(ok.status, 200);
    await ok.text();
    assert.equal((await post(coord, chat("tiny", "hi"))).status, 200);
    assert.equal((await post(coord, chat("no-such-model", "hi"))).status, 404);

    const res = await scrape(coord); // no token configured: loopback clients may scrape
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    assert.equal(sample(text, 'darkbloom_requests_total{api="chat.completions",model="tiny",status="200"}'), 2);
    assert.equal(sample(text, 'darkbloom_requests_total{api="chat.completions",model="other",status="404"}'), 1, "unknown models are bucketed");
    assert.equal(sample(text, 'darkbloom_rejections_total{status="404",reason="model_not_found"}'), 1);
    assert.equal(sample(text, 'darkbloom_providers{state="idle",version="0.0.0-fake",trust="self_signed"}'), 1);
    assert.equal(sample(text, 'darkbloom_provider_slots{model="tiny",state="idle"}'), 1);
    assert.equal(sample(text, 'darkbloom_provider_jobs_total{model="tiny",result="ok",code="none"}'), 2);
    assert.equal(sample(text, 'darkbloom_request_ttft_seconds_count{model="tiny"}'), 2);
    assert.equal(sample(text, 'darkbloom_provider_ttft_seconds_count{model="tiny"}'), 2);
    assert.equal(sample(text, 'darkbloom_billing_settlements_total{outcome="completed"}'), 2);
    assert.ok(sample(text, "darkbloom_billing_charged_micro_usd_total")! > 0);
    assert.equal(sample(text, "darkbloom_queue_depth"), 0);
    assert.equal(sample(text, "darkbloom_draining"), 0);
    assert.ok(text.includes("# TYPE darkbloom_request_ttft_seconds histogram"));
    assert.ok(text.includes("# TYPE darkbloom_provider_gates gauge"));
    assert.doesNotMatch(text, /^darkbloom_provider_gates\{/m, "no gate holds the provider back");
  });

  it("the queue plugs its depth in as a source read at scrape time; challenge verdicts are counted", async () => {
    let depth = 3;
    coord.ops.metrics.setQueueDepthSource(() => depth);
    coord.ops.recordChallenge(provider.id, true);
    coord.ops.recordChallenge(provider.id, false);
    let text = await (await scrape(coord)).text();
    assert.equal(sample(text, "darkbloom_queue_depth"), 3);
    depth = 0;
    text = await (await scrape(coord)).text();
    assert.equal(sample(text, "darkbloom_queue_depth"), 0);
    assert.equal(sample(text, 'darkbloom_attestation_challenges_total{result="pass"}'), 1);
    assert.equal(sample(text, 'darkbloom_attestation_challenges_total{result="fail"}'), 1);
  });

  it("/v1/stats lists each provider's public facts and reputation, nothing secret", async () => {
    const body = (await (await fetch(`${coord.url}/v1/stats`)).json()) as { providers: Record<string, unknown>[] };
    assert.equal(body.providers.length, 1);
    const p = body.providers[0]! as { id: string; models: string[]; trust_level: string; reputation: Record<string, unknown> & { jobs: { total: number; succeeded: number } } };
    assert.equal(p.id, provider.id);
    assert.deepEqual(p.models, ["tiny"]);
    assert.equal(p.trust_level, "self_signed");
    assert.deepEqual(Object.keys(p).sort(), ["id", "models", "reputation", "trust_level", "version"]);
    assert.deepEqual({ total: p.reputation.jobs.total, succeeded: p.reputation.jobs.succeeded }, { total: 2, succeeded: 2 });
    assert.equal(p.reputation.uptime, 1);
    assert.deepEqual(p.reputation.challenges, { passed: 1, failed: 1, pass_rate: 0.5 });
    const score = p.reputation.score as number;
    assert.ok(score > 0 && score <= 1);
  });
});

describe("job results feed reputation and metrics", () => {
  it("a provider failing before its first token is charged failed jobs (and shows up gated); the failover target successes", async () => {
    const coord = await startCoordinator({ providerToken: TEST_PROVIDER_TOKEN, port: 0, databaseUrl: "sqlite::memory:", bootstrapApiKey: KEY, bootstrapCreditUsd: 5 }, { logWrite: () => undefined });
    const bad = await FakeProvider.connect(coord.url, { models: ["m"], behavior: () => "fail_before_first" });
    const good = await FakeProvider.connect(coord.url, { models: ["m"] });
    try {
      // Either may be picked first; repeat until the bad one was tried (it always fails over).
      await waitUntil("the failing provider to be tried", async () => {
        const r = await post(coord, chat("m", "hi"));
        assert.equal(r.status, 200);
        await r.text();
        return (coord.ops.reputation.snapshot(bad.id)?.jobs.failed ?? 0) >= 2;
      });
      const badRep = coord.ops.reputation.snapshot(bad.id)!;
      const goodRep = coord.ops.reputation.snapshot(good.id)!;
      assert.equal(badRep.jobs.succeeded, 0);
      assert.ok(goodRep.jobs.succeeded >= 1 && goodRep.jobs.failed === 0);
      assert.ok(goodRep.score > badRep.score);
      const text = await (await scrape(coord)).text();
      assert.equal(sample(text, 'darkbloom_provider_jobs_total{model="m",result="failed",code="provider_error"}'), badRep.jobs.failed);
      // Two errors within a minute put it in the registry's error cooldown: visible by gate name.
      assert.equal(sample(text, 'darkbloom_provider_gates{gate="error_cooldown"}'), 1);
      assert.equal(sample(text, 'darkbloom_providers{state="gated",version="0.0.0-fake",trust="self_signed"}'), 1);
    } finally {
      await bad.close();
      await good.close();
      await coord.close();
    }
  });
});

describe("/metrics access", () => {
  it("with DARKBLOOM_METRICS_TOKEN: bearer required (metrics or admin token), compared exactly", async () => {
    const coord = await startCoordinator(
      { providerToken: TEST_PROVIDER_TOKEN, port: 0, databaseUrl: "sqlite::memory:", adminToken: ADMIN, metricsToken: METRICS },
      { logWrite: () => undefined },
    );
    try {
      assert.equal((await scrape(coord)).status, 401);
      assert.equal((await scrape(coord, `${METRICS}x`)).status, 401);
      assert.equal((await scrape(coord, METRICS)).status, 200);
      assert.equal((await scrape(coord, ADMIN)).status, 200);
    } finally {
      await coord.close();
    }
  });

  it("without a metrics token the admin token is required", async () => {
    const coord = await startCoordinator({ providerToken: TEST_PROVIDER_TOKEN, port: 0, databaseUrl: "sqlite::memory:", adminToken: ADMIN }, { logWrite: () => undefined });
    try {
      assert.equal((await scrape(coord)).status, 401);
      assert.equal((await scrape(coord, ADMIN)).status, 200);
    } finally {
      await coord.close();
    }
  });
});

describe("drain (POST /v1/admin/drain)", () => {
  it("refuses new inference, reports not ready, then ends what outlives the grace with a clean error and bills delivered tokens only", async () => {
    const logs: string[] = [];
    const dbPath = join(dir, "drain.db");
    const coord = await startCoordinator(
      { providerToken: TEST_PROVIDER_TOKEN, port: 0, databaseUrl: `sqlite:${dbPath}`, bootstrapApiKey: KEY, bootstrapCreditUsd: 5, adminToken: ADMIN, shutdownGraceMs: 400 },
      { logWrite: (l) => void logs.push(l) },
    );
    const provider = await FakeProvider.connect(coord.url, { models: ["tiny"], behavior: (prompt) => (prompt === "stall" ? "stall_mid_stream" : "hang") });
    try {
      // A stream that delivered one token and then stalls, and a non-stream request that never starts.
      const stream = await post(coord, chat("tiny", "stall", { stream: true }));
      assert.equal(stream.status, 200);
      const reader = stream.body!.getReader();
      const first = await withDeadline(reader.read(), 10_000, "the first chunk");
      assert.ok(!first.done);
      const hung = post(coord, chat("tiny", "hang"));
      await waitUntil("both requests in flight", () => coord.ops.drain.inFlight === 2);

      assert.equal((await fetch(`${coord.url}/v1/admin/drain`, { method: "POST" })).status, 401, "admin token required");
      const d = await fetch(`${coord.url}/v1/admin/drain`, { method: "POST", headers: { authorization: `Bearer ${ADMIN}` } });
      assert.equal(d.status, 202);
      assert.deepEqual(await d.json(), { object: "drain", draining: true, already_draining: false, reason: "admin", in_flight: 2, grace_ms: 400 });

      const ready = await fetch(`${coord.url}/readyz`);
      assert.equal(ready.status, 503);
      assert.ok(ready.headers.get("retry-after"));
      const refused = await post(coord, chat("tiny", "new"));
      assert.equal(refused.status, 503);
      assert.ok(Number(refused.headers.get("retry-after")) > 0);
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, "shutting_down");
      const scraped = await (await scrape(coord, ADMIN)).text(); // operations routes still answer
      assert.equal(sample(scraped, "darkbloom_draining"), 1);

      // The grace ends: the stream gets an error event and a proper end, the other one a 503.
      let rest = "";
      for (;;) {
        const r = await withDeadline(reader.read(), 20_000, "the stream to end");
        if (r.done) break;
        rest += Buffer.from(r.value).toString("utf8");
      }
      assert.match(rest, /"code":"shutting_down"/, "an error event, not a cut");
      const h = await withDeadline(hung, 20_000, "the non-stream answer");
      assert.equal(h.status, 503);
      assert.equal(((await h.json()) as { error: { code: string } }).error.code, "shutting_down");
      await withDeadline(coord.closed, 20_000, "the coordinator to stop");
    } finally {
      await provider.close();
      await coord.close();
    }

    const streamLine = logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === "request" && l.stream === true);
    const store = await openStore({ engine: "sqlite", path: dbPath });
    try {
      const rec = await store.getRequest(String(streamLine!.internal_id));
      assert.equal(rec?.state, "failed");
      assert.equal(rec?.completionTokens, 1, "billed the one delivered token");
      assert.deepEqual(await store.checkLedger(), { postingSum: 0, unbalancedEntries: 0, driftedAccounts: 0 });
      const audit = await store.auditRequests();
      assert.deepEqual(audit.problems, []);
      assert.deepEqual({ open: audit.openRequests, held: audit.heldMicros }, { open: 0, held: 0 });
    } finally {
      await store.close();
    }
  });
});
