import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../test-support/manual-clock.js";
import { LaneWriter, type FrameSink } from "./lane-writer.js";


function sink() {
  const sent: string[] = [];
  const callbacks: ((err?: Error) => void)[] = [];
  const s: FrameSink = {
    send: (data, cb) => {
      sent.push(data);
      callbacks.push(cb);
    },
  };
  const flush = () => {
    while (callbacks.length) callbacks.shift()!();
  };
  return { s, sent, flush };
}

describe("LaneWriter", () => {
  it("sends control frames before queued data frames, FIFO within a lane", () => {
    const clock = new ManualClock(0);
    const k = sink();
    const w = new LaneWriter(k.s, { clock, highWaterBytes: 1, writeTimeoutMs: 1000, onStuck: () => {} });
    w.send("d1", "data"); // goes straight out: nothing unflushed yet
    w.send("d2", "data");
    w.send("d3", "data");
    w.send("c1", "control");
    w.send("c2", "control");
    assert.deepEqual(k.sent, ["d1"]);
    for (let i = 0; i < 5; i++) k.flush();
    assert.deepEqual(k.sent, ["d1", "c1", "c2", "d2", "d3"]);
    assert.equal(w.pendingFrames, 0);
  });

  it("drops a connection whose writes stop making progress", () => {
    const clock = new ManualClock(0);
    const advance = (ms: number) => clock.advance(ms);
    const k = sink();
    let stuck = 0;
    const w = new LaneWriter(k.s, { clock, highWaterBytes: 1 << 20, writeTimeoutMs: 1000, onStuck: () => stuck++ });
    w.send("x", "data");
    advance(600);
    k.flush();
    w.send("y", "data");
    advance(600);
    assert.equal(stuck, 0, "progress within the window keeps the connection");
    advance(1000);
    assert.equal(stuck, 1);
    assert.equal(w.send("z", "control"), false);
  });

  it("does not fire when everything has flushed", () => {
    const clock = new ManualClock(0);
    const advance = (ms: number) => clock.advance(ms);
    const k = sink();
    let stuck = 0;
    const w = new LaneWriter(k.s, { clock, highWaterBytes: 1 << 20, writeTimeoutMs: 1000, onStuck: () => stuck++ });
    w.send("x", "data");
    k.flush();
    advance(5000);
    assert.equal(stuck, 0);
  });
});
