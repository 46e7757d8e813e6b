import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { generateApiKey, hashApiKey, openStore, type Store } from "@darkbloom/coordinator";
import { ensureTestModel, repoRoot, startCoordinator, startProvider, waitFor, type RunningCoordinator, type RunningProvider } from "@darkbloom/testkit";
import { stopAndAuditLedger } from "../support/ledger.js";

const MODEL = "money-model";
const FEE_PERCENT = 10;
let coord: RunningCoordinator | undefined;
let provider: RunningProvider | undefined;
let store: Store | undefined;

after(async () => {
  await store?.close();
  await provider?.stop();
  await stopAndAuditLedger(coord);
});

/**
 * Real processes: a provider linked to account P (its API key in DARKBLOOM_ACCOUNT_KEY) serves
 * account C at P's own price, with a 10% platform fee. C's debit == P's credit + the fee, the
 * ledger balances, nothing is held, and every request passes the store's audit.
 */
test("a provider linked to account P serves account C: C's debit == P's credit + fee", async () => {
  const modelPath = await ensureTestModel({ preset: "tiny" });
  coord = await startCoordinator({ creditUsd: 5, env: { DARKBLOOM_PLATFORM_FEE_PERCENT: String(FEE_PERCENT) } });
  // Account P and its key, written into the coordinator's own database (WAL: a second connection may write).
  store = await openStore({ engine: "sqlite", path: coord.dbPath });
  const db = store;
  const pKey = generateApiKey();
  const owner = (await db.createAccount({ label: "provider owner" })).id;
  await db.createApiKey({ accountId: owner, keyHash: hashApiKey(pKey) });
  const consumer = (await db.findApiKeyByHash(hashApiKey(coord.apiKey)))!.accountId;

  const stateDir = mkdtempSync(join(tmpdir(), "darkbloom-money-state-"));
  provider = await startProvider(coord, { modelPath, modelId: MODEL, env: { DARKBLOOM_ACCOUNT_KEY: pKey, DARKBLOOM_STATE_DIR: stateDir } });
  const put = await fetch(`${coord.baseURL}/pricing`, {
    method: "PUT",
    headers: { authorization: `Bearer ${pKey}`, "content-type": "application/json" },
    body: JSON.stringify({ model: MODEL, input_per_million: 3_000_000, output_per_million: 7_000_000 }),
  });
  assert.equal(put.status, 200);

  const before = await db.getBalance(consumer);
  for (const stream of [false, true]) {
    const res: Response = await fetch(`${coord.baseURL}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${coord.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: MODEL, stream, max_tokens: 8, messages: [{ role: "user", content: "Say something." }] }),
    });
    assert.equal(res.status, 200);
    await res.text();
  }
  await waitFor("both requests settled", async () => (await db.auditRequests()).settledRequests === 2 && (await db.getBalance(consumer)).heldMicros === 0, 30_000, [
    coord.proc,
    provider.proc,
  ]);

  const debit = before.availableMicros - (await db.getBalance(consumer)).availableMicros;
  const earned = (await db.getEarnings(owner)).earningsMicros;
  assert.ok(debit > 0, "C paid");
  assert.ok(earned > 0, "P earned");
  // Per request the fee is floor(10% of its charge); summed over both requests it is debit − earned.
  const fee = debit - earned;
  assert.ok(fee > 0 && fee <= Math.ceil(debit * (FEE_PERCENT / 100)), `fee ${fee} of ${debit}`);
  assert.deepEqual(await db.getEarnings(consumer), { earningsMicros: 0, referralMicros: 0 });

  // The owner sees it: in its account, and in `darkbloom status` of the linked provider.
  const account = (await (await fetch(`${coord.baseURL}/account`, { headers: { authorization: `Bearer ${pKey}` } })).json()) as {
    earnings: { provider_micros: number };
  };
  assert.equal(account.earnings.provider_micros, earned);
  const status = spawnSync(process.execPath, [join(repoRoot, "packages/provider/bin/darkbloom.js"), "status", "--json"], {
    encoding: "utf8",
    timeout: 30_000,
    env: { ...process.env, DARKBLOOM_STATE_DIR: stateDir },
  });
  assert.equal(status.status, 0, status.stderr);
  const st = JSON.parse(status.stdout) as { linked: boolean; earnings: { provider_micros: number } | null };
  assert.equal(st.linked, true);
  assert.equal(st.earnings?.provider_micros, earned);

  assert.deepEqual(await db.checkLedger(), { postingSum: 0, unbalancedEntries: 0, driftedAccounts: 0 });
  const audit = await db.auditRequests();
  assert.deepEqual(audit.problems, [], "every request: consumer debit == provider credit + platform fee (+ referral)");
  assert.deepEqual([audit.openRequests, audit.heldMicros], [0, 0], "nothing held");
});
