import { describe, expect, it } from 'vitest';
import { computeOrderBookAnalysis, toBookSample } from '../../src/analyzers/order-book.js';
import type { BookSample } from '../../src/analyzers/order-book.types.js';
import { orderBookAt, wallsAt } from '../../src/datasources/simulated/generators/book.js';
import { symbolProfile } from '../../src/datasources/simulated/profiles.js';

const SEED = 42;
const START = Date.UTC(2026, 0, 5, 12, 0, 0);

describe('simulated book walls', () => {
  const profile = symbolProfile('BTCUSDT');
  // One hour of 5 s snapshots.
  const times = Array.from({ length: 720 }, (_, i) => START + i * 5_000);
  const books = times.map((t) => orderBookAt(SEED, profile, t));

  it('walls are in the book while they stand, with their planned size, and the book stays uncrossed and sorted', () => {
    let seen = 0;
    for (const [i, t] of times.entries()) {
      const b = books[i]!;
      expect(b.bids[0]![0]).toBeLessThan(b.asks[0]![0]);
      for (const w of wallsAt(SEED, profile, t)) {
        const side = w.side === 'BID' ? b.bids : b.asks;
        const level = side.find(([p]) => p === w.price);
        if (w.side === 'BID' ? w.price >= b.bids[0]![0] : w.price <= b.asks[0]![0]) continue; // inside the spread: not placed
        expect(level?.[1], `wall ${w.side} ${w.price} at ${t}`).toBeGreaterThanOrEqual(w.qty);
        seen += 1;
      }
    }
    expect(seen, 'walls stood during the hour').toBeGreaterThan(50);
  });

  it('the analyzer finds walls that were pulled before touch and walls that were eaten', () => {
    const history: BookSample[] = books.slice(0, -1).map((b) => toBookSample(b)!);
    const a = computeOrderBookAnalysis({ symbol: 'BTCUSDT', book: books.at(-1)!, history });
    expect(a.available).toBe(true);
    expect(a.walls!.pulledBeforeTouch, 'spoof walls pulled as the price neared').toBeGreaterThan(0);
    expect(a.walls!.eaten + a.walls!.pulledBeforeTouch).toBeGreaterThan(1);
    expect(a.imbalance!.zScore, '719 past books').not.toBeNull();
    expect(a.heatmap!.slices).toHaveLength(60);
  });
});
