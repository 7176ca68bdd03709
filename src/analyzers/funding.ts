import type { Factor } from './types.js';
import {
  DEFAULT_FUNDING_THRESHOLDS,
  FundingSignals,
  FundingTrends,
  type FundingAnalysis,
  type FundingInput,
  type FundingSettlement,
  type FundingSignal,
  type FundingThresholds,
  type FundingTrend,
} from './funding.types.js';

/** Version of the method below; bump it whenever a number this analyzer produces would change. */
export const FUNDING_METHODOLOGY_VERSION = 'funding/1.0.0';

/** Fewest earlier settlements for which mean, standard deviation and z-score are computed. */
const MIN_HISTORY = 3;
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
  const stats = warmingUp ? null : meanAndSampleStdDev(history);
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

  return {
    symbol: input.symbol,
    warmingUp,
    rate,
    predictedRate,
    annualizedRate,
    predictedAnnualizedRate: predictedRate === null ? null : predictedRate * settlementsPerYear,
    fundingIntervalHours: intervalHours,
    nextFundingTime: input.nextFundingTime,
    timeToNextFundingMs: input.nextFundingTime === null ? null : Math.max(0, input.nextFundingTime - input.now),
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

/** Mean and sample (n − 1) standard deviation, two-pass. A constant series gets exactly its value and 0. */
function meanAndSampleStdDev(values: readonly number[]): { mean: number; stdDev: number } {
  const first = values[0] as number;
  if (values.every((v) => v === first)) return { mean: first, stdDev: 0 };
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const squares = values.reduce((sum, v) => sum + (v - mean) ** 2, 0);
  return { mean, stdDev: Math.sqrt(squares / (values.length - 1)) };
}

/** OLS slope of `values` against x = 0..k−1 (k ≥ 2). */
function olsSlope(values: readonly number[]): number {
  const k = values.length;
  const meanX = (k - 1) / 2;
  const meanY = values.reduce((sum, v) => sum + v, 0) / k;
  let sxy = 0;
  let sxx = 0;
  values.forEach((y, x) => {
    sxy += (x - meanX) * (y - meanY);
    sxx += (x - meanX) ** 2;
  });
  return sxy / sxx;
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
