import type { Candle, CandleInterval, MarketEvent, MarkPrice } from '../../domain/market.js';
import { bridgePath, createMinuteReturnProcess, type MinuteDraw } from './core.js';
import { BookGenerator } from './generators/book.js';
import { CandleBook, SIMULATED_INTERVALS } from './generators/candles.js';
import { LiquidationGenerator, type PositionSeed } from './generators/liquidations.js';
import { MarkFundingGenerator } from './generators/mark-funding.js';
import { settledFundingRate } from './generators/settled-funding.js';
import { MarketWideGenerator, OPTION_CURRENCIES, type MarketWideSeed } from './generators/market-wide.js';
import type { MinuteBar } from './generators/minute-bars.js';
import { PositioningGenerator, PositioningModel, type PositioningSeed, type TakerPeriodSeed } from './generators/positioning.js';
import { SpotTickerGenerator } from './generators/spot-ticker.js';
import { TRADE_PARAMS, TradeGenerator, type TradeParams } from './generators/trades.js';
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
import { createRng, deriveSeed, type Rng } from './random.js';
import { floorTo, MINUTE_MS, SECOND_MS } from './time.js';

/**
 * The simulated market: a deterministic, clock-free model advanced by `step(dtMs)`.
 *
 * Core: per-minute log returns from `core.ts` (Student-t(4) innovations, GARCH(1,1) variance, a common
 * market factor), each minute expanded into a one-second path by a Brownian bridge. Streams, per symbol
 * and second, are produced by generators on top of that path:
 * - trades (`generators/trades.ts`): Poisson arrivals, lognormal sizes with rare whales, side biased by
 *   the second's return, increasing aggregate-trade ids;
 * - candles (`generators/candles.ts`): built from the delivered trades for each interval; a `closed: true`
 *   event when a bar ends and at most one `closed: false` update per interval per `step`;
 * - mark price / funding (`generators/mark-funding.ts`): a `markPrice` event at the end of every second,
 *   a `funding` settlement at every 00/08/16 UTC boundary;
 * - liquidations (`generators/liquidations.ts`): a bounded book of leveraged positions; those whose
 *   liquidation price the second's path crosses are liquidated by forced orders (filled as trades), whose
 *   price impact pushes the path further (cascades). The impact is a log offset added to the core path,
 *   decaying with a half-life of `IMPACT_HALF_LIFE_S` (liquidation wicks partly retrace);
 * - positioning (`generators/positioning.ts`): `openInterest` every minute, the three `longShortRatio`
 *   kinds and `takerVolume` every 5 minutes;
 * - book (`generators/book.ts`): `bookTicker` every second, a 20-level `orderBook` every 5 seconds;
 * - spot / ticker (`generators/spot-ticker.ts`): `spotPrice` every second, `ticker24h` every minute,
 *   `basis` every 5 minutes;
 * - market-wide (`generators/market-wide.ts`, not tied to a symbol): `optionsChain` for BTC and ETH every
 *   30 s, `globalMarket` every 5 minutes, `fearGreed` at each UTC midnight. They need the BTC and ETH
 *   paths, so the model always runs those two price paths — unpublished ("hidden") when the symbols were
 *   not asked for. A hidden path is the same path the symbol would have (same seeds) except for the
 *   liquidation impact, which only published symbols have.
 *
 * Every random stream is seeded from (seed, startTime, symbol, purpose), so the same seed, start time and
 * sequence of step sizes give identical events, and adding a symbol does not change the others. All
 * streams but the `closed: false` candle updates are even independent of how time is cut into steps.
 */

/** State carried over from the backfill so live data continues the history seamlessly. */
export interface SymbolSeedState {
  /** Forming (not yet closed) bars at the start time; continued when their openTime matches. */
  formingCandles?: readonly Candle[];
  /** GARCH per-minute variance in force at the start time. */
  variance?: number;
  /** The last settled funding rate (seeds the premium estimate). */
  lastFundingRate?: number;
  /** Recent one-minute bars (rolling ticker window). */
  bars?: readonly MinuteBar[];
  /** Open interest / long-short state. */
  positioning?: PositioningSeed;
  /** Leveraged positions open at the start. */
  positions?: readonly PositionSeed[];
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
  /** Multiplies every symbol's trade rate (default 1). Lower it to make long simulations cheap. */
  tradeRateScale?: number;
  /** Overrides of the trade-stream parameters. */
  tradeParams?: Partial<TradeParams>;
  /**
   * State carried over from the backfill. Symbols without `bars`/`positioning`/`positions` get them from a
   * short (one-day, candle-free) backfill.
   */
  initialState?: Readonly<Record<string, SymbolSeedState>>;
  /** Produce the market-wide streams (options, fear & greed, global market); default true. */
  marketWide?: boolean;
  /** State of the market-wide streams at the start (default: from `generateMarketHistory`). */
  marketState?: MarketWideSeed;
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
  /** Log price offset left by liquidation impact (decaying). */
  impactOffset: number;
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
  pathRng: Rng;
  markFunding: MarkFundingGenerator | null;
  positioning: PositioningModel | null;
  liquidations: LiquidationGenerator | null;
  generators: readonly SymbolStreamGenerator[];
  candles: CandleBook | null;
  /** Log-price offset from liquidation impact, added to the core path. */
  offset: number;
  /** Log prices at each second of the current minute (61 points). */
  path: Float64Array;
  draw: MinuteDraw | null;
  ctx: SecondContext | null;
  flow: SecondFlow;
  lastTradePrice: number | null;
}

/** Half-life of the price offset left by liquidation impact: cascades leave wicks that partly retrace. */
export const IMPACT_HALF_LIFE_S = 600;
const IMPACT_DECAY = Math.pow(0.5, 1 / IMPACT_HALF_LIFE_S);
/** Funding rate assumed for an underlying that has no funding stream (a hidden BTC/ETH path). */
const FUNDING_FALLBACK_RATE = 0.0001;

/** Base of the aggregate-trade ids: grows with the start time so ids keep increasing across restarts. */
export function firstTradeId(startTime: number): number {
  return Math.floor(startTime / SECOND_MS) * 100;
}

/** Create the simulated market model (see the module comment for the model). */
export function createMarketModel(options: MarketModelOptions): MarketModel {
  const startTime = Math.floor(options.startTime);
  if (!Number.isFinite(startTime)) throw new RangeError(`startTime must be finite, got ${options.startTime}`);
  const symbols = [...new Set(options.symbols)];
  const intervals = options.intervals ?? SIMULATED_INTERVALS;
  const tradeParams: TradeParams = { ...TRADE_PARAMS, ...options.tradeParams };
  const liveSeed = deriveSeed(options.seed, 'live', startTime);

  const marketWide = options.marketWide ?? true;
  const hiddenSymbols = marketWide ? OPTION_CURRENCIES.map((c) => `${c}USDT`).filter((s) => !symbols.includes(s)) : [];

  function hiddenRuntime(symbol: string): SymbolRuntime {
    const base = createRng(deriveSeed(liveSeed, symbol));
    return {
      symbol,
      profile: symbolProfile(symbol),
      hidden: true,
      pathRng: base.fork('path'),
      markFunding: null,
      positioning: null,
      liquidations: null,
      generators: [],
      candles: null,
      offset: 0,
      path: new Float64Array(0),
      draw: null,
      ctx: null,
      flow: emptyFlow(),
      lastTradePrice: null,
    };
  }

  function streamSeed(symbol: string, given: SymbolSeedState | undefined): SymbolSeedState {
    if (given?.bars && given.positioning && given.positions) return given;
    const light = generateHistory({ seed: options.seed, symbol, startTime, intervals: [], fundingCount: 0, candleCount: 0, statPeriods: 0 });
    return {
      ...given,
      bars: given?.bars ?? light.streamSeed.bars,
      positioning: given?.positioning ?? light.streamSeed.positioning,
      positions: given?.positions ?? light.streamSeed.positions,
    };
  }

  function visibleRuntime(symbol: string): SymbolRuntime {
    const profile = symbolProfile(symbol);
    const seedState = streamSeed(symbol, options.initialState?.[symbol]);
    const base = createRng(deriveSeed(liveSeed, symbol));
    const trades = new TradeGenerator({
      profile,
      rng: base.fork('trades'),
      firstId: firstTradeId(startTime),
      minTime: startTime,
      rateScale: options.tradeRateScale ?? 1,
      params: tradeParams,
    });
    const markFunding = new MarkFundingGenerator({
      profile,
      rng: base.fork('mark-funding'),
      settledRate: (fundingTime) => settledFundingRate(options.seed, symbol, fundingTime),
      ...(seedState.lastFundingRate === undefined ? {} : { lastFundingRate: seedState.lastFundingRate }),
    });
    const positioning = new PositioningModel(profile, base.fork('positioning'), seedState.positioning);
    const liquidations = new LiquidationGenerator({
      profile,
      rng: base.fork('liquidations'),
      shares: () => positioning.shares(),
      positions: seedState.positions ?? [],
      minTime: startTime,
    });
    return {
      symbol,
      profile,
      hidden: false,
      pathRng: base.fork('path'),
      markFunding,
      positioning,
      liquidations,
      generators: [
        liquidations,
        trades,
        markFunding,
        new PositioningGenerator({
          profile,
          model: positioning,
          startTime,
          ...(seedState.takerPeriod ? { takerSeed: seedState.takerPeriod } : {}),
        }),
        new BookGenerator(profile, base.fork('book')),
        new SpotTickerGenerator({ profile, rng: base.fork('spot'), mark: () => markFunding.latest, bars: seedState.bars ?? [] }),
      ],
      candles: new CandleBook({
        symbol,
        intervals,
        startTime,
        referencePrice: roundToStep(profile.startPrice, profile.tickSize),
        stepSize: profile.stepSize,
        ...(seedState.formingCandles ? { forming: seedState.formingCandles } : {}),
      }),
      offset: 0,
      path: new Float64Array(0),
      draw: null,
      ctx: null,
      flow: emptyFlow(),
      lastTradePrice: null,
    };
  }

  const runtimes: SymbolRuntime[] = [...symbols.map(visibleRuntime), ...hiddenSymbols.map(hiddenRuntime)];
  const visible = runtimes.filter((r) => !r.hidden);
  const marketWideGenerator = marketWide
    ? new MarketWideGenerator({
        rng: createRng(deriveSeed(liveSeed, 'market-wide')),
        seed: options.marketState ?? generateMarketHistory({ seed: options.seed, startTime }).seed,
        instrumentSeed: deriveSeed(options.seed, 'options'),
        venue: SIMULATED_VENUE,
      })
    : null;
  const underlyingRuntimes = marketWide
    ? OPTION_CURRENCIES.map((currency) => ({ currency, rt: runtimes.find((r) => r.symbol === `${currency}USDT`) }))
    : [];
  const bySymbol = new Map(visible.map((r) => [r.symbol, r]));

  const returns = createMinuteReturnProcess(
    createRng(deriveSeed(liveSeed, 'market')),
    runtimes.map((r) => {
      const variance = options.initialState?.[r.symbol]?.variance;
      return { profile: r.profile, rng: r.pathRng.fork('returns'), ...(variance === undefined ? {} : { initialVariance: variance }) };
    }),
  );

  let now = startTime;
  let plannedMinute = Number.NaN;
  let plannedSecond = Number.NaN;
  let pending: TimedEvent[] = [];
  let pendingIndex = 0;

  function planMinute(minuteStart: number): void {
    const draws = returns.next();
    runtimes.forEach((rt, i) => {
      const draw = draws[i];
      if (!draw) throw new Error('return process out of step with symbols');
      if (rt.draw === null) {
        // First minute: place the path so that the start second sits exactly on the start price.
        const raw = bridgePath(rt.pathRng, 0, draw.logReturn, draw.variance, 60);
        const j0 = Math.floor((floorTo(startTime, SECOND_MS) - minuteStart) / SECOND_MS);
        const shift = Math.log(rt.profile.startPrice) - (raw[j0] ?? 0);
        rt.path = raw.map((v) => v + shift);
      } else {
        rt.path = bridgePath(rt.pathRng, rt.path[60] ?? 0, draw.logReturn, draw.variance, 60);
      }
      rt.draw = draw;
    });
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
      const logOpen = (rt.path[j] ?? 0) + rt.offset;
      rt.offset *= IMPACT_DECAY;
      let ctx: SecondContext = {
        symbol: rt.symbol,
        profile: rt.profile,
        start: secondStart,
        logOpen,
        logClose: (rt.path[j + 1] ?? 0) + rt.offset,
        sigma: Math.sqrt(draw.variance / 60),
        varianceRatio: draw.varianceRatio,
        forced: [],
      };
      const flow = emptyFlow();
      for (const generator of rt.generators) {
        const adjustment = generator.adjustSecond?.(ctx);
        if (!adjustment) continue;
        rt.offset += adjustment.logClose - ctx.logClose;
        ctx = { ...ctx, logClose: adjustment.logClose, forced: [...ctx.forced, ...adjustment.forced] };
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
      for (const generator of rt.generators) {
        for (const timed of generator.planSecond?.(ctx) ?? []) {
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
      if (minuteBoundary && rt.candles) for (const candle of rt.candles.closeAt(secondEnd)) out.push({ type: 'candle', candle });
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
        const price = Math.exp(rt.ctx.logClose);
        const mark = rt.markFunding?.latest ?? null;
        underlyings.set(currency, {
          price,
          indexPrice: mark?.indexPrice ?? price,
          fundingRate: mark?.predictedFundingRate ?? FUNDING_FALLBACK_RATE,
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
      price: Math.exp(a + (b - a) * (position - j) + rt.offset),
      lastTradePrice: rt.lastTradePrice,
      mark: latest ? { ...latest } : null,
      premium: rt.markFunding?.premium ?? 0,
      minuteVariance: draw?.variance ?? 0,
      varianceRatio: draw?.varianceRatio ?? 1,
      impactOffset: rt.offset,
      openInterest: rt.positioning?.openInterest ?? 0,
      openPositions: rt.liquidations?.openPositions ?? 0,
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
