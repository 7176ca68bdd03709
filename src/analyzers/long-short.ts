import { percentileRank } from '../math/statistics.js';
import type { Factor } from './types.js';
import {
  ContrarianBiases,
  CrowdingSignals,
  DEFAULT_LONG_SHORT_THRESHOLDS,
  RetailWhaleStances,
  type ContrarianBias,
  type CrowdingSignal,
  type LongShortAnalysis,
  type LongShortInput,
  type LongShortThresholds,
  type RatioObservation,
  type RatioReading,
  type TakerObservation,
  type TakerReading,
} from './long-short.types.js';

/** Version of the method below; bump it whenever a number this analyzer produces would change. */
export const LONG_SHORT_METHODOLOGY_VERSION = 'long-short/1.0.0';

/** Factor weights of the crowding score; they sum to 1. */
const WEIGHTS = { retailLevel: 0.25, retailPercentile: 0.25, retailWhaleDivergence: 0.3, takerPercentile: 0.2 } as const;
const MAX_EPOCH_MS = 8.64e15;

const fail = (message: string): never => {
  throw new Error(`computeLongShortAnalysis: ${message}`);
};
const quote = (value: unknown): string => (typeof value === 'number' ? String(value) : JSON.stringify(value));

/**
 * Maps a crowding score to a signal, inclusive on the crowded side: ≥ crowdedScore CROWDED_LONGS,
 * ≥ leanScore LONG_LEAN, ≤ −crowdedScore CROWDED_SHORTS, ≤ −leanScore SHORT_LEAN, else BALANCED.
 */
export function classifyCrowding(
  score: number,
  cutoffs: Pick<LongShortThresholds, 'crowdedScore' | 'leanScore'> = DEFAULT_LONG_SHORT_THRESHOLDS,
): CrowdingSignal {
  if (score >= cutoffs.crowdedScore) return CrowdingSignals.CROWDED_LONGS;
  if (score >= cutoffs.leanScore) return CrowdingSignals.LONG_LEAN;
  if (score <= -cutoffs.crowdedScore) return CrowdingSignals.CROWDED_SHORTS;
  if (score <= -cutoffs.leanScore) return CrowdingSignals.SHORT_LEAN;
  return CrowdingSignals.BALANCED;
}

/** Contrarian reading: only crowded extremes lean against the crowd. */
export function contrarianBiasOf(signal: CrowdingSignal): ContrarianBias {
  if (signal === CrowdingSignals.CROWDED_LONGS) return ContrarianBiases.BEARISH;
  if (signal === CrowdingSignals.CROWDED_SHORTS) return ContrarianBiases.BULLISH;
  return ContrarianBiases.NEUTRAL;
}

/**
 * Long/short crowding of one perpetual from the venue's positioning statistics: the global account
 * ratio (retail), the top traders' account and position ratios, and the taker buy/sell volume ratio.
 *
 * What it measures:
 * - Each ratio's current value, its long share (ratio / (1 + ratio)) and its percentile rank among the
 *   up to `historyWindow` earlier readings of the same series (100 × (below + ½ · equal) / n, the current
 *   reading excluded; null with fewer than `minHistory` earlier readings).
 * - `retailWhaleDivergence` = global long share − top-trader position long share. RETAIL_MORE_LONG when
 *   ≥ divergenceShare, WHALES_MORE_LONG when ≤ −divergenceShare, else ALIGNED.
 *
 * How to read the score (−100..100, 2 decimals): 100 × Σ weight × clamp(normalised, −1, 1) over
 * `retailLevel` (0.25, ln(global ratio) / ln(crowdedRatio)), `retailPercentile` (0.25,
 * (percentile − 50) / 50), `retailWhaleDivergence` (0.3, divergence / divergenceScale) and
 * `takerPercentile` (0.2, (percentile − 50) / 50). Positive means longs are crowded: retail is long,
 * more long than usual, longer than the whales, and buying aggressively. Missing inputs count as 0 (their
 * note says so). Signal: see {@link classifyCrowding}; the contrarian bias leans against a crowded side
 * only (CROWDED_LONGS → BEARISH, CROWDED_SHORTS → BULLISH). The top traders' account ratio is reported
 * with its percentile but not scored: it mostly mirrors retail and adds no independent information.
 *
 * Pure: no I/O and no clock. Precondition violations throw an Error quoting the value: times not strictly
 * ascending or outside the Date range, non-positive or non-finite long/short ratios, negative taker
 * volumes or ratios, a non-positive-integer historyWindow, invalid thresholds.
 *
 * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Long-Short-Ratio — Binance: global account long/short ratio.
 * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Top-Trader-Long-Short-Ratio — Binance: top traders' position ratio (and Top-Long-Short-Account-Ratio, Taker-BuySell-Volume).
 * @see https://en.wikipedia.org/wiki/Contrarian_investing — contrarian reading of crowded positioning.
 * @see https://en.wikipedia.org/wiki/Percentile_rank — percentile rank with ties counted half.
 */
export function computeLongShortAnalysis(input: Readonly<LongShortInput>): LongShortAnalysis {
  validateInput(input);
  const t = resolveThresholds(input.thresholds);
  const w = input.historyWindow;

  const globalAccounts = ratioReading(input.globalAccounts, w, t.minHistory);
  const topAccounts = ratioReading(input.topAccounts, w, t.minHistory);
  const topPositions = ratioReading(input.topPositions, w, t.minHistory);
  const takerBuySell = takerReading(input.takerVolume, w, t.minHistory);

  const divergence = globalAccounts && topPositions ? globalAccounts.longShare - topPositions.longShare : null;
  const retailWhale =
    divergence === null
      ? null
      : divergence >= t.divergenceShare
        ? RetailWhaleStances.RETAIL_MORE_LONG
        : divergence <= -t.divergenceShare
          ? RetailWhaleStances.WHALES_MORE_LONG
          : RetailWhaleStances.ALIGNED;

  const factors: Factor[] = [
    globalAccounts === null
      ? factor('retailLevel', 0, WEIGHTS.retailLevel, 0, 'no global account ratio from the source; counted as 0')
      : factor(
          'retailLevel',
          globalAccounts.ratio,
          WEIGHTS.retailLevel,
          Math.log(globalAccounts.ratio) / Math.log(t.crowdedRatio),
          `${share(globalAccounts.longShare)} of all accounts are long (ratio ${globalAccounts.ratio}; saturates at ${t.crowdedRatio} or 1/${t.crowdedRatio})`,
        ),
    percentileFactor('retailPercentile', WEIGHTS.retailPercentile, 'global account ratio', globalAccounts, t.minHistory),
    divergence === null
      ? factor('retailWhaleDivergence', 0, WEIGHTS.retailWhaleDivergence, 0, 'global account or top-trader position ratio missing; counted as 0')
      : factor(
          'retailWhaleDivergence',
          divergence,
          WEIGHTS.retailWhaleDivergence,
          divergence / t.divergenceScale,
          `retail long share ${share(globalAccounts!.longShare)} vs top-trader positions ${share(topPositions!.longShare)}: ${
            retailWhale === RetailWhaleStances.RETAIL_MORE_LONG
              ? 'retail is longer than the whales'
              : retailWhale === RetailWhaleStances.WHALES_MORE_LONG
                ? 'whales are longer than retail'
                : `aligned within ±${(t.divergenceShare * 100).toFixed(0)} points`
          }`,
        ),
    percentileFactor('takerPercentile', WEIGHTS.takerPercentile, 'taker buy/sell ratio', takerBuySell, t.minHistory),
  ];

  const score = round2(100 * factors.reduce((sum, f) => sum + f.contribution, 0));
  const signal = classifyCrowding(score, t);
  return {
    symbol: input.symbol,
    warmingUp: [globalAccounts, topAccounts, topPositions, takerBuySell].some((r) => r === null || r.percentile === null),
    globalAccounts,
    topAccounts,
    topPositions,
    takerBuySell,
    retailWhaleDivergence: divergence,
    retailWhale,
    signal,
    contrarianBias: contrarianBiasOf(signal),
    score,
    factors,
  };
}

function ratioReading(series: readonly RatioObservation[], window: number, minHistory: number): RatioReading | null {
  const current = series[series.length - 1];
  if (!current) return null;
  const history = series.slice(Math.max(0, series.length - 1 - window), series.length - 1).map((o) => o.ratio);
  return {
    ratio: current.ratio,
    longShare: current.ratio / (1 + current.ratio),
    time: current.time,
    percentile: history.length >= minHistory ? percentileRank(history, current.ratio) : null,
    sampleSize: history.length,
  };
}

function takerReading(series: readonly TakerObservation[], window: number, minHistory: number): TakerReading | null {
  const current = series[series.length - 1];
  if (!current) return null;
  const history = series.slice(Math.max(0, series.length - 1 - window), series.length - 1).map((o) => o.ratio);
  return {
    ratio: current.ratio,
    buyVolume: current.buyVolume,
    sellVolume: current.sellVolume,
    time: current.time,
    percentile: history.length >= minHistory ? percentileRank(history, current.ratio) : null,
    sampleSize: history.length,
  };
}

function percentileFactor(
  name: string,
  weight: number,
  what: string,
  reading: { ratio: number; percentile: number | null; sampleSize: number } | null,
  minHistory: number,
): Factor {
  if (reading === null) return factor(name, 0, weight, 0, `no ${what} from the source; counted as 0`);
  if (reading.percentile === null)
    return factor(name, 0, weight, 0, `warming up: ${reading.sampleSize} earlier readings of the ${what} (need ${minHistory}); counted as 0`);
  return factor(
    name,
    reading.percentile,
    weight,
    (reading.percentile - 50) / 50,
    `${what} ${reading.ratio} is at the ${reading.percentile.toFixed(1)}th percentile of the previous ${reading.sampleSize} readings`,
  );
}

function resolveThresholds(overrides: Partial<LongShortThresholds> | undefined): LongShortThresholds {
  const t: LongShortThresholds = { ...DEFAULT_LONG_SHORT_THRESHOLDS };
  for (const key of Object.keys(t) as (keyof LongShortThresholds)[]) {
    const value = overrides?.[key];
    if (value !== undefined) t[key] = value;
  }
  if (!Number.isSafeInteger(t.minHistory) || t.minHistory < 1) fail(`thresholds.minHistory must be an integer >= 1, got ${quote(t.minHistory)}`);
  if (!Number.isFinite(t.crowdedRatio) || t.crowdedRatio <= 1) fail(`thresholds.crowdedRatio must be a finite number > 1, got ${quote(t.crowdedRatio)}`);
  if (!Number.isFinite(t.divergenceShare) || t.divergenceShare <= 0 || t.divergenceShare > 1)
    fail(`thresholds.divergenceShare must be in (0, 1], got ${quote(t.divergenceShare)}`);
  if (!Number.isFinite(t.divergenceScale) || t.divergenceScale <= 0) fail(`thresholds.divergenceScale must be a finite number > 0, got ${quote(t.divergenceScale)}`);
  if (!Number.isFinite(t.leanScore) || t.leanScore <= 0) fail(`thresholds.leanScore must be a finite number > 0, got ${quote(t.leanScore)}`);
  if (!Number.isFinite(t.crowdedScore) || t.crowdedScore < t.leanScore || t.crowdedScore > 100)
    fail(`thresholds.crowdedScore must be between leanScore (${quote(t.leanScore)}) and 100, got ${quote(t.crowdedScore)}`);
  return t;
}

function validateInput(input: Readonly<LongShortInput>): void {
  if (!Number.isSafeInteger(input.historyWindow) || input.historyWindow < 1) fail(`historyWindow must be an integer >= 1, got ${quote(input.historyWindow)}`);
  for (const name of ['globalAccounts', 'topAccounts', 'topPositions'] as const) {
    const series = input[name];
    if (!Array.isArray(series)) fail(`${name} must be an array, got ${quote(series)}`);
    checkAscending(name, series);
    series.forEach((o, i) => {
      if (!Number.isFinite(o.ratio) || o.ratio <= 0) fail(`${name}[${i}].ratio must be a finite number > 0, got ${quote(o.ratio)}`);
    });
  }
  if (!Array.isArray(input.takerVolume)) fail(`takerVolume must be an array, got ${quote(input.takerVolume)}`);
  checkAscending('takerVolume', input.takerVolume);
  input.takerVolume.forEach((o, i) => {
    for (const key of ['buyVolume', 'sellVolume', 'ratio'] as const) {
      if (!Number.isFinite(o[key]) || o[key] < 0) fail(`takerVolume[${i}].${key} must be a finite number >= 0, got ${quote(o[key])}`);
    }
  });
}

function checkAscending(name: string, series: readonly { time: number }[]): void {
  let previous = -Infinity;
  series.forEach((o, i) => {
    if (!Number.isFinite(o.time) || Math.abs(o.time) > MAX_EPOCH_MS) fail(`${name}[${i}].time must be a finite epoch ms within ±${MAX_EPOCH_MS}, got ${quote(o.time)}`);
    if (o.time <= previous) fail(`${name} must be strictly ascending by time, but ${name}[${i}].time ${quote(o.time)} <= ${quote(previous)}`);
    previous = o.time;
  });
}

function factor(name: string, value: number, weight: number, normalised: number, note: string): Factor {
  const contribution = weight * Math.min(1, Math.max(-1, normalised));
  return { name, value, weight, contribution: contribution === 0 ? 0 : contribution, note };
}

const share = (fraction: number): string => `${(fraction * 100).toFixed(1)} %`;

/** Rounds half away from zero to 2 decimals, never returning −0. */
function round2(x: number): number {
  const r = (Math.sign(x) * Math.round(Math.abs(x) * 100)) / 100;
  return r === 0 ? 0 : r;
}
