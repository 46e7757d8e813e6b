import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { Store } from "../types.js";

/** The model registry: part of the contract every engine runs (see store.suite.ts). */
export function modelsSuite(name: string, factory: () => Promise<Store>): void {
  describe(`Store contract (model manifests): ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory();
    });
    afterEach(async () => {
      await store.close();
    });

    const input = (modelId: string, version: string, aggregate: string) => ({
      modelId,
      version,
      aggregateSha256: aggregate,
      manifestJson: JSON.stringify({ model_id: modelId, version, aggregate }),
    });

    it("registers manifests once per (model, version) and refuses a changed version", async () => {
      assert.deepEqual(await store.models.list(), []);
      const first = await store.models.register(input("org/a", "1", "a".repeat(64)));
      assert.equal(first.outcome, "created");
      assert.equal(first.record.manifestJson, input("org/a", "1", "a".repeat(64)).manifestJson);
      assert.equal((await store.models.register(input("org/a", "1", "a".repeat(64)))).outcome, "exists");
      const changed = await store.models.register(input("org/a", "1", "b".repeat(64)));
      assert.equal(changed.outcome, "conflict");
      assert.equal(changed.record.aggregateSha256, "a".repeat(64));
      assert.equal((await store.models.register(input("org/a", "2", "b".repeat(64)))).outcome, "created");
      assert.equal((await store.models.register(input("b", "1", "c".repeat(64)))).outcome, "created");
      const listed = await store.models.list();
      assert.deepEqual(listed.map((r) => r.modelId).sort(), ["b", "org/a", "org/a"]);
      assert.equal(listed.filter((r) => r.modelId === "org/a").length, 2);
    });
  });
}
