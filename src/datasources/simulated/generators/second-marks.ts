import { clamp, decimalsOf, roundTo } from '../numeric.js';
import { symbolProfile } from '../profiles.js';
import { createRng, deriveSeed } from '../random.js';
import { DAY_MS, FUNDING_INTERVAL_MS, MINUTE_MS, SECOND_MS } from '../time.js';
import { anchoredMinute, bounded, dayBlock, dayIndex, minuteSeriesBack } from './anchored-bars.js';
import { minuteInside } from './anchored-trades.js';
import { FUNDING_MODEL, normalizeFundingRate, SPOT_PARAMS, type FundingModelParams } from './mark-params.js';
import { settledFundingRates } from './settled-funding.js';

/**
 * Mark price, index price, premium, predicted funding and the spot deviation of every second, as a function of
 * (seed, symbol, time) only: the live model publishes them and the backfill recomputes the same values for
 * the times it backfills (basis) or snapshots at the start (mark, spot, book), so two runs agree on every
 * shared second whenever they were started.
 *
 * Per second (value at the second's end t): premium p(t) = clamp(slow(t) + fast(t), ±5 %),
 * - slow(t) = S(t) + c·trend(t) + u(t):
 *   S(t) the 4 h half-life average of the upcoming settlement's premium (settled rate − interest; a closed form
 *   over the last 12 settlement periods, each settlement a function of time: `settled-funding.ts`), so the
 *   predicted rate leads into the settlement; trend(t) = log price(t) − L(m), L the 1 h exponential average of
 *   the last 480 minute-open log prices (perps trade rich in a rally); u a zero-mean Ornstein-Uhlenbeck term
 *   (4 h half-life, sd `slowStd`) on the minute grid written as a finite moving average of 2 400 per-minute
 *   shocks (day blocks seeded by (seed, symbol, day)), linear between minutes;
 * - fast(t): a 30 s half-life OU kicked by the second's taker-flow proxy (tanh of the second's return in σ,
 *   the same lean the trade stream gives its sides), per-second shocks from a stream seeded by
 *   (seed, symbol, minute). It and the other per-second recursions (the 120 s average of p behind the predicted
 *   rate, the 30 s half-life spot deviation) are restarted at every minute 20 minutes back (fast from 0,
 *   the average from p, the spot deviation from 0) and run forward: 2⁻⁴⁰, e⁻¹⁰ and 2⁻⁴⁰ of the restart value
 *   remain, below the published rounding, so each minute's values depend only on the 21 minutes up to it.
 * mark = price·(1 + N(0, `markNoise`)), index = mark / (1 + p), predicted = clamp(average + I), spot deviation
 * as `spot-ticker.ts` describes.
 */

const WARMUP_MINUTES = 20;
const SLOW_TERMS = 2_400;
const LEVEL_TERMS = 480;
const SETTLE_PERIODS = 12;

export interface MinuteMarks {
  minuteStart: number;
  /** Index k: the second [minuteStart + k s, + 1 s); the values hold at its end. */
  logClose: Float64Array;
  imbalance: Float64Array;
  premium: Float64Array;
  markPrice: Float64Array;
  indexPrice: Float64Array;
  predicted: Float64Array;
  spotDeviation: Float64Array;
  /** GARCH variance ratio of the minute. */
  varianceRatio: number;
}

interface MinuteInputs {
  logClose: Float64Array;
  imbalance: Float64Array;
  fastShock: Float64Array;
  spotShock: Float64Array;
  markShock: Float64Array;
  varianceRatio: number;
}

interface Cache {
  inputs: Map<number, MinuteInputs>;
  slowShocks: Map<number, Float64Array>;
  u: Map<number, number>;
  level: Map<number, number>;
  settle: Map<number, number>;
  marks: Map<number, MinuteMarks>;
}

const caches = new Map<string, Cache>();

function cacheOf(seed: number, symbol: string): Cache {
  return bounded(caches, `${seed}|${symbol}`, 64, () => ({ inputs: new Map(), slowShocks: new Map(), u: new Map(), level: new Map(), settle: new Map(), marks: new Map() }));
}

/** The one-second path of a minute (as the live model plans it) and the per-second shocks of the marks. */
function inputsOf(seed: number, symbol: string, minuteStart: number): MinuteInputs {
  return bounded(cacheOf(seed, symbol).inputs, minuteStart, 256, () => {
    const { block, j } = anchoredMinute(seed, symbol, minuteStart);
    const path = minuteInside(seed, block, j, minuteStart, 1, undefined, true).path;
    const sigma = Math.sqrt((block.variance[j] ?? 0) / 60);
    const rng = createRng(deriveSeed(seed, 'second-marks', symbol, minuteStart));
    const out: MinuteInputs = {
      logClose: new Float64Array(60),
      imbalance: new Float64Array(60),
      fastShock: new Float64Array(60),
      spotShock: new Float64Array(60),
      markShock: new Float64Array(60),
      varianceRatio: block.varianceRatio[j] ?? 1,
    };
    for (let k = 0; k < 60; k++) {
      const a = path[k] ?? 0;
      const b = path[k + 1] ?? a;
      out.logClose[k] = b;
      out.imbalance[k] = sigma > 0 ? Math.tanh((b - a) / sigma) : 0;
      out.fastShock[k] = rng.normal();
      out.spotShock[k] = rng.normal();
      out.markShock[k] = rng.normal();
    }
    return out;
  });
}

/** Log price at the end of the second ending at `time` (a whole second), as the live model's path has it. */
export function logCloseAt(seed: number, symbol: string, time: number): number {
  const minuteStart = Math.floor((time - SECOND_MS) / MINUTE_MS) * MINUTE_MS;
  return inputsOf(seed, symbol, minuteStart).logClose[(time - SECOND_MS - minuteStart) / SECOND_MS] ?? 0;
}

/** Minute-open log price (the venue's minute path). */
function minuteLog(seed: number, symbol: string, minuteStart: number): number {
  const day = dayIndex(minuteStart);
  return dayBlock(seed, symbol, day).logPrice[Math.round((minuteStart - day * DAY_MS) / MINUTE_MS)] ?? 0;
}

const aSlowMinute = (p: FundingModelParams) => Math.pow(0.5, 60 / p.slowHalfLifeS);

/** u at a minute start: Σ_{i<2400} a^i·σ·√(1−a²)·ε_{m−i}. */
function slowNoise(seed: number, symbol: string, minuteStart: number, p: FundingModelParams): number {
  const cache = cacheOf(seed, symbol);
  return bounded(cache.u, minuteStart, 4_096, () => {
    const a = aSlowMinute(p);
    const sd = p.slowStd * Math.sqrt(1 - a * a);
    const m = Math.round(minuteStart / MINUTE_MS);
    let sum = 0;
    let w = 1;
    let day = Number.NaN;
    let shocks: Float64Array | undefined;
    for (let i = 0; i < SLOW_TERMS; i++, w *= a) {
      const q = m - i;
      const d = Math.floor(q / 1_440);
      if (d !== day) {
        day = d;
        shocks = bounded(cache.slowShocks, d, 16, () => {
          const rng = createRng(deriveSeed(seed, 'mark-slow', symbol, d));
          const out = new Float64Array(1_440);
          for (let k = 0; k < 1_440; k++) out[k] = rng.normal();
          return out;
        });
      }
      sum += w * (shocks![q - d * 1_440] ?? 0);
    }
    return sd * sum;
  });
}

/** L(m): the 1 h exponential average of the last 480 minute-open log prices up to m. */
function level(seed: number, symbol: string, minuteStart: number, p: FundingModelParams): number {
  return bounded(cacheOf(seed, symbol).level, minuteStart, 4_096, () => {
    const b = Math.exp(-60 / p.trendTauS);
    const logs = minuteSeriesBack(seed, symbol, minuteStart, LEVEL_TERMS);
    let sum = 0;
    let weights = 0;
    let w = 1;
    for (let i = 0; i < LEVEL_TERMS; i++, w *= b) {
      sum += w * logs[i]!;
      weights += w;
    }
    return sum / weights;
  });
}

/** S at the funding boundary `k − 1` (the start of the period settling at k): the recursion over 12 periods. */
function settleStart(seed: number, symbol: string, k: number, p: FundingModelParams): number {
  return bounded(cacheOf(seed, symbol).settle, k, 1_024, () => {
    const times = Array.from({ length: SETTLE_PERIODS }, (_, i) => (k - SETTLE_PERIODS + i) * FUNDING_INTERVAL_MS);
    const premiums = settledFundingRates(seed, symbol, times).map((r) => r - p.interestRate);
    const A = Math.pow(0.5, FUNDING_INTERVAL_MS / SECOND_MS / p.slowHalfLifeS);
    let e = premiums[0]!;
    for (let i = 1; i < SETTLE_PERIODS; i++) e = premiums[i]! + (e - premiums[i]!) * A;
    return e;
  });
}

/** The marks of the 60 seconds of the minute starting at `minuteStart` (see the module comment). */
export function minuteMarks(seed: number, symbol: string, minuteStart: number, p: FundingModelParams = FUNDING_MODEL): MinuteMarks {
  const cache = cacheOf(seed, symbol);
  const known = cache.marks.get(minuteStart);
  if (known) return known;
  const profile = symbolProfile(symbol);
  const priceDecimals = decimalsOf(profile.tickSize) + 2;
  const aFast = Math.exp(-Math.LN2 / p.fastHalfLifeS);
  const fastSd = p.fastStd * Math.sqrt(1 - aFast * aFast);
  const aSpot = Math.pow(0.5, 1 / SPOT_PARAMS.spotHalfLifeS);
  const spotSd = SPOT_PARAMS.spotStd * Math.sqrt(1 - aSpot * aSpot);
  const kEstimate = 1 - Math.exp(-1 / p.estimateTauS);
  const lnSlow = Math.log(0.5) / p.slowHalfLifeS;
  const out: MinuteMarks = {
    minuteStart,
    logClose: new Float64Array(60),
    imbalance: new Float64Array(60),
    premium: new Float64Array(60),
    markPrice: new Float64Array(60),
    indexPrice: new Float64Array(60),
    predicted: new Float64Array(60),
    spotDeviation: new Float64Array(60),
    varianceRatio: 1,
  };
  let fast = 0;
  let estimate = Number.NaN;
  let spot = 0;
  let settleK = Number.NaN;
  let settleFrom = 0;
  let settleTarget = 0;
  for (let q = minuteStart - WARMUP_MINUTES * MINUTE_MS; q <= minuteStart; q += MINUTE_MS) {
    const inputs = inputsOf(seed, symbol, q);
    const u0 = slowNoise(seed, symbol, q, p);
    const u1 = slowNoise(seed, symbol, q + MINUTE_MS, p);
    const L = level(seed, symbol, q, p);
    const record = q === minuteStart;
    for (let k = 0; k < 60; k++) {
      const t = q + (k + 1) * SECOND_MS;
      const K = Math.ceil(t / FUNDING_INTERVAL_MS);
      if (K !== settleK) {
        settleK = K;
        settleFrom = settleStart(seed, symbol, K, p);
        settleTarget = settledFundingRates(seed, symbol, [K * FUNDING_INTERVAL_MS])[0]! - p.interestRate;
      }
      const settle = settleTarget + (settleFrom - settleTarget) * Math.exp((lnSlow * (t - (K - 1) * FUNDING_INTERVAL_MS)) / SECOND_MS);
      const x = inputs.logClose[k]!;
      const slow = settle + p.trendCoupling * (x - L) + u0 + ((u1 - u0) * (k + 1)) / 60;
      fast = fast * aFast + fastSd * inputs.fastShock[k]! + p.flowImpact * inputs.imbalance[k]!;
      const premium = clamp(slow + fast, -0.05, 0.05);
      estimate = Number.isNaN(estimate) ? premium : estimate + (premium - estimate) * kEstimate;
      spot = spot * aSpot + spotSd * inputs.spotShock[k]!;
      if (!record) continue;
      const markPrice = roundTo(Math.exp(x) * (1 + p.markNoise * inputs.markShock[k]!), priceDecimals);
      out.logClose[k] = x;
      out.imbalance[k] = inputs.imbalance[k]!;
      out.premium[k] = premium;
      out.markPrice[k] = markPrice;
      out.indexPrice[k] = roundTo(markPrice / (1 + premium), priceDecimals);
      out.predicted[k] = normalizeFundingRate(estimate + p.interestRate, p);
      out.spotDeviation[k] = spot;
      out.varianceRatio = inputs.varianceRatio;
    }
  }
  if (cache.marks.size >= 64) cache.marks.clear();
  cache.marks.set(minuteStart, out);
  return out;
}

/** The marks of the second ending at `time` (a whole second): the minute's arrays and the second's index. */
export function secondMarks(seed: number, symbol: string, time: number): { marks: MinuteMarks; k: number } {
  const minuteStart = Math.floor((time - SECOND_MS) / MINUTE_MS) * MINUTE_MS;
  return { marks: minuteMarks(seed, symbol, minuteStart), k: (time - SECOND_MS - minuteStart) / SECOND_MS };
}

/** Mark price record of the second ending at `time`. */
export function markAt(seed: number, symbol: string, time: number): {
  markPrice: number;
  indexPrice: number;
  premium: number;
  predictedFundingRate: number;
  spotDeviation: number;
  logClose: number;
  imbalance: number;
  varianceRatio: number;
} {
  const { marks, k } = secondMarks(seed, symbol, time);
  return {
    markPrice: marks.markPrice[k]!,
    indexPrice: marks.indexPrice[k]!,
    premium: marks.premium[k]!,
    predictedFundingRate: marks.predicted[k]!,
    spotDeviation: marks.spotDeviation[k]!,
    logClose: marks.logClose[k]!,
    imbalance: marks.imbalance[k]!,
    varianceRatio: marks.varianceRatio,
  };
}

/** Settlement mark price: the venue's minute path at the funding time, on the tick. */
export function settlementLogPrice(seed: number, symbol: string, fundingTime: number): number {
  return minuteLog(seed, symbol, fundingTime);
}
