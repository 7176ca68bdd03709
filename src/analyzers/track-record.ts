import type { LayerDirection } from './confirmation.types.js';
import type { ScenarioBias, ScenarioEntry } from './scenarios.types.js';

/**
 * Grading of past confirmations and scenarios against the candles that followed them (issue 12 §4).
 * Pure: snapshots and candles in, outcomes and hit rates out. Look-ahead is impossible by construction:
 * a record is graded only from bars that open at or after its `asOf`, and only once its horizon has passed.
 */

/** What a bar-by-bar grader needs of a candle. */
export interface GradeBar {
  openTime: number;
  closeTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

export const ScenarioOutcomes = {
  /** Horizon not over yet: not counted. */
  PENDING: 'PENDING',
  /** The entry zone was never reached within the horizon. */
  NOT_FILLED: 'NOT_FILLED',
  /** Filled, then the first target traded before the stop. */
  TARGET_FIRST: 'TARGET_FIRST',
  /** Filled, then the stop traded first (or in the same bar as the target: the tie rule). */
  STOP_FIRST: 'STOP_FIRST',
  /** Filled, neither the stop nor the first target traded within the horizon. */
  NEITHER: 'NEITHER',
} as const;
export type ScenarioOutcome = (typeof ScenarioOutcomes)[keyof typeof ScenarioOutcomes];

export interface GradableScenario {
  bias: ScenarioBias;
  entry: ScenarioEntry;
  stopLoss: { price: number };
  targets: readonly { price: number }[];
  horizonMs: number;
}

/**
 * Grades one scenario published at `asOf` over `bars` (ascending). Fill: a LIMIT entry fills when a bar
 * trades into the zone from the scenario's favourable side (a long limit: low ≤ priceMax), a STOP entry
 * when a bar trades through its trigger (a long stop: high ≥ priceMin). From the fill bar on, a bar that
 * reaches both the stop and the first target counts as STOP_FIRST: candles do not tell the order inside a
 * bar, and the conservative reading is the one a trader can rely on. Bars that opened before `asOf` are
 * ignored; the result is PENDING until a bar closing at or after `asOf + horizonMs` is held.
 */
export function gradeScenario(scenario: GradableScenario, asOf: number, bars: readonly GradeBar[]): ScenarioOutcome {
  const end = asOf + scenario.horizonMs;
  const target = scenario.targets[0]?.price;
  if (target === undefined) return ScenarioOutcomes.NEITHER;
  const long = scenario.bias === 'LONG';
  const { priceMin, priceMax, type } = scenario.entry;
  const stop = scenario.stopLoss.price;
  let filled = false;
  let sawEnd = false;
  for (const bar of bars) {
    if (bar.openTime < asOf) continue;
    if (bar.openTime >= end) {
      sawEnd = true;
      break;
    }
    if (bar.closeTime + 1 >= end) sawEnd = true;
    if (!filled) {
      filled =
        type === 'LIMIT'
          ? long
            ? bar.low <= priceMax
            : bar.high >= priceMin
          : long
            ? bar.high >= priceMin
            : bar.low <= priceMax;
      if (!filled) continue;
    }
    const hitStop = long ? bar.low <= stop : bar.high >= stop;
    const hitTarget = long ? bar.high >= target : bar.low <= target;
    if (hitStop) return ScenarioOutcomes.STOP_FIRST;
    if (hitTarget) return ScenarioOutcomes.TARGET_FIRST;
  }
  if (!sawEnd) return ScenarioOutcomes.PENDING;
  return filled ? ScenarioOutcomes.NEITHER : ScenarioOutcomes.NOT_FILLED;
}

export interface ConfirmationGrade {
  /** close at the first bar closing at or after asOf + horizon, over the close of the bar the record saw, − 1. */
  forwardReturn: number;
  /** True when the sign of the forward return agrees with the signal; null for NEUTRAL (no side to hit). */
  hit: boolean | null;
}

/**
 * Forward return of a confirmation published at `asOf` over `horizonMs`: from the close of the last bar
 * closed at `asOf` (what the record saw) to the close of the first bar that closes at or after
 * `asOf + horizonMs`. Null while that bar is not held (pending) or when no bar at `asOf` is held.
 */
export function gradeConfirmation(signal: LayerDirection, asOf: number, horizonMs: number, bars: readonly GradeBar[]): ConfirmationGrade | null {
  let from: GradeBar | undefined;
  let to: GradeBar | undefined;
  for (const bar of bars) {
    if (bar.closeTime <= asOf) from = bar;
    else if (bar.closeTime + 1 >= asOf + horizonMs) {
      to = bar;
      break;
    }
  }
  if (!from || !to || !(from.close > 0)) return null;
  const forwardReturn = to.close / from.close - 1;
  const hit = signal === 'NEUTRAL' ? null : signal === 'BULLISH' ? forwardReturn > 0 : forwardReturn < 0;
  return { forwardReturn, hit };
}

/**
 * Wilson score interval for `hits` successes in `n` trials at normal quantile `z` (1.96 ≈ 95 %):
 * (p̂ + z²/2n ± z √(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n). Null for n = 0.
 * @see https://en.wikipedia.org/wiki/Binomial_proportion_confidence_interval#Wilson_score_interval
 */
export function wilsonInterval(hits: number, n: number, z = 1.96): { low: number; high: number } | null {
  if (n <= 0) return null;
  const p = hits / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const denominator = 1 + z2 / n;
  return { low: Math.max(0, (centre - margin) / denominator), high: Math.min(1, (centre + margin) / denominator) };
}

/** A hit rate with its sample and 95 % Wilson interval. */
export interface HitRate {
  n: number;
  hits: number;
  /** hits / n; null for n = 0. */
  rate: number | null;
  low: number | null;
  high: number | null;
}

export function hitRate(hits: number, n: number): HitRate {
  const w = wilsonInterval(hits, n);
  return { n, hits, rate: n > 0 ? hits / n : null, low: w?.low ?? null, high: w?.high ?? null };
}
