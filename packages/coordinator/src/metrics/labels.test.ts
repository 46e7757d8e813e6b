import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isLoopback } from "./access.js";
import { codeLabel, modelLabel, versionLabel } from "./labels.js";

describe("metric label values from outside input", () => {
  it("models: only known ids, anything else is 'other'", () => {
    const known = (id: string) => id === "llama-3";
    assert.equal(modelLabel("llama-3", known), "llama-3");
    assert.equal(modelLabel("made-up", known), "other");
    assert.equal(modelLabel(undefined, known), "other");
    assert.equal(modelLabel("x".repeat(500), () => true), "other");
  });

  it("versions and codes: well-formed short values only", () => {
    assert.equal(versionLabel("0.4.1-rc.2+abc"), "0.4.1-rc.2+abc");
    assert.equal(versionLabel('1.0"}\nx'), "other");
    assert.equal(versionLabel("v".repeat(40)), "other");
    assert.equal(codeLabel("shutting_down"), "shutting_down");
    assert.equal(codeLabel("Bad Code"), "other");
    assert.equal(codeLabel(42), "other");
  });

  it("loopback peers", () => {
    for (const a of ["127.0.0.1", "127.9.0.3", "::1", "::ffff:127.0.0.1"]) assert.equal(isLoopback(a), true, a);
    for (const a of ["10.0.0.1", "::ffff:10.0.0.1", "fe80::1", "", undefined, "localhost"]) assert.equal(isLoopback(a), false, String(a));
  });
});
