import assert from "node:assert/strict";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { accountTokenPath, loadAccount, removeAccount, saveAccount } from "./token-file.js";

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

test("the account token is stored 0600 in a 0700 dir, loaded, and removed", async () => {
  const base = await mkdtemp(join(tmpdir(), "darkbloom-acct-"));
  dirs.push(base);
  const dir = join(base, "config");
  assert.equal(await loadAccount(dir), undefined);
  const rec = { version: 1 as const, coordinator: "http://c", access_token: `dbat-${"b".repeat(64)}`, account_id: "acct_1", device_id: "prv_1", created_at: "now" };
  await saveAccount(dir, rec);
  assert.equal((await stat(accountTokenPath(dir))).mode & 0o777, 0o600);
  assert.equal((await stat(dir)).mode & 0o777, 0o700);
  assert.deepEqual(await loadAccount(dir), rec);
  assert.equal(await removeAccount(dir), true);
  assert.equal(await removeAccount(dir), false);
  assert.equal(await loadAccount(dir), undefined);
  await writeFile(accountTokenPath(dir), "{not json");
  await assert.rejects(loadAccount(dir), /corrupt.*darkbloom logout/);
});
