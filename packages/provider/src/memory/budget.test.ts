import assert from "node:assert/strict";
import { test } from "node:test";
import { GIB, defaultPolicy, freeForLoadBytes, loadGate, memoryCapBytes, toGb } from "./budget.js";
import { MemoryConfigError, memoryPolicyFromEnv } from "./config.js";

test("the cap is 0.90 × RAM, but leaves at least 2 GiB to the OS", () => {
  assert.equal(memoryCapBytes(defaultPolicy(64 * GIB)), 0.9 * 64 * GIB);
  // 16 GiB: 0.9 × 16 = 14.4 GiB leaves 1.6 GiB, so 14 GiB.
  assert.equal(memoryCapBytes(defaultPolicy(16 * GIB)), 14 * GIB);
  assert.equal(memoryCapBytes(defaultPolicy(1 * GIB)), 0);
  assert.equal(memoryCapBytes(defaultPolicy(64 * GIB, { capFraction: 0.5 })), 32 * GIB);
});

test("the load gate counts resident + incoming weights + 3 GiB activation + at least 1 GiB KV", () => {
  const p = defaultPolicy(32 * GIB); // cap 28.8 GiB
  const fits = loadGate(p, { residentBytes: 10 * GIB, incomingWeightsBytes: 14 * GIB });
  assert.deepEqual(fits, { ok: true, needBytes: 28 * GIB, capBytes: 0.9 * 32 * GIB });
  const over = loadGate(p, { residentBytes: 10 * GIB, incomingWeightsBytes: 15 * GIB });
  assert.equal(over.ok, false);
  assert.equal(over.needBytes, 29 * GIB);
  assert.match(over.ok ? "" : over.reason, /memory gate: 10\.00 GiB resident \+ 15\.00 GiB weights \+ 3\.00 GiB activation reserve \+ 1\.00 GiB KV = 29\.00 GiB > cap 28\.80 GiB/);
  // A larger KV estimate than the minimum is counted as is.
  assert.equal(loadGate(p, { residentBytes: 0, incomingWeightsBytes: 20 * GIB, incomingKvBytes: 5 * GIB }).ok, true);
  assert.equal(loadGate(p, { residentBytes: 0, incomingWeightsBytes: 20 * GIB, incomingKvBytes: 6 * GIB }).ok, false);
});

test("free_for_load is exactly the largest model the gate admits", () => {
  const p = defaultPolicy(32 * GIB);
  const free = freeForLoadBytes(p, 10 * GIB);
  assert.ok(Math.abs(free - 14.8 * GIB) < 1);
  assert.equal(loadGate(p, { residentBytes: 10 * GIB, incomingWeightsBytes: free }).ok, true);
  assert.equal(loadGate(p, { residentBytes: 10 * GIB, incomingWeightsBytes: free + 1 }).ok, false);
  assert.equal(freeForLoadBytes(p, 40 * GIB), 0);
  assert.equal(toGb(free), 14.8);
  assert.equal(toGb(1.239 * GIB), 1.23);
});

test("environment overrides are validated", () => {
  const p = memoryPolicyFromEnv(32 * GIB, { DARKBLOOM_MEM_CAP_FRACTION: "0.01", DARKBLOOM_ACTIVATION_RESERVE_GB: "0" });
  assert.equal(p.capFraction, 0.01);
  assert.equal(p.activationReserveBytes, 0);
  assert.equal(memoryPolicyFromEnv(32 * GIB, { DARKBLOOM_MEM_CAP_FRACTION: "" }).capFraction, 0.9);
  for (const bad of ["0", "0.95", "-1", "abc"]) {
    assert.throws(() => memoryPolicyFromEnv(GIB, { DARKBLOOM_MEM_CAP_FRACTION: bad }), (e: unknown) => e instanceof MemoryConfigError && /DARKBLOOM_MEM_CAP_FRACTION/.test(e.message));
  }
  assert.throws(() => memoryPolicyFromEnv(GIB, { DARKBLOOM_ACTIVATION_RESERVE_GB: "-2" }), /DARKBLOOM_ACTIVATION_RESERVE_GB/);
});

test("KV cache estimate from the header's shape", async () => {
  const { kvCacheBytes } = await import("./kv.js");
  // 32 layers, 4096 embd, 32 heads, 8 KV heads, 4096 × 4 cells, f16: 2 × 32 × 16384 × 8 × 128 × 2 bytes = 2 GiB.
  assert.equal(kvCacheBytes({ layers: 32, embedding: 4096, heads: 32, kvHeads: 8 }, 4096 * 4), 2 * GIB);
  assert.equal(kvCacheBytes({ layers: 2, embedding: 128, heads: 2 }, 10), 2 * 2 * 10 * 2 * 64 * 2);
  assert.equal(kvCacheBytes({}, 4096), 0);
});
