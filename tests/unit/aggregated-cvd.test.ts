import { describe, expect, it } from 'vitest';
import { computeAggregatedCvd } from '../../src/analyzers/aggregated-cvd.js';

const T = Date.UTC(2026, 0, 1, 12);
const S = 1_000;
const tr = (dt: number, side: 'BUY' | 'SELL', qty: number, price: number) => ({ time: T + dt, side, qty, price });

describe('computeAggregatedCvd', () => {
  const venues = [
    { venue: 'BINANCE' as const, excluded: null, trades: [tr(-10 * S, 'BUY', 1, 100), tr(5 * S, 'BUY', 2, 100), tr(70 * S, 'SELL', 1, 101), tr(130 * S, 'BUY', 0.5, 102)] },
    { venue: 'BYBIT' as const, excluded: null, trades: [tr(1 * S, 'SELL', 1, 100.5), tr(65 * S, 'BUY', 3, 101)] },
    { venue: 'OKX' as const, excluded: { status: 'STALE' as const, reason: 'trade overdue' }, trades: [tr(100 * S, 'BUY', 1e6, 1)] },
  ];
  const a = computeAggregatedCvd({ symbol: 'BTCUSDT', venues, now: T + 150 * S })!;

  it('sums taker buy − sell per bar over the venues, only on bars every venue covers', () => {
    // Bybit's oldest trade is at T + 1 s: the bar at T is not fully covered, the first bar is T + 60 s.
    expect(a.coveredFrom).toBe(T + 60 * S);
    expect(a.bars.map((b) => [b.time - T, b.delta, b.deltaUsd, b.cvd, b.cvdUsd])).toEqual([
      [60 * S, -1 + 3, -101 + 303, 2, 202],
      [120 * S, 0.5, 51, 2.5, 253],
    ]);
    expect(a.bars[0]!.venueDeltas, 'Binance −1, Bybit +3').toEqual([-1, 3]);
    expect([a.cvd, a.cvdUsd]).toEqual([2.5, 253]);
  });

  it('per venue totals, and the stale venue is in no bar', () => {
    expect(a.venues).toEqual([
      { venue: 'BINANCE', delta: -0.5, deltaUsd: -50, tradesSince: T - 10 * S },
      { venue: 'BYBIT', delta: 3, deltaUsd: 303, tradesSince: T + 1 * S },
    ]);
    expect(a.excluded).toEqual([{ venue: 'OKX', status: 'STALE', reason: 'trade overdue' }]);
  });

  it('keeps the newest maxBars; null without trades', () => {
    const b = computeAggregatedCvd({ symbol: 'BTCUSDT', venues, now: T + 150 * S, maxBars: 1 })!;
    expect(b.bars.map((x) => [x.time - T, x.cvd])).toEqual([[120 * S, 0.5]]);
    expect(computeAggregatedCvd({ symbol: 'X', venues: [{ venue: 'OKX', excluded: null, trades: [] }], now: T })).toBeNull();
  });
});
