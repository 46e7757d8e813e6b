import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { Store } from "../types.js";

/** Receipt disputes: part of the contract every engine runs (see store.suite.ts). */
export function disputesSuite(name: string, factory: () => Promise<Store>): void {
  describe(`Store contract (disputes): ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory();
    });
    afterEach(async () => {
      await store.close();
    });

    const input = (requestId: string, accountId: string, providerId: string) => ({
      requestId,
      accountId,
      providerId,
      identityKey: "a".repeat(43) + "=",
      reason: "completion_tokens",
      claimed: 500,
      allowed: 21,
      receiptJson: JSON.stringify({ request_id: requestId }),
    });

    it("files once per request (idempotent), counts per account window and per provider", async () => {
      assert.equal(await store.disputes.get("r1"), null);
      const first = await store.disputes.file(input("r1", "acct_a", "prv_1"));
      assert.equal(first.created, true);
      assert.deepEqual({ ...first.record, createdAt: 0 }, { ...input("r1", "acct_a", "prv_1"), createdAt: 0 });
      const again = await store.disputes.file({ ...input("r1", "acct_a", "prv_1"), reason: "prompt_tokens" });
      assert.equal(again.created, false);
      assert.equal(again.record.reason, "completion_tokens");
      await store.disputes.file({ ...input("r2", "acct_a", "prv_2"), claimed: null, allowed: null, reason: "response_hash" });
      await store.disputes.file(input("r3", "acct_b", "prv_2"));
      assert.equal((await store.disputes.get("r2"))?.claimed, null);
      assert.equal(await store.disputes.countFiledSince("acct_a", 0), 2);
      assert.equal(await store.disputes.countFiledSince("acct_a", first.record.createdAt + 3_600_000), 0);
      assert.equal(await store.disputes.countAgainst("prv_2"), 2);
      assert.equal(await store.disputes.countAgainst("prv_9"), 0);
      assert.deepEqual(await store.disputes.countsByProvider(10), [
        { providerId: "prv_2", disputes: 2 },
        { providerId: "prv_1", disputes: 1 },
      ]);
      assert.deepEqual(await store.disputes.countsByProvider(1), [{ providerId: "prv_2", disputes: 2 }]);
    });
  });
}
