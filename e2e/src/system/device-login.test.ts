import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { ProviderEarnings } from "@darkbloom/protocol";
import { openStore } from "@darkbloom/coordinator";
import {
  ensureTestModel,
  repoRoot,
  spawnNode,
  spawnProvider,
  startCoordinator,
  startProvider,
  waitFor,
  type Proc,
  type RunningCoordinator,
  type RunningProvider,
} from "@darkbloom/testkit";
import { stopAndAuditLedger } from "../support/ledger.js";

/**
 * Device login (RFC 8628) through real processes: `darkbloom login` prints a code, a logged-in user
 * approves it through the API, the provider then connects with the stored account token (no
 * enrollment token), and what it earned before (accrued to its identity) and after linking is the
 * account's, per device and per day, as `darkbloom status` shows. A provider below
 * DARKBLOOM_MIN_PROVIDER_VERSION is refused with an upgrade message and stops.
 */
const MODEL = "device-login-model";
const providerBin = join(repoRoot, "packages/provider/bin/darkbloom.js");
let coord: RunningCoordinator | undefined;
let old: RunningCoordinator | undefined;
const running: (RunningProvider | Proc)[] = [];

after(async () => {
  await Promise.all(running.map((p) => p.stop()));
  await old?.stop();
  await stopAndAuditLedger(coord);
});

async function chat(c: RunningCoordinator): Promise<void> {
  const res = await fetch(`${c.baseURL}/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${c.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ model: MODEL, max_tokens: 8, messages: [{ role: "user", content: "Say something." }] }),
  });
  assert.equal(res.status, 200);
  await res.text();
}

test("darkbloom login → approve → the provider earns for the account (before-link earnings moved), per device and day", async () => {
  const modelPath = await ensureTestModel({ preset: "tiny" });
  const c = (coord = await startCoordinator({ creditUsd: 5 }));
  const dir = mkdtempSync(join(tmpdir(), "darkbloom-login-"));
  const env = { DARKBLOOM_CONFIG_DIR: dir, DARKBLOOM_STATE_DIR: dir };
  const wsUrl = `ws://127.0.0.1:${c.port}/ws/provider`;

  // 1. Unlinked (enrollment token): one request; its share accrues to this provider's identity.
  const unlinked = await startProvider(c, { modelPath, modelId: MODEL, env });
  await chat(c);
  const store = await openStore({ engine: "sqlite", path: c.dbPath });
  try {
    await waitFor("the first request settled", async () => (await store.auditRequests()).settledRequests === 1, 30_000, [unlinked.proc]);
  } finally {
    await store.close();
  }
  await unlinked.stop();

  // 2. darkbloom login, as a real process; a user approves the code it prints.
  const signup = await fetch(`${c.baseURL}/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "provider-owner@example.com", password: "correct horse battery staple" }),
  });
  assert.equal(signup.status, 201);
  const owner = (await signup.json()) as { token: string; account_id: string };
  const login = spawnNode(providerBin, ["login", "--coordinator", wsUrl], env, "login");
  running.push(login);
  let userCode = "";
  await waitFor("darkbloom login to print a code", async () => {
    userCode = /code\s+([A-Z]{4}-[A-Z]{4})/.exec(login.output())?.[1] ?? "";
    return userCode !== "";
  }, 30_000, [login]);
  assert.match(login.output(), new RegExp(`${c.origin}/link\\?user_code=${userCode}`));
  const approve = await fetch(`${c.baseURL}/device/approve`, {
    method: "POST",
    headers: { authorization: `Bearer ${owner.token}`, "content-type": "application/json" },
    body: JSON.stringify({ user_code: userCode }),
  });
  assert.equal(approve.status, 200);
  const approved = (await approve.json()) as { device_id: string; moved_micros: number };
  const deviceId = approved.device_id;
  assert.ok(approved.moved_micros > 0, "what the identity earned unlinked moved to the account");
  await waitFor("darkbloom login to finish", async () => login.child.exitCode !== null, 60_000);
  assert.equal(login.child.exitCode, 0, login.output());
  assert.match(login.output(), new RegExp(`Linked: device ${deviceId} earns for account ${owner.account_id}`));
  assert.equal(statSync(join(dir, "account.json")).mode & 0o777, 0o600);

  // 3. The provider starts with the stored token and no enrollment token at all.
  const linked = await startProvider(c, { modelPath, modelId: MODEL, env, token: null });
  running.push(linked);
  assert.match(linked.proc.output(), /"linked":true/);
  await chat(c);
  const auth = { authorization: `Bearer ${owner.token}` };
  let earnings: ProviderEarnings | undefined;
  await waitFor("the second request credited to the account", async () => {
    earnings = (await (await fetch(`${c.baseURL}/provider/earnings`, { headers: auth })).json()) as ProviderEarnings;
    return (earnings.devices.find((d) => d.device_id === deviceId)?.requests ?? 0) === 2;
  }, 30_000, [linked.proc]);
  const mine = earnings!.devices.find((d) => d.device_id === deviceId)!;
  assert.ok(mine.earned_micros > approved.moved_micros, "the linked request earned too");
  assert.equal(earnings!.balance_micros, mine.earned_micros, "everything this device earned is the account's");
  assert.deepEqual(mine.days.map((d) => [d.day, d.requests, d.earned_micros]), [[new Date().toISOString().slice(0, 10), 2, mine.earned_micros]]);
  const account = (await (await fetch(`${c.baseURL}/account`, { headers: auth })).json()) as { earnings: { provider_micros: number } };
  assert.equal(account.earnings.provider_micros, mine.earned_micros);

  // 4. darkbloom status shows it.
  const status = spawnSync(process.execPath, [providerBin, "status", "--json"], { encoding: "utf8", timeout: 30_000, env: { ...process.env, ...env } });
  assert.equal(status.status, 0, status.stderr);
  const st = JSON.parse(status.stdout) as { linked: boolean; device_earnings: { account_id: string; device_id: string; earned_micros: number; balance_micros: number } | null };
  assert.equal(st.linked, true);
  assert.deepEqual(st.device_earnings && [st.device_earnings.account_id, st.device_earnings.device_id, st.device_earnings.earned_micros], [owner.account_id, deviceId, mine.earned_micros]);
});

test("a provider below DARKBLOOM_MIN_PROVIDER_VERSION is refused, prints the upgrade message and stops", async () => {
  const modelPath = await ensureTestModel({ preset: "tiny" });
  old = await startCoordinator({ env: { DARKBLOOM_MIN_PROVIDER_VERSION: "99.0.0" } });
  const proc = await spawnProvider(old, { modelPath, modelId: `${MODEL}-old` });
  running.push(proc);
  await waitFor("the refused provider to exit", async () => proc.child.exitCode !== null, 60_000);
  assert.equal(proc.child.exitCode, 1, proc.output());
  assert.match(proc.output(), /darkbloom: the coordinator refused this provider: darkbloom 0\.1\.0 is too old \(minimum 99\.0\.0\): upgrade the provider/);
  assert.ok(!proc.output().includes('"event":"disconnected"'), "no reconnect loop");
});
