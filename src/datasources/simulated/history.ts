import {
  INTERVAL_MS,
  type Basis,
  type BookTicker,
  type Candle,
  type CandleInterval,
  type FearGreed,
  type FundingRate,
  type GlobalMarket,
  type Liquidation,
  type LongShortRatio,
  type MarkPrice,
  type OpenInterest,
  type OptionsChain,
  type OrderBook,
  type SpotPrice,
  type TakerVolume,
  type Ticker24h,
} from '../../domain/market.js';
import { baselineMinuteVariance, createMinuteReturnProcess, GARCH_PARAMS } from './core.js';
import { drawBookTicker, drawOrderBook } from './generators/book.js';
import { SIMULATED_INTERVALS, toCandle, type FormingBar } from './generators/candles.js';
import { drawPosition, liquidationFill, liquidationRecord, PositionBook, LIQUIDATION_PARAMS, type PositionSeed } from './generators/liquidations.js';
import {
  chainFor,
  FEAR_GREED_NOISE,
  fearGreedRecord,
  fearGreedValue,
  globalRecord,
  longRunVariance,
  OPTION_CURRENCIES,
  startMarketCaps,
  totalMarketCap,
  ALT_BETA,
  type CurrencyState,
  type MarketWideSeed,
  type OptionCurrency,
} from './generators/market-wide.js';
import { FUNDING_MODEL, normalizeFundingRate } from './generators/mark-funding.js';
import { settledFundingRates } from './generators/settled-funding.js';
import { MinuteWindow, type MinuteBar } from './generators/minute-bars.js';
import {
  longShortRecords,
  openInterestRecord,
  PositioningModel,
  takerVolumeRecord,
  type PositioningSeed,
  type TakerPeriodSeed,
} from './generators/positioning.js';
import { basisRecord, SPOT_PARAMS, spotRecord, tickerRecord } from './generators/spot-ticker.js';
import { activityFactor, expectedTradeQty } from './generators/trades.js';
import { clamp, decimalsOf, roundTo, roundToStep } from './numeric.js';
import { SIMULATED_VENUE, symbolProfile } from './profiles.js';
import { createRng, deriveSeed } from './random.js';
import { DAY_MS, FUNDING_INTERVAL_MS, lastFundingBoundary, MINUTE_MS, nextFundingBoundary, STAT_PERIOD_MS } from './time.js';

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
 * Funding: the settled rates are a function of (seed, symbol, fundingTime) only
 * (`generators/settled-funding.ts`: a slowly varying mean around the 0.01 % interest rate plus a short-lived
 * Student-t deviation, written as finite moving averages of per-settlement shocks), so runs started at
 * different times agree on every settlement; the live model settles the same rates.
 *
 * Derivatives streams, from the same minute series over the last day (`STREAM_LOOKBACK_MINUTES`):
 * - open interest and the three long/short ratios: the live `PositioningModel` fed by the minute bars
 *   (taker buy/sell from the bars' taker share), published at the last `statPeriods` 5-minute boundaries;
 * - taker buy/sell volume of those periods, equal to the 5m candles' taker-buy / total volume;
 * - basis at the same boundaries: the path price against an index off it by an OU premium that ends
 *   near the premium the live funding model starts from;
 * - liquidations of the last `LIQUIDATION_LOOKBACK_MINUTES`: the live position book (`liquidations.ts`)
 *   run on the minute bars (entries inside each bar's range, a position is liquidated in the first bar
 *   whose low/high crosses its liquidation price) — without the live model's cascade feedback, since the
 *   path is already fixed. Positions still open at the start are handed to the live model;
 * - ticker24h, spot, book ticker and order book at the start time.
 *
 * The market factor is seeded from (seed, startTime) and shared by all symbols, so backfilled returns are
 * correlated across symbols like the live ones; everything else is seeded from (seed, symbol, startTime).
 *
 * `generateMarketHistory` backfills the market-wide streams (fear & greed, global market, options) from
 * its own daily BTC/ETH/alts process (see there).
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
  /** 5-minute statistics periods (open interest, long/short, taker volume, basis) to backfill (default 30). */
  statPeriods?: number;
}

/** State of the derivatives streams at the start time, for the live model. */
export interface StreamSeed {
  /** The last day of one-minute bars, oldest first, ending at the start minute. */
  bars: MinuteBar[];
  positioning: PositioningSeed;
  /** Leveraged positions still open at the start. */
  positions: PositionSeed[];
  /** Taker flow of the 5-minute period running at the start, up to the start minute. */
  takerPeriod: TakerPeriodSeed;
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
  /** At the last `statPeriods` 5-minute boundaries ≤ startTime, oldest first. */
  openInterest: OpenInterest[];
  /** Three kinds per period (GLOBAL_ACCOUNTS, TOP_ACCOUNTS, TOP_POSITIONS), oldest period first. */
  longShortRatios: LongShortRatio[];
  takerVolume: TakerVolume[];
  basis: Basis[];
  /** Liquidations of the last few hours, oldest first (`complete`: the simulated venue sees them all). */
  liquidations: Liquidation[];
  ticker: Ticker24h | null;
  spot: SpotPrice;
  bookTicker: BookTicker;
  orderBook: OrderBook;
  streamSeed: StreamSeed;
}

const DEFAULT_FUNDING_COUNT = 90;
const DEFAULT_CANDLE_COUNT = 500;
const DEFAULT_STAT_PERIODS = 30;
/** Minutes of bars behind the derivatives streams (the rolling 24 h ticker needs a day). */
const STREAM_LOOKBACK_MINUTES = 1_440;
/** The position book runs over the last hours only (its positions live ≈ 3 h). */
const LIQUIDATION_LOOKBACK_MINUTES = 360;
/** Premium OU of the basis backfill: half-life and stationary sd, per minute. */
const BASIS_PREMIUM = { halfLifeMinutes: 60, std: 0.0002 } as const;
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
  const currency = options.symbol === 'BTCUSDT' ? 'BTC' : options.symbol === 'ETHUSDT' ? 'ETH' : null;
  // The same (default, 365-day) market history the source publishes fear & greed from.
  if (currency) bridgeToDailyCloses(series, generateMarketHistory({ seed: options.seed, startTime: options.startTime }).dailyLogCloses[currency]);
  return series;
}

/**
 * Bends the minute path through the market-wide daily closes: between two consecutive anchors the path gets
 * a linear correction so it passes exactly through both (a Brownian-bridge style pin; minute returns change by
 * (daily gap) / 1440, a few percent of a minute's σ). Before the first anchor in the window the first
 * correction applies; the last anchor is the start time, where both paths already sit on the start price.
 */
function bridgeToDailyCloses(series: MinuteSeries, anchors: readonly { time: number; log: number }[]): void {
  const minutes = series.volume.length;
  const indexOf = (time: number): number => Math.round((time - series.start) / MINUTE_MS);
  const pins = anchors
    .map((a) => ({ k: indexOf(a.time), log: a.log }))
    .filter((p) => p.k >= 0 && p.k <= minutes)
    .map((p) => ({ k: p.k, offset: p.log - (series.logPrice[p.k] ?? 0) }));
  if (pins.length === 0) return;
  const correction = new Float64Array(minutes + 1);
  let j = 0;
  for (let k = 0; k <= minutes; k++) {
    while (j + 1 < pins.length && pins[j + 1]!.k <= k) j++;
    const p = pins[j]!;
    const q = pins[j + 1];
    correction[k] = k <= p.k || !q ? p.offset : p.offset + ((q.offset - p.offset) * (k - p.k)) / (q.k - p.k);
  }
  for (let k = 0; k <= minutes; k++) series.logPrice[k] = (series.logPrice[k] ?? 0) + (correction[k] ?? 0);
  for (let k = 0; k < minutes; k++) {
    // The minute's range moves with its midpoint's correction.
    const mid = ((correction[k] ?? 0) + (correction[k + 1] ?? 0)) / 2;
    series.logHigh[k] = (series.logHigh[k] ?? 0) + mid;
    series.logLow[k] = (series.logLow[k] ?? 0) + mid;
    series.quoteVolume[k] = (series.quoteVolume[k] ?? 0) * Math.exp(mid);
  }
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
  const profile = symbolProfile(options.symbol);
  const lastBoundary = lastFundingBoundary(options.startTime);
  const times = Array.from({ length: count }, (_, i) => lastBoundary - (count - 1 - i) * FUNDING_INTERVAL_MS);
  // Rates are a function of (seed, symbol, fundingTime) only (settled-funding.ts); the mark price is the path's.
  const rates = settledFundingRates(options.seed, options.symbol, times);
  return times.map((fundingTime, i) => {
    const k = Math.round((fundingTime - series.start) / MINUTE_MS);
    const now = k >= 0 && k < series.logPrice.length ? series.logPrice[k] : undefined;
    return { symbol: options.symbol, rate: rates[i]!, fundingTime, markPrice: now === undefined ? null : roundToStep(Math.exp(now), profile.tickSize) };
  });
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
  const statPeriods = Math.max(0, Math.floor(options.statPeriods ?? DEFAULT_STAT_PERIODS));
  start = Math.min(start, end - STREAM_LOOKBACK_MINUTES * MINUTE_MS, Math.floor(startTime / STAT_PERIOD_MS) * STAT_PERIOD_MS - statPeriods * STAT_PERIOD_MS);
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
  const mark: ModelledMark = {
    symbol: options.symbol,
    markPrice,
    indexPrice: roundTo(markPrice / (1 + premium), priceDecimals),
    predictedFundingRate: normalizeFundingRate(lastRate),
    nextFundingTime: nextFundingBoundary(startTime),
    time: startTime,
  };
  return {
    symbol: options.symbol,
    startTime,
    funding,
    candles,
    forming,
    mark,
    endVariance: series.endVariance,
    ...generateStreams(opts, series, statPeriods, premium, mark),
  };
}

type StreamHistory = Pick<
  SymbolHistory,
  'openInterest' | 'longShortRatios' | 'takerVolume' | 'basis' | 'liquidations' | 'ticker' | 'spot' | 'bookTicker' | 'orderBook' | 'streamSeed'
>;

/** The simulated market models its index (labelled SIMULATED), so its mark always carries one. */
type ModelledMark = MarkPrice & { indexPrice: number };

/** The derivatives streams of the backfill (see the module comment). */
function generateStreams(options: HistoryOptions, series: MinuteSeries, statPeriods: number, endPremium: number, mark: ModelledMark): StreamHistory {
  const profile = symbolProfile(options.symbol);
  const { symbol, startTime } = options;
  const rng = createRng(deriveSeed(options.seed, 'history-streams', startTime, symbol));
  const qtyDecimals = decimalsOf(profile.stepSize);
  const priceDecimals = decimalsOf(profile.tickSize) + 2;
  const minutes = series.volume.length;
  const from = Math.max(0, minutes - STREAM_LOOKBACK_MINUTES);
  const liquidationFrom = Math.max(from, minutes - LIQUIDATION_LOOKBACK_MINUTES);
  const lastBoundary = Math.floor(startTime / STAT_PERIOD_MS) * STAT_PERIOD_MS;
  const firstBoundary = lastBoundary - (statPeriods - 1) * STAT_PERIOD_MS;

  const positioning = new PositioningModel(profile, rng.fork('positioning'));
  const book = new PositionBook(LIQUIDATION_PARAMS.maxPositions);
  const bookRng = rng.fork('positions');
  const basisRng = rng.fork('basis');
  const aPremium = Math.pow(0.5, 1 / BASIS_PREMIUM.halfLifeMinutes);
  let premium = endPremium + BASIS_PREMIUM.std * basisRng.normal();

  const out: StreamHistory = {
    openInterest: [],
    longShortRatios: [],
    takerVolume: [],
    basis: [],
    liquidations: [],
    ticker: null,
    spot: spotRecord(profile, mark.indexPrice, SPOT_PARAMS.spotStd * rng.normal(), startTime),
    bookTicker: drawBookTicker(profile, rng, profile.startPrice, startTime, series.endVariance / baselineMinuteVariance(profile)),
    orderBook: { symbol, bids: [], asks: [], time: startTime },
    streamSeed: { bars: [], positioning: positioning.seed(), positions: [], takerPeriod: { periodStart: lastBoundary, buyQty: 0, sellQty: 0 } },
  };
  out.orderBook = drawOrderBook(profile, rng, out.bookTicker, series.endVariance / baselineMinuteVariance(profile));

  let periodBuy = 0;
  let periodVolume = 0;
  for (let k = from; k < minutes; k++) {
    const openTime = series.start + k * MINUTE_MS;
    const time = openTime + MINUTE_MS;
    const open = Math.exp(series.logPrice[k] ?? 0);
    const close = Math.exp(series.logPrice[k + 1] ?? 0);
    const logHigh = series.logHigh[k] ?? 0;
    const logLow = series.logLow[k] ?? 0;
    const volume = series.volume[k] ?? 0;
    const takerBuy = series.takerBuy[k] ?? 0;
    out.streamSeed.bars.push({
      openTime,
      open,
      high: Math.exp(logHigh),
      low: Math.exp(logLow),
      close,
      volume,
      quoteVolume: series.quoteVolume[k] ?? 0,
      takerBuy,
    });

    let liquidatedQty = 0;
    if (k >= liquidationFrom) {
      for (const position of book.takeCrossed(Math.exp(logLow), Math.exp(logHigh))) {
        const at = openTime + bookRng.int(MINUTE_MS);
        out.liquidations.push(liquidationRecord(profile, position, liquidationFill(profile, position, position.liquidationPrice), at));
        liquidatedQty += position.qty;
      }
      book.expire(time);
      const activity = (series.trades[k] ?? 0) / (profile.tradesPerSecond * 60);
      const count = bookRng.poisson(LIQUIDATION_PARAMS.openRate * 60 * clamp(activity, 0.3, 4));
      const imbalance = volume > 0 ? (2 * takerBuy - volume) / volume : 0;
      const pLong = clamp(positioning.shares().GLOBAL_ACCOUNTS + LIQUIDATION_PARAMS.flowSideLean * imbalance, 0.05, 0.95);
      for (let i = 0; i < count; i++) {
        const price = Math.exp(logLow + (logHigh - logLow) * bookRng.uniform());
        book.add(drawPosition(profile, bookRng, price, openTime + bookRng.int(MINUTE_MS), pLong));
      }
    }

    positioning.minute({ close, buyQty: takerBuy, sellQty: volume - takerBuy, liquidatedQty });
    premium = endPremium + (premium - endPremium) * aPremium + BASIS_PREMIUM.std * Math.sqrt(1 - aPremium * aPremium) * basisRng.normal();
    periodBuy += takerBuy;
    periodVolume += volume;
    if (time % STAT_PERIOD_MS === 0) {
      if (time >= firstBoundary && time <= lastBoundary && statPeriods > 0) {
        out.openInterest.push(openInterestRecord(symbol, positioning.openInterest, close, time, qtyDecimals));
        out.longShortRatios.push(...longShortRecords(symbol, positioning.shares(), time));
        // Same sums, in the same order, as the 5m candle: buy + sell equals the candle's volume.
        const buy = roundTo(periodBuy, qtyDecimals);
        out.takerVolume.push(takerVolumeRecord(symbol, buy, roundTo(roundTo(periodVolume, qtyDecimals) - buy, qtyDecimals), time, qtyDecimals, profile.stepSize));
        const futuresPrice = roundTo(close, priceDecimals);
        out.basis.push(basisRecord(profile, futuresPrice, roundTo(futuresPrice / (1 + premium), priceDecimals), time));
      }
      periodBuy = 0;
      periodVolume = 0;
    } else if (k === minutes - 1 && time > lastBoundary && statPeriods > 0) {
      // The live stream publishes open interest every minute: end the backfill with the last minute's value, as
      // the venue's current-OI endpoint would, so the series has no gap (and no overdue input) until the next minute.
      out.openInterest.push(openInterestRecord(symbol, positioning.openInterest, close, time, qtyDecimals));
    }
  }
  // Positions opened in the last bar whose liquidation price the start price has already crossed were
  // liquidated before the start (the bar's path order is unknown): do not hand them to the live model.
  if (minutes > liquidationFrom) {
    const lastOpen = series.start + (minutes - 1) * MINUTE_MS;
    const startPrice = Math.exp(series.logPrice[minutes] ?? 0);
    for (const position of book.takeCrossed(startPrice, startPrice)) {
      const at = Math.min(startTime - 1, lastOpen + bookRng.int(MINUTE_MS));
      out.liquidations.push(liquidationRecord(profile, position, liquidationFill(profile, position, position.liquidationPrice), at));
    }
  }
  out.liquidations.sort((a, b) => a.time - b.time);
  out.streamSeed.positioning = positioning.seed();
  out.streamSeed.positions = book.snapshot();
  out.streamSeed.takerPeriod = { periodStart: lastBoundary, buyQty: periodBuy, sellQty: periodVolume - periodBuy };
  const window = new MinuteWindow(STREAM_LOOKBACK_MINUTES, out.streamSeed.bars);
  out.ticker = tickerRecord(profile, window, mark.markPrice, startTime);
  return out;
}

// --- Market-wide backfill ---

export interface MarketHistoryOptions {
  seed: number;
  startTime: number;
  /** Daily fear & greed values to backfill (default 365). */
  fearGreedDays?: number;
}

export interface MarketHistory {
  startTime: number;
  /** Daily values at 00:00 UTC, oldest first; the last is today's. */
  fearGreed: FearGreed[];
  /** Global market at the start time. */
  global: GlobalMarket;
  /** BTC and ETH options chains at the start time. */
  options: OptionsChain[];
  /** State for the live market-wide generator. */
  seed: MarketWideSeed;
  /**
   * The daily BTC and ETH log closes behind fear & greed (each UTC midnight, then the start time), oldest
   * first. The BTC/ETH candle backfill is bridged through them, so the simulated price and the simulated
   * sentiment describe one market.
   */
  dailyLogCloses: Record<OptionCurrency, { time: number; log: number }[]>;
}

/** Parameters of the daily process behind the market-wide backfill. */
const DAILY_PROCESS = { alpha: 0.1, beta: 0.85, burnIn: 60, altIdioStd: 0.012, extraDays: 40 } as const;

/**
 * Market-wide backfill: a daily process for BTC, ETH and "alts" (GARCH(1,1) daily variance with Student-t(4)
 * shocks on a common factor, BTC/ETH loadings 0.9/0.85; alts = ALT_BETA × the BTC/ETH average plus noise)
 * over `fearGreedDays` + 40 days, anchored to end at the start prices at `startTime`. From it: the daily
 * fear & greed series (`fearGreedValue`), the global market at the start, and the options chains at the
 * start. This path is the market-wide streams' own: it is not the per-symbol candle backfill's path.
 * Deterministic for (seed, startTime).
 */
export function generateMarketHistory(options: MarketHistoryOptions): MarketHistory {
  const startTime = Math.floor(options.startTime);
  const fgDays = Math.max(1, Math.floor(options.fearGreedDays ?? 365));
  const rng = createRng(deriveSeed(options.seed, 'history-market', startTime));
  const day0 = Math.floor(startTime / DAY_MS) * DAY_MS;
  const days = fgDays + DAILY_PROCESS.extraDays;
  const baselines: Record<OptionCurrency, number> = { BTC: longRunVariance('BTC') / 365, ETH: longRunVariance('ETH') / 365 };
  const baseline = (c: OptionCurrency): number => baselines[c];
  const state: Record<OptionCurrency, number> = { BTC: baseline('BTC'), ETH: baseline('ETH') };
  const loadings: Record<OptionCurrency, number> = { BTC: 0.9, ETH: 0.85 };
  const logs: Record<OptionCurrency | 'ALT', Float64Array> = {
    BTC: new Float64Array(days + 1),
    ETH: new Float64Array(days + 1),
    ALT: new Float64Array(days + 1),
  };
  const factorRng = rng.fork('factor');
  const idioRng = { BTC: rng.fork('BTC'), ETH: rng.fork('ETH') };
  const altRng = rng.fork('alts');
  // Point i (0..days−1) is the close at day0 − (days − 1 − i) days; point `days` is startTime.
  const fraction = (startTime - day0) / DAY_MS;
  for (let i = -DAILY_PROCESS.burnIn; i < days; i++) {
    const scale = i === days - 1 ? fraction : 1;
    const m = clamp(factorRng.standardT(GARCH_PARAMS.nu), -GARCH_PARAMS.tailCap, GARCH_PARAMS.tailCap);
    const r: Record<OptionCurrency, number> = { BTC: 0, ETH: 0 };
    for (const c of OPTION_CURRENCIES) {
      const beta = loadings[c];
      const e = clamp(idioRng[c].standardT(GARCH_PARAMS.nu), -GARCH_PARAMS.tailCap, GARCH_PARAMS.tailCap);
      const z = beta * m + Math.sqrt(1 - beta * beta) * e;
      const h = state[c];
      const shock = Math.sqrt(h * scale) * z;
      r[c] = (-h * scale) / 2 + shock;
      const base = baseline(c);
      const unitShock = Math.sqrt(h) * z;
      state[c] = clamp(base * (1 - DAILY_PROCESS.alpha - DAILY_PROCESS.beta) + DAILY_PROCESS.alpha * unitShock * unitShock + DAILY_PROCESS.beta * h, base * 0.2, base * 10);
    }
    const alt = ALT_BETA * ((r.BTC + r.ETH) / 2) + DAILY_PROCESS.altIdioStd * Math.sqrt(scale) * altRng.normal();
    if (i < 0) continue;
    logs.BTC[i + 1] = (logs.BTC[i] ?? 0) + r.BTC;
    logs.ETH[i + 1] = (logs.ETH[i] ?? 0) + r.ETH;
    logs.ALT[i + 1] = (logs.ALT[i] ?? 0) + alt;
  }
  const caps = startMarketCaps();
  const anchorTo = (series: Float64Array, target: number): void => {
    const shift = target - (series[days] ?? 0);
    for (let i = 0; i <= days; i++) series[i] = (series[i] ?? 0) + shift;
  };
  anchorTo(logs.BTC, Math.log(symbolProfile('BTCUSDT').startPrice));
  anchorTo(logs.ETH, Math.log(symbolProfile('ETHUSDT').startPrice));
  anchorTo(logs.ALT, Math.log(caps.alts));
  // Point i is at time pointTime(i); logs at other times interpolate linearly between points.
  const pointTime = (i: number): number => (i === days ? startTime : day0 - (days - 1 - i) * DAY_MS);
  const logAt = (series: Float64Array, time: number): number => {
    if (time >= startTime) return series[days] ?? 0;
    const i = Math.floor((time - pointTime(0)) / DAY_MS);
    if (i < 0) return series[0] ?? 0;
    const t0 = pointTime(i);
    const t1 = pointTime(i + 1);
    const a = series[i] ?? 0;
    const b = series[i + 1] ?? a;
    return t1 > t0 ? a + ((b - a) * (time - t0)) / (t1 - t0) : a;
  };
  const totalAt = (time: number): number => totalMarketCap(Math.exp(logAt(logs.BTC, time)), Math.exp(logAt(logs.ETH, time)), Math.exp(logAt(logs.ALT, time)));

  // Fear & greed at each of the last fgDays midnights (points days − fgDays … days − 1).
  const fgRng = rng.fork('fear-greed');
  const closes = Array.from(logs.BTC.subarray(0, days));
  let noise = 0;
  const fearGreed: FearGreed[] = [];
  for (let i = 0; i < days; i++) {
    noise = FEAR_GREED_NOISE.persistence * noise + FEAR_GREED_NOISE.std * fgRng.normal();
    if (i < days - fgDays) continue;
    fearGreed.push(fearGreedRecord(fearGreedValue(closes.slice(Math.max(0, i - 40), i + 1), noise), pointTime(i)));
  }

  const totals: { time: number; total: number }[] = [];
  const lastFive = Math.floor(startTime / STAT_PERIOD_MS) * STAT_PERIOD_MS;
  for (let t = lastFive - DAY_MS; t <= lastFive; t += STAT_PERIOD_MS) totals.push({ time: t, total: totalAt(t) });

  const currencies = {} as Record<OptionCurrency, CurrencyState>;
  for (const c of OPTION_CURRENCIES) {
    const series = logs[c];
    let anchor = 0;
    for (let i = days - 3; i < days; i++) anchor += Math.exp(series[i] ?? 0) / 3;
    currencies[c] = {
      realizedVar: state[c] * 365,
      trend: (series[days] ?? 0) - logAt(series, startTime - 3 * DAY_MS),
      ivLevel: 0,
      anchor,
    };
  }
  const btcStart = symbolProfile('BTCUSDT').startPrice;
  const ethStart = symbolProfile('ETHUSDT').startPrice;
  const seed: MarketWideSeed = {
    dailyCloses: closes.slice(-64),
    fearGreedNoise: noise,
    altLog: logs.ALT[days] ?? Math.log(caps.alts),
    altNoise: 0,
    totals,
    currencies,
  };
  const instrumentSeed = deriveSeed(options.seed, 'options');
  const interest = FUNDING_MODEL.interestRate;
  return {
    startTime,
    fearGreed,
    global: globalRecord(startTime, btcStart, ethStart, caps.alts, 1, totalAt(startTime - DAY_MS)),
    options: [
      chainFor('BTC', currencies.BTC, startTime, btcStart, interest, 1, instrumentSeed, SIMULATED_VENUE),
      chainFor('ETH', currencies.ETH, startTime, ethStart, interest, 1, instrumentSeed, SIMULATED_VENUE),
    ].flatMap((e) => (e.type === 'optionsChain' ? [e.chain] : [])),
    seed,
    dailyLogCloses: {
      BTC: Array.from(logs.BTC, (log, i) => ({ time: pointTime(i), log })),
      ETH: Array.from(logs.ETH, (log, i) => ({ time: pointTime(i), log })),
    },
  };
}
