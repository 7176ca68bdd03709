import { meanOrNull } from '../math/statistics.js';
import {
  DEFAULT_SENTIMENT_THRESHOLDS,
  DEFAULT_SENTIMENT_WEIGHTS,
  SentimentClassifications,
  type CrowdReading,
  type CrowdSentimentSection,
  type FearGreedReading,
  type FearGreedSection,
  type PricePoint,
  type PriceSentimentSection,
  type SentimentAnalysis,
  type SentimentClassification,
  type SentimentFactor,
  type SentimentFactorName,
  type SentimentInput,
  type SentimentThresholds,
  type SentimentWeights,
  type SocialSentimentSection,
} from './sentiment.types.js';

export const SENTIMENT_METHODOLOGY_VERSION = 'sentiment/1.1.0';

const DAY = 86_400_000;

/** Shown while no social/news connector implements `SocialSentimentSource` (src/datasources/social.ts). */
export const NO_SOCIAL_SENTIMENT: Readonly<SocialSentimentSection> = {
  available: false,
  source: null,
  score: null,
  note: 'no social/news connector configured',
};

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const round = (x: number, digits = 2) => Number(x.toFixed(digits));

/**
 * Maps a signed measure to 0..100 around 50: `50 + 50 · clamp(x / scale, −1, 1)`. x = scale → 100,
 * x = −scale → 0, beyond saturates.
 */
export function toScore(x: number, scale: number): number {
  if (!(scale > 0)) throw new Error(`scale must be > 0, got ${JSON.stringify(scale)}`);
  return 50 + 50 * clamp(x / scale, -1, 1);
}

/** Composite band; the cut-offs alternative.me uses for its own index (25 / 46 / 54 / 75). */
export function classifySentiment(score: number): SentimentClassification {
  if (score <= 25) return SentimentClassifications.EXTREME_FEAR;
  if (score <= 46) return SentimentClassifications.FEAR;
  if (score <= 54) return SentimentClassifications.NEUTRAL;
  if (score <= 75) return SentimentClassifications.GREED;
  return SentimentClassifications.EXTREME_GREED;
}

/** The newest point at or before `target`, if it is within `tolerance` of it. */
function at<T extends { time: number }>(series: readonly T[], target: number, tolerance: number): T | undefined {
  let found: T | undefined;
  for (const p of series) {
    if (p.time > target) break;
    found = p;
  }
  return found && target - found.time <= tolerance ? found : undefined;
}

function assertAscending(name: string, series: readonly { time: number }[]): void {
  for (let i = 1; i < series.length; i++) {
    if (!(series[i]!.time > series[i - 1]!.time)) {
      throw new Error(`${name} must be strictly ascending by time; index ${i} has time ${series[i]!.time} after ${series[i - 1]!.time}`);
    }
  }
}

const mean = meanOrNull;

/** Current reading, the publisher's label, changes vs 7 and 30 days earlier, and the recent history. */
export function fearGreedSection(readings: readonly FearGreedReading[], historyLimit: number, tolerance: number): FearGreedSection | null {
  const last = readings.at(-1);
  if (!last) return null;
  const ago = (days: number) => at(readings, last.time - days * DAY, tolerance);
  const r7 = ago(7);
  const r30 = ago(30);
  return {
    value: last.value,
    classification: last.classification,
    time: last.time,
    change7d: r7 ? last.value - r7.value : null,
    change30d: r30 ? last.value - r30.value : null,
    history: readings.slice(-historyLimit).map((r) => ({ ...r })),
  };
}

/**
 * Price sentiment: 1-day and 7-day returns and the distance from the moving average over `maWindowMs`,
 * each mapped to 0..100 by {@link toScore}, averaged over those the price path can measure.
 */
export function priceSentiment(symbol: string, prices: readonly PricePoint[], th: SentimentThresholds): PriceSentimentSection | null {
  const last = prices.at(-1);
  if (!last) return null;
  const returnOver = (ms: number) => {
    const from = at(prices, last.time - ms, th.priceTolerance);
    return from ? last.price / from.price - 1 : null;
  };
  const return1d = returnOver(DAY);
  const return7d = returnOver(7 * DAY);
  // A time-window mean (not a fixed bar count) because the path ends with the last trade between bars.
  const start = last.time - th.maWindowMs;
  const first = prices[0]!;
  const movingAverage = first.time <= start + th.priceTolerance ? mean(prices.filter((p) => p.time > start).map((p) => p.price)) : null;
  const maDistance = movingAverage === null ? null : last.price / movingAverage - 1;
  const return1dScore = return1d === null ? null : toScore(return1d, th.return1dScale);
  const return7dScore = return7d === null ? null : toScore(return7d, th.return7dScale);
  const maDistanceScore = maDistance === null ? null : toScore(maDistance, th.maDistanceScale);
  const scores = [return1dScore, return7dScore, maDistanceScore].filter((s): s is number => s !== null);
  return {
    symbol,
    price: last.price,
    time: last.time,
    return1d,
    return7d,
    movingAverage,
    maDistance,
    return1dScore,
    return7dScore,
    maDistanceScore,
    score: mean(scores),
  };
}

/**
 * Crowd sentiment: mean funding per 8 h (against the venues' resting baseline) and mean long share of
 * accounts over the symbols given, each mapped to 0..100; high = the crowd is long and paying for it.
 */
export function crowdSentiment(readings: readonly CrowdReading[], th: SentimentThresholds): CrowdSentimentSection | null {
  if (readings.length === 0) return null;
  const fundingRate8h = mean(readings.map((r) => r.fundingRate8h).filter((x): x is number => x !== null));
  const longShare = mean(readings.map((r) => r.longShare).filter((x): x is number => x !== null));
  const fundingScore = fundingRate8h === null ? null : toScore(fundingRate8h - th.fundingNeutral, th.fundingScale);
  const longShortScore = longShare === null ? null : toScore(longShare - 0.5, th.longShareScale);
  return {
    symbols: readings.map((r) => r.symbol),
    fundingRate8h,
    longShare,
    fundingScore,
    longShortScore,
    score: mean([fundingScore, longShortScore].filter((s): s is number => s !== null)),
  };
}

/**
 * Weighted mean of the available sub-scores; weights re-normalised over the inputs that are present so
 * a missing input neither drags the composite toward 0 nor toward 50.
 */
export function compositeSentiment(
  inputs: Readonly<Record<SentimentFactorName, { value: number | null; note: string }>>,
  weights: Readonly<SentimentWeights>,
): { composite: number | null; factors: SentimentFactor[]; coverage: number } {
  const names = Object.keys(inputs) as SentimentFactorName[];
  for (const name of names) {
    const w = weights[name];
    if (!(w >= 0) || !Number.isFinite(w)) throw new Error(`weight ${name} must be a finite number >= 0, got ${JSON.stringify(w)}`);
  }
  const presentWeight = names.reduce((s, n) => s + (inputs[n].value === null ? 0 : weights[n]), 0);
  const factors = names.map((name): SentimentFactor => {
    const { value, note } = inputs[name];
    const available = value !== null;
    const weight = available && presentWeight > 0 ? weights[name] / presentWeight : 0;
    return { name, value, baseWeight: weights[name], weight, contribution: available ? weight * value : 0, available, note };
  });
  const composite = presentWeight > 0 ? factors.reduce((s, f) => s + f.contribution, 0) : null;
  const totalWeight = names.reduce((s, n) => s + weights[n], 0);
  return { composite, factors, coverage: totalWeight > 0 ? presentWeight / totalWeight : 0 };
}

const pct = (x: number | null, digits = 2) => (x === null ? 'n/a' : `${round(x * 100, digits)} %`);

/**
 * Market sentiment on one 0-100 scale (0 = extreme fear, 100 = extreme greed), from three inputs:
 * the Crypto Fear & Greed Index (alternative.me), price momentum of the symbol (BTC for `ALL`) and crowd
 * positioning (funding and the share of accounts long). Each input is a 0-100 sub-score; the composite is
 * their weighted mean with weights re-normalised over the inputs present, and every factor says whether
 * its input was available. Social/news sentiment is reported as unavailable until a connector exists.
 * `coverage` is the base weight of the inputs present over all base weights; below `minCoverage` (0.6:
 * any two of the three) composite and classification are null with `coverageNote` — one input alone
 * (crowd positioning during a rally, say) is not the market's mood.
 *
 * How to read it: high readings mean euphoria (crowded longs, extended price, greedy index), which
 * contrarians treat as risk of a pullback; low readings mean fear and capitulation. It describes mood,
 * not direction.
 *
 * @see https://alternative.me/crypto/fear-and-greed-index/ (index and its bands)
 * @see https://www.binance.com/en/support/faq/introduction-to-binance-futures-funding-rates-360033525031
 */
export function computeSentimentAnalysis(input: Readonly<SentimentInput>): SentimentAnalysis {
  const th: SentimentThresholds = { ...DEFAULT_SENTIMENT_THRESHOLDS, ...input.thresholds };
  const weights: SentimentWeights = { ...DEFAULT_SENTIMENT_WEIGHTS, ...input.weights };
  const historyLimit = input.historyLimit ?? 30;
  if (!Number.isInteger(historyLimit) || historyLimit < 1) throw new Error(`historyLimit must be an integer >= 1, got ${JSON.stringify(historyLimit)}`);
  for (const k of ['return1dScale', 'return7dScale', 'maDistanceScale', 'fundingScale', 'longShareScale', 'maWindowMs'] as const) {
    if (!(th[k] > 0)) throw new Error(`${k} must be > 0, got ${JSON.stringify(th[k])}`);
  }
  if (!(th.minCoverage >= 0 && th.minCoverage <= 1)) throw new Error(`minCoverage must be within 0..1, got ${JSON.stringify(th.minCoverage)}`);
  assertAscending('fearGreed', input.fearGreed);
  assertAscending('prices', input.prices);
  for (const r of input.fearGreed) {
    if (!(r.value >= 0 && r.value <= 100)) throw new Error(`fear & greed value must be within 0..100, got ${JSON.stringify(r.value)}`);
  }
  for (const r of input.crowd) {
    if (r.longShare !== null && !(r.longShare >= 0 && r.longShare <= 1)) {
      throw new Error(`longShare of ${r.symbol} must be within 0..1, got ${JSON.stringify(r.longShare)}`);
    }
  }

  const fearGreed = fearGreedSection(input.fearGreed, historyLimit, th.fearGreedTolerance);
  const price = priceSentiment(input.priceSymbol, input.prices, th);
  const crowd = crowdSentiment(input.crowd, th);

  const { composite, factors, coverage } = compositeSentiment(
    {
      fearGreed: {
        value: fearGreed?.value ?? null,
        note: fearGreed
          ? `Crypto Fear & Greed Index ${fearGreed.value} (${fearGreed.classification}), used as is.`
          : 'Fear & Greed Index not available.',
      },
      price: {
        value: price?.score ?? null,
        note: price?.score != null
          ? `${price.symbol}: 1d ${pct(price.return1d)}, 7d ${pct(price.return7d)}, vs ${th.maWindowMs / DAY}-day mean ${pct(price.maDistance)}; each mapped 50 ± 50 (saturating at ±${pct(th.return1dScale, 0)}, ±${pct(th.return7dScale, 0)}, ±${pct(th.maDistanceScale, 0)}) and averaged.`
          : `Price path of ${input.priceSymbol} too short for a 1-day return or the moving average.`,
      },
      crowd: {
        value: crowd?.score ?? null,
        note: crowd?.score != null
          ? `Over ${crowd.symbols.join(', ')}: funding per 8 h ${pct(crowd.fundingRate8h, 4)} (neutral ${pct(th.fundingNeutral, 4)}, ±${pct(th.fundingScale, 4)} saturates), accounts long ${pct(crowd.longShare, 1)} (±${pct(th.longShareScale, 0)} around 50 % saturates).`
          : 'No funding or long/short data.',
      },
    },
    weights,
  );

  // Float noise must not push a coverage exactly at the minimum (0.3 + 0.3 = 0.6) below it.
  const covered = composite !== null && coverage >= th.minCoverage - 1e-9;
  const rounded = covered ? round(composite) : null;
  const present = factors.filter((f) => f.available).map((f) => f.name);
  const missing = factors.filter((f) => !f.available).map((f) => f.name);
  return {
    key: input.key,
    time: input.now,
    warmingUp: composite === null,
    coverage: round(coverage, 4),
    minCoverage: th.minCoverage,
    coverageNote:
      composite === null
        ? 'no input available'
        : covered
          ? null
          : `only ${present.join(', ')} present (coverage ${round(coverage * 100, 1)} % of the input weight, minimum ${round(th.minCoverage * 100, 1)} %; missing ${missing.join(', ')}): no composite or label from so little`,
    composite: rounded,
    classification: rounded === null ? null : classifySentiment(rounded),
    fearGreed,
    price,
    crowd,
    social: { ...NO_SOCIAL_SENTIMENT },
    factors,
  };
}
