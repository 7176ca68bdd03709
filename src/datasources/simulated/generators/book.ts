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
 *
 * Walls (large resting orders) react to the simulated flow: every `wallSlotSeconds` a wall may be placed
 * (probability `wallProbability`), on a random side at `wallDistance` of the slot's opening price, sized
 * `wallMultiple` × the top-of-book size, for a random lifetime. An honest wall stays until its lifetime ends
 * or the price reaches it (it is eaten: gone from then on); a spoof wall (`spoofShare` of them) is pulled as
 * soon as the price comes within half its distance, before touch. Every snapshot is still a function of
 * (seed, symbol, time): a wall's fate is decided from the 5-second snapshots' prices since it was placed.
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
  wallSlotSeconds: number;
  wallProbability: number;
  /** Distance range from the price, fraction. */
  wallDistance: readonly [number, number];
  wallMultiple: readonly [number, number];
  /** Lifetime range, seconds. */
  wallLifetime: readonly [number, number];
  spoofShare: number;
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
  wallSlotSeconds: 60,
  wallProbability: 0.6,
  wallDistance: [0.0008, 0.006],
  wallMultiple: [15, 40],
  wallLifetime: [60, 600],
  spoofShare: 0.35,
};

interface WallPlan {
  side: 'BID' | 'ASK';
  price: number;
  qty: number;
  start: number;
  end: number;
  spoof: boolean;
  distance: number;
}

/** The wall planned in the slot starting at `slotStart`, or null. A function of (seed, symbol, slot). */
function wallPlan(seed: number, profile: SymbolProfile, slotStart: number, params: BookParams): WallPlan | null {
  const rng = createRng(deriveSeed(seed, 'book-wall', profile.symbol, slotStart));
  if (rng.uniform() >= params.wallProbability) return null;
  const side = rng.uniform() < 0.5 ? 'BID' : 'ASK';
  const distance = rng.between(params.wallDistance[0], params.wallDistance[1]);
  const multiple = rng.between(params.wallMultiple[0], params.wallMultiple[1]);
  const lifetime = rng.between(params.wallLifetime[0], params.wallLifetime[1]);
  const spoof = rng.uniform() < params.spoofShare;
  const { marks, k } = secondMarks(seed, profile.symbol, slotStart + 1_000);
  const anchor = Math.exp(marks.logClose[k]!);
  const tick = profile.tickSize;
  const price = roundToStep(Math.round((side === 'BID' ? anchor * (1 - distance) : anchor * (1 + distance)) / tick) * tick, tick);
  const qty = Math.max(profile.stepSize, roundToStep(multiple * params.topDepthTrades * profile.medianTradeQty, profile.stepSize));
  return { side, price, qty, start: slotStart, end: slotStart + lifetime * 1_000, spoof, distance };
}

/** True while the wall stands at `time`: within its life, and neither eaten (price reached it) nor pulled (a spoof the price neared). */
function wallStands(seed: number, profile: SymbolProfile, w: WallPlan, time: number, params: BookParams): boolean {
  if (time < w.start || time >= w.end) return false;
  const step = params.snapshotEverySeconds * 1_000;
  for (let t = Math.ceil((w.start + 1_000) / step) * step; t <= time; t += step) {
    const { marks, k } = secondMarks(seed, profile.symbol, t);
    const price = Math.exp(marks.logClose[k]!);
    const gap = w.side === 'BID' ? price - w.price : w.price - price;
    if (gap <= 0) return false; // eaten
    if (w.spoof && gap < (w.distance / 2) * price) return false; // pulled before touch
  }
  return true;
}

/** The walls standing at `time` (slots whose wall may still live). */
export function wallsAt(seed: number, profile: SymbolProfile, time: number, params: BookParams = BOOK_PARAMS): WallPlan[] {
  const slot = params.wallSlotSeconds * 1_000;
  const out: WallPlan[] = [];
  const oldest = Math.floor((time - params.wallLifetime[1] * 1_000) / slot) * slot;
  for (let s = Math.floor(time / slot) * slot; s >= oldest; s -= slot) {
    const w = wallPlan(seed, profile, s, params);
    if (w && wallStands(seed, profile, w, time, params)) out.push(w);
  }
  return out;
}

/** The book with the standing walls added (a wall level replaces a drawn level at its price), sides kept sorted. */
function withWalls(book: OrderBook, walls: readonly WallPlan[]): OrderBook {
  if (walls.length === 0) return book;
  const bestBid = book.bids[0]?.[0] ?? -Infinity;
  const bestAsk = book.asks[0]?.[0] ?? Infinity;
  const add = (levels: PriceLevel[], side: 'BID' | 'ASK'): PriceLevel[] => {
    const ws = walls.filter((w) => w.side === side && (side === 'BID' ? w.price < bestBid : w.price > bestAsk));
    if (ws.length === 0) return levels;
    const byPrice = new Map(levels.map(([p, q]) => [p, q]));
    for (const w of ws) byPrice.set(w.price, (byPrice.get(w.price) ?? 0) + w.qty);
    return [...byPrice.entries()].sort((x, y) => (side === 'BID' ? y[0] - x[0] : x[0] - y[0])) as PriceLevel[];
  };
  return { ...book, bids: add(book.bids, 'BID'), asks: add(book.asks, 'ASK') };
}

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
  return withWalls(drawOrderBook(profile, createRng(deriveSeed(seed, 'order-book', profile.symbol, time)), ticker, marks.varianceRatio, params), wallsAt(seed, profile, time, params));
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
      events.push({ type: 'orderBook', book: orderBookAt(this.seed, this.profile, time, this.params) });
    }
    return events;
  }
}
