import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Ewma, median } from "./ewma.js";
import { DEFAULT_DECODE_TPS, DEFAULT_PREFILL_TPS, SpeedBook } from "./speed-book.js";

describe("SpeedBook", () => {
  it("falls back: own figure → fleet median → benchmark_tps → default", () => {
    const b = new SpeedBook();
    assert.deepEqual(b.estimate("p", "m", undefined), { decodeTps: DEFAULT_DECODE_TPS, prefillTps: DEFAULT_PREFILL_TPS, decodeSource: "default", prefillSource: "default" });
    assert.equal(b.estimate("p", "m", 42).decodeTps, 42);
    assert.equal(b.estimate("p", "m", 42).decodeSource, "benchmark");
    b.reported("a", "m", 10, 100);
    b.reported("b", "m", 30, 300);
    b.reported("c", "m", 50, 500);
    b.reported("c", "other", 999, 999);
    const fleet = b.estimate("p", "m", 42);
    assert.deepEqual([fleet.decodeTps, fleet.decodeSource, fleet.prefillTps, fleet.prefillSource], [30, "fleet_median", 300, "fleet_median"]);
    assert.equal(b.estimate("a", "m", 42).decodeTps, 10);
    assert.equal(b.estimate("a", "m", 42).decodeSource, "reported");
  });

  it("a zero report (nothing served yet) is no figure", () => {
    const b = new SpeedBook();
    b.reported("a", "m", 0, 0);
    assert.equal(b.estimate("a", "m", 7).decodeSource, "benchmark");
  });

  it("measures completions: decode over the tokens after the first chunk, prefill over time to first chunk", () => {
    const b = new SpeedBook();
    b.measured("a", "m", { promptTokens: 100, completionTokens: 21, ttftMs: 500, decodeMs: 1000 });
    const e = b.estimate("a", "m", undefined);
    assert.deepEqual([e.decodeTps, e.decodeSource, e.prefillTps], [20, "measured", 200]);
    // Without a first chunk (nothing streamed) the whole time counts as decode.
    b.measured("z", "m", { promptTokens: 100, completionTokens: 20, decodeMs: 2000 });
    assert.equal(b.own("z", "m", "decode")?.tps, 10);
    assert.equal(b.own("z", "m", "prefill"), undefined);
  });

  it("a few tokens measure overhead, not the engine: no sample", () => {
    const b = new SpeedBook();
    b.measured("a", "m", { promptTokens: 14, completionTokens: 2, ttftMs: 900, decodeMs: 8 });
    assert.equal(b.own("a", "m", "decode"), undefined);
    assert.equal(b.own("a", "m", "prefill"), undefined);
  });

  it("trusts its own measurements over the provider's report, and caps a report at twice what it measured", () => {
    const b = new SpeedBook();
    b.reported("liar", "m", 1000, 1000);
    const sample = { promptTokens: 100, completionTokens: 21, ttftMs: 1000, decodeMs: 2000 }; // 10 tok/s
    b.measured("liar", "m", sample);
    assert.equal(b.own("liar", "m", "decode")?.tps, 20);
    assert.equal(b.own("liar", "m", "decode")?.source, "reported");
    b.measured("liar", "m", sample);
    b.measured("liar", "m", sample);
    assert.deepEqual(b.own("liar", "m", "decode"), { tps: 10, source: "measured" });
  });

  it("ignores impossible samples and forgets a provider on drop and removed models on retain", () => {
    const b = new SpeedBook();
    b.reported("a", "m", Number.POSITIVE_INFINITY, 1e9);
    b.measured("a", "m", { promptTokens: 500, completionTokens: 500, ttftMs: 0, decodeMs: 0 });
    assert.equal(b.own("a", "m", "decode"), undefined);
    b.reported("a", "m", 5, 5);
    b.reported("a", "gone", 5, 5);
    b.retain("a", new Set(["m"]));
    assert.equal(b.own("a", "gone", "decode"), undefined);
    b.drop("a");
    assert.equal(b.own("a", "m", "decode"), undefined);
    assert.equal(b.fleetMedian("m", "decode"), undefined);
  });
});

describe("Ewma and median", () => {
  it("takes the first sample as is, then weighs new samples by alpha", () => {
    const e = new Ewma(0.5);
    e.add(10);
    e.add(20);
    assert.equal(e.value, 15);
    assert.equal(e.count, 2);
    assert.throws(() => new Ewma(0));
  });

  it("median of odd and even lists", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
    assert.equal(median([]), undefined);
  });
});
