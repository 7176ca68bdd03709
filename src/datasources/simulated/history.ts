import {
  candleOpenTime,
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
import { baselineMinuteVariance } from './core.js';
import { anchoredMinute, dailyAnchors, dayBlock, dayIndex } from './generators/anchored-bars.js';
import { formingAt } from './generators/anchored-trades.js';
import { BOOK_PARAMS, bookTickerAt, orderBookAt } from './generators/book.js';
import { emptyBar, mergeBar, SIMULATED_INTERVALS, toCandle, type FormingBar } from './generators/candles.js';
import { fearGreedAt, globalAt, OPTION_CURRENCIES, OPTIONS_EVERY_MS, optionsChainAt, type OptionCurrency } from './generators/market-wide.js';
import { logCloseAt, markAt } from './generators/second-marks.js';
import { FUNDING_MODEL, normalizeFundingRate } from './generators/mark-funding.js';
import { settledFundingRates } from './generators/settled-funding.js';
import { MinuteWindow, type MinuteBar } from './generators/minute-bars.js';
import { longShortRecords, openInterestRecord, takerVolumeRecord, type TakerPeriodSeed } from './generators/positioning.js';
import { engineBarAt, engineStartFor, LEAN_MINUTES, minutePath, PositioningEngine, type EngineState } from './generators/positioning-engine.js';
import { basisRecord, spotRecord, tickerAt } from './generators/spot-ticker.js';
import { activityFactor, expectedTradeQty } from './generators/trades.js';
import { decimalsOf, roundTo, roundToStep } from './numeric.js';
import { SIMULATED_VENUE, symbolProfile } from './profiles.js';
import { deriveSeed } from './random.js';
import { DAY_MS, FUNDING_INTERVAL_MS, lastFundingBoundary, MINUTE_MS, nextFundingBoundary, SECOND_MS, STAT_PERIOD_MS } from './time.js';

/**
 * Deterministic backfill for the simulated market, cheap enough to run at start-up.
 *
 * Candles: the venue's minute bars (`generators/anchored-bars.ts`, a function of (seed, symbol, minute)
 * only: day-anchored Student-t(4) shocks, GARCH(1,1) variance, a common market factor), merged into every
 * interval exactly as the live candle book merges them, so a bar a run formed live is the bar any later run
 * backfills. Daily and weekly bars are merges of their minute bars too, back to the Monday `DAILY_HISTORY_WEEKS`
 * weeks before the start's week (older ones are not served). The forming bars at the start are the merged
 * minutes before the start minute plus that minute's trades before the start (`formingAt`, shared with the
 * live model).
 *
 * Funding: the settled rates are a function of (seed, symbol, fundingTime) only
 * (`generators/settled-funding.ts`: a slowly varying mean around the 0.01 % interest rate plus a short-lived
 * Student-t deviation, written as finite moving averages of per-settlement shocks), so runs started at
 * different times agree on every settlement; the live model settles the same rates.
 *
 * Derivatives streams, from the same minute series:
 * - open interest, the three long/short ratios and liquidations: the positioning engine
 *   (`generators/positioning-engine.ts`) the live model continues, started on its grid far enough back that
 *   every published minute is exact (crowd state: the 5-day grid point whose run publishes when the position
 *   book starts; book: empty, 6 h before the first published minute, since no position is held longer). So
 *   they are functions of (seed, symbol, time) like the bars; the engine's state at the start minute is
 *   handed to the live model (`streamSeed.engine`). Published: OI and ratios at the last `statPeriods`
 *   5-minute boundaries, liquidations of the last `liquidationMinutes` (6 h) and the start minute's before
 *   the start time;
 * - taker buy/sell volume of those periods, equal to the 5m candles' taker-buy / total volume;
 * - basis at the same boundaries: the live stream's mark and index then (`second-marks.ts`);
 * - ticker24h, mark, spot, book ticker and order book as the live streams last published them before the
 *   start (functions of (seed, symbol, time)).
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
  /** Minutes of liquidations to backfill before the start (default 360; 0 = none, only the live state). */
  liquidationMinutes?: number;
}

/** State of the derivatives streams at the start time, for the live model. */
export interface StreamSeed {
  /** The last day of one-minute bars, oldest first, ending at the start minute. */
  bars: MinuteBar[];
  /** The positioning engine (crowd runs and position books) at the start minute. */
  engine: EngineState;
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
/**
 * Binance backfills 200 weekly bars; the simulated venue asks for as many, but `firstOpenTime` cuts daily and
 * weekly bars at DAILY_HISTORY_WEEKS (24 weekly, about 170 daily bars): enough for the multi-timeframe
 * regime's 21 closed weekly bars.
 */
const DEFAULT_CANDLE_COUNTS: Partial<Record<CandleInterval, number>> = { '1w': 200 };
/**
 * Daily and weekly bars reach back this many weeks before the start's week (Monday 00:00 UTC): every one is
 * the merge of its minute bars, so the first served day is a function of the start's week, never a bar that
 * contradicts another run's.
 */
export const DAILY_HISTORY_WEEKS = 24;
const WEEK_MS = 7 * DAY_MS;
/** 1970-01-01 was a Thursday: Monday midnights are 4 days after multiples of a week. */
const MONDAY_OFFSET_MS = 4 * DAY_MS;
const DEFAULT_STAT_PERIODS = 30;
const DEFAULT_LIQUIDATION_MINUTES = 360;
/** Minutes of bars behind the derivatives streams (the rolling 24 h ticker needs a day). */
const STREAM_LOOKBACK_MINUTES = 1_440;
/** Premium OU of the basis backfill: half-life and stationary sd, per minute. */
const BASIS_PREMIUM = { halfLifeMinutes: 60, std: 0.0002 } as const;
const DAY_MINUTES = 1_440;

/** Minute-level series of the backfill (typed arrays: 120 000 minutes cost about ten megabytes). */
interface MinuteSeries {
  /** Open time of minute 0 (a UTC midnight). */
  start: number;
  /** logPrice[k] = log path at start + k minutes (length minutes + 1). */
  logPrice: Float64Array;
  /** The venue's minute bars (`anchored-bars.ts`): prices on the tick, volumes in whole lots. */
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  quoteVolume: Float64Array;
  takerBuy: Float64Array;
  trades: Float64Array;
  varianceRatio: Float64Array;
  /** GARCH variance of the minute containing the start time. */
  endVariance: number;
}

/** Open time of the first backfilled bar of an interval: `count` bars back, daily/weekly no further than `DAILY_HISTORY_WEEKS`. */
function firstOpenTime(interval: CandleInterval, startTime: number, count: number): number {
  const ms = INTERVAL_MS[interval];
  const first = candleOpenTime(interval, startTime) - count * ms;
  if (ms < DAY_MS) return first;
  const monday = Math.floor((startTime - MONDAY_OFFSET_MS) / WEEK_MS) * WEEK_MS + MONDAY_OFFSET_MS;
  return Math.max(first, monday - DAILY_HISTORY_WEEKS * WEEK_MS);
}

function candleCountFor(count: HistoryOptions['candleCount'], interval: CandleInterval): number {
  const fallback = DEFAULT_CANDLE_COUNTS[interval] ?? DEFAULT_CANDLE_COUNT;
  if (count === undefined) return fallback;
  if (typeof count === 'number') return count;
  return count[interval] ?? fallback;
}

/** Minutes [start, end) of the venue's minute bars; `start` and `end` are multiples of a minute. */
function generateMinutes(options: HistoryOptions, start: number, end: number): MinuteSeries {
  const minutes = Math.round((end - start) / MINUTE_MS);
  const series: MinuteSeries = {
    start,
    logPrice: new Float64Array(minutes + 1),
    open: new Float64Array(minutes),
    high: new Float64Array(minutes),
    low: new Float64Array(minutes),
    close: new Float64Array(minutes),
    volume: new Float64Array(minutes),
    quoteVolume: new Float64Array(minutes),
    takerBuy: new Float64Array(minutes),
    trades: new Float64Array(minutes),
    varianceRatio: new Float64Array(minutes),
    endVariance: 0,
  };
  let k = 0;
  while (k < minutes) {
    const time = start + k * MINUTE_MS;
    const day = dayIndex(time);
    const block = dayBlock(options.seed, options.symbol, day, day >= dayIndex(end) - 8);
    const j0 = Math.round((time - day * DAY_MS) / MINUTE_MS);
    const n = Math.min(DAY_MINUTES - j0, minutes - k);
    series.logPrice.set(block.logPrice.subarray(j0, j0 + n + 1), k);
    series.open.set(block.open.subarray(j0, j0 + n), k);
    series.high.set(block.high.subarray(j0, j0 + n), k);
    series.low.set(block.low.subarray(j0, j0 + n), k);
    series.close.set(block.close.subarray(j0, j0 + n), k);
    series.volume.set(block.volume.subarray(j0, j0 + n), k);
    series.quoteVolume.set(block.quoteVolume.subarray(j0, j0 + n), k);
    series.takerBuy.set(block.takerBuy.subarray(j0, j0 + n), k);
    series.trades.set(block.trades.subarray(j0, j0 + n), k);
    series.varianceRatio.set(block.varianceRatio.subarray(j0, j0 + n), k);
    k += n;
  }
  series.endVariance = anchoredMinute(options.seed, options.symbol, end).block.variance[Math.round((end % DAY_MS) / MINUTE_MS)] ?? 0;
  return series;
}

/** Merge minutes [from, to) of the series into one bar: the same merges, in the same order, as the live candle book. */
function aggregate(series: MinuteSeries, openTime: number, from: number, to: number): FormingBar {
  // `mergeBar` inlined (same operations in the same order: the sums are bit-identical to the live book's).
  const bar = emptyBar(openTime, series.open[from] ?? 0);
  const { open, high, low, close, volume, quoteVolume, takerBuy, trades } = series;
  for (let k = from; k < to; k++) {
    const h = high[k]!;
    const l = low[k]!;
    if (bar.empty) {
      bar.open = open[k]!;
      bar.high = h;
      bar.low = l;
      bar.empty = false;
    } else {
      if (h > bar.high) bar.high = h;
      if (l < bar.low) bar.low = l;
    }
    bar.close = close[k]!;
    bar.volume += volume[k]!;
    bar.quoteVolume += quoteVolume[k]!;
    bar.takerBuyVolume += takerBuy[k]!;
    bar.trades += trades[k]!;
  }
  return bar;
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
    const count = Math.max(0, Math.floor(candleCountFor(options.candleCount, interval)));
    start = Math.min(start, firstOpenTime(interval, startTime, count));
  }
  if (fundingCount > 0) {
    start = Math.min(start, lastFundingBoundary(startTime) - (fundingCount - 1) * FUNDING_INTERVAL_MS - DAY_MINUTES * MINUTE_MS);
  }
  const statPeriods = Math.max(0, Math.floor(options.statPeriods ?? DEFAULT_STAT_PERIODS));
  const liquidationMinutes = Math.max(0, Math.floor(options.liquidationMinutes ?? DEFAULT_LIQUIDATION_MINUTES));
  start = Math.min(start, end - STREAM_LOOKBACK_MINUTES * MINUTE_MS, Math.floor(startTime / STAT_PERIOD_MS) * STAT_PERIOD_MS - statPeriods * STAT_PERIOD_MS);
  // The positioning engine starts on its grid, with the bars of its long/short lean window before that.
  start = Math.min(start, engineStartFor(streamsEarliest(end, startTime, statPeriods, liquidationMinutes)).crowdFrom - LEAN_MINUTES * MINUTE_MS);
  // Monday-aligned, so the series holds whole days and weeks.
  start = Math.floor((start - MONDAY_OFFSET_MS) / WEEK_MS) * WEEK_MS + MONDAY_OFFSET_MS;
  const series = generateMinutes(opts, start, end);
  const qtyDecimals = decimalsOf(profile.stepSize);
  const startForming = formingAt(options.seed, options.symbol, intervals, startTime);

  const candles = new Map<CandleInterval, Candle[]>();
  const forming: Candle[] = [];
  for (const interval of intervals) {
    const ms = INTERVAL_MS[interval];
    const perBar = ms / MINUTE_MS;
    const count = Math.max(0, Math.floor(candleCountFor(options.candleCount, interval)));
    const closedEnd = candleOpenTime(interval, startTime);
    const list: Candle[] = [];
    for (let openTime = firstOpenTime(interval, startTime, count); openTime < closedEnd; openTime += ms) {
      // Every bar is the merge of its minute bars, in the live book's order (sums bit-identical to a bar closed live).
      const from = (openTime - start) / MINUTE_MS;
      const bar = aggregate(series, openTime, from, from + perBar);
      list.push(toCandle(options.symbol, interval, bar, true, qtyDecimals));
    }
    candles.set(interval, list);
    const closed = startForming.closed.get(interval);
    if (closed) {
      const bar = { ...closed };
      if (!startForming.partial.empty) mergeBar(bar, startForming.partial);
      if (!bar.empty) forming.push(toCandle(options.symbol, interval, bar, false, qtyDecimals));
    }
  }

  const funding = generateFunding(opts, series, fundingCount);
  // The mark at the start is the live stream's value for the last whole second (a function of time).
  const markTime = Math.floor(startTime / SECOND_MS) * SECOND_MS;
  const marks = markAt(options.seed, options.symbol, markTime);
  const mark: ModelledMark = {
    symbol: options.symbol,
    markPrice: marks.markPrice,
    indexPrice: marks.indexPrice,
    predictedFundingRate: marks.predictedFundingRate,
    nextFundingTime: nextFundingBoundary(markTime),
    time: markTime,
  };
  return {
    symbol: options.symbol,
    startTime,
    funding,
    candles,
    forming,
    mark,
    endVariance: series.endVariance,
    ...generateStreams(opts, series, statPeriods, liquidationMinutes, mark),
  };
}

type StreamHistory = Pick<
  SymbolHistory,
  'openInterest' | 'longShortRatios' | 'takerVolume' | 'basis' | 'liquidations' | 'ticker' | 'spot' | 'bookTicker' | 'orderBook' | 'streamSeed'
>;

/** The simulated market models its index (labelled SIMULATED), so its mark always carries one. */
type ModelledMark = MarkPrice & { indexPrice: number };

/** The derivatives streams of the backfill (see the module comment). */
function generateStreams(
  options: HistoryOptions,
  series: MinuteSeries,
  statPeriods: number,
  liquidationMinutes: number,
  mark: ModelledMark,
): StreamHistory {
  const profile = symbolProfile(options.symbol);
  const { seed, symbol, startTime } = options;
  const qtyDecimals = decimalsOf(profile.stepSize);
  const minutes = series.volume.length;
  const end = series.start + minutes * MINUTE_MS;
  // The last day of bars is handed to the live ticker; the statistics periods may reach further back.
  const barsFrom = Math.max(0, minutes - STREAM_LOOKBACK_MINUTES);
  const lastBoundary = Math.floor(startTime / STAT_PERIOD_MS) * STAT_PERIOD_MS;
  const firstBoundary = lastBoundary - (statPeriods - 1) * STAT_PERIOD_MS;
  const liquidationsFrom = end - liquidationMinutes * MINUTE_MS;
  const from = Math.max(0, Math.min(barsFrom, Math.round((firstBoundary - STAT_PERIOD_MS - series.start) / MINUTE_MS)));
  const { crowdFrom, bookFrom } = engineStartFor(streamsEarliest(end, startTime, statPeriods, liquidationMinutes));
  const engine = PositioningEngine.begin(seed, symbol, crowdFrom, bookFrom);

  const out: StreamHistory = {
    openInterest: [],
    longShortRatios: [],
    takerVolume: [],
    basis: [],
    liquidations: [],
    ticker: null,
    // The live streams' values as of the start: functions of (seed, symbol, time), as a run already live shows them.
    spot: spotRecord(profile, mark.indexPrice, markAt(seed, symbol, mark.time).spotDeviation, mark.time),
    bookTicker: bookTickerAt(seed, profile, mark.time),
    orderBook: orderBookAt(seed, profile, Math.floor(startTime / (BOOK_PARAMS.snapshotEverySeconds * SECOND_MS)) * BOOK_PARAMS.snapshotEverySeconds * SECOND_MS),
    streamSeed: { bars: [], engine: engine.snapshot(), takerPeriod: { periodStart: lastBoundary, buyQty: 0, sellQty: 0 } },
  };

  // The engine from its first grid point (open interest, ratios, liquidations: `positioning-engine.ts`).
  const first = Math.round((crowdFrom - series.start) / MINUTE_MS);
  let periodBuy = 0;
  let periodVolume = 0;
  for (let k = Math.min(first, from); k < minutes; k++) {
    const openTime = series.start + k * MINUTE_MS;
    const time = openTime + MINUTE_MS;
    const close = series.close[k] ?? 0;
    const volume = series.volume[k] ?? 0;
    const takerBuy = series.takerBuy[k] ?? 0;
    const result =
      k >= first
        ? engine.minute(
            { openTime, close, volume, takerBuy, varianceRatio: series.varianceRatio[k] ?? 1, leanClose: series.close[k - LEAN_MINUTES] ?? 0 },
            () => minutePath(seed, symbol, openTime),
          )
        : null;
    if (result && openTime >= liquidationsFrom) out.liquidations.push(...result.liquidations);
    if (k < from) continue;
    if (k >= barsFrom) {
      out.streamSeed.bars.push({
        openTime,
        open: series.open[k] ?? 0,
        high: series.high[k] ?? 0,
        low: series.low[k] ?? 0,
        close,
        volume,
        quoteVolume: series.quoteVolume[k] ?? 0,
        takerBuy,
      });
    }
    periodBuy += takerBuy;
    periodVolume += volume;
    if (time % STAT_PERIOD_MS === 0) {
      if (time >= firstBoundary && time <= lastBoundary && statPeriods > 0) {
        const oi = result ? engine.openInterest() : null;
        if (oi !== null) out.openInterest.push(openInterestRecord(symbol, oi, close, time, qtyDecimals));
        if (result?.shares) out.longShortRatios.push(...longShortRecords(symbol, result.shares, time));
        // Same sums, in the same order, as the 5m candle: buy + sell equals the candle's volume.
        const buy = roundTo(periodBuy, qtyDecimals);
        out.takerVolume.push(takerVolumeRecord(symbol, buy, roundTo(roundTo(periodVolume, qtyDecimals) - buy, qtyDecimals), time, qtyDecimals, profile.stepSize));
        const marks = markAt(seed, symbol, time);
        out.basis.push(basisRecord(profile, marks.markPrice, marks.indexPrice, time));
      }
      periodBuy = 0;
      periodVolume = 0;
    } else if (k === minutes - 1 && time > lastBoundary && statPeriods > 0) {
      // The live stream publishes open interest every minute: end the backfill with the last minute's value, as
      // the venue's current-OI endpoint would, so the series has no gap (and no overdue input) until the next minute.
      const oi = result ? engine.openInterest() : null;
      if (oi !== null) out.openInterest.push(openInterestRecord(symbol, oi, close, time, qtyDecimals));
    }
  }
  // The live model continues from here (the start minute); the start minute's liquidations before the start
  // time are the backfill's.
  out.streamSeed.engine = engine.snapshot();
  if (liquidationMinutes > 0) {
    const startMinute = engine.minute(engineBarAt(seed, symbol, end), () => minutePath(seed, symbol, end));
    for (const liquidation of startMinute.liquidations) if (liquidation.time < startTime) out.liquidations.push(liquidation);
  }
  out.streamSeed.takerPeriod = { periodStart: lastBoundary, buyQty: periodBuy, sellQty: periodVolume - periodBuy, volumeQty: periodVolume };
  const window = new MinuteWindow(STREAM_LOOKBACK_MINUTES, out.streamSeed.bars);
  out.ticker = tickerAt(profile, window, end);
  return out;
}

/** The first minute whose streams the backfill publishes (open interest, ratios, liquidations) or needs (the live state). */
function streamsEarliest(end: number, startTime: number, statPeriods: number, liquidationMinutes: number): number {
  const lastBoundary = Math.floor(startTime / STAT_PERIOD_MS) * STAT_PERIOD_MS;
  let earliest = end;
  // The open interest published at a boundary is the value at the end of the minute before it.
  if (statPeriods > 0) earliest = Math.min(earliest, lastBoundary - statPeriods * STAT_PERIOD_MS + STAT_PERIOD_MS - MINUTE_MS);
  if (liquidationMinutes > 0) earliest = Math.min(earliest, end - liquidationMinutes * MINUTE_MS);
  return earliest;
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
  /** Global market as of the start time (the last 5-minute publication). */
  global: GlobalMarket;
  /** BTC and ETH options chains as of the start time (the last 30-second publication). */
  options: OptionsChain[];
  /**
   * The daily BTC and ETH log closes behind fear & greed (each UTC midnight), oldest first: the venue's daily
   * anchors, which every BTC/ETH candle passes through, so the simulated price and the simulated sentiment
   * describe one market.
   */
  dailyLogCloses: Record<OptionCurrency, { time: number; log: number }[]>;
}

/**
 * Market-wide backfill: the daily fear & greed of the last `fearGreedDays` midnights (`fearGreedAt`), and the
 * global market and options chains the live streams last published before the start (at the last 5-minute and
 * 30-second marks). Every value is a function of (seed, time) (`market-wide.ts`), the same a run already live
 * published then.
 */
export function generateMarketHistory(options: MarketHistoryOptions): MarketHistory {
  const startTime = Math.floor(options.startTime);
  const fgDays = Math.max(1, Math.floor(options.fearGreedDays ?? 365));
  const today = dayIndex(startTime);
  const fearGreed: FearGreed[] = [];
  for (let day = today - fgDays + 1; day <= today; day++) fearGreed.push(fearGreedAt(options.seed, day));
  const globalTime = Math.floor(startTime / STAT_PERIOD_MS) * STAT_PERIOD_MS;
  const global = globalAt(
    options.seed,
    globalTime,
    Math.exp(logCloseAt(options.seed, 'BTCUSDT', globalTime)),
    Math.exp(logCloseAt(options.seed, 'ETHUSDT', globalTime)),
  );
  const chainTime = Math.floor(startTime / OPTIONS_EVERY_MS) * OPTIONS_EVERY_MS;
  const instrumentSeed = deriveSeed(options.seed, 'options');
  const chains = OPTION_CURRENCIES.map((c) => {
    const m = markAt(options.seed, `${c}USDT`, chainTime);
    return optionsChainAt(options.seed, c, chainTime, { indexPrice: m.indexPrice, fundingRate: m.predictedFundingRate }, instrumentSeed, SIMULATED_VENUE);
  });
  const firstDay = today - fgDays - 40;
  const closes = (c: OptionCurrency) => Array.from(dailyAnchors(options.seed, `${c}USDT`, firstDay, today), (log, i) => ({ time: (firstDay + i) * DAY_MS, log }));
  return {
    startTime,
    fearGreed,
    global,
    options: chains.flatMap((e) => (e.type === 'optionsChain' ? [e.chain] : [])),
    dailyLogCloses: { BTC: closes('BTC'), ETH: closes('ETH') },
  };
}
