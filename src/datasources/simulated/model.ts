import type { Candle, CandleInterval, MarketEvent, MarkPrice, Trade } from '../../domain/market.js';
import { anchoredMinute, type DayBlock } from './generators/anchored-bars.js';
import { formingAt, minuteInside } from './generators/anchored-trades.js';
import { BookGenerator } from './generators/book.js';
import { CandleBook, SIMULATED_INTERVALS, type FormingBar } from './generators/candles.js';
import { MarkFundingGenerator } from './generators/mark-funding.js';
import { settledFundingRate } from './generators/settled-funding.js';
import { MarketWideGenerator, OPTION_CURRENCIES } from './generators/market-wide.js';
import { secondMarks } from './generators/second-marks.js';
import type { MinuteBar } from './generators/minute-bars.js';
import type { TakerPeriodSeed } from './generators/positioning.js';
import { PositioningEngine, PositioningGenerator, type EngineState } from './generators/positioning-engine.js';
import { SpotTickerGenerator } from './generators/spot-ticker.js';
import { TRADE_PARAMS, type TradeParams } from './generators/trades.js';
import {
  emptyFlow,
  type MarketView,
  type SecondContext,
  type SecondFlow,
  type SymbolStreamGenerator,
  type TimedEvent,
  type UnderlyingView,
} from './generators/types.js';
import { generateHistory, generateMarketHistory } from './history.js';
import { roundToStep } from './numeric.js';
import { SIMULATED_VENUE, symbolProfile, type SymbolProfile } from './profiles.js';
import { floorTo, MINUTE_MS, SECOND_MS } from './time.js';

/**
 * The simulated market: a deterministic, clock-free model advanced by `step(dtMs)`.
 *
 * Core: the venue's one-minute bars, a function of (seed, symbol, minute) only (`generators/anchored-bars.ts`:
 * day-anchored Student-t(4) shocks, GARCH(1,1) variance, a common market factor). Each minute's one-second
 * path and its trades are derived from its bar and a stream seeded by (seed, symbol, minute)
 * (`generators/anchored-trades.ts`), so the trades reproduce the bar. Streams, per symbol and second, are
 * produced by generators on top of that path:
 * - trades: the minute's trades falling in the second (ids 100 per second of their minute);
 * - candles (`generators/candles.ts`): each closed bar is the merge of its minute bars (exactly what a later
 *   run backfills); a `closed: true` event when a bar ends and at most one `closed: false` update per
 *   interval per `step`, whose running minute comes from the delivered trades;
 * - mark price / funding (`generators/mark-funding.ts`): a `markPrice` event at the end of every second,
 *   a `funding` settlement at every 00/08/16 UTC boundary;
 * - open interest, long/short ratios and liquidations (`generators/positioning-engine.ts`): the engine the
 *   backfill ran, continued minute by minute on the venue's bars and each minute's path (a crowd state restarted
 *   on a 5-day grid, a book of leveraged positions none older than 6 h). Positions whose liquidation price the
 *   second's path crosses are liquidated; the bars are fixed, so forced orders do not move the price and are not
 *   printed as trades. `openInterest` every minute, the three `longShortRatio` kinds and `takerVolume` every
 *   5 minutes;
 * - book (`generators/book.ts`): `bookTicker` every second, a 20-level `orderBook` every 5 seconds;
 * - spot / ticker (`generators/spot-ticker.ts`): `spotPrice` every second, `ticker24h` every minute,
 *   `basis` every 5 minutes;
 * - market-wide (`generators/market-wide.ts`, not tied to a symbol): `optionsChain` for BTC and ETH every
 *   30 s, `globalMarket` every 5 minutes, `fearGreed` at each UTC midnight. They need the BTC and ETH
 *   paths, so the model always runs those two price paths — unpublished ("hidden") when the symbols were
 *   not asked for. A hidden path is the same path the symbol would have.
 *
 * Every stream depends on (seed, symbol, time) only (positioning and liquidations through the engine state the
 * backfill hands over, itself a function of time), so runs started at any time agree wherever they overlap, and
 * adding a symbol does not change the others. All streams but the `closed: false` candle updates
 * are independent of how time is cut into steps.
 */

/** State carried over from the backfill so live data continues the history seamlessly. */
export interface SymbolSeedState {
  /** Recent one-minute bars (rolling ticker window). */
  bars?: readonly MinuteBar[];
  /** The positioning engine (open interest, long/short, position books) at the start minute. */
  engine?: EngineState;
  /** Taker flow of the 5-minute period running at the start (before it). */
  takerPeriod?: TakerPeriodSeed;
}

export interface MarketModelOptions {
  seed: number;
  symbols: readonly string[];
  /** Epoch ms at which the simulation starts. */
  startTime: number;
  /** Candle intervals to build; default 1m, 5m, 15m, 1h, 4h. */
  intervals?: readonly CandleInterval[];
  /**
   * Thins the published trade tape (default 1 = every trade). Lower it to make long simulations cheap; the
   * bars (and so the candles) do not change, the open/high/low/close prints are always kept.
   */
  tradeRateScale?: number;
  /** Overrides of the trade-stream parameters. */
  tradeParams?: Partial<TradeParams>;
  /**
   * State carried over from the backfill. Symbols without `bars`/`engine` get them from a short (candle-free)
   * backfill.
   */
  initialState?: Readonly<Record<string, SymbolSeedState>>;
  /** Produce the market-wide streams (options, fear & greed, global market); default true. */
  marketWide?: boolean;
}

/** A snapshot of one symbol inside the model. */
export interface SymbolModelState {
  symbol: string;
  time: number;
  /** Price of the core path at `time`. */
  price: number;
  lastTradePrice: number | null;
  mark: MarkPrice | null;
  /** Premium index (mark − index) / index. */
  premium: number;
  /** GARCH variance of the current minute and its ratio to the long-run variance. */
  minuteVariance: number;
  varianceRatio: number;
  openInterest: number;
  openPositions: number;
}

export interface MarketModel {
  readonly symbols: readonly string[];
  readonly intervals: readonly CandleInterval[];
  readonly startTime: number;
  /** Current simulated time (epoch ms). */
  readonly time: number;
  /** Advance simulated time by `dtMs` (≥ 0, rounded to whole ms) and return the events produced, in order. */
  step(dtMs: number): MarketEvent[];
  state(symbol: string): SymbolModelState | undefined;
  /** The forming bar of a symbol and interval. */
  formingCandle(symbol: string, interval: CandleInterval): Candle | undefined;
}

interface SymbolRuntime {
  symbol: string;
  profile: SymbolProfile;
  /** Runs the price path only (BTC/ETH for the market-wide streams when not asked for). */
  hidden: boolean;
  markFunding: MarkFundingGenerator | null;
  positioning: PositioningGenerator | null;
  generators: readonly SymbolStreamGenerator[];
  candles: CandleBook | null;
  /** Log prices at each second of the current minute (61 points). */
  path: Float64Array;
  /** The current minute: its day block and index, its bar, its trades not yet planned. */
  draw: { block: DayBlock; j: number; variance: number; varianceRatio: number } | null;
  bar: FormingBar | null;
  trades: Trade[];
  nextTrade: number;
  ctx: SecondContext | null;
  flow: SecondFlow;
  lastTradePrice: number | null;
}

/** The venue's minute bar as the rolling ticker holds it. */
function minuteBarOf(seed: number, symbol: string, openTime: number): MinuteBar {
  const { bar } = anchoredMinute(seed, symbol, openTime);
  return { openTime, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume, quoteVolume: bar.quoteVolume, takerBuy: bar.takerBuyVolume };
}


/** Create the simulated market model (see the module comment for the model). */
export function createMarketModel(options: MarketModelOptions): MarketModel {
  const startTime = Math.floor(options.startTime);
  if (!Number.isFinite(startTime)) throw new RangeError(`startTime must be finite, got ${options.startTime}`);
  const symbols = [...new Set(options.symbols)];
  const intervals = options.intervals ?? SIMULATED_INTERVALS;
  const tradeParams: TradeParams = { ...TRADE_PARAMS, ...options.tradeParams };

  const marketWide = options.marketWide ?? true;
  const hiddenSymbols = marketWide ? OPTION_CURRENCIES.map((c) => `${c}USDT`).filter((s) => !symbols.includes(s)) : [];

  function hiddenRuntime(symbol: string): SymbolRuntime {
    return {
      symbol,
      profile: symbolProfile(symbol),
      hidden: true,
      markFunding: null,
      positioning: null,
      generators: [],
      candles: null,
      path: new Float64Array(0),
      draw: null,
      bar: null,
      trades: [],
      nextTrade: 0,
      ctx: null,
      flow: emptyFlow(),
      lastTradePrice: null,
    };
  }

  function streamSeed(symbol: string, given: SymbolSeedState | undefined): SymbolSeedState {
    if (given?.bars && given.engine) return given;
    const light = generateHistory({ seed: options.seed, symbol, startTime, intervals: [], fundingCount: 0, candleCount: 0, statPeriods: 0, liquidationMinutes: 0 });
    return {
      ...given,
      bars: given?.bars ?? light.streamSeed.bars,
      engine: given?.engine ?? light.streamSeed.engine,
    };
  }

  function visibleRuntime(symbol: string): SymbolRuntime {
    const profile = symbolProfile(symbol);
    const seedState = streamSeed(symbol, options.initialState?.[symbol]);
    const markFunding = new MarkFundingGenerator({ profile, seed: options.seed });
    const positioning = new PositioningGenerator({
      seed: options.seed,
      profile,
      engine: new PositioningEngine({ seed: options.seed, symbol, state: seedState.engine! }),
      startTime,
      ...(seedState.takerPeriod ? { takerSeed: seedState.takerPeriod } : {}),
    });
    return {
      symbol,
      profile,
      hidden: false,
      markFunding,
      positioning,
      generators: [
        positioning,
        markFunding,
        new BookGenerator(profile, options.seed),
        new SpotTickerGenerator({ profile, seed: options.seed, bars: seedState.bars ?? [], minuteBar: (openTime) => minuteBarOf(options.seed, symbol, openTime) }),
      ],
      candles: new CandleBook({
        symbol,
        intervals,
        startTime,
        referencePrice: roundToStep(profile.startPrice, profile.tickSize),
        stepSize: profile.stepSize,
        forming: formingAt(options.seed, symbol, intervals, startTime),
      }),
      path: new Float64Array(0),
      draw: null,
      bar: null,
      trades: [],
      nextTrade: 0,
      ctx: null,
      flow: emptyFlow(),
      lastTradePrice: null,
    };
  }

  const runtimes: SymbolRuntime[] = [...symbols.map(visibleRuntime), ...hiddenSymbols.map(hiddenRuntime)];
  const visible = runtimes.filter((r) => !r.hidden);
  const marketWideGenerator = marketWide
    ? new MarketWideGenerator({ seed: options.seed, venue: SIMULATED_VENUE })
    : null;
  const underlyingRuntimes = marketWide
    ? OPTION_CURRENCIES.map((currency) => ({ currency, rt: runtimes.find((r) => r.symbol === `${currency}USDT`) }))
    : [];
  const bySymbol = new Map(visible.map((r) => [r.symbol, r]));

  const rateScale = options.tradeRateScale ?? 1;

  let now = startTime;
  let plannedMinute = Number.NaN;
  let plannedSecond = Number.NaN;
  let pending: TimedEvent[] = [];
  let pendingIndex = 0;

  function planMinute(minuteStart: number): void {
    for (const rt of runtimes) {
      const { block, j, bar } = anchoredMinute(options.seed, rt.symbol, minuteStart);
      const inside = minuteInside(options.seed, block, j, minuteStart, rateScale, tradeParams, rt.hidden);
      rt.path = inside.path;
      rt.trades = inside.trades;
      rt.nextTrade = 0;
      rt.bar = bar;
      rt.draw = { block, j, variance: block.variance[j] ?? 0, varianceRatio: block.varianceRatio[j] ?? 1 };
    }
    plannedMinute = minuteStart;
  }

  function planSecond(secondStart: number): void {
    const minuteStart = floorTo(secondStart, MINUTE_MS);
    if (minuteStart !== plannedMinute) planMinute(minuteStart);
    const j = (secondStart - minuteStart) / SECOND_MS;
    const planned: TimedEvent[] = [];
    for (const rt of runtimes) {
      const draw = rt.draw;
      if (!draw) throw new Error('minute not planned');
      const ctx: SecondContext = {
        symbol: rt.symbol,
        profile: rt.profile,
        start: secondStart,
        logOpen: rt.path[j] ?? 0,
        logClose: rt.path[j + 1] ?? 0,
        sigma: Math.sqrt(draw.variance / 60),
        varianceRatio: draw.varianceRatio,
        forced: [],
      };
      const flow = emptyFlow();
      for (const generator of rt.generators) {
        const adjustment = generator.adjustSecond?.(ctx);
        if (!adjustment) continue;
        // The bar is fixed: forced orders neither move the price nor print extra trades.
        for (const timed of adjustment.events) {
          planned.push(timed);
          if (timed.event.type === 'liquidation') {
            const { liquidatedSide, qty } = timed.event.liquidation;
            if (liquidatedSide === 'LONG') flow.liquidatedLongQty += qty;
            else flow.liquidatedShortQty += qty;
          }
        }
      }
      rt.ctx = ctx;
      const secondEnd = secondStart + SECOND_MS;
      const timedEvents: TimedEvent[] = [];
      while (rt.nextTrade < rt.trades.length && (rt.trades[rt.nextTrade]?.time ?? Infinity) < secondEnd) {
        const trade = rt.trades[rt.nextTrade++]!;
        if (trade.time >= startTime && trade.time >= secondStart) timedEvents.push({ time: trade.time, event: { type: 'trade', trade: { ...trade } } });
      }
      for (const generator of rt.generators) timedEvents.push(...(generator.planSecond?.(ctx) ?? []));
      for (const timed of timedEvents) {
        planned.push(timed);
        if (timed.event.type === 'trade') {
          const { side, qty, price } = timed.event.trade;
          if (side === 'BUY') flow.buyQty += qty;
          else flow.sellQty += qty;
          flow.trades += 1;
          flow.quoteVolume += price * qty;
          flow.firstPrice ??= price;
          if (!(price <= flow.high)) flow.high = price;
          if (!(price >= flow.low)) flow.low = price;
          flow.lastPrice = price;
        }
      }
      rt.flow = flow;
    }
    // Stable sort: events at the same millisecond keep symbol order.
    planned.sort((a, b) => a.time - b.time);
    pending = planned;
    pendingIndex = 0;
    plannedSecond = secondStart;
  }

  function deliverBefore(until: number, out: MarketEvent[]): void {
    while (pendingIndex < pending.length) {
      const next = pending[pendingIndex];
      if (!next || next.time >= until) break;
      pendingIndex++;
      const event = next.event;
      if (event.type === 'trade') {
        const rt = bySymbol.get(event.trade.symbol);
        if (rt) {
          rt.candles?.addTrade(event.trade);
          rt.lastTradePrice = event.trade.price;
        }
      }
      out.push(event);
    }
  }

  function endSecond(secondEnd: number, out: MarketEvent[]): void {
    const minuteBoundary = secondEnd % MINUTE_MS === 0;
    for (const rt of visible) {
      if (minuteBoundary && rt.candles) {
        if (rt.bar) rt.candles.closeMinute(rt.bar);
        for (const candle of rt.candles.closeAt(secondEnd)) out.push({ type: 'candle', candle });
      }
      const ctx = rt.ctx;
      if (!ctx) continue;
      for (const generator of rt.generators) {
        const events = generator.endSecond?.(ctx, rt.flow);
        if (events) out.push(...events);
      }
    }
    if (marketWideGenerator) {
      const underlyings = new Map<string, UnderlyingView>();
      for (const { currency, rt } of underlyingRuntimes) {
        if (!rt?.ctx || !rt.draw) continue;
        // The marks are a function of (seed, symbol, time): the same whether the symbol is published or hidden.
        const { marks, k } = secondMarks(options.seed, rt.symbol, secondEnd);
        underlyings.set(currency, {
          price: Math.exp(rt.ctx.logClose),
          indexPrice: marks.indexPrice[k]!,
          fundingRate: marks.predicted[k]!,
          varianceRatio: rt.draw.varianceRatio,
        });
      }
      const view: MarketView = { time: secondEnd, underlyings };
      out.push(...marketWideGenerator.endSecond(view));
    }
  }

  function step(dtMs: number): MarketEvent[] {
    if (!Number.isFinite(dtMs) || dtMs < 0) throw new RangeError(`step size must be a finite number of ms ≥ 0, got ${dtMs}`);
    const target = now + Math.round(dtMs);
    const out: MarketEvent[] = [];
    for (;;) {
      const secondStart = floorTo(now, SECOND_MS);
      if (secondStart !== plannedSecond) planSecond(secondStart);
      const secondEnd = secondStart + SECOND_MS;
      const segmentEnd = Math.min(target, secondEnd);
      deliverBefore(segmentEnd, out);
      if (segmentEnd < secondEnd) {
        now = target;
        break;
      }
      now = secondEnd;
      endSecond(secondEnd, out);
      if (now >= target) break;
    }
    for (const rt of visible) for (const candle of rt.candles?.takeUpdates() ?? []) out.push({ type: 'candle', candle });
    return out;
  }

  function state(symbol: string): SymbolModelState | undefined {
    const rt = bySymbol.get(symbol);
    if (!rt) return undefined;
    // Planning the current second here is exactly what the next `step` would do first: no divergence.
    if (floorTo(now, SECOND_MS) !== plannedSecond) planSecond(floorTo(now, SECOND_MS));
    const draw = rt.draw;
    const minuteStart = floorTo(now, MINUTE_MS);
    const position = (now - minuteStart) / SECOND_MS;
    const j = Math.min(59, Math.floor(position));
    const a = rt.path[j] ?? 0;
    const b = rt.path[j + 1] ?? a;
    const latest = rt.markFunding?.latest;
    return {
      symbol,
      time: now,
      price: Math.exp(a + (b - a) * (position - j)),
      lastTradePrice: rt.lastTradePrice,
      mark: latest ? { ...latest } : null,
      premium: rt.markFunding?.premium ?? 0,
      minuteVariance: draw?.variance ?? 0,
      varianceRatio: draw?.varianceRatio ?? 1,
      openInterest: rt.positioning?.openInterest ?? 0,
      openPositions: rt.positioning?.engine.openPositions ?? 0,
    };
  }

  return {
    symbols,
    intervals,
    startTime,
    get time() {
      return now;
    },
    step,
    state,
    formingCandle: (symbol, interval) => bySymbol.get(symbol)?.candles?.forming(interval),
  };
}
