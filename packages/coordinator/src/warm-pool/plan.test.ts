import assert from "node:assert/strict";
import { test } from "node:test";
import { planLoads, targetProviders } from "./plan.js";
import type { PoolProvider, PoolSettings } from "./types.js";

const s: PoolSettings = { serviceSeconds: 10, slotsPerProvider: 4, maxModelsPerProvider: 3 };
const prov = (id: string, o: Partial<PoolProvider> = {}): PoolProvider => ({
  id,
  offered: new Map([["m", 4], ["n", 8]]),
  loaded: new Set(),
  idle: true,
  freeForLoadGb: 20,
  pendingLoad: false,
  coolingDown: new Set(),
  ...o,
});

test("target: at least one loaded provider while a model has traffic, more as its rate needs", () => {
  assert.equal(targetProviders(0, s), 0);
  assert.equal(targetProviders(0.01, s), 1);
  assert.equal(targetProviders(0.4, s), 1);
  assert.equal(targetProviders(1, s), 3);
});

test("loads go to idle providers with room, most room first, one per provider", () => {
  const actions = planLoads(new Map([["m", 1]]), [prov("a", { freeForLoadGb: 5 }), prov("b", { freeForLoadGb: 30 }), prov("c")], s);
  assert.deepEqual(actions.map((a) => [a.providerId, a.model]), [["b", "m"], ["c", "m"], ["a", "m"]]);
});

test("already loaded providers count towards the target", () => {
  assert.deepEqual(planLoads(new Map([["m", 0.1]]), [prov("a", { loaded: new Set(["m"]) }), prov("b")], s), []);
});

test("no load to a busy, pending, full, small or cooling-down provider, nor for a model it does not offer", () => {
  const blocked = [
    prov("busy", { idle: false }),
    prov("pending", { pendingLoad: true }),
    prov("full", { loaded: new Set(["x", "y", "z"]) }),
    prov("small", { freeForLoadGb: 3.9 }),
    prov("unknown-room", { freeForLoadGb: undefined }),
    prov("cooling", { coolingDown: new Set(["m"]) }),
    prov("other", { offered: new Map([["n", 1]]) }),
  ];
  assert.deepEqual(planLoads(new Map([["m", 5]]), blocked, s), []);
});

test("the busiest model is served first when providers are scarce; one load per provider per plan", () => {
  const actions = planLoads(new Map([["n", 0.05], ["m", 0.5]]), [prov("a")], s);
  assert.deepEqual(actions.map((a) => a.model), ["m"]);
});
