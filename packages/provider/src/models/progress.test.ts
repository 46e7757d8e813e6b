import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ProgressReporter, formatBar, formatBytes, formatDuration, formatLine } from "./progress.js";

describe("download progress", () => {
  it("formats sizes, durations and the bar", () => {
    assert.equal(formatBytes(512), "512 B");
    assert.equal(formatBytes(1536), "1.5 KiB");
    assert.equal(formatBytes(3 * 1024 ** 3), "3.0 GiB");
    assert.equal(formatDuration(5), "0:05");
    assert.equal(formatDuration(3725), "1:02:05");
    assert.equal(formatDuration(undefined), "--:--");
    assert.equal(formatBar({ done: 512, total: 1024, rate: 256 }, 10), "[#####-----]  50%  512 B/1.0 KiB  256 B/s  ETA 0:02");
    assert.equal(formatLine("m", { done: 0, total: 1024, rate: undefined }), "m: 0% 0 B/1.0 KiB -- ETA --:--");
  });

  it("redraws a bar in place on a TTY and counts only this session's bytes in the rate", () => {
    let t = 1000;
    const out: string[] = [];
    const p = new ProgressReporter({ label: "m", total: 1000, tty: true, write: (s) => out.push(s), now: () => t });
    p.update(400); // already on disk (resumed)
    t += 2000;
    p.update(600);
    assert.deepEqual(p.snapshot(), { done: 600, total: 1000, rate: 100 });
    t += 50;
    p.update(610); // within 100 ms: not drawn
    p.finish();
    assert.equal(out.length, 4);
    assert.ok(out.slice(0, 3).every((s) => s.startsWith("\rm [")));
    assert.match(out[1]!, /ETA 0:04$/);
    assert.equal(out[3], "\n");
  });

  it("prints plain lines at most once per interval otherwise", () => {
    let t = 0;
    const out: string[] = [];
    const p = new ProgressReporter({ label: "m", total: 100, tty: false, write: (s) => out.push(s), now: () => t, lineIntervalMs: 1000 });
    for (let i = 0; i <= 100; i += 10) {
      p.update(i);
      t += 250;
    }
    p.finish();
    assert.equal(out.length, 4); // t = 0, 1000, 2000 and the final line
    assert.ok(out.every((s) => s.endsWith("\n") && !s.includes("\r")));
    assert.match(out.at(-1)!, /^m: 100% /);
  });
});
