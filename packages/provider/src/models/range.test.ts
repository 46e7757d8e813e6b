import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseContentRange, planResume, rangeHeader, responseWriteMode } from "./range.js";

describe("range planning", () => {
  it("plans a resume from the partial size", () => {
    assert.deepEqual(planResume(0, 10), { kind: "fetch", start: 0 });
    assert.deepEqual(planResume(4, 10), { kind: "fetch", start: 4 });
    assert.deepEqual(planResume(10, 10), { kind: "complete" });
    assert.deepEqual(planResume(11, 10), { kind: "restart" });
    assert.deepEqual(rangeHeader(0), {});
    assert.deepEqual(rangeHeader(4), { range: "bytes=4-" });
  });

  it("parses Content-Range and decides how to write a response", () => {
    assert.deepEqual(parseContentRange("bytes 4-9/10"), { start: 4, end: 9, total: 10 });
    assert.deepEqual(parseContentRange("bytes 4-9/*"), { start: 4, end: 9, total: null });
    assert.equal(parseContentRange("bytes 9-4/10"), undefined);
    assert.equal(parseContentRange(null), undefined);
    assert.deepEqual(responseWriteMode(206, "bytes 4-9/10", 4, 10), { mode: "append" });
    assert.deepEqual(responseWriteMode(200, null, 4, 10), { mode: "overwrite" });
    assert.ok("error" in responseWriteMode(206, "bytes 0-9/10", 4, 10));
    assert.ok("error" in responseWriteMode(206, "bytes 4-9/12", 4, 10));
    assert.ok("error" in responseWriteMode(206, null, 4, 10));
    assert.ok("error" in responseWriteMode(404, null, 0, 10));
    assert.deepEqual(responseWriteMode(416, "bytes */10", 10, 10), { mode: "append" });
  });
});
