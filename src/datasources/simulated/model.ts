import type { Candle, CandleInterval, MarketEvent, MarkPrice } from '../../domain/market.js';
import { bridgePath, createMinuteReturnProcess, type MinuteDraw } from './core.js';
import { CandleBook, SIMULATED_INTERVALS } from './generators/candles.js';
import { MarkFundingGenerator } from './generators/mark-funding.js';
import { TRADE_PARAMS, TradeGenerator, type TradeParams } from './generators/trades.js';
import type { SecondContext, SecondFlow, SymbolStreamGenerator, TimedEvent } from './generators/types.js';
import { roundToStep } from './numeric.js';
import { symbolProfile, type SymbolProfile } from './profiles.js';
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
 *   a `funding` settlement at every 00/08/16 UTC boundary.
 *
 * Every random stream is seeded from (seed, startTime, symbol, purpose), so the same seed, start time and
 * sequence of step sizes give identical events, and adding a symbol does not change the others. Trades,
 * marks and funding do not even depend on how time is cut into steps; only the placement of the
 * `closed: false` candle updates does.
 */

/** State carried over from the backfill so live data continues the history seamlessly. */
export interface SymbolSeedState {
  /** Forming (not yet closed) bars at the start time; continued when their openTime matches. */
  formingCandles?: readonly Candle[];
  /** GARCH per-minute variance in force at the start time. */
  variance?: number;
  /** The last settled funding rate (seeds the premium estimate). */
  lastFundingRate?: number;
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
  initialState?: Readonly<Record<string, SymbolSeedState>>;
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
  pathRng: Rng;
  markFunding: MarkFundingGenerator;
  generators: readonly SymbolStreamGenerator[];
  candles: CandleBook;
  /** Log prices at each second of the current minute (61 points). */
  path: Float64Array;
  draw: MinuteDraw | null;
  ctx: SecondContext | null;
  flow: SecondFlow;
  lastTradePrice: number | null;
}

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

  const runtimes: SymbolRuntime[] = symbols.map((symbol) => {
    const profile = symbolProfile(symbol);
    const seedState = options.initialState?.[symbol];
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
      ...(seedState?.lastFundingRate === undefined ? {} : { lastFundingRate: seedState.lastFundingRate }),
    });
    return {
      symbol,
      profile,
      pathRng: base.fork('path'),
      markFunding,
      generators: [trades, markFunding],
      candles: new CandleBook({
        symbol,
        intervals,
        startTime,
        referencePrice: roundToStep(profile.startPrice, profile.tickSize),
        stepSize: profile.stepSize,
        ...(seedState?.formingCandles ? { forming: seedState.formingCandles } : {}),
      }),
      path: new Float64Array(0),
      draw: null,
      ctx: null,
      flow: { buyQty: 0, sellQty: 0, trades: 0 },
      lastTradePrice: null,
    };
  });
  const bySymbol = new Map(runtimes.map((r) => [r.symbol, r]));

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
      const ctx: SecondContext = {
        symbol: rt.symbol,
        profile: rt.profile,
        start: secondStart,
        logOpen: rt.path[j] ?? 0,
        logClose: rt.path[j + 1] ?? 0,
        sigma: Math.sqrt(draw.variance / 60),
        varianceRatio: draw.varianceRatio,
      };
      rt.ctx = ctx;
      const flow: SecondFlow = { buyQty: 0, sellQty: 0, trades: 0 };
      for (const generator of rt.generators) {
        for (const timed of generator.planSecond?.(ctx) ?? []) {
          planned.push(timed);
          if (timed.event.type === 'trade') {
            const { side, qty } = timed.event.trade;
            if (side === 'BUY') flow.buyQty += qty;
            else flow.sellQty += qty;
            flow.trades += 1;
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
          rt.candles.addTrade(event.trade);
          rt.lastTradePrice = event.trade.price;
        }
      }
      out.push(event);
    }
  }

  function endSecond(secondEnd: number, out: MarketEvent[]): void {
    const minuteBoundary = secondEnd % MINUTE_MS === 0;
    for (const rt of runtimes) {
      if (minuteBoundary) for (const candle of rt.candles.closeAt(secondEnd)) out.push({ type: 'candle', candle });
      const ctx = rt.ctx;
      if (!ctx) continue;
      for (const generator of rt.generators) {
        const events = generator.endSecond?.(ctx, rt.flow);
        if (events) out.push(...events);
      }
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
    for (const rt of runtimes) for (const candle of rt.candles.takeUpdates()) out.push({ type: 'candle', candle });
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
    return {
      symbol,
      time: now,
      price: Math.exp(a + (b - a) * (position - j)),
      lastTradePrice: rt.lastTradePrice,
      mark: rt.markFunding.latest ? { ...rt.markFunding.latest } : null,
      premium: rt.markFunding.premium,
      minuteVariance: draw?.variance ?? 0,
      varianceRatio: draw?.varianceRatio ?? 1,
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
    formingCandle: (symbol, interval) => bySymbol.get(symbol)?.candles.forming(interval),
  };
}
