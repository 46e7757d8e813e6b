/**
 * `npm run bench:billing`: what billing (a reserve before dispatch and a settle before the
 * response completes, per request) costs the coordinator, on SQLite and on PostgreSQL. Prints
 * figures; asserts nothing about timing.
 *
 * (1) End to end: a real coordinator process and a real provider with the tiny test model,
 *     `max_tokens: 1`, 64 concurrent non-streaming requests: requests/s, client latency, and the
 *     coordinator's own `reserve` phase (its X-Timing header).
 * (2) Billing added versus billing disabled: there is deliberately no switch that turns billing
 *     off in the coordinator (a misconfigured one would serve for free). Disabled billing makes no
 *     store calls, so what billing adds to a request is its reserve + settle; this part measures
 *     exactly that, 64 at a time, against a fresh store of each engine in this process.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createThrowawayDatabase, openStore, postgresUnavailable, testPostgresUrl, type Store, type ThrowawayDatabase } from "@darkbloom/coordinator";
import { ensureTestModel, startCoordinator, startProvider, type RunningProvider } from "@darkbloom/testkit";
import { percentile } from "./load.js";
import { runBillingLoad, runChatLoad, type ChatLoad, type StoreLoad } from "./billing-load.js";

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 384);
const STORE_PAIRS = Number(process.env.BENCH_STORE_PAIRS ?? 1_280);
const PARALLEL = Number(process.env.BENCH_PARALLEL ?? 4);
// A provider holds `parallel` requests plus a queue of 10 and answers `overloaded` beyond that: enough
// providers that 64 concurrent requests all fit, so the figures are the coordinator's, not 503s.
const PROVIDERS = Number(process.env.BENCH_PROVIDERS ?? 5);
const MODEL = "bench-billing-tiny";

type Engine = "sqlite" | "postgres";
const fmt = (n: number, d = 1) => n.toFixed(d).padStart(8);
const failed = (l: ChatLoad) =>
  Object.keys(l.failures).length === 0 ? "" : `; failed: ${Object.entries(l.failures).map(([k, v]) => `${k} ×${v}`).join(", ")}`;

async function endToEnd(modelPath: string, pg: ThrowawayDatabase | null): Promise<ChatLoad> {
  const env: NodeJS.ProcessEnv = { DARKBLOOM_LOG_LEVEL: "warn" };
  if (pg) env.DARKBLOOM_DATABASE_URL = pg.url;
  const coord = await startCoordinator({ creditUsd: 10_000, env });
  try {
    const providers: RunningProvider[] = [];
    try {
      for (let i = 0; i < PROVIDERS; i++) providers.push(await startProvider(coord, { modelPath, modelId: MODEL, parallel: PARALLEL }));
      const target = { origin: coord.origin, apiKey: coord.apiKey, model: MODEL };
      await runChatLoad(target, CONCURRENCY, CONCURRENCY); // warm-up
      return await runChatLoad(target, CONCURRENCY, REQUESTS);
    } finally {
      await Promise.all(providers.map((p) => p.stop()));
    }
  } finally {
    await coord.stop();
  }
}

async function storeOnly(engine: Engine, pg: ThrowawayDatabase | null): Promise<StoreLoad> {
  const dir = mkdtempSync(join(tmpdir(), "darkbloom-bench-"));
  let store: Store | undefined;
  try {
    store = pg
      ? await openStore({ engine: "postgres", url: await pg.freshSchemaUrl(), display: engine })
      : await openStore({ engine: "sqlite", path: join(dir, "bench.db") });
    await runBillingLoad(store, CONCURRENCY, CONCURRENCY); // warm-up
    return await runBillingLoad(store, CONCURRENCY, STORE_PAIRS);
  } finally {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  process.stdout.write(
    `bench:billing — concurrency ${CONCURRENCY}, tiny model, max_tokens 1, ${REQUESTS} requests per engine (${PROVIDERS} providers × --parallel ${PARALLEL}), ${STORE_PAIRS} store reserve+settle pairs per engine\n`,
  );
  const modelPath = await ensureTestModel({ preset: "tiny" });
  const adminUrl = testPostgresUrl();
  const pgDown = await postgresUnavailable(adminUrl);
  if (pgDown) process.stdout.write(`PostgreSQL skipped: ${pgDown}\n`);
  const engines: Engine[] = pgDown ? ["sqlite"] : ["sqlite", "postgres"];
  const lines: string[] = [];
  for (const engine of engines) {
    const pg = engine === "postgres" ? await createThrowawayDatabase(adminUrl, "darkbloom_bench") : null;
    try {
      const e2e = await endToEnd(modelPath, pg);
      const direct = await storeOnly(engine, pg);
      lines.push(
        `${engine.padEnd(8)} with billing    ${fmt(e2e.requestsPerSec)} req/s   latency p50 ${fmt(percentile(e2e.latencyMs, 50))} ms  p99 ${fmt(percentile(e2e.latencyMs, 99))} ms   coordinator reserve phase p50 ${fmt(percentile(e2e.reserveMs, 50), 2)} ms  p99 ${fmt(percentile(e2e.reserveMs, 99), 2)} ms   (${e2e.ok}/${e2e.requests} ok${failed(e2e)})`,
        `${engine.padEnd(8)} billing added   reserve+settle p50 ${fmt(percentile(direct.pairMs, 50), 2)} ms  p99 ${fmt(percentile(direct.pairMs, 99), 2)} ms  (reserve p99 ${fmt(percentile(direct.reserveMs, 99), 2)} ms, settle p99 ${fmt(percentile(direct.settleMs, 99), 2)} ms) vs 0 disabled; store alone sustains ${fmt(direct.pairsPerSec, 0)} reserve+settle/s`,
      );
    } finally {
      await pg?.drop();
    }
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
  process.exitCode = 1;
});
