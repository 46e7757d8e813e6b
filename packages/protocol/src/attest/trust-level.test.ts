import assert from "node:assert/strict";
import { test } from "node:test";
import { TRUST_LEVELS, TrustLevelSchema, meetsTrust, stricterTrust, trustRank } from "./trust-level.js";

test("trust levels are ordered none < self_signed < hardware", () => {
  assert.deepEqual(TRUST_LEVELS.map(trustRank), [0, 1, 2]);
  assert.equal(meetsTrust("hardware", "self_signed"), true);
  assert.equal(meetsTrust("self_signed", "self_signed"), true);
  assert.equal(meetsTrust("self_signed", "hardware"), false);
  assert.equal(meetsTrust("none", "self_signed"), false);
  assert.equal(stricterTrust("self_signed", "hardware"), "hardware");
  assert.equal(stricterTrust("hardware", "none"), "hardware");
  assert.equal(TrustLevelSchema.safeParse("root").success, false);
});
