import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { migrate, MIGRATIONS } from "../migrations.js";
import { openStore } from "../open.js";
import { storeSuite } from "../store.suite.js";
import { ledgerSuite } from "../ledger.suite.js";
import { devicesSuite } from "../devices/devices.suite.js";
import { PostgresDatabase } from "./driver.js";
import { DEFAULT_RETRY } from "./retry.js";
import { createThrowawayDatabase, postgresUnavailable, testPostgresUrl, type ThrowawayDatabase } from "./throwaway.js";

// One throw-away database per run (dropped at the end); every store gets its own schema in it.
const adminUrl = testPostgresUrl();
const unavailable = await postgresUnavailable(adminUrl);

if (unavailable !== null) {
  describe("PostgreSQL store", { skip: unavailable }, () => {});
} else {
  const tmp = await createThrowawayDatabase(adminUrl);
  after(() => tmp.drop());
  const fresh = async () => openStore({ engine: "postgres", url: await tmp.freshSchemaUrl(), display: "test" });

  storeSuite("postgres", fresh);
  ledgerSuite("postgres", fresh);
  devicesSuite("postgres", async (now) => openStore({ engine: "postgres", url: await tmp.freshSchemaUrl(), display: "test" }, { now }));
  engineTests(tmp);
}

function engineTests(tmp: ThrowawayDatabase): void {
  describe("postgres engine", () => {
    let db: PostgresDatabase;
    let schemaUrl: string;
    before(async () => {
      schemaUrl = await tmp.freshSchemaUrl();
      db = new PostgresDatabase({ url: schemaUrl, poolSize: 4 });
    });
    after(() => db.close());

    it("applies every migration once (the same SQL as SQLite)", async () => {
      assert.deepEqual(await migrate(db, () => 1), MIGRATIONS.map((m) => m.id));
      assert.deepEqual(await migrate(db, () => 2), []);
      const cols = await db.all<{ column_name: string; data_type: string }>(
        `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY column_name`,
        ["ledger_accounts"],
      );
      assert.deepEqual(cols, [
        { column_name: "balance", data_type: "bigint" },
        { column_name: "code", data_type: "text" },
      ]);
    });

    it("returns BIGINT, COUNT and SUM as exact numbers", async () => {
      await db.exec(`CREATE TABLE big (v BIGINT NOT NULL)`);
      await db.run(`INSERT INTO big (v) VALUES (?), (?)`, [Number.MAX_SAFE_INTEGER - 1, -5]);
      const row = await db.get<{ n: unknown; s: unknown; m: unknown }>(`SELECT COUNT(*) AS n, SUM(v) AS s, MAX(v) AS m FROM big`);
      assert.deepEqual(row, { n: 2, s: Number.MAX_SAFE_INTEGER - 6, m: Number.MAX_SAFE_INTEGER - 1 });
      await db.run(`INSERT INTO big (v) VALUES (?)`, [Number.MAX_SAFE_INTEGER]);
      await assert.rejects(db.get(`SELECT SUM(v) AS s FROM big`), RangeError, "a sum past 2^53 is refused, not rounded");
    });

    it("binds parameters, never splices them", async () => {
      await db.exec(`CREATE TABLE names (v TEXT NOT NULL)`);
      const hostile = `x'); DROP TABLE names; --?`;
      assert.equal(await db.run(`INSERT INTO names (v) VALUES (?)`, [hostile]), 1);
      assert.equal((await db.get<{ v: string }>(`SELECT v FROM names WHERE v = ?`, [hostile]))?.v, hostile);
    });

    it("rolls a failed transaction back", async () => {
      await db.exec(`CREATE TABLE t (x BIGINT)`);
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.run(`INSERT INTO t (x) VALUES (?)`, [1]);
          throw new Error("boom");
        }),
        /boom/,
      );
      assert.equal((await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM t`))?.n, 0);
    });

    it("re-runs a transaction that lost a serialization conflict, so no increment is lost", async () => {
      // Concurrent transactions from one pool (the default queues them in-process; this one races).
      const racing = new PostgresDatabase({ url: schemaUrl, poolSize: 8, concurrentTransactions: 8 });
      try {
        await racing.exec(`CREATE TABLE counter (id TEXT PRIMARY KEY, n BIGINT NOT NULL)`);
        await racing.run(`INSERT INTO counter (id, n) VALUES (?, ?)`, ["c", 0]);
        const workers = 40;
        // Read-then-write: without SERIALIZABLE + retry, concurrent workers overwrite each other.
        await Promise.all(
          Array.from({ length: workers }, () =>
            racing.transaction(async (tx) => {
              const cur = (await tx.get<{ n: number }>(`SELECT n FROM counter WHERE id = ?`, ["c"]))!.n;
              await tx.run(`UPDATE counter SET n = ? WHERE id = ?`, [cur + 1, "c"]);
            }),
          ),
        );
        assert.equal((await racing.get<{ n: number }>(`SELECT n FROM counter WHERE id = ?`, ["c"]))?.n, workers);
        assert.ok(racing.retries > 0, "the conflicts were real and were retried");
      } finally {
        await racing.close();
      }
    });

    it("does not retry an ordinary error, and a genuine duplicate only a few times", async () => {
      await db.exec(`CREATE TABLE u (k TEXT PRIMARY KEY)`);
      await db.run(`INSERT INTO u (k) VALUES (?)`, ["a"]);
      let calls = 0;
      await assert.rejects(
        db.transaction(async (tx) => {
          calls++;
          await tx.run(`INSERT INTO missing_table (k) VALUES (?)`, ["a"]);
        }),
        (err: { code?: string }) => err.code === "42P01",
      );
      assert.equal(calls, 1);
      calls = 0;
      await assert.rejects(
        db.transaction(async (tx) => {
          calls++;
          await tx.run(`INSERT INTO u (k) VALUES (?)`, ["a"]);
        }),
        (err: { code?: string }) => err.code === "23505",
      );
      assert.equal(calls, DEFAULT_RETRY.maxUniqueAttempts);
    });

    it("coordinators starting together on one empty database migrate it once", async () => {
      const url = await tmp.freshSchemaUrl();
      const stores = await Promise.all([0, 1, 2].map(() => openStore({ engine: "postgres", url, display: "m" })));
      try {
        const probe = new PostgresDatabase({ url, poolSize: 1 });
        const rows = await probe.all<{ id: number }>(`SELECT id FROM schema_migrations ORDER BY id`);
        await probe.close();
        assert.deepEqual(rows.map((r) => r.id), MIGRATIONS.map((m) => m.id));
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it("two coordinators on one database settle each request once and never overdraw", async () => {
      const url = await tmp.freshSchemaUrl();
      const a = await openStore({ engine: "postgres", url, display: "a" });
      const b = await openStore({ engine: "postgres", url, display: "b" });
      try {
        const acct = await a.createAccount({ label: "shared" });
        await a.credit({ accountId: acct.id, amountMicros: 30 * 1_000, idempotencyKey: "seed", kind: "grant" });
        const reserved = await Promise.all(
          Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).reserve({ requestId: `x${i}`, accountId: acct.id, amountMicros: 1_000, model: "m" })),
        );
        assert.equal(reserved.filter((r) => r.ok).length, 30, "exactly what the balance covers");
        const ids = reserved.flatMap((r, i) => (r.ok ? [`x${i}`] : []));
        // Both settle every request at once (a completion racing the other's sweeper).
        const settle = (s: typeof a, requestId: string) =>
          s.settle({ requestId, chargeMicros: 300, promptTokens: 1, completionTokens: 1, providerId: "p", outcome: "completed" });
        const results = await Promise.all(ids.flatMap((id) => [settle(a, id), settle(b, id)]));
        assert.equal(results.filter((r) => !r.replay).length, ids.length, "each request settled once");
        assert.ok(results.every((r) => r.chargedMicros === 300));
        assert.deepEqual(await a.getBalance(acct.id), { availableMicros: 30 * 700, heldMicros: 0 });
        assert.deepEqual(await b.checkLedger(), { postingSum: 0, unbalancedEntries: 0, driftedAccounts: 0 });
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}
