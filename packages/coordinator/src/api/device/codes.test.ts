import assert from "node:assert/strict";
import { test } from "node:test";
import { USER_CODE_ALPHABET, isAccountToken, newAccountToken, newDeviceCode, newUserCode, normalizeUserCode } from "./codes.js";

test("user codes: XXXX-XXXX from the RFC 8628 alphabet, typed loosely", () => {
  for (let i = 0; i < 200; i++) {
    const code = newUserCode();
    assert.match(code, new RegExp(`^[${USER_CODE_ALPHABET}]{4}-[${USER_CODE_ALPHABET}]{4}$`));
    assert.equal(normalizeUserCode(code.toLowerCase().replace("-", " ")), code.replace("-", ""));
  }
  assert.equal(normalizeUserCode("BCDF-GHJ"), null);
  assert.equal(normalizeUserCode("BCDF-GHJA"), null, "vowels are not in the alphabet");
  assert.equal(normalizeUserCode("x".repeat(1000)), null);
});

test("device codes and account tokens are long and random", () => {
  assert.notEqual(newDeviceCode(), newDeviceCode());
  assert.ok(newDeviceCode().length >= 43);
  const t = newAccountToken();
  assert.ok(isAccountToken(t));
  assert.ok(!isAccountToken(`${t}0`));
  assert.ok(!isAccountToken("sk-db-" + "0".repeat(64)));
});
