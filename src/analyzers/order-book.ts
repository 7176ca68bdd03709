import { OrderBookStates, type PriceLevel } from '../domain/market.js';
import { meanAndStdDev, quantileOfSorted } from '../math/statistics.js';
import {
  DEFAULT_ORDER_BOOK_THRESHOLDS,
  DEPTH_BANDS_PCT,
  SLIPPAGE_SIZES_USD,
  type BookHeatmap,
  type BookImbalance,
  type BookSample,
  type BookSide,
  type BookSlippage,
  type BookWall,
  type DepthBand,
  type OrderBookAnalysis,
  type OrderBookInput,
  type OrderBookThresholds,
  type PastWall,
  type WallSummary,
} from './order-book.types.js';
import type { Factor } from './types.js';

export const ORDER_BOOK_METHODOLOGY_VERSION = 'order-book/1.0.0';

type Levels = readonly PriceLevel[];

/** Levels of a side within ± pct of `mid` (best first, as given). */
function withinBand(levels: Levels, mid: number, pct: number, bids: boolean): PriceLevel[] {
  const edge = bids ? mid * (1 - pct / 100) : mid * (1 + pct / 100);
  const out: PriceLevel[] = [];
  for (const level of levels) {
    if (bids ? level[0] < edge : level[0] > edge) break;
    out.push(level);
  }
  return out;
}

const notional = (levels: Levels): number => levels.reduce((s, [p, q]) => s + p * q, 0);

/** A usable book trimmed to ± bandPct of its mid and at most maxLevels per side: what the history keeps. */
export function toBookSample(book: { bids: Levels; asks: Levels; time: number }, bandPct = 5, maxLevels = 200): BookSample | null {
  const bid = book.bids[0];
  const ask = book.asks[0];
  if (!bid || !ask || bid[0] >= ask[0]) return null;
  const mid = (bid[0] + ask[0]) / 2;
  return {
    time: book.time,
    bestBid: bid[0],
    bestAsk: ask[0],
    bids: withinBand(book.bids, mid, bandPct, true).slice(0, maxLevels),
    asks: withinBand(book.asks, mid, bandPct, false).slice(0, maxLevels),
  };
}

export function depthBand(bids: Levels, asks: Levels, mid: number, pct: number): DepthBand {
  const b = withinBand(bids, mid, pct, true);
  const a = withinBand(asks, mid, pct, false);
  const bidUsd = notional(b);
  const askUsd = notional(a);
  const total = bidUsd + askUsd;
  return { pct, bidUsd, askUsd, imbalance: total > 0 ? (bidUsd - askUsd) / total : 0, complete: b.length < bids.length && a.length < asks.length };
}

/**
 * Walks one side for a market order of `notionalUsd` (quote currency): fills level after level at its price
 * until the notional is spent. Slippage = (average − mid)/mid for a buy, (mid − average)/mid for a sell, bps.
 */
export function walkBook(levels: Levels, mid: number, side: 'BUY' | 'SELL', notionalUsd: number): BookSlippage {
  let remaining = notionalUsd;
  let qty = 0;
  let used = 0;
  let worst: number | null = null;
  for (const [price, size] of levels) {
    if (remaining <= 0) break;
    const take = Math.min(size, remaining / price);
    qty += take;
    remaining -= take * price;
    worst = price;
    used += 1;
  }
  if (remaining > notionalUsd * 1e-9) {
    return {
      side,
      notionalUsd,
      filled: false,
      averagePrice: null,
      slippageBps: null,
      worstPrice: worst,
      levels: used,
      unavailableReason: `the book holds only ${Math.round(notionalUsd - remaining)} USD on the ${side === 'BUY' ? 'ask' : 'bid'} side`,
    };
  }
  const average = notionalUsd / qty;
  const bps = ((side === 'BUY' ? average - mid : mid - average) / mid) * 10_000;
  return { side, notionalUsd, filled: true, averagePrice: average, slippageBps: bps, worstPrice: worst, levels: used, unavailableReason: null };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  return quantileOfSorted([...values].sort((x, y) => x - y), 0.5);
}

interface WallCandidate {
  side: BookSide;
  price: number;
  qty: number;
  sizeVsMedian: number;
}

/** Levels within ± bandPct whose size is ≥ multiple × the median level size of both sides in that band. */
function findWalls(bids: Levels, asks: Levels, mid: number, th: OrderBookThresholds): { walls: WallCandidate[]; median: number | null } {
  const b = withinBand(bids, mid, th.wallBandPct, true);
  const a = withinBand(asks, mid, th.wallBandPct, false);
  const med = median([...b, ...a].map(([, q]) => q));
  if (med === null || med <= 0) return { walls: [], median: med };
  const walls: WallCandidate[] = [];
  for (const [side, levels] of [['BID', b], ['ASK', a]] as const)
    for (const [price, qty] of levels) if (qty >= th.wallMultiple * med) walls.push({ side, price, qty, sizeVsMedian: qty / med });
  return { walls, median: med };
}

/**
 * Per-sample memo of the measures read from past books (walls, imbalance). A stored sample never changes and
 * the store (and the worker's replica) keeps the same sample objects until they age out, so each is measured
 * once instead of on every run: the run costs the new samples plus the current book, not the whole hour.
 * Keyed by the thresholds that shape the measure; a WeakMap, so samples that age out take their memo along.
 */
const sampleMemo = new WeakMap<BookSample, Map<string, unknown>>();
function memoOf<T>(sample: BookSample, key: string, compute: () => T): T {
  let memo = sampleMemo.get(sample);
  if (!memo) sampleMemo.set(sample, (memo = new Map()));
  if (memo.has(key)) return memo.get(key) as T;
  const value = compute();
  memo.set(key, value);
  return value;
}
const wallsKey = (th: OrderBookThresholds) => `walls:${th.wallMultiple}:${th.wallBandPct}`;
const wallsOfSample = (s: BookSample, th: OrderBookThresholds, key: string): WallCandidate[] =>
  memoOf(s, key, () => findWalls(s.bids, s.asks, (s.bestBid + s.bestAsk) / 2, th).walls);

const levelQty = (sample: { bids: Levels; asks: Levels }, side: BookSide, price: number): number => {
  const levels = side === 'BID' ? sample.bids : sample.asks;
  for (const [p, q] of levels) if (p === price) return q;
  return 0;
};

/**
 * Walls now and walls gone. A wall seen in a past sample is gone when the current book holds less than
 * `wallKeepShare` of its size at that price; it was touched when the price reached it after it first
 * appeared (best bid ≤ a bid wall's price, best ask ≥ an ask wall's price, in a later sample or now),
 * else it was pulled before touch.
 */
function wallSummary(current: BookSample, history: readonly BookSample[], mid: number, th: OrderBookThresholds): WallSummary {
  const now = findWalls(current.bids, current.asks, mid, th);
  const key = (side: BookSide, price: number) => `${side}:${price}`;
  const standing: BookWall[] = now.walls.map((w) => {
    let firstSeen = current.time;
    for (let i = history.length - 1; i >= 0; i--) {
      const s = history[i]!;
      if (levelQty(s, w.side, w.price) >= th.wallKeepShare * w.qty) firstSeen = s.time;
      else break;
    }
    return {
      side: w.side,
      price: w.price,
      qty: w.qty,
      notionalUsd: w.price * w.qty,
      sizeVsMedian: w.sizeVsMedian,
      distancePct: (Math.abs(w.price - mid) / mid) * 100,
      ageMs: current.time - firstSeen,
      firstSeen,
    };
  });
  standing.sort((x, y) => y.notionalUsd - x.notionalUsd);
  const standingKeys = new Set(standing.map((w) => key(w.side, w.price)));

  // Walls of every past sample, merged by (side, price).
  const memoKey = wallsKey(th);
  const seen = new Map<string, { side: BookSide; price: number; qty: number; notional: number; sizeVsMedian: number; firstSeen: number; lastSeen: number; firstIndex: number }>();
  history.forEach((s, index) => {
    for (const w of wallsOfSample(s, th, memoKey)) {
      const k = key(w.side, w.price);
      const prev = seen.get(k);
      if (!prev) seen.set(k, { side: w.side, price: w.price, qty: w.qty, notional: w.price * w.qty, sizeVsMedian: w.sizeVsMedian, firstSeen: s.time, lastSeen: s.time, firstIndex: index });
      else {
        prev.lastSeen = s.time;
        prev.qty = w.qty;
        if (w.price * w.qty > prev.notional) prev.notional = w.price * w.qty;
        prev.sizeVsMedian = Math.max(prev.sizeVsMedian, w.sizeVsMedian);
      }
    }
  });
  const gone: PastWall[] = [];
  for (const [k, w] of seen) {
    if (standingKeys.has(k)) continue;
    if (levelQty(current, w.side, w.price) >= th.wallKeepShare * w.qty) continue; // still there, just below the wall threshold now
    let touched = false;
    for (let i = w.firstIndex; i < history.length && !touched; i++) {
      const s = history[i]!;
      touched = w.side === 'BID' ? s.bestBid <= w.price : s.bestAsk >= w.price;
    }
    if (!touched) touched = w.side === 'BID' ? current.bestBid <= w.price : current.bestAsk >= w.price;
    gone.push({ side: w.side, price: w.price, notionalUsd: w.notional, sizeVsMedian: w.sizeVsMedian, firstSeen: w.firstSeen, lastSeen: w.lastSeen, stoodMs: w.lastSeen - w.firstSeen, touched });
  }
  gone.sort((x, y) => Number(x.touched) - Number(y.touched) || y.lastSeen - x.lastSeen);
  const pulled = gone.filter((w) => !w.touched).length;
  const eaten = gone.length - pulled;
  const all = pulled + eaten + standing.length;
  return { standing: standing.slice(0, th.maxWalls), gone: gone.slice(0, th.maxWalls), pulledBeforeTouch: pulled, eaten, pulledShare: all > 0 ? pulled / all : null };
}

function imbalanceOf(sample: { bids: Levels; asks: Levels; bestBid: number; bestAsk: number }, pct: number): number {
  return depthBand(sample.bids, sample.asks, (sample.bestBid + sample.bestAsk) / 2, pct).imbalance;
}

/** Imbalance within ± pct now, and its z-score against the same measure on every past sample. */
export function bookImbalance(current: BookSample, history: readonly BookSample[], pct: number, minSamples: number): BookImbalance {
  const value = imbalanceOf(current, pct);
  const key = `imbalance:${pct}`;
  const past = history.map((s) => memoOf(s, key, () => imbalanceOf(s, pct)));
  if (past.length < minSamples)
    return { pct, value, zScore: null, mean: null, stdDev: null, samples: past.length, zScoreUnavailableReason: `${past.length} past books, ${minSamples} needed` };
  const { mean, stdDev } = meanAndStdDev(past, 'sample');
  if (!(stdDev > 0)) return { pct, value, zScore: null, mean, stdDev, samples: past.length, zScoreUnavailableReason: 'past imbalance is constant (zero standard deviation)' };
  return { pct, value, zScore: (value - mean) / stdDev, mean, stdDev, samples: past.length, zScoreUnavailableReason: null };
}

/** The price × time matrix: buckets of stepPct around `reference`, one slice per (thinned) sample plus now. */
export function bookHeatmap(samples: readonly BookSample[], reference: number, rangePct: number, stepPct: number, maxSlices: number): BookHeatmap {
  const n = Math.max(1, Math.round((2 * rangePct) / stepPct));
  const low = reference * (1 - rangePct / 100);
  const width = (reference * stepPct) / 100;
  const prices = Array.from({ length: n }, (_, i) => low + (i + 0.5) * width);
  const every = Math.max(1, Math.ceil(samples.length / maxSlices));
  // Keep the newest sample in every group (the last one is always kept).
  const picked = samples.filter((_, i) => (samples.length - 1 - i) % every === 0);
  let maxNotional = 0;
  const slices = picked.map((s) => {
    const cells = new Array<number>(n).fill(0);
    for (const side of [s.bids, s.asks])
      for (const [p, q] of side) {
        const i = Math.floor((p - low) / width);
        if (i >= 0 && i < n) cells[i]! += p * q;
      }
    for (const c of cells) if (c > maxNotional) maxNotional = c;
    return { time: s.time, notional: cells };
  });
  return { prices, stepPct, referencePrice: reference, slices, maxNotional };
}

/**
 * Re-bins a stored heatmap to ± depthPct of its reference in `buckets` rows (a fine bucket goes to the
 * coarse bucket holding its centre), for `Market.orderBook(depthPct, buckets)`.
 */
export function rebinHeatmap(h: BookHeatmap, depthPct: number, buckets: number): BookHeatmap {
  const low = h.referencePrice * (1 - depthPct / 100);
  const width = (h.referencePrice * 2 * depthPct) / 100 / buckets;
  const prices = Array.from({ length: buckets }, (_, i) => low + (i + 0.5) * width);
  let maxNotional = 0;
  const slices = h.slices.map((s) => {
    const cells = new Array<number>(buckets).fill(0);
    h.prices.forEach((p, j) => {
      const i = Math.floor((p - low) / width);
      if (i >= 0 && i < buckets) cells[i]! += s.notional[j] ?? 0;
    });
    for (const c of cells) if (c > maxNotional) maxNotional = c;
    return { time: s.time, notional: cells };
  });
  return { prices, stepPct: (2 * depthPct) / buckets, referencePrice: h.referencePrice, slices, maxNotional };
}

function unavailable(input: OrderBookInput, th: OrderBookThresholds, reason: string): OrderBookAnalysis {
  return {
    symbol: input.symbol,
    available: false,
    unavailableReason: reason,
    bookState: input.book?.state ?? OrderBookStates.SYNCING,
    updateId: input.book?.updateId ?? null,
    bookTime: input.book?.time ?? null,
    bestBid: null,
    bestAsk: null,
    mid: null,
    spreadBps: null,
    bidLevels: 0,
    askLevels: 0,
    depth: [],
    imbalance: null,
    walls: null,
    slippage: [],
    heatmap: null,
    historySamples: input.history.length,
    factors: [],
    thresholds: th,
  };
}

/**
 * Order-book analytics of one symbol: top of book and spread, USD depth within ±0.5/1/2/5 % per side,
 * bid/ask imbalance within ±1 % and its z-score against the recent books, walls (levels ≥ 8× the median
 * level size within ±5 %) with their age, walls gone before the price touched them (a spoofing-suspicion
 * factor, not an accusation: liquidity providers also cancel), slippage of $10k/$100k/$1M market orders by
 * walking the book, and a price × time matrix of resting liquidity.
 *
 * How to read: a positive imbalance means more resting bids than asks near the price; |z| ≥ 2 is unusual for
 * this book. Slippage is the cost of an immediate fill against the visible book only (hidden and iceberg
 * orders are not seen; real fills can be better).
 *
 * A book that is not SYNCED/SNAPSHOT (a sequence gap, waiting for its snapshot) or is crossed is never
 * analysed: the result is unavailable with the reason.
 *
 * @see https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams/How-to-manage-a-local-order-book-correctly
 * @see Cont, Kukanov, Stoikov (2014) "The price impact of order book events" (depth imbalance as a flow measure).
 */
export function computeOrderBookAnalysis(input: Readonly<OrderBookInput>): OrderBookAnalysis {
  const th: OrderBookThresholds = { ...DEFAULT_ORDER_BOOK_THRESHOLDS, ...input.thresholds };
  for (const [name, v] of Object.entries(th)) if (!Number.isFinite(v) || v <= 0) throw new RangeError(`order book threshold ${name} must be positive, got ${JSON.stringify(v)}`);
  const book = input.book;
  if (!book) return unavailable(input, th, 'no order book received yet');
  const state = book.state ?? OrderBookStates.SNAPSHOT;
  if (state !== OrderBookStates.SYNCED && state !== OrderBookStates.SNAPSHOT) return unavailable(input, th, `order book ${state}: ${book.reason ?? 'not synced'}`);
  const bid = book.bids[0];
  const ask = book.asks[0];
  if (!bid || !ask) return unavailable(input, th, 'order book has an empty side');
  if (bid[0] >= ask[0]) return unavailable(input, th, `crossed order book: best bid ${bid[0]} >= best ask ${ask[0]}`);

  const mid = (bid[0] + ask[0]) / 2;
  const spreadBps = ((ask[0] - bid[0]) / mid) * 10_000;
  const depth = DEPTH_BANDS_PCT.map((pct) => depthBand(book.bids, book.asks, mid, pct));
  const slippage = SLIPPAGE_SIZES_USD.flatMap((size) => [walkBook(book.asks, mid, 'BUY', size), walkBook(book.bids, mid, 'SELL', size)]);
  const current = toBookSample(book, Math.max(th.wallBandPct, th.heatmapRangePct, th.imbalanceBandPct), Number.MAX_SAFE_INTEGER)!;
  const history = input.history.filter((s) => s.time < book.time);
  const imbalance = bookImbalance(current, history, th.imbalanceBandPct, th.minZSamples);
  const walls = wallSummary(current, history, mid, th);
  const heatmap = bookHeatmap([...history, current], mid, th.heatmapRangePct, th.heatmapStepPct, th.heatmapSlices);

  const factors: Factor[] = [
    {
      name: 'imbalance',
      value: imbalance.value,
      weight: 0.5,
      contribution: 0.5 * imbalance.value,
      note: `(bid − ask) / (bid + ask) of the USD resting within ±${th.imbalanceBandPct} % of the mid; positive: more bids`,
    },
    {
      name: 'imbalanceZScore',
      value: imbalance.zScore ?? 0,
      weight: imbalance.zScore === null ? 0 : 0.3,
      contribution: imbalance.zScore === null ? 0 : 0.3 * Math.max(-1, Math.min(1, imbalance.zScore / 3)),
      note: imbalance.zScore === null ? `no z-score: ${imbalance.zScoreUnavailableReason}` : `imbalance vs its last ${imbalance.samples} books (σ units, clipped at ±3 for the contribution)`,
    },
    {
      name: 'pulledWallShare',
      value: walls.pulledShare ?? 0,
      weight: walls.pulledShare === null ? 0 : 0.2,
      contribution: walls.pulledShare === null ? 0 : -0.2 * walls.pulledShare,
      note: `share of the walls seen that were pulled before the price touched them (${walls.pulledBeforeTouch} pulled, ${walls.eaten} eaten, ${walls.standing.length} standing): spoofing suspicion, not an accusation`,
    },
  ];

  return {
    symbol: input.symbol,
    available: true,
    unavailableReason: null,
    bookState: state,
    updateId: book.updateId ?? null,
    bookTime: book.time,
    bestBid: bid[0],
    bestAsk: ask[0],
    mid,
    spreadBps,
    bidLevels: book.bids.length,
    askLevels: book.asks.length,
    depth,
    imbalance,
    walls,
    slippage,
    heatmap,
    historySamples: history.length,
    factors,
    thresholds: th,
  };
}
