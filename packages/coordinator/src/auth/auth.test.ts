import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openStore } from "../store/index.js";
import { generateApiKey, hashApiKey, presentedKey } from "./api-key.js";
import { authenticate } from "./authenticate.js";
import { ensureBootstrapKey } from "./bootstrap.js";

describe("auth", () => {
  it("keeps only the SHA-256 of a key and accepts Bearer or x-api-key", async () => {
    const store = await openStore({ engine: "sqlite", memory: true });
    const key = generateApiKey();
    assert.match(key, /^sk-db-[0-9a-f]{64}$/);
    const { accountId } = await ensureBootstrapKey(store, key, 1);
    const rec = await store.findApiKeyByHash(hashApiKey(key));
    assert.ok(rec);
    assert.notEqual(rec.keyHash, key);
    assert.ok(!JSON.stringify(rec).includes(key.slice(6)));

    const bearer = await authenticate(store, { authorization: `Bearer ${key}` });
    assert.deepEqual(bearer.ok && bearer.principal.accountId, accountId);
    const xkey = await authenticate(store, { "x-api-key": key });
    assert.equal(xkey.ok, true);
    await store.close();
  });

  it("rejects missing, malformed, unknown and revoked keys", async () => {
    const store = await openStore({ engine: "sqlite", memory: true });
    const key = generateApiKey();
    await ensureBootstrapKey(store, key, 0);
    assert.equal((await authenticate(store, {})).ok, false);
    assert.equal((await authenticate(store, { authorization: "Bearer nope" })).ok, false);
    assert.equal((await authenticate(store, { authorization: `Basic ${key}` })).ok, false);
    assert.equal((await authenticate(store, { authorization: `Bearer ${generateApiKey()}` })).ok, false);
    const rec = await store.findApiKeyByHash(hashApiKey(key));
    await store.revokeApiKey(rec!.id);
    assert.equal((await authenticate(store, { authorization: `Bearer ${key}` })).ok, false);
    await store.close();
  });

  it("bootstraps the key and its credit once across restarts", async () => {
    const store = await openStore({ engine: "sqlite", memory: true });
    const key = generateApiKey();
    const a = await ensureBootstrapKey(store, key, 2);
    const b = await ensureBootstrapKey(store, key, 2);
    assert.equal(a.created, true);
    assert.equal(b.created, false);
    assert.equal(a.accountId, b.accountId);
    assert.deepEqual(await store.getBalance(a.accountId), { availableMicros: 2_000_000, heldMicros: 0 });
    await store.close();
  });

  it("reads the presented key from headers", () => {
    assert.equal(presentedKey({ authorization: "bearer  abc " }), "abc");
    assert.equal(presentedKey({ "x-api-key": "xyz" }), "xyz");
    assert.equal(presentedKey({}), undefined);
  });
});
