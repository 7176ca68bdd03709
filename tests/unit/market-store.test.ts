import { describe, expect, it } from 'vitest';
import type { Candle, FundingRate } from '../../src/domain/market.js';
import { createMarketStore } from '../../src/engine/market-store.js';
import { RingBuffer } from '../../src/engine/ring-buffer.js';

const funding = (fundingTime: number, rate: number): FundingRate => ({ symbol: 'BTCUSDT', rate, fundingTime, markPrice: null });
const candle = (openTime: number, close: number, closed = true): Candle => ({
  symbol: 'BTCUSDT',
  interval: '1m',
  openTime,
  closeTime: openTime + 59_999,
  open: close,
  high: close,
  low: close,
  close,
  volume: 1,
  quoteVolume: close,
  takerBuyVolume: 0.5,
  trades: 1,
  closed,
});

describe('RingBuffer', () => {
  it('keeps the newest items in order once full', () => {
    const buffer = new RingBuffer<number>(3);
    for (const n of [1, 2, 3, 4, 5]) buffer.push(n);
    expect(buffer.toArray(), 'oldest two overwritten').toEqual([3, 4, 5]);
    expect(buffer.toArray(2), 'newest two').toEqual([4, 5]);
    expect(buffer.last()).toBe(5);
    buffer.replaceLast(9);
    expect(buffer.toArray()).toEqual([3, 4, 9]);
    expect(buffer.size).toBe(3);
  });

  it('rejects a non-positive capacity', () => {
    expect(() => new RingBuffer(0)).toThrow('got 0');
  });
});

describe('createMarketStore', () => {
  it('bounds history and de-duplicates settlements by time', () => {
    const store = createMarketStore(['BTCUSDT'], { trades: 10, candlesPerInterval: 2, fundingSettlements: 3 });
    for (const [t, r] of [[1, 0.1], [2, 0.2], [2, 0.25], [1, 0.9], [3, 0.3], [4, 0.4]] as const) store.apply({ type: 'funding', funding: funding(t, r) });
    const rates = store.get('BTCUSDT')!.funding.toArray().map((f) => [f.fundingTime, f.rate]);
    expect(rates, 'same time replaces, older time ignored, capacity 3').toEqual([[2, 0.25], [3, 0.3], [4, 0.4]]);
  });

  it('replaces a forming candle and keeps the last N bars', () => {
    const store = createMarketStore(['BTCUSDT'], { trades: 10, candlesPerInterval: 2, fundingSettlements: 3 });
    store.apply({ type: 'candle', candle: candle(0, 100, false) });
    store.apply({ type: 'candle', candle: candle(0, 101, true) });
    store.apply({ type: 'candle', candle: candle(60_000, 102) });
    store.apply({ type: 'candle', candle: candle(120_000, 103) });
    const closes = store.get('BTCUSDT')!.candles.get('1m')!.toArray().map((c) => c.close);
    expect(closes).toEqual([102, 103]);
    expect(store.get('BTCUSDT')!.lastPrice, 'price from candles when no trades yet').toBe(103);
  });

  it('notifies listeners with symbol and event type, and ignores unknown symbols', () => {
    const store = createMarketStore(['BTCUSDT']);
    const seen: string[] = [];
    const off = store.onChange((symbol, type) => seen.push(`${symbol}:${type}`));
    store.apply({ type: 'trade', trade: { symbol: 'BTCUSDT', id: 1, price: 50_000, qty: 1, time: 10, side: 'BUY' } });
    store.apply({ type: 'trade', trade: { symbol: 'DOGEUSDT', id: 1, price: 1, qty: 1, time: 10, side: 'BUY' } });
    off();
    store.apply({ type: 'funding', funding: funding(5, 0.1) });
    expect(seen).toEqual(['BTCUSDT:trade']);
    expect(store.get('BTCUSDT')!.lastPrice).toBe(50_000);
    expect(store.get('DOGEUSDT')).toBeUndefined();
  });
});
