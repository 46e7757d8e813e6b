import assert from "node:assert/strict";
import { test } from "node:test";
import { CLOSE_PROVIDER_TOO_OLD, PERMANENT_CLOSE_CODES } from "@darkbloom/protocol";
import { capTrustForRelease, minVersionRefusal } from "./policy.js";

test("an unknown release is at most self_signed", () => {
  assert.equal(capTrustForRelease("hardware", false), "self_signed");
  assert.equal(capTrustForRelease("hardware", true), "hardware");
  assert.equal(capTrustForRelease("self_signed", false), "self_signed");
  assert.equal(capTrustForRelease("none", true), "none");
});

test("the minimum provider version refuses older and unparseable versions with a permanent code", () => {
  assert.equal(minVersionRefusal("0.1.0", undefined), null);
  assert.equal(minVersionRefusal("1.2.0", "1.2.0"), null);
  assert.equal(minVersionRefusal("1.10.0", "1.9.9"), null);
  const old = minVersionRefusal("1.2.0-rc.1", "1.2.0");
  assert.equal(old?.code, CLOSE_PROVIDER_TOO_OLD);
  assert.ok(PERMANENT_CLOSE_CODES.has(CLOSE_PROVIDER_TOO_OLD));
  assert.match(old!.reason, /darkbloom 1\.2\.0-rc\.1 is too old \(minimum 1\.2\.0\): upgrade the provider/);
  assert.ok(Buffer.byteLength(minVersionRefusal("x".repeat(64), "100000000.100000000.100000000")!.reason) <= 123);
  assert.notEqual(minVersionRefusal("garbage", "0.0.1"), null);
});
