import assert from "node:assert/strict";
import { test } from "node:test";
import { isAvailable, msUntilNextCheck } from "./schedule.js";

// Local-time dates: 2024-01-01 is a Monday.
const at = (day: number, h: number, m = 0) => new Date(2024, 0, day, h, m);

test("no windows: always available", () => {
  assert.equal(isAvailable([], at(1, 3)), true);
});

test("a daytime window on weekdays", () => {
  const w = [{ days: ["mon", "tue", "wed", "thu", "fri"] as const, start: "09:00", end: "17:30" }];
  const win = w.map((x) => ({ ...x, days: [...x.days] }));
  assert.equal(isAvailable(win, at(1, 9, 0)), true);
  assert.equal(isAvailable(win, at(1, 17, 29)), true);
  assert.equal(isAvailable(win, at(1, 17, 30)), false, "end is exclusive");
  assert.equal(isAvailable(win, at(1, 8, 59)), false);
  assert.equal(isAvailable(win, at(6, 12)), false, "Saturday");
});

test("a window across midnight belongs to the day it starts on", () => {
  const win = [{ days: ["fri" as const], start: "22:00", end: "06:00" }];
  assert.equal(isAvailable(win, at(5, 23)), true, "Friday night");
  assert.equal(isAvailable(win, at(6, 5, 59)), true, "Saturday early morning");
  assert.equal(isAvailable(win, at(6, 6)), false);
  assert.equal(isAvailable(win, at(6, 23)), false, "Saturday night is not Friday's window");
  assert.equal(isAvailable(win, at(5, 5)), false, "Friday early morning belongs to Thursday");
});

test("several windows: any one counts", () => {
  const win = [
    { start: "01:00", end: "02:00" },
    { start: "13:00", end: "14:00" },
  ];
  assert.equal(isAvailable(win, at(3, 13, 30)), true);
  assert.equal(isAvailable(win, at(3, 12)), false);
});

test("the next check is at the next minute boundary", () => {
  assert.equal(msUntilNextCheck(new Date(2024, 0, 1, 10, 0, 59, 500)), 500);
  assert.equal(msUntilNextCheck(new Date(2024, 0, 1, 10, 0, 0, 0)), 60_000);
});
