/** Availability schedule: windows of local time during which the provider serves. Pure: "now" is passed in. */

export const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Day = (typeof DAYS)[number];

export interface ScheduleWindow {
  /** Days the window starts on; all days when absent. */
  days?: readonly Day[];
  /** "HH:MM", local time. */
  start: string;
  /** "HH:MM", local time; at or before `start` means the window runs past midnight. */
  end: string;
}

export const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

function minutes(hhmm: string): number {
  const m = HHMM.exec(hhmm);
  if (!m) throw new Error(`invalid time ${JSON.stringify(hhmm)} (want HH:MM)`);
  return Number(m[1]) * 60 + Number(m[2]);
}

function startsOn(w: ScheduleWindow, day: number): boolean {
  return w.days === undefined || w.days.length === 0 || w.days.includes(DAYS[day]!);
}

/** Is `now` inside one of the windows? No windows at all: always available. */
export function isAvailable(windows: readonly ScheduleWindow[], now: Date): boolean {
  if (windows.length === 0) return true;
  const day = now.getDay();
  const t = now.getHours() * 60 + now.getMinutes();
  const yesterday = (day + 6) % 7;
  return windows.some((w) => {
    const s = minutes(w.start);
    const e = minutes(w.end);
    if (s < e) return startsOn(w, day) && t >= s && t < e;
    // Crosses midnight (or spans the whole day when start == end).
    return (startsOn(w, day) && t >= s) || (startsOn(w, yesterday) && t < e);
  });
}

/** Milliseconds until `isAvailable` may change (the next minute boundary); callers re-check then. */
export function msUntilNextCheck(now: Date): number {
  return 60_000 - (now.getSeconds() * 1000 + now.getMilliseconds());
}
