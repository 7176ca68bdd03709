/** Time grid of the simulated market. All times are epoch milliseconds (UTC). */

export const SECOND_MS = 1_000;
export const MINUTE_MS = 60_000;
export const FUNDING_INTERVAL_HOURS = 8;
/** Funding settles at 00:00, 08:00 and 16:00 UTC: multiples of 8 h since the epoch. */
export const FUNDING_INTERVAL_MS = FUNDING_INTERVAL_HOURS * 3_600_000;

/** Largest multiple of `unit` that is ≤ `time`. */
export function floorTo(time: number, unit: number): number {
  return Math.floor(time / unit) * unit;
}

/** The last funding boundary at or before `time`. */
export function lastFundingBoundary(time: number): number {
  return floorTo(time, FUNDING_INTERVAL_MS);
}

/** The first funding boundary strictly after `time`. */
export function nextFundingBoundary(time: number): number {
  return floorTo(time, FUNDING_INTERVAL_MS) + FUNDING_INTERVAL_MS;
}

/** Statistics periods (open interest history, long/short ratios, taker volume, basis) are five minutes. */
export const STAT_PERIOD_MS = 300_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
export const YEAR_MS = 365 * DAY_MS;
