import { INTERVAL_MS, type Candle, type CandleInterval, type FundingRate, type MarkPrice } from '../../domain/market.js';
import { createMinuteReturnProcess } from './core.js';
import { SIMULATED_INTERVALS, toCandle, type FormingBar } from './generators/candles.js';
import { FUNDING_MODEL, normalizeFundingRate } from './generators/mark-funding.js';
import { activityFactor, expectedTradeQty } from './generators/trades.js';
import { clamp, decimalsOf, roundTo, roundToStep } from './numeric.js';
import { symbolProfile } from './profiles.js';
import { createRng, deriveSeed } from './random.js';
import { FUNDING_INTERVAL_MS, lastFundingBoundary, MINUTE_MS, nextFundingBoundary } from './time.js';

/**
 * Deterministic backfill for the simulated market, cheap enough to run at start-up.
 *
 * Candles: the same minute return process as the live model (`core.ts`: Student-t(4), GARCH(1,1), common
 * market factor) is run at the one-minute bar level, with no trades. Each minute gets a high/low (beyond
 * open/close by an exponential excursion scaled by the minute's σ), a trade count
 * ~ Poisson(tradesPerSecond · 60 · activity), volume = count × mean trade size × lognormal noise, and a
 * taker-buy share leaning with the minute's return. Coarser bars aggregate the minutes. The whole path is
 * anchored so that it ends exactly at the symbol's start price, where the live model takes over.
 *
 * Funding: an AR(1) deviation around a slowly varying mean (itself an AR(1) around the 0.01 % interest
 * rate), plus a term proportional to the 24 h price return of the generated path (trending markets pay
 * more), clamped to ±0.75 %.
 *
 * The market factor is seeded from (seed, startTime) and shared by all symbols, so backfilled returns are
 * correlated across symbols like the live ones; everything else is seeded from (seed, symbol, startTime).
 */

export interface HistoryOptions {
  seed: number;
  symbol: string;
  /** The live start: closed candles end at or before it, funding at the last 8-hour boundary ≤ it. */
  startTime: number;
  /** Funding settlements, 8 h apart (default 90 = 30 days). */
  fundingCount?: number;
  /** Closed candles per interval (default 500), or per-interval counts. */
  candleCount?: number | Partial<Record<CandleInterval, number>>;
  /** Intervals to backfill (default 1m, 5m, 15m, 1h, 4h). */
  intervals?: readonly CandleInterval[];
}

export interface SymbolHistory {
  symbol: string;
  startTime: number;
  /** Settlements, oldest first; the last at `lastFundingBoundary(startTime)`. */
  funding: FundingRate[];
  /** Closed candles per interval, oldest first, consecutive, the last ending at or before `startTime`. */
  candles: Map<CandleInterval, Candle[]>;
  /** The bars still forming at `startTime` (`closed: false`), for intervals that have a part behind it. */
  forming: Candle[];
  /** Mark price at `startTime` (equal to the start price), with the predicted funding rate then. */
  mark: MarkPrice;
  /** GARCH per-minute variance in force at `startTime` (hand to the live model). */
  endVariance: number;
}

/** Parameters of the funding backfill (per 8-hour settlement). */
export const FUNDING_HISTORY_PARAMS = {
  /** Persistence and shock sd of the slowly varying mean around the interest rate. */
  meanPersistence: 0.95,
  meanShockStd: 0.00004,
  /** Persistence and Student-t(4) shock sd of the deviation from that mean. */
  deviationPersistence: 0.5,
  deviationShockStd: 0.0001,
  /** Rate added per unit of 24 h log return. */
  trendCoupling: 0.006,
  burnIn: 50,
} as const;

const DEFAULT_FUNDING_COUNT = 90;
const DEFAULT_CANDLE_COUNT = 500;
/** Minutes simulated before the kept window so the GARCH variance starts in a random regime. */
const WARMUP_MINUTES = 600;
const DAY_MINUTES = 1_440;

/** Minute-level series of the backfill (typed arrays: 120 000 minutes cost a few megabytes). */
interface MinuteSeries {
  /** Open time of minute 0. */
  start: number;
  /** logPrice[k] = log price at start + k minutes (length minutes + 1). */
  logPrice: Float64Array;
  /** Log high / low of each minute. */
  logHigh: Float64Array;
  logLow: Float64Array;
  volume: Float64Array;
  quoteVolume: Float64Array;
  takerBuy: Float64Array;
  trades: Float64Array;
  endVariance: number;
}

function candleCountFor(count: HistoryOptions['candleCount'], interval: CandleInterval): number {
  if (count === undefined) return DEFAULT_CANDLE_COUNT;
  if (typeof count === 'number') return count;
  return count[interval] ?? DEFAULT_CANDLE_COUNT;
}

function generateMinutes(options: HistoryOptions, start: number, end: number): MinuteSeries {
  const profile = symbolProfile(options.symbol);
  const minutes = Math.round((end - start) / MINUTE_MS);
  const symbolRng = createRng(deriveSeed(options.seed, 'history', options.startTime, options.symbol));
  const process = createMinuteReturnProcess(createRng(deriveSeed(options.seed, 'history', options.startTime, 'market')), [
    { profile, rng: symbolRng.fork('returns') },
  ]);
  // The market stream is shared by symbols; burn its warm-up the same way for every symbol.
  for (let i = 0; i < WARMUP_MINUTES; i++) process.next();

  const barRng = symbolRng.fork('bars');
  const meanQty = expectedTradeQty(profile);
  const series: MinuteSeries = {
    start,
    logPrice: new Float64Array(minutes + 1),
    logHigh: new Float64Array(minutes),
    logLow: new Float64Array(minutes),
    volume: new Float64Array(minutes),
    quoteVolume: new Float64Array(minutes),
    takerBuy: new Float64Array(minutes),
    trades: new Float64Array(minutes),
    endVariance: 0,
  };
  const { logPrice } = series;
  for (let k = 0; k < minutes; k++) {
    const draw = process.next()[0];
    if (!draw) throw new Error('return process produced no draw');
    const open = logPrice[k] ?? 0;
    const close = open + draw.logReturn;
    logPrice[k + 1] = close;
    const sigma = Math.sqrt(draw.variance);
    series.logHigh[k] = Math.max(open, close) + barRng.exponential(0.3 * sigma);
    series.logLow[k] = Math.min(open, close) - barRng.exponential(0.3 * sigma);
    const count = barRng.poisson(profile.tradesPerSecond * 60 * activityFactor(draw.varianceRatio));
    const volume = count * meanQty * barRng.logNormal(-0.045, 0.3);
    series.trades[k] = count;
    series.volume[k] = volume;
    series.quoteVolume[k] = volume * Math.exp((open + close) / 2);
    series.takerBuy[k] = volume * clamp(0.5 + 0.1 * Math.tanh(draw.shock) + 0.06 * barRng.normal(), 0.05, 0.95);
  }
  series.endVariance = process.variance(0);
  // Anchor: the path ends exactly at the start price (quote volumes scale with it).
  const shift = Math.log(profile.startPrice) - (logPrice[minutes] ?? 0);
  const scale = Math.exp(shift);
  for (let k = 0; k <= minutes; k++) logPrice[k] = (logPrice[k] ?? 0) + shift;
  for (let k = 0; k < minutes; k++) {
    series.logHigh[k] = (series.logHigh[k] ?? 0) + shift;
    series.logLow[k] = (series.logLow[k] ?? 0) + shift;
    series.quoteVolume[k] = (series.quoteVolume[k] ?? 0) * scale;
  }
  return series;
}

/** Aggregate minutes [from, to) of the series into one bar, prices rounded to the tick. */
function aggregate(series: MinuteSeries, openTime: number, from: number, to: number, tick: number): FormingBar {
  let high = -Infinity;
  let low = Infinity;
  let volume = 0;
  let quoteVolume = 0;
  let takerBuyVolume = 0;
  let trades = 0;
  for (let k = from; k < to; k++) {
    high = Math.max(high, series.logHigh[k] ?? -Infinity);
    low = Math.min(low, series.logLow[k] ?? Infinity);
    volume += series.volume[k] ?? 0;
    quoteVolume += series.quoteVolume[k] ?? 0;
    takerBuyVolume += series.takerBuy[k] ?? 0;
    trades += series.trades[k] ?? 0;
  }
  const open = roundToStep(Math.exp(series.logPrice[from] ?? 0), tick);
  const close = roundToStep(Math.exp(series.logPrice[to] ?? 0), tick);
  return {
    openTime,
    open,
    close,
    high: Math.max(open, close, roundToStep(Math.exp(high), tick)),
    low: Math.max(tick, Math.min(open, close, roundToStep(Math.exp(low), tick))),
    volume,
    quoteVolume,
    takerBuyVolume,
    trades,
    empty: false,
  };
}

function generateFunding(options: HistoryOptions, series: MinuteSeries, count: number): FundingRate[] {
  const p = FUNDING_HISTORY_PARAMS;
  const interest = FUNDING_MODEL.interestRate;
  const profile = symbolProfile(options.symbol);
  const rng = createRng(deriveSeed(options.seed, 'history-funding', options.startTime, options.symbol));
  const lastBoundary = lastFundingBoundary(options.startTime);
  const minuteIndex = (time: number): number => Math.round((time - series.start) / MINUTE_MS);
  const logAt = (k: number): number | undefined => (k >= 0 && k < series.logPrice.length ? series.logPrice[k] : undefined);

  let mean = interest;
  let deviation = 0;
  const out: FundingRate[] = [];
  for (let i = -p.burnIn; i < count; i++) {
    mean = interest + p.meanPersistence * (mean - interest) + p.meanShockStd * rng.normal();
    deviation = p.deviationPersistence * deviation + p.deviationShockStd * clamp(rng.standardT(4), -8, 8);
    if (i < 0) continue;
    const fundingTime = lastBoundary - (count - 1 - i) * FUNDING_INTERVAL_MS;
    const k = minuteIndex(fundingTime);
    const now = logAt(k);
    const dayAgo = logAt(k - DAY_MINUTES);
    const trend = now !== undefined && dayAgo !== undefined ? now - dayAgo : 0;
    out.push({
      symbol: options.symbol,
      rate: normalizeFundingRate(mean + deviation + p.trendCoupling * trend),
      fundingTime,
      markPrice: now === undefined ? null : roundToStep(Math.exp(now), profile.tickSize),
    });
  }
  return out;
}

/**
 * Generate the backfill of one symbol: `fundingCount` settlements ending at the last 8-hour boundary
 * ≤ startTime, and `candleCount` closed candles per interval ending at or before startTime, plus the
 * forming bars and the mark price at startTime. Deterministic for (seed, symbol, startTime, options).
 */
export function generateHistory(options: HistoryOptions): SymbolHistory {
  const startTime = Math.floor(options.startTime);
  const opts: HistoryOptions = { ...options, startTime };
  const profile = symbolProfile(options.symbol);
  const intervals = options.intervals ?? SIMULATED_INTERVALS;
  const fundingCount = Math.max(0, Math.floor(options.fundingCount ?? DEFAULT_FUNDING_COUNT));
  const end = Math.floor(startTime / MINUTE_MS) * MINUTE_MS;

  let start = end;
  for (const interval of intervals) {
    const ms = INTERVAL_MS[interval];
    const count = Math.max(0, Math.floor(candleCountFor(options.candleCount, interval)));
    start = Math.min(start, Math.floor(startTime / ms) * ms - count * ms);
  }
  if (fundingCount > 0) {
    start = Math.min(start, lastFundingBoundary(startTime) - (fundingCount - 1) * FUNDING_INTERVAL_MS - DAY_MINUTES * MINUTE_MS);
  }
  start = Math.floor(start / MINUTE_MS) * MINUTE_MS;
  const series = generateMinutes(opts, start, end);
  const qtyDecimals = decimalsOf(profile.stepSize);

  const candles = new Map<CandleInterval, Candle[]>();
  const forming: Candle[] = [];
  for (const interval of intervals) {
    const ms = INTERVAL_MS[interval];
    const perBar = ms / MINUTE_MS;
    const count = Math.max(0, Math.floor(candleCountFor(options.candleCount, interval)));
    const closedEnd = Math.floor(startTime / ms) * ms;
    const list: Candle[] = [];
    for (let openTime = closedEnd - count * ms; openTime < closedEnd; openTime += ms) {
      const from = (openTime - start) / MINUTE_MS;
      list.push(toCandle(options.symbol, interval, aggregate(series, openTime, from, from + perBar, profile.tickSize), true, qtyDecimals));
    }
    candles.set(interval, list);
    if (closedEnd < end) {
      const from = (closedEnd - start) / MINUTE_MS;
      forming.push(toCandle(options.symbol, interval, aggregate(series, closedEnd, from, (end - start) / MINUTE_MS, profile.tickSize), false, qtyDecimals));
    }
  }

  const funding = generateFunding(opts, series, fundingCount);
  const lastRate = funding.at(-1)?.rate ?? FUNDING_MODEL.interestRate;
  const premium = clamp(lastRate - FUNDING_MODEL.interestRate, -FUNDING_MODEL.cap, FUNDING_MODEL.cap);
  const markPrice = roundToStep(profile.startPrice, profile.tickSize);
  const priceDecimals = decimalsOf(profile.tickSize) + 2;
  return {
    symbol: options.symbol,
    startTime,
    funding,
    candles,
    forming,
    mark: {
      symbol: options.symbol,
      markPrice,
      indexPrice: roundTo(markPrice / (1 + premium), priceDecimals),
      predictedFundingRate: normalizeFundingRate(lastRate),
      nextFundingTime: nextFundingBoundary(startTime),
      time: startTime,
    },
    endVariance: series.endVariance,
  };
}
