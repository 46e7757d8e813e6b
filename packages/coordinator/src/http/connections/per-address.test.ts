import assert from "node:assert/strict";
import { test } from "node:test";
import { AddressCounter, normalizeAddress } from "./per-address.js";

test("a cap of N admits N per address and admits again after a release", () => {
  const c = new AddressCounter(2);
  assert.equal(c.admit("a"), true);
  assert.equal(c.admit("a"), true);
  assert.equal(c.admit("a"), false);
  assert.equal(c.admit("b"), true, "addresses are counted apart");
  c.release("a");
  assert.equal(c.count("a"), 1);
  assert.equal(c.admit("a"), true);
  c.release("a");
  c.release("a");
  c.release("b");
  assert.equal(c.addresses, 0, "released addresses are forgotten");
});

test("IPv4-mapped IPv6 addresses count as the IPv4 address", () => {
  assert.equal(normalizeAddress("::ffff:10.0.0.1"), "10.0.0.1");
  assert.equal(normalizeAddress("10.0.0.1"), "10.0.0.1");
  assert.equal(normalizeAddress("::1"), "::1");
  assert.equal(normalizeAddress(undefined), undefined);
});
