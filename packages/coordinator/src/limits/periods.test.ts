import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatDuration, retryAfterSeconds } from "./headers.js";
import { periodEnd, periodStart } from "./periods.js";

const at = (iso: string) => Date.parse(iso);

describe("spend cap periods (UTC)", () => {
  it("day, ISO week (Monday) and month boundaries", () => {
    const t = at("2025-03-05T13:14:15.000Z"); // a Wednesday
    assert.equal(periodStart("day", t), at("2025-03-05T00:00:00Z"));
    assert.equal(periodEnd("day", t), at("2025-03-06T00:00:00Z"));
    assert.equal(periodStart("week", t), at("2025-03-03T00:00:00Z"));
    assert.equal(periodEnd("week", t), at("2025-03-10T00:00:00Z"));
    assert.equal(periodStart("month", t), at("2025-03-01T00:00:00Z"));
    assert.equal(periodEnd("month", t), at("2025-04-01T00:00:00Z"));
  });

  it("handles Sundays, year ends and the first instant of a period", () => {
    assert.equal(periodStart("week", at("2025-03-09T23:59:59Z")), at("2025-03-03T00:00:00Z"), "Sunday belongs to the week before");
    assert.equal(periodStart("week", at("2025-03-10T00:00:00Z")), at("2025-03-10T00:00:00Z"));
    assert.equal(periodEnd("month", at("2024-12-31T23:00:00Z")), at("2025-01-01T00:00:00Z"));
    assert.equal(periodEnd("month", at("2024-02-10T00:00:00Z")), at("2024-03-01T00:00:00Z"));
  });
});

describe("rate limit header formats", () => {
  it("writes durations like OpenAI and Retry-After in whole seconds", () => {
    assert.equal(formatDuration(250), "250ms");
    assert.equal(formatDuration(12_500), "12.5s");
    assert.equal(formatDuration(360_000), "6m0s");
    assert.equal(formatDuration(-5), "0ms");
    assert.equal(retryAfterSeconds(1), "1");
    assert.equal(retryAfterSeconds(0), "1");
    assert.equal(retryAfterSeconds(1_001), "2");
  });
});
