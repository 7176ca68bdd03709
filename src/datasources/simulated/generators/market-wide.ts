import type { FearGreed, GlobalMarket, MarketEvent } from '../../../domain/market.js';
import { MINUTES_PER_YEAR } from '../core.js';
import { clamp, roundTo } from '../numeric.js';
import { symbolProfile } from '../profiles.js';
import { createRng, deriveSeed } from '../random.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, STAT_PERIOD_MS } from '../time.js';
import { dailyAnchors, dayBlock, dayIndex, minuteSeriesBack } from './anchored-bars.js';
import { logCloseAt } from './second-marks.js';
import { buildOptionsChain } from './options.js';
import type { MarketView, MarketWideStreamGenerator, UnderlyingView } from './types.js';

/**
 * Market-wide streams of the simulated market, driven by the BTC and ETH paths of the model:
 * - `optionsChain` for BTC and ETH every `OPTIONS_EVERY_MS` (see `options.ts` for the pricing);
 * - `globalMarket` every 5 minutes: market caps = price × circulating supply for BTC and ETH plus an
 *   "alts" cap that moves with ALT_BETA × the average BTC/ETH log move from their reference prices plus its own
 *   slow OU drift (alts are high-beta, so BTC dominance falls when the market rallies and alts outrun it);
 *   total 24 h volume is a turnover of the total cap that rises with volatility; the 24 h change compares with
 *   the total 24 h earlier;
 * - `fearGreed` at every UTC midnight, from BTC's daily anchors (`fearGreedValue`).
 * Every one is a function of (seed, time) only (`currencyStateAt`, `activityAt`, `altLogAt`, `fearGreedAt`).
 */

export const OPTIONS_EVERY_MS = 30_000;
export const OPTION_CURRENCIES = ['BTC', 'ETH'] as const;
export type OptionCurrency = (typeof OPTION_CURRENCIES)[number];

/** Circulating supplies (2025-2026). */
export const CIRCULATING_SUPPLY: Readonly<Record<OptionCurrency, number>> = { BTC: 19_950_000, ETH: 120_700_000 };
/** BTC's share of the total cap at the start prices (the alts make up the rest beside ETH). */
export const START_BTC_DOMINANCE = 0.58;
export const ALT_BETA = 1.2;
const ALT_NOISE_HALF_LIFE_MIN = 3 * 24 * 60;
const ALT_NOISE_STD = 0.05;
const VOLUME_TURNOVER = 0.035;
/** Base open interest per option instrument (contracts). */
const BASE_OPTION_OI: Readonly<Record<OptionCurrency, number>> = { BTC: 800, ETH: 5_000 };
const REALIZED_HALF_LIFE_MIN = 6 * 60;
const ANCHOR_HALF_LIFE_S = 2 * 86_400;
const IV_LEVEL_HALF_LIFE_S = 86_400;
const IV_LEVEL_STD = 0.06;
const SMILE_CURVATURE = 0.15;

// --- Fear & Greed ---

/** alternative.me bands (checked against its full daily history: 25 is still Extreme Fear, 26 Fear). */
export const FEAR_GREED_BANDS: readonly (readonly [max: number, label: string])[] = [
  [25, 'Extreme Fear'],
  [46, 'Fear'],
  [54, 'Neutral'],
  [75, 'Greed'],
  [100, 'Extreme Greed'],
];

export function fearGreedClassification(value: number): string {
  for (const [max, label] of FEAR_GREED_BANDS) if (value <= max) return label;
  return 'Extreme Greed';
}

export const FEAR_GREED_NOISE = { persistence: 0.7, std: 6 } as const;

/**
 * Fear & Greed from BTC's daily log closes (oldest first, the last = today's 00:00 UTC): a momentum
 * score from the 30-day and 7-day returns, minus a volatility score (30-day realised volatility against
 * BTC's long-run 55 %), plus `noise`:
 *   value = 50 + 28·tanh(r30 / 0.15) + 8·tanh(r7 / 0.08) − 12·tanh((vol30 − 0.55) / 0.2) + noise,
 * rounded and clamped to 0..100.
 */
export function fearGreedValue(dailyLogCloses: readonly number[], noise: number): number {
  const n = dailyLogCloses.length - 1;
  const at = (k: number): number => dailyLogCloses[Math.max(0, Math.min(n, k))] ?? 0;
  const r30 = at(n) - at(n - 30);
  const r7 = at(n) - at(n - 7);
  const span = Math.min(30, n);
  let sum = 0;
  let sumSq = 0;
  for (let k = n - span + 1; k <= n; k++) {
    const r = at(k) - at(k - 1);
    sum += r;
    sumSq += r * r;
  }
  const vol30 = span > 1 ? Math.sqrt(Math.max(0, (sumSq - (sum * sum) / span) / (span - 1)) * 365) : 0.55;
  const raw = 50 + 28 * Math.tanh(r30 / 0.15) + 8 * Math.tanh(r7 / 0.08) - 12 * Math.tanh((vol30 - 0.55) / 0.2) + noise;
  return clamp(Math.round(raw), 0, 100);
}

export function fearGreedRecord(value: number, time: number): FearGreed {
  return { value, classification: fearGreedClassification(value), time };
}

// --- Global market ---

export function startMarketCaps(): { btc: number; eth: number; alts: number } {
  const btc = CIRCULATING_SUPPLY.BTC * symbolProfile('BTCUSDT').startPrice;
  const eth = CIRCULATING_SUPPLY.ETH * symbolProfile('ETHUSDT').startPrice;
  return { btc, eth, alts: btc / START_BTC_DOMINANCE - btc - eth };
}

export function totalMarketCap(btcPrice: number, ethPrice: number, altCap: number): number {
  return btcPrice * CIRCULATING_SUPPLY.BTC + ethPrice * CIRCULATING_SUPPLY.ETH + altCap;
}

export function globalRecord(time: number, btcPrice: number, ethPrice: number, altCap: number, activity: number, total24hAgo: number | null): GlobalMarket {
  const btc = btcPrice * CIRCULATING_SUPPLY.BTC;
  const eth = ethPrice * CIRCULATING_SUPPLY.ETH;
  const total = btc + eth + altCap;
  return {
    totalMarketCapUsd: Math.round(total),
    totalVolumeUsd: Math.round(total * VOLUME_TURNOVER * clamp(Math.sqrt(activity), 0.5, 3)),
    btcDominance: roundTo((btc / total) * 100, 3),
    ethDominance: roundTo((eth / total) * 100, 3),
    marketCapChange24hPct: total24hAgo && total24hAgo > 0 ? roundTo((total / total24hAgo - 1) * 100, 3) : 0,
    time,
  };
}

// --- Options inputs shared by the backfill and the live generator ---

export function longRunVariance(currency: OptionCurrency): number {
  const vol = symbolProfile(`${currency}USDT`).annualVol;
  return vol * vol;
}

export interface CurrencyState {
  /** Annualised variance of recent one-minute returns (EWMA). */
  realizedVar: number;
  /** Exponentially weighted sum of log returns over ≈ 3 days. */
  trend: number;
  /** Log multiplier of all implied volatilities (slow OU). */
  ivLevel: number;
  /** Price the options' open interest is centred on. */
  anchor: number;
}

export function chainFor(
  currency: OptionCurrency,
  state: CurrencyState,
  time: number,
  indexPrice: number,
  fundingRate: number,
  activity: number,
  seed: number,
  venue: string,
): MarketEvent {
  return {
    type: 'optionsChain',
    chain: buildOptionsChain({
      currency,
      venue,
      time,
      indexPrice,
      carry: clamp(fundingRate * 3 * 365, -0.2, 0.4),
      realizedVar: state.realizedVar,
      longRunVar: longRunVariance(currency),
      ivLevel: state.ivLevel,
      skew: clamp(-0.04 + 1.2 * state.trend, -0.1, 0.1),
      curvature: SMILE_CURVATURE,
      anchor: state.anchor,
      activity: clamp(Math.sqrt(activity), 0.5, 3),
      baseOpenInterest: BASE_OPTION_OI[currency],
      seed,
    }),
  };
}

// --- Market-wide state as a function of (seed, time) ---

const MINUTES_PER_DAY = 1_440;
const REALIZED_TERMS = 2_160;
const ACTIVITY_TERMS = 600;
const ACTIVITY_HALF_LIFE_MIN = 60;
const IV_STEP_MS = 30_000;
const IV_TERMS = 8 * 2_880;
const ANCHOR_TERMS = 384;
const ALT_TERMS = 576;
const FEAR_GREED_NOISE_TERMS = 60;
const TREND_LOOKBACK_MS = 3 * DAY_MS;

const blockCache = new Map<string, Float64Array>();

/** `size` standard normals for block `index` of a labelled stream, seeded by (seed, label, index); cached. */
function normalBlock(seed: number, label: string, index: number, size: number): Float64Array {
  const key = `${seed}|${label}|${index}`;
  let block = blockCache.get(key);
  if (!block) {
    if (blockCache.size >= 512) blockCache.clear();
    const rng = createRng(deriveSeed(seed, label, index));
    block = new Float64Array(size);
    for (let i = 0; i < size; i++) block[i] = rng.normal();
    blockCache.set(key, block);
  }
  return block;
}

/** Σ_{i<terms} a^i · shock(n − i): a stationary AR(1) with unit innovations written as a finite moving average. */
function movingAverage(seed: number, label: string, n: number, size: number, a: number, terms: number): number {
  let sum = 0;
  let w = 1;
  let index = Number.NaN;
  let block: Float64Array | undefined;
  for (let i = 0; i < terms; i++, w *= a) {
    const k = n - i;
    const b = Math.floor(k / size);
    if (b !== index) {
      index = b;
      block = normalBlock(seed, label, b, size);
    }
    sum += w * block![k - b * size]!;
  }
  return sum;
}

function minuteLogOf(seed: number, symbol: string, minuteStart: number): number {
  const day = dayIndex(minuteStart);
  return dayBlock(seed, symbol, day).logPrice[Math.round((minuteStart - day * DAY_MS) / MINUTE_MS)] ?? 0;
}

/** Log price at `time` between the two daily anchors around it (only for times whose next midnight has passed). */
function anchorLogAt(seed: number, symbol: string, time: number): number {
  const day = dayIndex(time);
  const anchors = dailyAnchors(seed, symbol, day, day + 1);
  return anchors[0]! + (anchors[1]! - anchors[0]!) * ((time - day * DAY_MS) / DAY_MS);
}

/**
 * The options state of a currency at `time`, a function of (seed, time) only:
 * - realised variance: the 6 h half-life average of the last 2 160 squared one-minute returns of the venue's
 *   minute path, annualised;
 * - trend: the log return since the same time 3 days earlier (the anchors there);
 * - IV level: an OU of 1-day half-life and sd 0.06 on a 30 s grid (a moving average of 23 040 seeded shocks);
 * - anchor: the 2-day half-life average of the price at the last 384 hour marks (minute path over the last
 *   two days, the anchors' line before).
 */
export function currencyStateAt(seed: number, currency: OptionCurrency, time: number): CurrencyState {
  const symbol = `${currency}USDT`;
  const m = Math.floor(time / MINUTE_MS) * MINUTE_MS;
  const kVar = Math.pow(0.5, 1 / REALIZED_HALF_LIFE_MIN);
  let sum = 0;
  let weights = 0;
  let w = 1;
  const logs = minuteSeriesBack(seed, symbol, m, REALIZED_TERMS + 1);
  for (let i = 1; i <= REALIZED_TERMS; i++, w *= kVar) {
    const r = logs[i - 1]! - logs[i]!;
    sum += w * r * r;
    weights += w;
  }
  const realizedVar = (sum / weights) * MINUTES_PER_YEAR;
  const trend = minuteLogOf(seed, symbol, m) - anchorLogAt(seed, symbol, m - TREND_LOOKBACK_MS);
  const g = Math.pow(0.5, IV_STEP_MS / 1_000 / IV_LEVEL_HALF_LIFE_S);
  const ivLevel = IV_LEVEL_STD * Math.sqrt(1 - g * g) * movingAverage(seed, `iv-level|${currency}`, Math.floor(time / IV_STEP_MS), 2_880, g, IV_TERMS);
  const h = Math.pow(0.5, HOUR_MS / 1_000 / ANCHOR_HALF_LIFE_S);
  const hour = Math.floor(time / HOUR_MS) * HOUR_MS;
  const recent = (dayIndex(hour) - 1) * DAY_MS;
  let anchorSum = 0;
  let anchorWeights = 0;
  w = 1;
  for (let i = 0; i < ANCHOR_TERMS; i++, w *= h) {
    const t = hour - i * HOUR_MS;
    anchorSum += w * Math.exp(t >= recent ? minuteLogOf(seed, symbol, t) : anchorLogAt(seed, symbol, t));
    anchorWeights += w;
  }
  return { realizedVar, trend, ivLevel, anchor: anchorSum / anchorWeights };
}

/** Trading activity at `time`: the 1 h half-life average of BTC's minute variance ratio over the last 600 minutes. */
export function activityAt(seed: number, time: number): number {
  const m = Math.floor(time / MINUTE_MS) * MINUTE_MS;
  const a = Math.pow(0.5, 1 / ACTIVITY_HALF_LIFE_MIN);
  let sum = 0;
  let weights = 0;
  let w = 1;
  const ratios = minuteSeriesBack(seed, 'BTCUSDT', m, ACTIVITY_TERMS, 'varianceRatio');
  for (let i = 0; i < ACTIVITY_TERMS; i++, w *= a) {
    sum += w * ratios[i]!;
    weights += w;
  }
  return sum / weights;
}

/** The alts' own log drift at `time`: an OU of 3-day half-life and sd 0.05 on an hourly grid, linear between hours. */
export function altNoiseAt(seed: number, time: number): number {
  const z = Math.pow(0.5, 60 / ALT_NOISE_HALF_LIFE_MIN);
  const sd = ALT_NOISE_STD * Math.sqrt(1 - z * z);
  const n = Math.floor(time / HOUR_MS);
  const f = (time - n * HOUR_MS) / HOUR_MS;
  const v0 = sd * movingAverage(seed, 'alt-noise', n, 24, z, ALT_TERMS);
  if (f === 0) return v0;
  const v1 = sd * movingAverage(seed, 'alt-noise', n + 1, 24, z, ALT_TERMS);
  return v0 + (v1 - v0) * f;
}

/**
 * Log market cap of the alts for the given BTC and ETH log prices at `time`: the cap at the reference prices
 * (58 % BTC dominance there) × (BTC/ETH average move from their references)^ALT_BETA × the alts' own drift.
 */
export function altLogAt(seed: number, time: number, btcLog: number, ethLog: number): number {
  const btc = Math.log(symbolProfile('BTCUSDT').startPrice);
  const eth = Math.log(symbolProfile('ETHUSDT').startPrice);
  return Math.log(startMarketCaps().alts) + (ALT_BETA * (btcLog - btc + (ethLog - eth))) / 2 + altNoiseAt(seed, time);
}

/** Total market cap at `time` (a whole second), from the BTC and ETH path there and the alts. */
export function totalCapAt(seed: number, time: number): number {
  const btcLog = logCloseAt(seed, 'BTCUSDT', time);
  const ethLog = logCloseAt(seed, 'ETHUSDT', time);
  return totalMarketCap(Math.exp(btcLog), Math.exp(ethLog), Math.exp(altLogAt(seed, time, btcLog, ethLog)));
}

/** The global market at a 5-minute boundary `time`, with BTC and ETH at the given prices. */
export function globalAt(seed: number, time: number, btcPrice: number, ethPrice: number): GlobalMarket {
  const altCap = Math.exp(altLogAt(seed, time, Math.log(btcPrice), Math.log(ethPrice)));
  return globalRecord(time, btcPrice, ethPrice, altCap, activityAt(seed, time), totalCapAt(seed, time - DAY_MS));
}

/** The AR(1) noise of Fear & Greed on day `day` (persistence 0.7, innovations sd 6, 60 terms of seeded daily shocks). */
export function fearGreedNoiseAt(seed: number, day: number): number {
  return FEAR_GREED_NOISE.std * movingAverage(seed, 'fear-greed-noise', day, 64, FEAR_GREED_NOISE.persistence, FEAR_GREED_NOISE_TERMS);
}

/** Fear & Greed of the UTC day `day` (published at its midnight): from BTC's daily anchors up to it and the noise. */
export function fearGreedAt(seed: number, day: number): FearGreed {
  const closes = Array.from(dailyAnchors(seed, 'BTCUSDT', day - 40, day));
  return fearGreedRecord(fearGreedValue(closes, fearGreedNoiseAt(seed, day)), day * DAY_MS);
}

export interface MarketWideOptions {
  /** The simulation seed: every market-wide value is a function of (seed, time). */
  seed: number;
  venue: string;
}

/**
 * The live market-wide streams. Their state (realised variance, trend, IV level, strike anchor, activity, the
 * alts' drift, Fear & Greed) is recomputed from (seed, time) for each publication, not carried from the start,
 * so a run started at any time publishes the same values; the view supplies the BTC/ETH price, index and
 * predicted funding of the second (themselves functions of time, `second-marks.ts`).
 */
export class MarketWideGenerator implements MarketWideStreamGenerator {
  private readonly seed: number;
  private readonly instrumentSeed: number;
  private readonly venue: string;

  constructor(options: MarketWideOptions) {
    this.seed = options.seed;
    this.instrumentSeed = deriveSeed(options.seed, 'options');
    this.venue = options.venue;
  }

  endSecond(view: MarketView): MarketEvent[] {
    const { time } = view;
    const events: MarketEvent[] = [];
    if (time % OPTIONS_EVERY_MS === 0) {
      for (const currency of OPTION_CURRENCIES) {
        const u = view.underlyings.get(currency);
        if (u) events.push(optionsChainAt(this.seed, currency, time, u, this.instrumentSeed, this.venue));
      }
    }
    const btc = view.underlyings.get('BTC');
    const eth = view.underlyings.get('ETH');
    if (time % STAT_PERIOD_MS === 0 && btc && eth) events.push({ type: 'globalMarket', global: globalAt(this.seed, time, btc.price, eth.price) });
    if (time % DAY_MS === 0) events.push({ type: 'fearGreed', fearGreed: fearGreedAt(this.seed, dayIndex(time)) });
    return events;
  }
}

/** The options chain of a currency at `time` with the underlying's index and predicted funding then. */
export function optionsChainAt(
  seed: number,
  currency: OptionCurrency,
  time: number,
  u: Pick<UnderlyingView, 'indexPrice' | 'fundingRate'>,
  instrumentSeed: number,
  venue: string,
): MarketEvent {
  return chainFor(currency, currencyStateAt(seed, currency, time), time, u.indexPrice, u.fundingRate, activityAt(seed, time), instrumentSeed, venue);
}
