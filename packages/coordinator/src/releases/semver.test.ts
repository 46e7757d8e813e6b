import assert from "node:assert/strict";
import { test } from "node:test";
import { compareSemver } from "./semver.js";

test("semantic version precedence (SemVer 2.0.0 §11)", () => {
  const ordered = ["0.9.9", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.2.0", "1.10.0", "10.0.0"];
  for (let i = 0; i + 1 < ordered.length; i++) {
    assert.ok(compareSemver(ordered[i]!, ordered[i + 1]!)! < 0, `${ordered[i]} < ${ordered[i + 1]}`);
    assert.ok(compareSemver(ordered[i + 1]!, ordered[i]!)! > 0);
  }
  assert.equal(compareSemver("1.2.3", "1.2.3"), 0);
  assert.equal(compareSemver("1.2", "1.2.3"), null);
  assert.equal(compareSemver("v1.2.3", "1.2.3"), null);
  assert.equal(compareSemver("01.2.3", "1.2.3"), null);
});
