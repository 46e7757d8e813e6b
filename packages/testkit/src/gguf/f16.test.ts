import assert from "node:assert/strict";
import { test } from "node:test";
import { f16BitsToF32, f32ToF16Bits } from "./f16.js";

test("f32 -> f16 known values, rounding and specials", () => {
  const cases: [number, number][] = [
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.5, 0x3800],
    [0.1, 0x2e66],
    [65504, 0x7bff],
    [65519, 0x7bff], // rounds down to max finite
    [65520, 0x7c00], // rounds up to infinity
    [1e9, 0x7c00],
    [-Infinity, 0xfc00],
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -25, 0x0000], // tie -> even (zero)
    [3 * 2 ** -25, 0x0002], // tie -> even (2)
    [1 + 2 ** -11, 0x3c00], // tie -> even (down)
    [1 + 3 * 2 ** -11, 0x3c02], // tie -> even (up)
    [2 ** -14 - 2 ** -25, 0x0400], // subnormal rounding carries into the exponent
  ];
  for (const [v, bits] of cases) assert.equal(f32ToF16Bits(v), bits, `f16(${v})`);
  assert.equal(f32ToF16Bits(NaN) & 0x7c00, 0x7c00);
  assert.notEqual(f32ToF16Bits(NaN) & 0x3ff, 0);
  assert.ok(Number.isNaN(f16BitsToF32(0x7e00)));
});

test("every finite f16 survives f16 -> f32 -> f16", () => {
  for (let h = 0; h < 0x10000; h++) {
    if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) continue; // NaN payloads
    assert.equal(f32ToF16Bits(f16BitsToF32(h)), h);
  }
});
