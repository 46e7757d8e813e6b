/** Calendar periods for spend caps, in UTC. Pure. */

export type CapPeriod = "day" | "week" | "month";

const DAY_MS = 86_400_000;

/** Start of the UTC day / ISO week (Monday) / calendar month containing `now`. */
export function periodStart(period: CapPeriod, now: number): number {
  const d = new Date(now);
  const dayStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (period === "day") return dayStart;
  if (period === "week") return dayStart - ((d.getUTCDay() + 6) % 7) * DAY_MS;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** First instant of the next period (when the cap resets). */
export function periodEnd(period: CapPeriod, now: number): number {
  const start = periodStart(period, now);
  if (period === "day") return start + DAY_MS;
  if (period === "week") return start + 7 * DAY_MS;
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}
