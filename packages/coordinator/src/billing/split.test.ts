import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { percentToBps, splitCharge } from "./split.js";

const sum = (s: { providerMicros: number; platformFeeMicros: number; referralMicros: number }) => s.providerMicros + s.platformFeeMicros + s.referralMicros;

describe("settlement split", () => {
  it("no fee: the provider earns everything", () => {
    assert.deepEqual(splitCharge(12_345, { platformFeeBps: 0, referralShareBps: 2_000 }, true), { providerMicros: 12_345, platformFeeMicros: 0, referralMicros: 0 });
  });

  it("fee and the referrer's 20% of it", () => {
    const s = splitCharge(10_000, { platformFeeBps: percentToBps(10), referralShareBps: percentToBps(20) }, true);
    assert.deepEqual(s, { providerMicros: 9_000, platformFeeMicros: 800, referralMicros: 200 });
    const none = splitCharge(10_000, { platformFeeBps: percentToBps(10), referralShareBps: percentToBps(20) }, false);
    assert.deepEqual(none, { providerMicros: 9_000, platformFeeMicros: 1_000, referralMicros: 0 });
  });

  it("rounds in integer micro-USD, favouring the provider, and always sums exactly", () => {
    const s = splitCharge(101, { platformFeeBps: percentToBps(2.5), referralShareBps: percentToBps(33.33) }, true);
    assert.deepEqual(s, { providerMicros: 99, platformFeeMicros: 2, referralMicros: 0 });
    for (const charge of [0, 1, 99, 100, 101, 777, 999_999, 2 ** 52]) {
      for (const fee of [0, 1, 250, 1_234, 10_000]) {
        for (const share of [0, 2_000, 3_333, 10_000]) {
          const x = splitCharge(charge, { platformFeeBps: fee, referralShareBps: share }, true);
          assert.equal(sum(x), charge, `charge ${charge} fee ${fee} share ${share}`);
          for (const v of Object.values(x)) assert.ok(Number.isSafeInteger(v) && v >= 0);
        }
      }
    }
  });

  it("the minimum charge splits like any other", () => {
    assert.deepEqual(splitCharge(100, { platformFeeBps: percentToBps(15), referralShareBps: percentToBps(20) }, true), {
      providerMicros: 85,
      platformFeeMicros: 12,
      referralMicros: 3,
    });
  });

  it("refuses a fractional or negative amount and an out-of-range percentage", () => {
    assert.throws(() => splitCharge(1.5, { platformFeeBps: 0, referralShareBps: 0 }, false), RangeError);
    assert.throws(() => splitCharge(-1, { platformFeeBps: 0, referralShareBps: 0 }, false), RangeError);
    assert.throws(() => splitCharge(1, { platformFeeBps: 10_001, referralShareBps: 0 }, false), RangeError);
  });
});
