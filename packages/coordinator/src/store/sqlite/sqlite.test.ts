import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { openStore } from "../open.js";
import { storeSuite } from "../store.suite.js";
import { ledgerSuite } from "../ledger.suite.js";
import { devicesSuite } from "../devices/devices.suite.js";
import { SqliteDatabase } from "./driver.js";
import { MIGRATIONS, migrate } from "../migrations.js";

const dir = mkdtempSync(join(tmpdir(), "darkbloom-store-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

storeSuite("sqlite file", () => openStore({ engine: "sqlite", path: join(dir, `db-${n++}`, "c.db") }));
ledgerSuite("sqlite file", () => openStore({ engine: "sqlite", path: join(dir, `db-${n++}`, "c.db") }));
devicesSuite("sqlite file", (now) => openStore({ engine: "sqlite", path: join(dir, `db-${n++}`, "c.db") }, { now }));

describe("sqlite engine", () => {
  it("applies migrations once and survives reopening", async () => {
    const path = join(dir, "reopen.db");
    const db = new SqliteDatabase({ path });
    assert.deepEqual(await migrate(db, () => 1), MIGRATIONS.map((m) => m.id));
    assert.deepEqual(await migrate(db, () => 2), []);
    await db.close();
    const store = await openStore({ engine: "sqlite", path });
    const acct = await store.createAccount({ id: "a1" });
    assert.equal(acct.id, "a1");
    await store.close();
  });

  it("rolls a failed transaction back", async () => {
    const db = new SqliteDatabase({ memory: true });
    await db.exec("CREATE TABLE t (x INTEGER)");
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.run("INSERT INTO t (x) VALUES (?)", [1]);
        throw new Error("boom");
      }),
    );
    assert.equal((await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM t"))?.n, 0);
    await db.close();
  });
});
