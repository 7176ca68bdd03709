import { baselineMinuteVariance, GARCH_PARAMS } from '../core.js';
import { clamp, decimalsOf, roundTo } from '../numeric.js';
import { symbolProfile, type SymbolProfile } from '../profiles.js';
import { createRng, deriveSeed, type Rng } from '../random.js';
import { DAY_MS, MINUTE_MS } from '../time.js';
import type { FormingBar } from './candles.js';
import { activityFactor, expectedTradeQty } from './trades.js';

/**
 * The simulated venue's one-minute bars as a function of (seed, symbol, minute) only: the primary object of
 * the simulated market. The backfill aggregates them into every interval; the live model derives the
 * minute's second-by-second path and its trades from them, so a bar formed live is the bar any later run
 * backfills for that minute, whenever either run was started.
 *
 * **Daily anchors.** The log price at each UTC midnight is a stationary moving average of per-day shocks,
 *
 *   A_d = log P̄ + σ_D · Σ_{i<M} φ^i · z_{d−i},   z_d = β·m_d + sqrt(1 − β²)·e_d,
 *
 * with m_d (market, shared by all symbols) and e_d (the symbol's own) unit-variance Student-t(4) draws
 * (capped at ±12 sd), drawn in blocks of 64 days from streams seeded by (seed, block[, symbol]); σ_D = annualVol / sqrt(365),
 * φ = 0.5^(1/180) (a 180-day half-life around P̄ = the profile's reference price: stationary sd of the log
 * level 0.33 for BTC), M = 2 000 terms (the dropped weight φ^M ≈ 5·10⁻⁴ is part of the definition, not an
 * approximation error: A_d depends on those 2 000 shocks and nothing else).
 *
 * **Minutes of day d.** Per-minute shocks z_k = β·m_k + sqrt(1 − β²)·e_k (Student-t(4), capped) from
 * streams seeded by (seed, day) and (seed, symbol, day). The GARCH(1,1) variance of `core.ts`
 * (α = 0.08, β = 0.90, floor/ceiling 0.05/30 × h̄) is started at h̄ 600 minutes before midnight (on the
 * previous day's shocks; 0.98^600 ≈ 5·10⁻⁶ of the start value is left) and run through the day; the
 * returns r_k = −h_k/2 + sqrt(h_k)·z_k are summed and the path is pinned to both anchors with a linear
 * correction (A_{d+1} − A_d − Σ r)·j/1440 (a few percent of a minute's σ per minute). So a day's minutes
 * are a function of that day's and the previous day's shocks and two anchors.
 *
 * **Bar of minute k** (the day's bar stream, seeded by (seed, symbol, day), four or five draws per minute):
 * open/close = the path at the minute's ends rounded to the tick; high/low beyond them by exponential
 * excursions of mean 0.3·sqrt(h_k); trade count N ~ Poisson(tradesPerSecond·60·activity(h/h̄)); volume =
 * N × mean trade size × lognormal(−0.045, 0.3) in whole lots (≥ one lot per trade); the taker-buy share
 * 0.5 + 0.1·tanh(z_k) + 0.06·noise (clamped to 5–95 %) sets both the buy trade count and the buy volume
 * (whole lots, at least one lot per trade of each side). With fewer than four trades the range shrinks to
 * the prices the trades can print (N = 0: flat, no volume). Quote volume = volume × the geometric mean of
 * the minute's open and close.
 */

export const ANCHOR_PARAMS = {
  /** Minutes of GARCH warm-up before each midnight. */
  warmupMinutes: 600,
  /** Half-life of the daily log level around the profile's reference price. */
  levelHalfLifeDays: 180,
  /** Terms of the daily moving average. */
  levelTerms: 2_000,
  /** Mean high/low excursion beyond open/close, in minute σ. */
  excursion: 0.3,
  volumeNoiseMu: -0.045,
  volumeNoiseSigma: 0.3,
  takerLean: 0.1,
  takerNoise: 0.06,
  /** Trades per minute are capped so trade ids (100 per second) never collide. */
  maxTradesPerMinute: 5_999,
} as const;

const DAY_MINUTES = 1_440;
const LEVEL_PHI = Math.pow(0.5, 1 / ANCHOR_PARAMS.levelHalfLifeDays);

function cappedT(rng: Rng): number {
  return clamp(rng.standardT(GARCH_PARAMS.nu), -GARCH_PARAMS.tailCap, GARCH_PARAMS.tailCap);
}

/** Caches of pure values, per (seed, symbol), keyed by day number; each cleared wholesale when full. */
interface SymbolCache {
  dailyShock: Map<number, number>;
  dailyOwn: Map<number, Float64Array>;
  anchors: Map<number, number>;
  minuteShocks: Map<number, Float64Array>;
  blocks: Map<number, DayBlock>;
}

const symbolCaches = new Map<string, SymbolCache>();
const marketDaily = new Map<number, Map<number, Float64Array>>();
const marketMinutes = new Map<number, Map<number, Float64Array>>();

function cacheOf(seed: number, symbol: string): SymbolCache {
  return bounded(symbolCaches, `${seed}|${symbol}`, 256, () => ({ dailyShock: new Map(), dailyOwn: new Map(), anchors: new Map(), minuteShocks: new Map(), blocks: new Map() }));
}

/** The value of `key` in a memo `map`, made on a miss; a full map is cleared first (memory bound, cheap to rebuild). */
export function bounded<K, V>(map: Map<K, V>, key: K, capacity: number, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    if (map.size >= capacity) map.clear();
    value = make();
    map.set(key, value);
  }
  return value;
}

function seedMap<V>(maps: Map<number, Map<number, V>>, seed: number): Map<number, V> {
  return bounded(maps, seed, 64, () => new Map<number, V>());
}

/** Daily shocks are drawn in blocks of 64 days, each block from its own stream (seeded by its index). */
const DAILY_BLOCK = 64;

function dailyBlock(map: Map<number, Float64Array>, block: number, label: () => number): Float64Array {
  return bounded(map, block, 4_096, () => {
    const rng = createRng(label());
    const out = new Float64Array(DAILY_BLOCK);
    for (let i = 0; i < DAILY_BLOCK; i++) out[i] = cappedT(rng);
    return out;
  });
}

function dailyMarketShock(seed: number, day: number): number {
  const block = Math.floor(day / DAILY_BLOCK);
  const shocks = dailyBlock(seedMap(marketDaily, seed), block, () => deriveSeed(seed, 'anchored-daily-market', block));
  return shocks[day - block * DAILY_BLOCK]!;
}

function dailyShock(seed: number, profile: SymbolProfile, day: number, cache: SymbolCache = cacheOf(seed, profile.symbol)): number {
  return bounded(cache.dailyShock, day, 100_000, () => {
    const beta = clamp(profile.beta, 0, 1);
    const block = Math.floor(day / DAILY_BLOCK);
    const own = dailyBlock(cache.dailyOwn, block, () => deriveSeed(seed, 'anchored-daily', profile.symbol, block))[day - block * DAILY_BLOCK]!;
    return beta * dailyMarketShock(seed, day) + Math.sqrt(1 - beta * beta) * own;
  });
}

/** Index of the UTC day containing `time`. */
export function dayIndex(time: number): number {
  return Math.floor(time / DAY_MS);
}

const LEVEL_WEIGHTS = (() => {
  const weights = new Float64Array(ANCHOR_PARAMS.levelTerms);
  for (let i = 0, w = 1; i < weights.length; i++, w *= LEVEL_PHI) weights[i] = w;
  return weights;
})();

/** Daily log anchors A_d (log price at midnight of day d) for days from..to inclusive. */
export function dailyAnchors(seed: number, symbol: string, fromDay: number, toDay: number): Float64Array {
  const profile = symbolProfile(symbol);
  const symbolCache = cacheOf(seed, symbol);
  const cache = symbolCache.anchors;
  const out = new Float64Array(toDay - fromDay + 1);
  const missing: number[] = [];
  for (let d = fromDay; d <= toDay; d++) {
    const known = cache.get(d);
    if (known === undefined) missing.push(d);
    else out[d - fromDay] = known;
  }
  if (missing.length === 0) return out;
  const sigma = profile.annualVol / Math.sqrt(365);
  const terms = ANCHOR_PARAMS.levelTerms;
  const lo = missing[0]!;
  const hi = missing[missing.length - 1]!;
  const first = lo - terms + 1;
  const shocks = new Float64Array(hi - first + 1);
  for (let d = first; d <= hi; d++) shocks[d - first] = dailyShock(seed, profile, d, symbolCache);
  const base = Math.log(profile.startPrice);
  if (cache.size + missing.length > 100_000) cache.clear();
  for (const d of missing) {
    let sum = 0;
    const at = d - first;
    for (let i = 0; i < terms; i++) sum += LEVEL_WEIGHTS[i]! * shocks[at - i]!;
    const value = base + sigma * sum;
    cache.set(d, value);
    out[d - fromDay] = value;
  }
  return out;
}

function marketMinuteShocks(seed: number, day: number): Float64Array {
  return bounded(seedMap(marketMinutes, seed), day, 16, () => {
    const rng = createRng(deriveSeed(seed, 'anchored-market', day));
    const out = new Float64Array(DAY_MINUTES);
    for (let j = 0; j < DAY_MINUTES; j++) out[j] = cappedT(rng);
    return out;
  });
}

/** Combined unit-variance shocks z of the day's minutes for one symbol. */
function minuteShocks(seed: number, profile: SymbolProfile, day: number): Float64Array {
  return bounded(cacheOf(seed, profile.symbol).minuteShocks, day, 4, () => {
    const market = marketMinuteShocks(seed, day);
    const beta = clamp(profile.beta, 0, 1);
    const idio = Math.sqrt(1 - beta * beta);
    const rng = createRng(deriveSeed(seed, 'anchored-minutes', profile.symbol, day));
    const out = new Float64Array(DAY_MINUTES);
    for (let j = 0; j < DAY_MINUTES; j++) out[j] = beta * (market[j] ?? 0) + idio * cappedT(rng);
    return out;
  });
}

/** One day of minute bars of one symbol (struct of arrays, index j = minute of the day). */
export interface DayBlock {
  symbol: string;
  day: number;
  /** Log path at the start of each minute, plus the next midnight (length 1441). */
  logPrice: Float64Array;
  /** GARCH variance of each minute. */
  variance: Float64Array;
  /** Variance as a multiple of the long-run variance. */
  varianceRatio: Float64Array;
  /** Unit-variance combined shock of each minute. */
  shock: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  /** Base volume (whole lots), taker-buy base volume, quote volume. */
  volume: Float64Array;
  takerBuy: Float64Array;
  quoteVolume: Float64Array;
  trades: Uint16Array;
  buyTrades: Uint16Array;
}

function computeDay(seed: number, symbol: string, day: number): DayBlock {
  const profile = symbolProfile(symbol);
  const p = GARCH_PARAMS;
  const baseline = baselineMinuteVariance(profile);
  const omega = baseline * (1 - p.alpha - p.beta);
  const hMin = baseline * p.minRatio;
  const hMax = baseline * p.maxRatio;
  const previous = minuteShocks(seed, profile, day - 1);
  const shocks = minuteShocks(seed, profile, day);
  let h = baseline;
  for (let j = DAY_MINUTES - ANCHOR_PARAMS.warmupMinutes; j < DAY_MINUTES; j++) {
    const e = Math.sqrt(h) * (previous[j] ?? 0);
    h = clamp(omega + p.alpha * e * e + p.beta * h, hMin, hMax);
  }
  const block: DayBlock = {
    symbol,
    day,
    logPrice: new Float64Array(DAY_MINUTES + 1),
    variance: new Float64Array(DAY_MINUTES),
    varianceRatio: new Float64Array(DAY_MINUTES),
    shock: shocks,
    open: new Float64Array(DAY_MINUTES),
    high: new Float64Array(DAY_MINUTES),
    low: new Float64Array(DAY_MINUTES),
    close: new Float64Array(DAY_MINUTES),
    volume: new Float64Array(DAY_MINUTES),
    takerBuy: new Float64Array(DAY_MINUTES),
    quoteVolume: new Float64Array(DAY_MINUTES),
    trades: new Uint16Array(DAY_MINUTES),
    buyTrades: new Uint16Array(DAY_MINUTES),
  };
  const path = block.logPrice;
  for (let j = 0; j < DAY_MINUTES; j++) {
    block.variance[j] = h;
    block.varianceRatio[j] = h / baseline;
    const e = Math.sqrt(h) * (shocks[j] ?? 0);
    path[j + 1] = (path[j] ?? 0) - h / 2 + e;
    h = clamp(omega + p.alpha * e * e + p.beta * h, hMin, hMax);
  }
  const anchors = dailyAnchors(seed, symbol, day, day + 1);
  const a0 = anchors[0] ?? 0;
  const gap = (anchors[1] ?? 0) - a0 - (path[DAY_MINUTES] ?? 0);
  for (let j = 0; j <= DAY_MINUTES; j++) path[j] = a0 + (path[j] ?? 0) + (gap * j) / DAY_MINUTES;
  path[DAY_MINUTES] = anchors[1] ?? 0;

  const rng = createRng(deriveSeed(seed, 'anchored-bars', symbol, day));
  const tick = profile.tickSize;
  const tickDecimals = decimalsOf(tick);
  const onTick = (price: number): number => roundTo(Math.round(price / tick) * tick, tickDecimals);
  const step = profile.stepSize;
  const qtyDecimals = decimalsOf(step);
  const meanUnits = expectedTradeQty(profile) / step;
  const A = ANCHOR_PARAMS;
  for (let j = 0; j < DAY_MINUTES; j++) {
    const logOpen = path[j] ?? 0;
    const logClose = path[j + 1] ?? 0;
    const sigma = Math.sqrt(block.variance[j] ?? baseline);
    const up = rng.exponential(A.excursion * sigma);
    const down = rng.exponential(A.excursion * sigma);
    const n = Math.min(A.maxTradesPerMinute, rng.poisson(profile.tradesPerSecond * 60 * activityFactor(block.varianceRatio[j] ?? 1)));
    const noise = rng.logNormal(A.volumeNoiseMu, A.volumeNoiseSigma);
    const share = clamp(0.5 + A.takerLean * Math.tanh(shocks[j] ?? 0) + A.takerNoise * rng.normal(), 0.05, 0.95);
    const open = Math.max(tick, onTick(Math.exp(logOpen)));
    let close = Math.max(tick, onTick(Math.exp(logClose)));
    if (n <= 1) close = open;
    let high = Math.max(open, close, onTick(Math.exp(Math.max(logOpen, logClose) + up)));
    let low = Math.max(tick, Math.min(open, close, onTick(Math.exp(Math.min(logOpen, logClose) - down))));
    if (n <= 2) {
      high = Math.max(open, close);
      low = Math.min(open, close);
    } else if (n === 3) {
      // Three trades print open, close and one extreme: keep the larger excursion.
      if (high - Math.max(open, close) >= Math.min(open, close) - low) low = Math.min(open, close);
      else high = Math.max(open, close);
    }
    const units = n === 0 ? 0 : Math.max(n, Math.round(n * meanUnits * noise));
    const buyTrades = n === 0 ? 0 : Math.round(n * share);
    const buyUnits = buyTrades === 0 ? 0 : buyTrades === n ? units : clamp(Math.round(units * share), buyTrades, units - (n - buyTrades));
    const volume = roundTo(units * step, qtyDecimals);
    block.open[j] = open;
    block.high[j] = high;
    block.low[j] = low;
    block.close[j] = close;
    block.volume[j] = volume;
    block.takerBuy[j] = roundTo(buyUnits * step, qtyDecimals);
    block.quoteVolume[j] = volume * Math.exp((logOpen + logClose) / 2);
    block.trades[j] = n;
    block.buyTrades[j] = buyTrades;
  }
  return block;
}

/**
 * The minute bars of one UTC day. Cached (the last 10 days per symbol: the live model reads the current day
 * minute by minute, the start reads the current week twice) unless `cache` is false (a backfill's older days).
 */
export function dayBlock(seed: number, symbol: string, day: number, cache = true): DayBlock {
  const blocks = cacheOf(seed, symbol).blocks;
  const known = blocks.get(day);
  if (known) return known;
  const block = computeDay(seed, symbol, day);
  if (cache) {
    if (blocks.size >= 10) blocks.delete(Math.min(...blocks.keys()));
    blocks.set(day, block);
  }
  return block;
}

/** The bar of the minute starting at `openTime` as a candle part. */
export function minuteBar(block: DayBlock, j: number, openTime: number): FormingBar {
  return {
    openTime,
    open: block.open[j] ?? 0,
    high: block.high[j] ?? 0,
    low: block.low[j] ?? 0,
    close: block.close[j] ?? 0,
    volume: block.volume[j] ?? 0,
    quoteVolume: block.quoteVolume[j] ?? 0,
    takerBuyVolume: block.takerBuy[j] ?? 0,
    trades: block.trades[j] ?? 0,
    empty: false,
  };
}

/** The bar of the minute starting at `openTime` (a multiple of a minute). */
export function anchoredMinute(seed: number, symbol: string, openTime: number): { block: DayBlock; j: number; bar: FormingBar } {
  const day = dayIndex(openTime);
  const block = dayBlock(seed, symbol, day);
  const j = Math.round((openTime - day * DAY_MS) / MINUTE_MS);
  return { block, j, bar: minuteBar(block, j, openTime) };
}

/**
 * Minute-open log prices (or another per-minute series of the day blocks) going back from `minuteStart`: out[i] is
 * the value at minuteStart − i minutes, for i < count. One block lookup per day.
 */
export function minuteSeriesBack(
  seed: number,
  symbol: string,
  minuteStart: number,
  count: number,
  field: 'logPrice' | 'varianceRatio' = 'logPrice',
): Float64Array {
  const out = new Float64Array(count);
  let i = 0;
  while (i < count) {
    const t = minuteStart - i * MINUTE_MS;
    const day = dayIndex(t);
    const values = dayBlock(seed, symbol, day)[field];
    for (let j = Math.round((t - day * DAY_MS) / MINUTE_MS); j >= 0 && i < count; j--, i++) out[i] = values[j] ?? 0;
  }
  return out;
}
