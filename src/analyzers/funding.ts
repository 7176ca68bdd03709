import { getCorrelation } from 'trading-signals';
import { meanAndStdDev, olsSlope, percentileRank } from '../math/statistics.js';
import type { Factor } from './types.js';
import {
  DEFAULT_FUNDING_THRESHOLDS,
  FundingBands,
  FundingReversionSignals,
  FundingSignals,
  FundingSigns,
  FundingTrends,
  type FundingAnalysis,
  type FundingBand,
  type FundingInput,
  type FundingMeanReversion,
  type FundingPersistence,
  type FundingReversal,
  type FundingSettlement,
  type FundingSign,
  type FundingSignal,
  type FundingThresholds,
  type FundingTrend,
} from './funding.types.js';

/** Version of the method below; bump it whenever a number this analyzer produces would change. */
export const FUNDING_METHODOLOGY_VERSION = 'funding/1.2.0';

/** Fewest earlier settlements for which mean, standard deviation and z-score are computed. */
const MIN_HISTORY = 3;
/** Fewest (previous, next) pairs for the lag-1 autocorrelation. */
const MIN_AUTOCORRELATION_PAIRS = 10;
/** Fewest settlements for which a trend slope is fitted. */
const MIN_TREND_POINTS = 3;
/** Largest |epoch ms| a JavaScript Date can hold; bounds every time input so differences stay finite. */
const MAX_EPOCH_MS = 8.64e15;
/** Largest |rate| accepted: a funding rate is a fraction of notional per interval, never beyond ±100 %. */
const MAX_ABS_RATE = 1;

/** Factor weights of the composite score; they sum to 1. */
const WEIGHTS = { rateLevel: 0.4, zScore: 0.3, trend: 0.15, predictedShift: 0.15 } as const;

/** Score cut-offs of {@link classifyFundingScore}. */
export const FUNDING_SIGNAL_CUTOFFS = { overheated: 60, bias: 20 } as const;

const fail = (message: string): never => {
  throw new Error(`computeFundingAnalysis: ${message}`);
};
const quote = (value: unknown): string => (typeof value === 'number' ? String(value) : JSON.stringify(value));

/**
 * Maps a composite funding score (−100..100) to a signal. Boundaries are inclusive on the crowded side:
 * `score >= 60` OVERHEATED_LONGS, `score >= 20` LONG_BIAS, `score <= -60` OVERHEATED_SHORTS,
 * `score <= -20` SHORT_BIAS, anything strictly between −20 and 20 NEUTRAL.
 */
export function classifyFundingScore(score: number): FundingSignal {
  if (score >= FUNDING_SIGNAL_CUTOFFS.overheated) return FundingSignals.OVERHEATED_LONGS;
  if (score >= FUNDING_SIGNAL_CUTOFFS.bias) return FundingSignals.LONG_BIAS;
  if (score <= -FUNDING_SIGNAL_CUTOFFS.overheated) return FundingSignals.OVERHEATED_SHORTS;
  if (score <= -FUNDING_SIGNAL_CUTOFFS.bias) return FundingSignals.SHORT_BIAS;
  return FundingSignals.NEUTRAL;
}

/** Sign of a rate: POSITIVE (longs pay), NEGATIVE (shorts pay) or ZERO. */
export function fundingSignOf(rate: number): FundingSign {
  return rate > 0 ? FundingSigns.POSITIVE : rate < 0 ? FundingSigns.NEGATIVE : FundingSigns.ZERO;
}

/**
 * Level band of a rate: ≤ −elevatedRate STRONGLY_NEGATIVE, < 0 NEGATIVE, ≤ baselineRate BASELINE (0
 * included), < elevatedRate ELEVATED, ≥ elevatedRate STRONGLY_POSITIVE.
 */
export function classifyFundingBand(rate: number, t: Pick<FundingThresholds, 'baselineRate' | 'elevatedRate'> = DEFAULT_FUNDING_THRESHOLDS): FundingBand {
  if (rate <= -t.elevatedRate) return FundingBands.STRONGLY_NEGATIVE;
  if (rate < 0) return FundingBands.NEGATIVE;
  if (rate <= t.baselineRate) return FundingBands.BASELINE;
  if (rate < t.elevatedRate) return FundingBands.ELEVATED;
  return FundingBands.STRONGLY_POSITIVE;
}

/**
 * Funding-rate analysis of one perpetual: how expensive it is to hold longs (positive rate: longs pay
 * shorts) or shorts (negative rate: shorts pay longs), compared with the symbol's own recent history.
 *
 * What it measures:
 * - `rate`: the last settled rate (raw fraction per interval, 0.0001 = 0.01 %); `annualizedRate` =
 *   rate × (24 / fundingIntervalHours) × 365 (simple, not compounded), likewise `predictedAnnualizedRate`.
 * - `mean`, `stdDev` (sample, n − 1), `zScore` = (rate − mean) / stdDev over up to `historyWindow`
 *   settlements immediately before the current one (the current one is excluded, so it cannot dilute its
 *   own outlier). With fewer than 3 of them `warmingUp` is true and all three are null; `sampleSize` is
 *   then the number of earlier settlements available. When the history is constant (stdDev 0) the
 *   z-score is undefined and reported as 0.
 * - `trendSlope`: ordinary-least-squares slope of the last `trendWindow` settlements including the
 *   current one (x = 0..k−1), in rate per settlement; FLAT when |slope| < `flatSlope` or with fewer than
 *   3 points (slope then reported as 0).
 * - `isExtreme`: |z| ≥ `extremeZ` (when z is available) or |rate| ≥ `extremeRate`;
 *   `isAnomaly`: |z| ≥ `anomalyZ`.
 * - `percentile`: percentile rank of the rate among the same history window, 100 × (below + ½ · equal) / n
 *   (null while warming up).
 * - `persistence`: how many consecutive settlements up to the current one kept its sign, and its level
 *   band (see {@link classifyFundingBand}), with the time each run started; `…Truncated` when the run
 *   reaches the oldest settlement given (the real run may be longer).
 * - `meanReversion`: REVERT_DOWN when z ≥ `reversionZ`, REVERT_UP when z ≤ −`reversionZ`, else NONE; with
 *   the AR(1) view of the window (history + current): φ = lag-1 autocorrelation (`getCorrelation` of
 *   trading-signals over (r[t−1], r[t]) pairs, at least 10), half-life ln ½ / ln φ settlements when
 *   0 < φ < 1, and the expected next rate mean + φ (rate − mean).
 * - `reversal`: the empirical probability that a reading like the current one flips sign soon. Similar
 *   readings are the earlier settlements of the history window with the current sign and within
 *   ±`reversalBand` of the current rate that have `reversalHorizon` settlements after them (the current
 *   one may be among those). A flip is any of those next settlements having the opposite sign. probability
 *   = flips / sampleSize, null below `minReversalSamples` or when the rate is exactly 0. Overlapping
 *   windows make the samples dependent: read it as a frequency in this history, not a calibrated forecast.
 *
 * How to read the score (−100..100, rounded to 2 decimals): 100 × Σ weight × clamp(normalised, −1, 1)
 * over the factors `rateLevel` (0.4, rate / extremeRate), `zScore` (0.3, z / extremeZ), `trend`
 * (0.15, slope × trendWindow / extremeRate) and `predictedShift` (0.15, (predicted − rate) / extremeRate).
 * Positive means longs are crowded, negative means shorts are. Signal: score ≥ 60 OVERHEATED_LONGS,
 * ≥ 20 LONG_BIAS, ≤ −60 OVERHEATED_SHORTS, ≤ −20 SHORT_BIAS, otherwise NEUTRAL (see
 * {@link classifyFundingScore}).
 *
 * Pure: no I/O and no clock; time is `input.now`. Precondition violations throw an Error that quotes the
 * offending value: empty settlements, settlements not strictly ascending by fundingTime, a non-finite rate
 * or one with |rate| > 1, fundingIntervalHours ≤ 0, a non-positive-integer historyWindow, times outside
 * the JavaScript Date range, invalid thresholds. For finite valid inputs every number out is finite.
 *
 * @see https://www.binance.com/en/support/faq/introduction-to-binance-futures-funding-rates-360033525031 — Binance: what funding is, who pays whom, settlement intervals.
 * @see https://en.wikipedia.org/wiki/Standard_score — z-score definition, z = (x − μ) / σ.
 * @see https://en.wikipedia.org/wiki/Simple_linear_regression — OLS slope used for the trend.
 * @see https://en.wikipedia.org/wiki/Percentile_rank — percentile rank with ties counted half.
 * @see https://en.wikipedia.org/wiki/Autoregressive_model — AR(1): φ, half-life ln ½ / ln φ, E[x(t+1)] = μ + φ (x(t) − μ).
 */
export function computeFundingAnalysis(input: Readonly<FundingInput>): FundingAnalysis {
  validateInput(input);
  const thresholds = resolveThresholds(input.thresholds);

  const { settlements, fundingIntervalHours: intervalHours } = input;
  const settlementsPerYear = (24 / intervalHours) * 365;
  if (!Number.isFinite(settlementsPerYear)) fail(`fundingIntervalHours ${quote(intervalHours)} is too small`);

  const current = settlements[settlements.length - 1] as FundingSettlement;
  const rate = current.rate;
  const predictedRate = input.predictedRate;

  // Statistics over the settlements strictly before the current one.
  const historyStart = Math.max(0, settlements.length - 1 - input.historyWindow);
  const history = settlements.slice(historyStart, settlements.length - 1).map((s) => s.rate);
  const sampleSize = history.length;
  const warmingUp = sampleSize < MIN_HISTORY;
  const stats = warmingUp ? null : meanAndStdDev(history, 'sample');
  const zScore = stats === null ? null : stats.stdDev === 0 ? 0 : (rate - stats.mean) / stats.stdDev;

  // Trend over the last trendWindow settlements including the current one.
  const trendPoints = settlements.slice(Math.max(0, settlements.length - thresholds.trendWindow)).map((s) => s.rate);
  const trendMeasured = trendPoints.length >= MIN_TREND_POINTS;
  const trendSlope = trendMeasured ? olsSlope(trendPoints) : 0;
  const trend: FundingTrend =
    !trendMeasured || Math.abs(trendSlope) < thresholds.flatSlope
      ? FundingTrends.FLAT
      : trendSlope > 0
        ? FundingTrends.RISING
        : FundingTrends.FALLING;

  const isExtreme = (zScore !== null && Math.abs(zScore) >= thresholds.extremeZ) || Math.abs(rate) >= thresholds.extremeRate;
  const isAnomaly = zScore !== null && Math.abs(zScore) >= thresholds.anomalyZ;

  const annualizedRate = rate * settlementsPerYear;
  const per = `per ${intervalHours} h`;
  const factors: Factor[] = [
    factor(
      'rateLevel',
      rate,
      WEIGHTS.rateLevel,
      rate / thresholds.extremeRate,
      `settled rate ${pct(rate)} ${per}: ${whoPays(rate)} (${pct(annualizedRate, 2)} annualized; extreme at ±${pct(thresholds.extremeRate)})`,
    ),
    factor('zScore', zScore ?? 0, WEIGHTS.zScore, (zScore ?? 0) / thresholds.extremeZ, zScoreNote(rate, sampleSize, stats)),
    factor(
      'trend',
      trendSlope,
      WEIGHTS.trend,
      (trendSlope * thresholds.trendWindow) / thresholds.extremeRate,
      trendNote(trend, trendSlope, trendPoints.length, thresholds.flatSlope),
    ),
    predictedRate === null
      ? factor('predictedShift', 0, WEIGHTS.predictedShift, 0, 'no predicted rate from source')
      : factor(
          'predictedShift',
          predictedRate - rate,
          WEIGHTS.predictedShift,
          (predictedRate - rate) / thresholds.extremeRate,
          predictedNote(predictedRate, rate),
        ),
  ];

  const score = round2(100 * factors.reduce((sum, f) => sum + f.contribution, 0));
  const window = [...history, rate];

  // The venue's announced time when it lies ahead; else (unknown, or already passed: a replay's mark file
  // holds the last settlement) the venue's schedule, the next multiple of the interval (as sessions does).
  const step = intervalHours * 3_600_000;
  const nextFunding =
    input.nextFundingTime !== null && input.nextFundingTime > input.now ? input.nextFundingTime : (Math.floor(input.now / step) + 1) * step;
  return {
    symbol: input.symbol,
    warmingUp,
    rate,
    predictedRate,
    annualizedRate,
    predictedAnnualizedRate: predictedRate === null ? null : predictedRate * settlementsPerYear,
    fundingIntervalHours: intervalHours,
    nextFundingTime: nextFunding,
    timeToNextFundingMs: nextFunding - input.now,
    lastFundingTime: current.fundingTime,
    mean: stats?.mean ?? null,
    stdDev: stats?.stdDev ?? null,
    zScore,
    sampleSize,
    trend,
    trendSlope,
    isExtreme,
    isAnomaly,
    signal: classifyFundingScore(score),
    score,
    factors,
    percentile: warmingUp ? null : percentileRank(history, rate),
    persistence: measurePersistence(settlements, thresholds),
    meanReversion: measureMeanReversion(window, rate, zScore, stats, thresholds),
    reversal: measureReversal(settlements, historyStart, thresholds),
  };
}

function measurePersistence(settlements: readonly FundingSettlement[], t: FundingThresholds): FundingPersistence {
  const last = settlements.length - 1;
  const rate = (settlements[last] as FundingSettlement).rate;
  const sign = fundingSignOf(rate);
  const band = classifyFundingBand(rate, t);
  const runStart = (same: (r: number) => boolean): number => {
    let i = last;
    while (i > 0 && same((settlements[i - 1] as FundingSettlement).rate)) i -= 1;
    return i;
  };
  const signStart = runStart((r) => fundingSignOf(r) === sign);
  const bandStart = runStart((r) => classifyFundingBand(r, t) === band);
  return {
    sign,
    signStreak: last - signStart + 1,
    signSince: (settlements[signStart] as FundingSettlement).fundingTime,
    signStreakTruncated: signStart === 0,
    band,
    bandStreak: last - bandStart + 1,
    bandSince: (settlements[bandStart] as FundingSettlement).fundingTime,
    bandStreakTruncated: bandStart === 0,
  };
}

function measureMeanReversion(
  window: readonly number[],
  rate: number,
  zScore: number | null,
  stats: { mean: number; stdDev: number } | null,
  t: FundingThresholds,
): FundingMeanReversion {
  const signal =
    zScore === null
      ? FundingReversionSignals.NONE
      : zScore >= t.reversionZ
        ? FundingReversionSignals.REVERT_DOWN
        : zScore <= -t.reversionZ
          ? FundingReversionSignals.REVERT_UP
          : FundingReversionSignals.NONE;
  const previous = window.slice(0, -1);
  const next = window.slice(1);
  const phi = previous.length >= MIN_AUTOCORRELATION_PAIRS ? lag1Correlation(previous, next) : null;
  const halfLife = phi !== null && phi > 0 && phi < 1 ? Math.log(0.5) / Math.log(phi) : null;
  const expectedNextRate = phi !== null && stats !== null ? stats.mean + phi * (rate - stats.mean) : null;

  const signalNote =
    zScore === null
      ? 'warming up: no z-score, no signal'
      : signal === FundingReversionSignals.NONE
        ? `z ${zScore.toFixed(2)} within ±${t.reversionZ}: not stretched`
        : `z ${zScore.toFixed(2)} is ${signal === FundingReversionSignals.REVERT_DOWN ? 'above' : 'below'} ${signal === FundingReversionSignals.REVERT_DOWN ? '' : '−'}${t.reversionZ}: expect the rate to revert ${signal === FundingReversionSignals.REVERT_DOWN ? 'down' : 'up'} toward the mean`;
  const phiNote =
    phi === null
      ? previous.length < MIN_AUTOCORRELATION_PAIRS
        ? `autocorrelation needs ${MIN_AUTOCORRELATION_PAIRS} pairs, have ${previous.length}`
        : 'autocorrelation undefined (no variance in the window)'
      : halfLife === null
        ? `lag-1 autocorrelation ${phi.toFixed(3)}: no AR(1) half-life (needs 0 < φ < 1)`
        : `lag-1 autocorrelation ${phi.toFixed(3)}: a deviation halves in ${halfLife.toFixed(1)} settlements`;
  return { signal, autocorrelation: phi, halfLifeSettlements: halfLife, expectedNextRate, note: `${signalNote}; ${phiNote}` };
}

/** Pearson correlation of the pairs, clamped to [−1, 1]; null when either side has no (representable) variance. */
function lag1Correlation(previous: number[], next: number[]): number | null {
  try {
    const r = getCorrelation(previous, next);
    return Number.isFinite(r) ? Math.min(1, Math.max(-1, r)) : null;
  } catch {
    return null; // trading-signals throws for a series without variance (also when it underflows to 0)
  }
}

function measureReversal(settlements: readonly FundingSettlement[], historyStart: number, t: FundingThresholds): FundingReversal {
  const current = settlements.length - 1;
  const rate = (settlements[current] as FundingSettlement).rate;
  const base = { horizon: t.reversalHorizon, band: t.reversalBand };
  if (rate === 0) return { ...base, probability: null, sampleSize: 0, flips: 0, note: 'the current rate is 0: it has no sign to flip' };
  const sign = Math.sign(rate);
  let sampleSize = 0;
  let flips = 0;
  for (let i = historyStart; i + t.reversalHorizon <= current; i += 1) {
    const r = (settlements[i] as FundingSettlement).rate;
    if (Math.sign(r) !== sign || Math.abs(r - rate) > t.reversalBand) continue;
    sampleSize += 1;
    for (let j = i + 1; j <= i + t.reversalHorizon; j += 1) {
      if (Math.sign((settlements[j] as FundingSettlement).rate) === -sign) {
        flips += 1;
        break;
      }
    }
  }
  const similar = `${sampleSize} earlier reading${sampleSize === 1 ? '' : 's'} within ±${pct(t.reversalBand)} of ${pct(rate)}`;
  if (sampleSize < t.minReversalSamples)
    return { ...base, probability: null, sampleSize, flips, note: `${similar} (need ${t.minReversalSamples}): probability not estimated` };
  const probability = flips / sampleSize;
  return {
    ...base,
    probability,
    sampleSize,
    flips,
    note: `${flips} of ${similar} turned ${sign > 0 ? 'negative' : 'positive'} within ${t.reversalHorizon} settlements (${(probability * 100).toFixed(1)} %)`,
  };
}

function resolveThresholds(overrides: Partial<FundingThresholds> | undefined): FundingThresholds {
  const t: FundingThresholds = { ...DEFAULT_FUNDING_THRESHOLDS };
  // Merge only defined keys so an explicit `undefined` cannot erase a default.
  for (const key of Object.keys(t) as (keyof FundingThresholds)[]) {
    const value = overrides?.[key];
    if (value !== undefined) t[key] = value;
  }
  for (const key of ['extremeZ', 'extremeRate', 'anomalyZ'] as const) {
    if (!Number.isFinite(t[key]) || t[key] <= 0) fail(`thresholds.${key} must be a finite number > 0, got ${quote(t[key])}`);
  }
  if (!Number.isFinite(t.flatSlope) || t.flatSlope < 0) fail(`thresholds.flatSlope must be a finite number >= 0, got ${quote(t.flatSlope)}`);
  if (!Number.isSafeInteger(t.trendWindow) || t.trendWindow < 1) fail(`thresholds.trendWindow must be an integer >= 1, got ${quote(t.trendWindow)}`);
  if (!Number.isFinite(t.baselineRate) || t.baselineRate < 0) fail(`thresholds.baselineRate must be a finite number >= 0, got ${quote(t.baselineRate)}`);
  if (!Number.isFinite(t.elevatedRate) || t.elevatedRate <= t.baselineRate)
    fail(`thresholds.elevatedRate must be a finite number > baselineRate (${quote(t.baselineRate)}), got ${quote(t.elevatedRate)}`);
  if (!Number.isFinite(t.reversionZ) || t.reversionZ <= 0) fail(`thresholds.reversionZ must be a finite number > 0, got ${quote(t.reversionZ)}`);
  if (!Number.isFinite(t.reversalBand) || t.reversalBand < 0) fail(`thresholds.reversalBand must be a finite number >= 0, got ${quote(t.reversalBand)}`);
  for (const key of ['reversalHorizon', 'minReversalSamples'] as const) {
    if (!Number.isSafeInteger(t[key]) || t[key] < 1) fail(`thresholds.${key} must be an integer >= 1, got ${quote(t[key])}`);
  }
  return t;
}

function validateInput(input: Readonly<FundingInput>): void {
  const { settlements } = input;
  if (!Array.isArray(settlements) || settlements.length === 0) fail('settlements must not be empty');
  if (!Number.isFinite(input.fundingIntervalHours) || input.fundingIntervalHours <= 0)
    fail(`fundingIntervalHours must be a finite number > 0, got ${quote(input.fundingIntervalHours)}`);
  if (!Number.isSafeInteger(input.historyWindow) || input.historyWindow < 1)
    fail(`historyWindow must be an integer >= 1, got ${quote(input.historyWindow)}`);
  checkTime('now', input.now);
  if (input.nextFundingTime !== null) checkTime('nextFundingTime', input.nextFundingTime);
  if (input.predictedRate !== null) checkRate('predictedRate', input.predictedRate);

  let previousTime = -Infinity;
  settlements.forEach((s, i) => {
    checkRate(`settlements[${i}].rate`, s.rate);
    checkTime(`settlements[${i}].fundingTime`, s.fundingTime);
    if (s.fundingTime <= previousTime)
      fail(
        `settlements must be sorted strictly ascending by fundingTime, but settlements[${i}].fundingTime ${quote(s.fundingTime)} <= settlements[${i - 1}].fundingTime ${quote(previousTime)}`,
      );
    previousTime = s.fundingTime;
  });
}

function checkRate(name: string, value: number): void {
  if (!Number.isFinite(value)) fail(`${name} must be a finite number, got ${quote(value)}`);
  if (Math.abs(value) > MAX_ABS_RATE) fail(`${name} must be a fraction with |rate| <= ${MAX_ABS_RATE}, got ${quote(value)}`);
}

function checkTime(name: string, value: number): void {
  if (!Number.isFinite(value) || Math.abs(value) > MAX_EPOCH_MS)
    fail(`${name} must be a finite epoch ms within ±${MAX_EPOCH_MS}, got ${quote(value)}`);
}

function factor(name: string, value: number, weight: number, normalised: number, note: string): Factor {
  return { name, value, weight, contribution: weight * Math.min(1, Math.max(-1, normalised)), note };
}

function zScoreNote(rate: number, sampleSize: number, stats: { mean: number; stdDev: number } | null): string {
  if (stats === null)
    return `warming up: only ${sampleSize} earlier settlement${sampleSize === 1 ? '' : 's'} (need ${MIN_HISTORY}), z-score not computed; counted as 0`;
  if (stats.stdDev === 0)
    return `the previous ${sampleSize} settlements were all ${pct(stats.mean)}: standard deviation is 0, so the z-score is undefined; counted as 0`;
  const z = (rate - stats.mean) / stats.stdDev;
  const side = z > 0 ? 'above' : z < 0 ? 'below' : 'at';
  return `settled rate is ${Math.abs(z).toFixed(2)} standard deviations ${side} the mean ${pct(stats.mean)} (σ ${pct(stats.stdDev)}) of the previous ${sampleSize} settlements`;
}

function trendNote(trend: FundingTrend, slope: number, points: number, flatSlope: number): string {
  if (points < MIN_TREND_POINTS) return `only ${points} settlement${points === 1 ? '' : 's'} (need ${MIN_TREND_POINTS}): trend not measured, counted as flat`;
  if (trend === FundingTrends.FLAT)
    return `flat over the last ${points} settlements: slope ${pct(slope)} per settlement is below ±${pct(flatSlope)}`;
  return `rate ${trend === FundingTrends.RISING ? 'rising' : 'falling'} by ${pct(Math.abs(slope))} per settlement over the last ${points} settlements`;
}

function predictedNote(predicted: number, rate: number): string {
  const shift = predicted - rate;
  const direction = shift > 0 ? `${pct(shift)} above` : shift < 0 ? `${pct(-shift)} below` : 'equal to';
  return `predicted next rate ${pct(predicted)} is ${direction} the settled rate: ${whoPays(predicted)} next`;
}

function whoPays(rate: number): string {
  return rate > 0 ? 'longs pay shorts' : rate < 0 ? 'shorts pay longs' : 'nobody pays';
}

/** Fraction as a percentage string, e.g. 0.0001 → "0.0100 %". */
function pct(fraction: number, digits = 4): string {
  const text = (fraction * 100).toFixed(digits);
  return `${/^-0\.?0*$/.test(text) ? text.slice(1) : text} %`;
}

/** Rounds half away from zero to 2 decimals, never returning −0. */
function round2(x: number): number {
  const r = (Math.sign(x) * Math.round(Math.abs(x) * 100)) / 100;
  return r === 0 ? 0 : r;
}
