import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { Store } from "../types.js";

/** Provider releases: part of the contract every engine runs (see store.suite.ts). */
export function releasesSuite(name: string, factory: () => Promise<Store>): void {
  describe(`Store contract (releases): ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory();
    });
    afterEach(async () => {
      await store.close();
    });

    it("registers a version once, idempotently, refuses a changed hash, finds by hash", async () => {
      assert.deepEqual(await store.releases.list(), []);
      assert.equal(await store.releases.byHash("a".repeat(64)), null);
      const first = await store.releases.register({ version: "1.0.0", packageHash: "a".repeat(64), notes: "first" });
      assert.equal(first.outcome, "created");
      assert.equal((await store.releases.register({ version: "1.0.0", packageHash: "a".repeat(64), notes: null })).outcome, "exists");
      const changed = await store.releases.register({ version: "1.0.0", packageHash: "b".repeat(64), notes: null });
      assert.equal(changed.outcome, "conflict");
      assert.equal(changed.record.packageHash, "a".repeat(64));
      await store.releases.register({ version: "1.1.0", packageHash: "c".repeat(64), notes: null });
      assert.equal((await store.releases.byHash("a".repeat(64)))?.version, "1.0.0");
      assert.equal((await store.releases.byHash("a".repeat(64)))?.notes, "first");
      assert.deepEqual((await store.releases.list()).map((r) => r.version).sort(), ["1.0.0", "1.1.0"]);
    });
  });
}
