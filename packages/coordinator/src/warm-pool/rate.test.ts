import assert from "node:assert/strict";
import { test } from "node:test";
import { ArrivalRates } from "./rate.js";

test("a steady arrival rate converges to itself and decays in silence", () => {
  const r = new ArrivalRates(60_000);
  let t = 0;
  for (let i = 0; i < 2000; i++) r.note("m", (t += 500)); // 2 req/s for 1000 s
  assert.ok(Math.abs(r.rate("m", t) - 2) < 0.05, `rate ${r.rate("m", t)}`);
  assert.ok(Math.abs(r.rate("m", t + 60_000) - 2 / Math.E) < 0.05);
  assert.equal(r.rate("other", t), 0);
  assert.deepEqual([...r.active(t + 3_600_000, 0.001).keys()], []);
  assert.equal(r.size, 0, "models below the floor are forgotten");
});

test("bounded: the slowest model is dropped past the limit", () => {
  const r = new ArrivalRates(60_000, 2);
  r.note("a", 0);
  r.note("a", 1);
  r.note("b", 2);
  r.note("c", 3);
  assert.equal(r.size, 2);
  assert.ok(r.rate("a", 3) > 0);
  assert.equal(r.rate("b", 3) === 0 || r.rate("c", 3) === 0, true);
});
