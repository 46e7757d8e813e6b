import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { escapeHelp, escapeLabelValue, formatValue } from "./exposition.js";
import { MetricsRegistry } from "./registry.js";
import { OVERFLOW_LABEL } from "./series.js";

describe("Prometheus text exposition 0.0.4", () => {
  it("renders HELP, TYPE and samples in registration order; label-less metrics start at 0", () => {
    const r = new MetricsRegistry();
    const c = r.counter({ name: "x_requests_total", help: "Requests.", labelNames: ["model", "status"] });
    r.gauge({ name: "x_up", help: "Up." });
    c.inc({ model: "m1", status: 200 });
    c.inc({ model: "m1", status: 200 }, 2);
    c.inc({ model: "m2", status: "429" });
    assert.equal(
      r.render(),
      [
        "# HELP x_requests_total Requests.",
        "# TYPE x_requests_total counter",
        'x_requests_total{model="m1",status="200"} 3',
        'x_requests_total{model="m2",status="429"} 1',
        "# HELP x_up Up.",
        "# TYPE x_up gauge",
        "x_up 0",
        "",
      ].join("\n"),
    );
  });

  it("histograms: cumulative buckets with an inclusive upper bound, +Inf, _sum and _count", () => {
    const r = new MetricsRegistry();
    const h = r.histogram({ name: "x_ttft_seconds", help: "TTFT.", labelNames: ["model"], buckets: [1, 0.5, 2] });
    for (const v of [0.2, 0.5, 0.7, 3]) h.observe({ model: "m" }, v);
    h.observe({ model: "m" }, Number.NaN); // ignored
    assert.equal(
      r.render(),
      [
        "# HELP x_ttft_seconds TTFT.",
        "# TYPE x_ttft_seconds histogram",
        'x_ttft_seconds_bucket{model="m",le="0.5"} 2',
        'x_ttft_seconds_bucket{model="m",le="1"} 3',
        'x_ttft_seconds_bucket{model="m",le="2"} 3',
        'x_ttft_seconds_bucket{model="m",le="+Inf"} 4',
        'x_ttft_seconds_sum{model="m"} 4.4',
        'x_ttft_seconds_count{model="m"} 4',
        "",
      ].join("\n"),
    );
  });

  it("escapes label values and help text; spells special values the Prometheus way", () => {
    assert.equal(escapeLabelValue('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
    assert.equal(escapeHelp("x\\y\nz \"q\""), 'x\\\\y\\nz "q"');
    assert.deepEqual([formatValue(Infinity), formatValue(-Infinity), formatValue(Number.NaN), formatValue(12), formatValue(0.25)], ["+Inf", "-Inf", "NaN", "12", "0.25"]);
    const r = new MetricsRegistry();
    r.gauge({ name: "g", help: "line one\nline two", labelNames: ["v"] }).set({ v: 'evil"} 1\nfake 2' }, 1);
    const text = r.render();
    assert.ok(text.includes("# HELP g line one\\nline two\n"));
    assert.ok(text.includes('g{v="evil\\"} 1\\nfake 2"} 1\n'), "a hostile value cannot forge a sample line");
    assert.equal(text.split("\n").filter((l) => l.startsWith("fake")).length, 0);
  });

  it("bounds label cardinality: sets past the cap fold into one all-'other' series", () => {
    const r = new MetricsRegistry();
    const c = r.counter({ name: "c_total", help: "C.", labelNames: ["version", "state"], maxSeries: 3 });
    for (let i = 0; i < 100; i++) c.inc({ version: `v${i}`, state: "idle" });
    const lines = r.render().split("\n").filter((l) => l.startsWith("c_total{"));
    assert.equal(lines.length, 4, "3 series plus the overflow series");
    assert.ok(lines.includes(`c_total{version="${OVERFLOW_LABEL}",state="${OVERFLOW_LABEL}"} 97`));
  });

  it("refuses invalid names, reserved labels, negative counter steps and duplicates", () => {
    const r = new MetricsRegistry();
    assert.throws(() => r.counter({ name: "bad-name", help: "x" }));
    assert.throws(() => r.counter({ name: "ok_total", help: "x", labelNames: ["__x"] }));
    assert.throws(() => r.histogram({ name: "h", help: "x", labelNames: ["le"], buckets: [1] }));
    assert.throws(() => r.histogram({ name: "h2", help: "x", buckets: [] }));
    const c = r.counter({ name: "dup_total", help: "x", labelNames: ["a"] });
    assert.throws(() => c.inc({ a: "1" }, -1));
    assert.throws(() => c.inc({}), /missing label a/);
    assert.throws(() => r.gauge({ name: "dup_total", help: "x" }));
  });

  it("scrape-time gauges are rebuilt by collectors, so vanished label sets disappear", () => {
    const r = new MetricsRegistry();
    const g = r.gauge({ name: "providers", help: "P.", labelNames: ["state"] });
    let states = ["idle", "busy"];
    r.onCollect(() => {
      g.reset();
      for (const s of states) g.inc({ state: s });
    });
    assert.match(r.render(), /providers\{state="busy"\} 1/);
    states = ["idle"];
    assert.doesNotMatch(r.render(), /busy/);
  });
});
