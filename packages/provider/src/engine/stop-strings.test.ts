import { test } from "node:test";
import assert from "node:assert/strict";
import { StopStringMatcher } from "./stop-strings.js";

function run(stops: string[], chunks: string[]): { out: string; stopped: boolean; emitted: string[] } {
  const m = new StopStringMatcher(stops);
  const emitted: string[] = [];
  for (const c of chunks) {
    const r = m.push(c);
    emitted.push(r.emit);
    if (r.stopped) return { out: emitted.join(""), stopped: true, emitted };
  }
  emitted.push(m.flush());
  return { out: emitted.join(""), stopped: false, emitted };
}

test("no stop strings: text passes through unchanged", () => {
  assert.deepEqual(run([], ["a", "b"]), { out: "ab", stopped: false, emitted: ["a", "b", ""] });
});

test("stop string inside one chunk: text before it only", () => {
  const r = run(["END"], ["hello ", "worEND and more"]);
  assert.equal(r.out, "hello wor");
  assert.equal(r.stopped, true);
});

test("stop string split across chunks is caught and never emitted", () => {
  const r = run(["</stop>"], ["abc<", "/st", "op>tail"]);
  assert.equal(r.out, "abc");
  assert.equal(r.stopped, true);
  assert.ok(r.emitted.every((e) => !e.includes("<")), "no part of the stop string was emitted");
});

test("a held-back partial match is released when it does not complete", () => {
  const r = run(["STOP"], ["aST", "x", "b"]);
  assert.equal(r.out, "aSTxb");
  assert.equal(r.stopped, false);
  assert.deepEqual(r.emitted, ["a", "STx", "b", ""]);
});

test("held text is flushed at the end", () => {
  const r = run(["STOP"], ["abcST"]);
  assert.equal(r.out, "abcST");
  assert.deepEqual(r.emitted, ["abc", "ST"]);
});

test("earliest of several stop strings wins", () => {
  assert.equal(run(["bc", "cd", "ab"], ["xabcd"]).out, "x");
  assert.equal(run(["world", "o w"], ["hell", "o world"]).out, "hell");
});

test("empty stop strings are ignored", () => {
  const r = run([""], ["abc"]);
  assert.equal(r.out, "abc");
  assert.equal(r.stopped, false);
});

test("nothing is emitted after a stop", () => {
  const m = new StopStringMatcher(["x"]);
  // `after` is what followed the stop string (the job uses it when the "stop" is a tool-call tag).
  assert.deepEqual(m.push("axb"), { emit: "a", stopped: true, after: "b" });
  assert.deepEqual(m.push("more"), { emit: "", stopped: true });
  assert.equal(m.flush(), "");
});
