import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { waitUntil } from "../../test-support/wait.js";
import { Gate } from "./gate.js";
import { placeholderCount, toPositional } from "./placeholders.js";
import { backoffMs, retryKind } from "./retry.js";
import { parseBigint, parseNumeric } from "./values.js";

describe("postgres placeholders", () => {
  it("numbers ? in order", () => {
    assert.equal(toPositional("INSERT INTO t (a, b) VALUES (?, ?)"), "INSERT INTO t (a, b) VALUES ($1, $2)");
    assert.equal(toPositional("SELECT 1"), "SELECT 1");
  });

  it("leaves ? inside strings, quoted identifiers and comments alone", () => {
    const sql = `SELECT '?', 'it''s ?', "col?" FROM t -- why?\nWHERE a = ? /* and ? */ AND b = ?`;
    assert.equal(toPositional(sql), `SELECT '?', 'it''s ?', "col?" FROM t -- why?\nWHERE a = $1 /* and ? */ AND b = $2`);
    assert.equal(placeholderCount(sql), 2);
  });

  it("keeps the store's literals intact", () => {
    assert.equal(
      toPositional(`UPDATE requests SET x = ? WHERE request_id = ? AND state = 'reserved'`),
      `UPDATE requests SET x = $1 WHERE request_id = $2 AND state = 'reserved'`,
    );
  });
});

describe("postgres values", () => {
  it("reads BIGINT as a number and refuses what a number cannot hold exactly", () => {
    assert.equal(parseBigint("9007199254740991"), Number.MAX_SAFE_INTEGER);
    assert.equal(parseBigint("-42"), -42);
    assert.throws(() => parseBigint("9007199254740993"), RangeError);
    assert.equal(parseNumeric("-1200"), -1200);
    assert.equal(parseNumeric("1.5"), 1.5);
    assert.throws(() => parseNumeric("123456789012345678901234567890"), RangeError);
  });

  it("retries serialization failures, deadlocks and (a few times) unique violations only", () => {
    assert.equal(retryKind({ code: "40001" }), "conflict");
    assert.equal(retryKind({ code: "40P01" }), "conflict");
    assert.equal(retryKind({ code: "23505" }), "unique");
    assert.equal(retryKind({ code: "23503" }), null);
    assert.equal(retryKind(new Error("x")), null);
    assert.equal(retryKind(null), null);
    const policy = { maxAttempts: 5, maxUniqueAttempts: 2, baseMs: 2, capMs: 100 };
    assert.equal(backoffMs(policy, 1, () => 0.999), 1);
    assert.equal(backoffMs(policy, 20, () => 0.999), 99);
  });
});

describe("transaction gate", () => {
  it("admits at most `limit` at once, in arrival order", async () => {
    const gate = new Gate(2);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    const releases: (() => void)[] = [];
    const runs = Array.from({ length: 5 }, (_, i) =>
      gate.run(async () => {
        order.push(i);
        peak = Math.max(peak, ++active);
        await new Promise<void>((r) => releases.push(r));
        active--;
      }),
    );
    // Release holders one by one as they arrive; each release lets exactly one waiter in.
    for (let released = 0; released < 5; released++) {
      await waitUntil("a holder to be waiting", () => releases.length > released, 5_000);
      releases[released]!();
    }
    await Promise.all(runs);
    assert.equal(peak, 2);
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
    assert.throws(() => new Gate(0), RangeError);
  });
});
