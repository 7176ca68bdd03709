import type { BookTicker, MarketEvent, OrderBook, PriceLevel } from '../../../domain/market.js';
import { clamp, roundToStep } from '../numeric.js';
import type { SymbolProfile } from '../profiles.js';
import { createRng, deriveSeed, type Rng } from '../random.js';
import { secondMarks } from './second-marks.js';
import { TRADE_PARAMS } from './trades.js';
import type { SecondContext, SymbolStreamGenerator } from './types.js';

/**
 * Order book around the core price.
 *
 * Volatility widens and thins the book: w = clamp(sqrt(h/h̄), 1, `maxWiden`).
 * - Spread: bid = floor((mid − half)/tick)·tick, ask = ceil((mid + half)/tick)·tick with
 *   half = max(tick/2, mid · `halfSpread` · w) — the same half-spread the trade stream prices takers at —
 *   so the spread is at least one tick.
 * - Top-of-book size: lognormal around `topDepthTrades` × the median trade size, divided by w, leaning
 *   against the second's taker flow (after aggressive buying the ask is thinner).
 * - Deeper levels: gaps of 1 + Poisson(λ) ticks with λ chosen so 20 levels span ≈ `spanFraction` · w of
 *   the price, sizes growing by `depthGrowth` per level with lognormal noise (σ `depthSigma`).
 * A `bookTicker` is published at the end of every second and a 20-level `orderBook` every
 * `snapshotEverySeconds` seconds; the snapshot's first level equals that second's book ticker. Both are
 * functions of (seed, symbol, time) (`bookTickerAt`, `orderBookAt`): the flow is the second's taker-flow proxy
 * of `second-marks.ts`, the sizes come from streams seeded by the second.
 */
export interface BookParams {
  halfSpread: number;
  maxWiden: number;
  levels: number;
  snapshotEverySeconds: number;
  topDepthTrades: number;
  depthGrowth: number;
  depthSigma: number;
  spanFraction: number;
  flowLean: number;
}

export const BOOK_PARAMS: Readonly<BookParams> = {
  halfSpread: TRADE_PARAMS.halfSpread,
  maxWiden: 5,
  levels: 20,
  snapshotEverySeconds: 5,
  topDepthTrades: 12,
  depthGrowth: 0.15,
  depthSigma: 0.6,
  spanFraction: 0.0005,
  flowLean: 0.4,
};

export function bookWidening(varianceRatio: number, params: BookParams = BOOK_PARAMS): number {
  return clamp(Math.sqrt(varianceRatio), 1, params.maxWiden);
}

/** Best bid / ask around `mid`. */
export function drawBookTicker(
  profile: SymbolProfile,
  rng: Rng,
  mid: number,
  time: number,
  varianceRatio: number,
  imbalance = 0,
  params: BookParams = BOOK_PARAMS,
): BookTicker {
  const tick = profile.tickSize;
  const widen = bookWidening(varianceRatio, params);
  const half = Math.max(tick / 2, mid * params.halfSpread * widen);
  const bidTicks = Math.max(1, Math.floor((mid - half) / tick + 1e-9));
  let askTicks = Math.ceil((mid + half) / tick - 1e-9);
  if (askTicks <= bidTicks) askTicks = bidTicks + 1;
  const top = (params.topDepthTrades * profile.medianTradeQty) / widen;
  const lean = clamp(params.flowLean * imbalance, -0.8, 0.8);
  return {
    symbol: profile.symbol,
    bidPrice: roundToStep(bidTicks * tick, tick),
    bidQty: Math.max(profile.stepSize, roundToStep(top * (1 + lean) * rng.logNormal(0, params.depthSigma), profile.stepSize)),
    askPrice: roundToStep(askTicks * tick, tick),
    askQty: Math.max(profile.stepSize, roundToStep(top * (1 - lean) * rng.logNormal(0, params.depthSigma), profile.stepSize)),
    time,
  };
}

/** A 20-level snapshot whose best levels are `ticker`'s. */
export function drawOrderBook(profile: SymbolProfile, rng: Rng, ticker: BookTicker, varianceRatio: number, params: BookParams = BOOK_PARAMS): OrderBook {
  const tick = profile.tickSize;
  const widen = bookWidening(varianceRatio, params);
  const mid = (ticker.bidPrice + ticker.askPrice) / 2;
  const lambda = Math.max(0, (mid * params.spanFraction * widen) / (params.levels * tick) - 1);
  const top = (params.topDepthTrades * profile.medianTradeQty) / widen;
  const side = (bestPrice: number, bestQty: number, direction: 1 | -1): PriceLevel[] => {
    const levels: PriceLevel[] = [[bestPrice, bestQty]];
    let ticks = Math.round(bestPrice / tick);
    for (let i = 1; i < params.levels; i++) {
      ticks += direction * (1 + rng.poisson(lambda));
      if (ticks < 1) break;
      const qty = top * (1 + params.depthGrowth * i) * rng.logNormal(0, params.depthSigma);
      levels.push([roundToStep(ticks * tick, tick), Math.max(profile.stepSize, roundToStep(qty, profile.stepSize))]);
    }
    return levels;
  };
  return {
    symbol: profile.symbol,
    bids: side(ticker.bidPrice, ticker.bidQty, -1),
    asks: side(ticker.askPrice, ticker.askQty, 1),
    time: ticker.time,
  };
}

/**
 * The book ticker of the second ending at `time` (a whole second): around that second's close, widened by the
 * minute's variance, leaning against the second's taker-flow proxy (`second-marks.ts`), the sizes drawn from a
 * stream seeded by (seed, symbol, time). A function of (seed, symbol, time) only.
 */
export function bookTickerAt(seed: number, profile: SymbolProfile, time: number, params: BookParams = BOOK_PARAMS): BookTicker {
  const { marks, k } = secondMarks(seed, profile.symbol, time);
  const rng = createRng(deriveSeed(seed, 'book', profile.symbol, time));
  return drawBookTicker(profile, rng, Math.exp(marks.logClose[k]!), time, marks.varianceRatio, marks.imbalance[k]!, params);
}

/** The 20-level book at `time` (a whole second), topped by that second's book ticker; seeded by (seed, symbol, time). */
export function orderBookAt(seed: number, profile: SymbolProfile, time: number, params: BookParams = BOOK_PARAMS): OrderBook {
  const ticker = bookTickerAt(seed, profile, time, params);
  const { marks } = secondMarks(seed, profile.symbol, time);
  return drawOrderBook(profile, createRng(deriveSeed(seed, 'order-book', profile.symbol, time)), ticker, marks.varianceRatio, params);
}

export class BookGenerator implements SymbolStreamGenerator {
  constructor(
    private readonly profile: SymbolProfile,
    private readonly seed: number,
    private readonly params: BookParams = BOOK_PARAMS,
  ) {}

  endSecond(ctx: SecondContext): MarketEvent[] {
    const time = ctx.start + 1_000;
    const ticker = bookTickerAt(this.seed, this.profile, time, this.params);
    const events: MarketEvent[] = [{ type: 'bookTicker', book: ticker }];
    if (time % (this.params.snapshotEverySeconds * 1_000) === 0) {
      const { marks } = secondMarks(this.seed, this.profile.symbol, time);
      events.push({ type: 'orderBook', book: drawOrderBook(this.profile, createRng(deriveSeed(this.seed, 'order-book', this.profile.symbol, time)), ticker, marks.varianceRatio, this.params) });
    }
    return events;
  }
}
