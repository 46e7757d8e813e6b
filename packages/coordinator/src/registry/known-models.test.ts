import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ProviderModel } from "@darkbloom/protocol";
import { createLogger } from "../log/index.js";
import { KnownModels, type KnownModelRecord } from "./known-models.js";
import { KnownModelsWriter } from "./known-models-writer.js";
import { MemoryRegistry } from "./memory-registry.js";
import type { LiveProvider } from "./types.js";

const DAY = 24 * 60 * 60 * 1000;

function provider(id: string, models: string[]): LiveProvider {
  const m = (mid: string): ProviderModel => ({ id: mid, size_bytes: 1, quantization: "q", context_length: 4096, template_render_ok: true });
  return {
    id,
    kid: `kid-${id}`,
    publicKey: new Uint8Array(32),
    attestation: {} as LiveProvider["attestation"],
    trustLevel: "self_signed",
    version: "0",
    models: new Map(models.map((x) => [x, m(x)])),
    link: { send: () => true, close: () => {} },
    connectedAt: 0,
    lastSeenAt: 0,
    slots: new Map(),
    inFlight: 0,
  };
}

describe("known models", () => {
  it("remembers a model for 24 h after its last provider left, then forgets it", () => {
    let now = 1_000;
    const r = new MemoryRegistry(() => 0, () => now);
    const p = provider("a", ["m"]);
    r.add(p);
    now += 2 * DAY; // served all along: still known
    assert.equal(r.knowsModel("m"), true);
    r.remove(p);
    now += DAY;
    assert.equal(r.knowsModel("m"), true, "503 territory: served within 24 h");
    now += 1;
    assert.equal(r.knowsModel("m"), false, "forgotten: 404");
  });

  it("when full, forgets the least recently served model instead of refusing a new one", () => {
    let now = 0;
    const r = new MemoryRegistry(() => 0, () => now, { maxKnownModels: 3 });
    for (const id of ["old-1", "old-2", "old-3"]) {
      now += 10;
      const p = provider(id, [id]);
      r.add(p);
      r.remove(p);
    }
    now += 10;
    const fresh = provider("fresh", ["fresh-model"]);
    r.add(fresh);
    assert.equal(r.knowsModel("fresh-model"), true);
    assert.equal(r.pick("fresh-model")?.id, "fresh");
    assert.equal(r.knowsModel("old-1"), false);
    assert.equal(r.knowsModel("old-3"), true);
  });

  it("never forgets a model that is served right now, even beyond the bound", () => {
    const served = new Set(["a", "b"]);
    const k = new KnownModels({ max: 2, memoryMs: DAY, servedNow: () => served });
    k.served("a", 0);
    k.served("b", 0);
    k.served("c", 1);
    assert.equal(k.size, 3);
    assert.equal(k.knows("a", 5 * DAY), true);
    assert.equal(k.knows("c", 5 * DAY), false);
  });

  it("drops every expired entry when it needs room", () => {
    const k = new KnownModels({ max: 3, memoryMs: DAY, servedNow: () => new Set() });
    k.served("a", 0);
    k.served("b", 0);
    k.served("c", DAY);
    k.served("d", DAY + DAY / 2); // a and b are 1.5 days old: both go; c (half a day) stays
    assert.equal(k.size, 2);
    assert.equal(k.knows("a", DAY + DAY / 2), false);
    assert.equal(k.knows("c", DAY + DAY / 2), true);
    assert.equal(k.knows("d", DAY + DAY / 2), true);
  });

  it("tells its listener about every model a proven provider serves, and only those", () => {
    const seen: KnownModelRecord[] = [];
    let now = 1_000;
    const r = new MemoryRegistry(() => 0, () => now, { onModelServed: (rec) => void seen.push(rec) });
    const p = provider("a", ["m"]);
    r.add({ ...provider("u", ["unproven"]), trustLevel: "none" });
    r.add(p);
    now = 2_000;
    r.remove(p);
    assert.deepEqual(seen, [
      { model: "m", firstSeenAt: 1_000, lastServedAt: 1_000 },
      { model: "m", firstSeenAt: 1_000, lastServedAt: 2_000 },
    ]);
  });

  it("restores what a previous run remembered: 503 territory at once, the 24 h window kept, stale entries skipped", () => {
    const now = 10 * DAY;
    const r = new MemoryRegistry(() => 0, () => now, {
      restoredModels: [
        { model: "recent", firstSeenAt: 1, lastServedAt: now - DAY + 1 },
        { model: "stale", firstSeenAt: 1, lastServedAt: now - DAY - 1 },
      ],
    });
    assert.equal(r.knowsModel("recent"), true);
    assert.equal(r.knowsModel("stale"), false);
    assert.deepEqual(r.servedModels(), [], "remembered is not served: no provider, no /v1/models entry");
  });

  it("restores at most its bound, the most recently served first", () => {
    const k = new KnownModels({ max: 2, memoryMs: DAY, servedNow: () => new Set() });
    k.restore(
      [
        { model: "a", firstSeenAt: 0, lastServedAt: 10 },
        { model: "b", firstSeenAt: 0, lastServedAt: 30 },
        { model: "c", firstSeenAt: 0, lastServedAt: 20 },
      ],
      100,
    );
    assert.equal(k.size, 2);
    assert.equal(k.knows("a", 100), false);
    assert.equal(k.knows("b", 100), true);
  });
});

describe("known models persistence (write-behind)", () => {
  const logger = createLogger({ level: "silent" });

  it("coalesces changes per model and writes one batch at a time", async () => {
    const batches: KnownModelRecord[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const record = async (rs: readonly KnownModelRecord[]): Promise<void> => {
      batches.push([...rs]);
      if (batches.length === 1) await gate; // the first write is slow: later changes pile up
    };
    const w = new KnownModelsWriter({ record }, logger);
    w.add({ model: "m", firstSeenAt: 1, lastServedAt: 1 });
    w.add({ model: "n", firstSeenAt: 1, lastServedAt: 1 });
    w.add({ model: "n", firstSeenAt: 1, lastServedAt: 5 });
    release();
    await w.flush();
    assert.deepEqual(batches, [
      [{ model: "m", firstSeenAt: 1, lastServedAt: 1 }],
      [{ model: "n", firstSeenAt: 1, lastServedAt: 5 }],
    ]);
  });

  it("keeps records whose write failed for the next flush", async () => {
    let fail = true;
    const written: string[] = [];
    const w = new KnownModelsWriter(
      {
        record: async (rs) => {
          if (fail) throw new Error("db down");
          written.push(...rs.map((r) => r.model));
        },
      },
      logger,
    );
    w.add({ model: "m", firstSeenAt: 1, lastServedAt: 1 });
    await w.flush();
    fail = false;
    w.add({ model: "n", firstSeenAt: 1, lastServedAt: 1 });
    await w.flush();
    assert.deepEqual(written.sort(), ["m", "n"]);
  });
});
