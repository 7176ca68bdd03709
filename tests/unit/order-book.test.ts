import { describe, expect, it } from 'vitest';
import { bookHeatmap, computeOrderBookAnalysis, rebinHeatmap, toBookSample } from '../../src/analyzers/order-book.js';
import type { BookSample } from '../../src/analyzers/order-book.types.js';
import type { PriceLevel } from '../../src/domain/market.js';

const T0 = 1_700_000_000_000;
const BIDS: PriceLevel[] = [[99, 10], [98, 20], [95, 100]];
const ASKS: PriceLevel[] = [[101, 10], [102, 20], [105, 100]];
const book = (bids = BIDS, asks = ASKS, time = T0) => ({ bids, asks, time, state: 'SYNCED' as const, updateId: 42 });

describe('order book analyzer: crafted book, by hand', () => {
  const a = computeOrderBookAnalysis({ symbol: 'X', book: book(), history: [] });

  it('top of book and spread', () => {
    expect(a.available).toBe(true);
    expect([a.bestBid, a.bestAsk, a.mid]).toEqual([99, 101, 100]);
    expect(a.spreadBps, '(101 − 99) / 100 × 10 000').toBeCloseTo(200, 10);
  });

  it('depth bands in USD per side', () => {
    const d = Object.fromEntries(a.depth.map((b) => [b.pct, b]));
    expect([d[0.5]!.bidUsd, d[0.5]!.askUsd], 'nothing within ±0.5 % (99.5..100.5)').toEqual([0, 0]);
    expect([d[1]!.bidUsd, d[1]!.askUsd], '99×10 and 101×10').toEqual([990, 1010]);
    expect(d[1]!.imbalance, '(990 − 1010) / 2000').toBeCloseTo(-0.01, 12);
    expect([d[2]!.bidUsd, d[2]!.askUsd], '+98×20, +102×20').toEqual([2950, 3050]);
    expect([d[5]!.bidUsd, d[5]!.askUsd], '+95×100, +105×100').toEqual([12450, 13550]);
    expect(d[2]!.complete, 'deeper levels exist beyond ±2 %').toBe(true);
    expect(d[5]!.complete, 'the book ends inside ±5 %: a lower bound').toBe(false);
  });

  it('slippage walks the book; an order larger than the book is not filled', () => {
    const buy10k = a.slippage.find((s) => s.side === 'BUY' && s.notionalUsd === 10_000)!;
    // 1010 + 2040 spent on the first two asks, 6950 USD left at 105.
    const buyQty = 10 + 20 + 6950 / 105;
    expect(buy10k.averagePrice).toBeCloseTo(10_000 / buyQty, 9);
    expect(buy10k.slippageBps).toBeCloseTo((10_000 / buyQty / 100 - 1) * 10_000, 9);
    expect(buy10k.slippageBps).toBeCloseTo(396.0396, 3);
    expect([buy10k.levels, buy10k.worstPrice]).toEqual([3, 105]);
    const sell10k = a.slippage.find((s) => s.side === 'SELL' && s.notionalUsd === 10_000)!;
    const sellQty = 10 + 20 + 7050 / 95;
    expect(sell10k.slippageBps).toBeCloseTo((1 - 10_000 / sellQty / 100) * 10_000, 9);
    const buy100k = a.slippage.find((s) => s.side === 'BUY' && s.notionalUsd === 100_000)!;
    expect(buy100k.filled).toBe(false);
    expect(buy100k.slippageBps, 'never a number for an unfillable order').toBeNull();
    expect(buy100k.unavailableReason).toBe('the book holds only 13550 USD on the ask side');
  });
});

describe('order book analyzer: walls', () => {
  // Past books: walls of 200 at 97 (bid) and 103 (ask); the last one traded down through 97.
  const past = (i: number, bestBid = 99): BookSample => ({
    time: T0 - (3 - i) * 5_000,
    bestBid,
    bestAsk: 101,
    bids: bestBid === 99 ? [[99, 10], [98, 20], [97, 200], [95, 100]] : [[96.5, 10], [95, 100]],
    asks: [[101, 10], [102, 20], [103, 200], [105, 100]],
  });
  const history = [past(0), past(1), past(2, 96.5)];
  const a = computeOrderBookAnalysis({ symbol: 'X', book: book(), history, thresholds: { wallMultiple: 3 } });

  it('standing walls with size vs median and age', () => {
    // Now: sizes 10, 20, 100, 10, 20, 100 → median 20; walls ≥ 60: both 100s.
    expect(a.walls!.standing.map((w) => [w.side, w.price, w.sizeVsMedian])).toEqual([
      ['ASK', 105, 5],
      ['BID', 95, 5],
    ]);
    const ask = a.walls!.standing[0]!;
    expect(ask.notionalUsd).toBe(10_500);
    expect(ask.distancePct).toBeCloseTo(5, 12);
    expect(ask.ageMs, 'held by all three past books').toBe(15_000);
  });

  it('a wall gone before the price reached it is pulled; one the price reached is eaten', () => {
    const gone = a.walls!.gone.map((w) => [w.side, w.price, w.touched]);
    expect(gone).toEqual([
      ['ASK', 103, false],
      ['BID', 97, true],
    ]);
    expect([a.walls!.pulledBeforeTouch, a.walls!.eaten]).toEqual([1, 1]);
    expect(a.walls!.pulledShare, '1 pulled of 1 + 1 eaten + 2 standing').toBe(0.25);
    expect(a.factors.find((f) => f.name === 'pulledWallShare')?.value).toBe(0.25);
  });
});

describe('order book analyzer: per-sample memo', () => {
  it('a second run on the same sample objects equals a run on fresh copies, and other thresholds are not served from the memo', () => {
    const past = (i: number): BookSample => ({ time: T0 - (3 - i) * 5_000, bestBid: 99, bestAsk: 101, bids: [[99, 10], [98, 20], [97, 200 - i * 50], [95, 100]], asks: [[101, 10], [102, 20], [103, 200], [105, 100]] });
    const history = [past(0), past(1), past(2)];
    const first = computeOrderBookAnalysis({ symbol: 'X', book: book(), history, thresholds: { wallMultiple: 3 } });
    const again = computeOrderBookAnalysis({ symbol: 'X', book: book(), history, thresholds: { wallMultiple: 3 } });
    const fresh = computeOrderBookAnalysis({ symbol: 'X', book: book(), history: history.map((x) => ({ ...x })), thresholds: { wallMultiple: 3 } });
    expect(again).toEqual(first);
    expect(fresh).toEqual(first);
    // wallMultiple 8 on the memoised samples: the 97 level (200 − 50 i vs median 20) is a wall only at ≥ 160.
    const strict = computeOrderBookAnalysis({ symbol: 'X', book: book(), history, thresholds: { wallMultiple: 8 } });
    const strictFresh = computeOrderBookAnalysis({ symbol: 'X', book: book(), history: history.map((x) => ({ ...x })), thresholds: { wallMultiple: 8 } });
    expect(strict).toEqual(strictFresh);
    expect(strict.walls!.gone.map((w) => [w.side, w.price])).not.toEqual(first.walls!.gone.map((w) => [w.side, w.price]));
  });
});

describe('order book analyzer: imbalance z-score on generated books', () => {
  it('equals (x − mean) / sample σ of the same measure over the past books', () => {
    // Bid size at 99.5 varies by book; asks fixed: imbalance within ±1 % = (99.5 q − 1005) / (99.5 q + 1005).
    const qty = (i: number) => 5 + ((i * 37) % 11);
    const history: BookSample[] = Array.from({ length: 30 }, (_, i) => ({
      time: T0 - (30 - i) * 5_000,
      bestBid: 99.5,
      bestAsk: 100.5,
      bids: [[99.5, qty(i)]],
      asks: [[100.5, 10]],
    }));
    const imb = (q: number) => (99.5 * q - 1005) / (99.5 * q + 1005);
    const xs = history.map((_, i) => imb(qty(i)));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
    const a = computeOrderBookAnalysis({ symbol: 'X', book: book([[99.5, 30]], [[100.5, 10]]), history });
    expect(a.imbalance!.value).toBeCloseTo(imb(30), 12);
    expect(a.imbalance!.samples).toBe(30);
    expect(a.imbalance!.zScore).toBeCloseTo((imb(30) - mean) / sd, 9);
    expect(a.imbalance!.zScore!, 'a bid-heavy outlier').toBeGreaterThan(2);
    const few = computeOrderBookAnalysis({ symbol: 'X', book: book([[99.5, 30]], [[100.5, 10]]), history: history.slice(0, 5) });
    expect(few.imbalance!.zScore).toBeNull();
    expect(few.imbalance!.zScoreUnavailableReason).toBe('5 past books, 20 needed');
  });
});

describe('order book analyzer: untrusted books', () => {
  it('a GAP or SYNCING book is unavailable with its reason, never numbers', () => {
    const a = computeOrderBookAnalysis({ symbol: 'X', book: { bids: [], asks: [], time: T0, state: 'GAP', reason: 'sequence gap: diff pu 5 does not follow the last applied u 4' }, history: [] });
    expect(a.available).toBe(false);
    expect(a.unavailableReason).toBe('order book GAP: sequence gap: diff pu 5 does not follow the last applied u 4');
    expect([a.mid, a.spreadBps, a.imbalance, a.walls, a.heatmap]).toEqual([null, null, null, null, null]);
    expect(a.depth).toEqual([]);
    expect(a.slippage).toEqual([]);
  });

  it('a crossed book is unavailable', () => {
    const a = computeOrderBookAnalysis({ symbol: 'X', book: { bids: [[101, 1]], asks: [[100, 1]], time: T0 }, history: [] });
    expect(a.available).toBe(false);
    expect(a.unavailableReason).toBe('crossed order book: best bid 101 >= best ask 100');
    expect(toBookSample({ bids: [[101, 1]], asks: [[100, 1]], time: T0 })).toBeNull();
  });
});

describe('order book heatmap', () => {
  it('puts each level notional in its price bucket and re-bins without losing any', () => {
    const s: BookSample = { time: T0, bestBid: 99, bestAsk: 101, bids: [[99, 10], [98, 20]], asks: [[101, 10], [102, 20]] };
    const h = bookHeatmap([s], 100, 5, 0.1, 60);
    expect(h.prices).toHaveLength(100);
    expect(h.prices[0]).toBeCloseTo(95.05, 10);
    const cells = h.slices[0]!.notional;
    // 99 is the lower edge of bucket (99 − 95) / 0.1 = 40 (floating floor may put it at 39 or 40).
    expect(cells.reduce((x, y) => x + y, 0)).toBeCloseTo(990 + 1960 + 1010 + 2040, 9);
    expect(h.maxNotional).toBe(2040);
    const r = rebinHeatmap(h, 2, 4);
    expect(r.prices).toEqual([98.5, 99.5, 100.5, 101.5].map((p) => expect.closeTo(p, 9) as unknown as number));
    // ±2 %: 98..102; the 102 level sits on the upper edge (outside), the rest stays.
    expect(r.slices[0]!.notional.reduce((x, y) => x + y, 0)).toBeCloseTo(990 + 1960 + 1010, 6);
  });
});
