import { describe, expect, it } from 'vitest';
import type { Candle } from '../../src/domain/market.js';
import { correlationDefinition } from '../../src/engine/definitions/correlation.js';
import { createMarketStore } from '../../src/engine/market-store.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);
const settings = { fundingHistoryWindow: 90, fundingIntervalHours: () => 8 };

function candle(symbol: string, i: number, close: number, closed = true): Candle {
  return {
    symbol,
    interval: '1h',
    openTime: T0 + i * H,
    closeTime: T0 + (i + 1) * H - 1,
    open: close,
    high: close,
    low: close,
    close,
    volume: 1,
    quoteVolume: close,
    takerBuyVolume: 0.5,
    trades: 1,
    closed,
  };
}

describe('correlation definition (key ALL)', () => {
  const store = createMarketStore(['BTCUSDT', 'ETHUSDT']);
  // ETH's returns are twice BTC's: Pearson 1 on every window.
  let btc = 100;
  let eth = 100;
  for (let i = 0; i < 300; i++) {
    const r = Math.sin(i * 1.7) * 0.01;
    btc *= Math.exp(r);
    eth *= Math.exp(2 * r);
    store.apply({ type: 'candle', candle: candle('BTCUSDT', i, btc) });
    store.apply({ type: 'candle', candle: candle('ETHUSDT', i, eth) });
  }

  it('computes every configured symbol on 1h candles, window 168, stamped at the newest close', () => {
    expect(correlationDefinition.keys(store), 'one market-wide key').toEqual(['ALL']);
    const out = correlationDefinition.compute(store, 'ALL', T0 + 400 * H, settings)!;
    expect(out.result.symbols).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(out.result.window).toBe(168);
    expect(out.result.pearson[0]![1], 'returns scaled by 2').toBeCloseTo(1, 6);
    expect(out.asOf, 'close time of bar 299').toBe(T0 + 300 * H - 1);
    expect(out.result.regime!.missingInputs.length, 'no CoinGecko, no F&G in the store').toBe(2);
  });

  it('reuses the result while only an open candle changes, recomputes on a new closed bar', () => {
    const first = correlationDefinition.compute(store, 'ALL', T0, settings)!;
    store.apply({ type: 'candle', candle: candle('BTCUSDT', 300, btc * 1.01, false) });
    expect(correlationDefinition.compute(store, 'ALL', T0, settings), 'open bar is not an input').toBe(first);
    store.apply({ type: 'candle', candle: candle('BTCUSDT', 300, btc * 1.01, true) });
    const next = correlationDefinition.compute(store, 'ALL', T0, settings)!;
    expect(next, 'new closed bar').not.toBe(first);
    expect(next.asOf).toBe(T0 + 301 * H - 1);
  });

  it('computes caller-chosen symbols, interval and window', () => {
    const out = correlationDefinition.computeWith!(store, 'ALL', T0, settings, { symbols: ['ETHUSDT', 'BTCUSDT'], interval: '1h', window: 60 })!;
    expect(out.result.symbols).toEqual(['ETHUSDT', 'BTCUSDT']);
    expect(out.result.samples[0]![1], 'the grid ends at BTC bar 300, which ETH lacks: 59 overlapping of 60').toBe(59);
    expect(correlationDefinition.computeWith!(store, 'ALL', T0, settings, { interval: '15m', window: 60 }), 'no 15m candles').toBeNull();
  });
});
