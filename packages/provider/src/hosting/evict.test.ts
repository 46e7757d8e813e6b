import assert from "node:assert/strict";
import { test } from "node:test";
import { planEvictions, type ResidentModel } from "./evict.js";

const m = (id: string, bytes: number, lastUsed: number, busy = false): ResidentModel => ({ id, bytes, lastUsed, busy });

test("nothing is evicted when the load fits under the model limit", () => {
  assert.deepEqual(planEvictions([m("a", 10, 1)], 3, () => true), { ok: true, evict: [] });
});

test("at the model limit the least recently used idle model goes", () => {
  const plan = planEvictions([m("a", 10, 5), m("b", 10, 1), m("c", 10, 3)], 3, () => true);
  assert.deepEqual(plan, { ok: true, evict: ["b"] });
});

test("a model with running sequences is never evicted, even when it is the oldest", () => {
  const plan = planEvictions([m("a", 10, 5), m("b", 10, 1, true), m("c", 10, 3)], 3, () => true);
  assert.deepEqual(plan, { ok: true, evict: ["c"] });
});

test("evicts idle models until the memory gate passes", () => {
  const plan = planEvictions([m("a", 10, 5), m("b", 10, 1), m("c", 10, 3)], 3, (bytes) => bytes <= 10);
  assert.deepEqual(plan, { ok: true, evict: ["b", "c"] });
});

test("refuses (evicting nothing) when busy models leave no room", () => {
  const full = planEvictions([m("a", 10, 5, true), m("b", 10, 1, true), m("c", 10, 3, true)], 3, () => true);
  assert.equal(full.ok, false);
  assert.match(full.ok ? "" : full.reason, /3 models are loaded and none is idle/);
  const mem = planEvictions([m("a", 10, 5, true), m("b", 10, 1)], 3, (bytes) => bytes < 10);
  assert.deepEqual(mem, { ok: false, reason: "not enough memory while a is busy" });
});
