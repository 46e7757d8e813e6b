import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { Store } from "../types.js";

/** The known-models memory: part of the contract every engine runs (see store.suite.ts). */
export function knownModelsSuite(name: string, factory: () => Promise<Store>): void {
  describe(`Store contract (known models): ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory();
    });
    afterEach(async () => {
      await store.close();
    });

    it("upserts keeping the first sighting and the last time served", async () => {
      await store.knownModels.record([{ model: "org/a", firstSeenAt: 100, lastServedAt: 200 }]);
      await store.knownModels.record([
        { model: "org/a", firstSeenAt: 150, lastServedAt: 180 },
        { model: "b", firstSeenAt: 300, lastServedAt: 300 },
      ]);
      await store.knownModels.record([{ model: "org/a", firstSeenAt: 90, lastServedAt: 500 }]);
      assert.deepEqual(await store.knownModels.load(0, 10), [
        { model: "org/a", firstSeenAt: 90, lastServedAt: 500 },
        { model: "b", firstSeenAt: 300, lastServedAt: 300 },
      ]);
    });

    it("load forgets models served too long ago and keeps only the most recent ones", async () => {
      await store.knownModels.record([
        { model: "old", firstSeenAt: 1, lastServedAt: 10 },
        { model: "m1", firstSeenAt: 1, lastServedAt: 100 },
        { model: "m2", firstSeenAt: 1, lastServedAt: 200 },
        { model: "m3", firstSeenAt: 1, lastServedAt: 300 },
      ]);
      assert.deepEqual((await store.knownModels.load(50, 2)).map((r) => r.model), ["m3", "m2"]);
      assert.deepEqual((await store.knownModels.load(0, 10)).map((r) => r.model), ["m3", "m2"], "pruned for good");
    });
  });
}
