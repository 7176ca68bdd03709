import { describe, expect, it } from 'vitest';
import { correlationDefinition, CORRELATION_KEY } from '../../src/engine/definitions/correlation.js';
import { createMarketStore } from '../../src/engine/market-store.js';
import type { GlobalMarket } from '../../src/domain/market.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 5);

function global(time: number, btcDominance: number): GlobalMarket {
  return { totalMarketCapUsd: 3e12, totalVolumeUsd: 1e11, btcDominance, ethDominance: 12, marketCapChange24hPct: 0, time };
}

function storeWithCandles() {
  const store = createMarketStore(['BTCUSDT', 'ETHUSDT']);
  for (const [symbol, base, step] of [['BTCUSDT', 100_000, 0.001], ['ETHUSDT', 3_000, 0.0015]] as const) {
    for (let i = 0; i < 200; i++) {
      const close = base * Math.exp(step * i + 0.002 * Math.sin(i * (symbol === 'BTCUSDT' ? 1.3 : 1.7)));
      const openTime = T0 + i * HOUR;
      store.apply({ type: 'candle', candle: { symbol, interval: '1h', openTime, closeTime: openTime + HOUR - 1, open: close, high: close, low: close, close, volume: 1, quoteVolume: close, takerBuyVolume: 0.5, trades: 1, closed: true } });
    }
  }
  return store;
}

describe('correlation regime: BTC-dominance trend', () => {
  it('appears once the store holds two global-market observations (the change over the last 24 h)', () => {
    const store = storeWithCandles();
    const now = T0 + 200 * HOUR;
    store.apply({ type: 'globalMarket', global: global(now - 26 * HOUR, 50) }); // 25 h before the newest below: outside its 24 h window
    store.apply({ type: 'globalMarket', global: global(now - 20 * HOUR, 57.5) });
    const single = correlationDefinition.compute(store, CORRELATION_KEY, now, { fundingHistoryWindow: 90, fundingIntervalHours: () => 8 });
    expect(single!.result.regime?.dominanceChange, 'both within 24 h of the newest (−20 h): 57.5 − 50').toBeCloseTo(7.5, 10);
    store.apply({ type: 'globalMarket', global: global(now - HOUR, 58.1) });
    const out = correlationDefinition.compute(store, CORRELATION_KEY, now, { fundingHistoryWindow: 90, fundingIntervalHours: () => 8 });
    // Window [now − 25 h, now − 1 h]: the −26 h point falls out; change = 58.1 − 57.5.
    expect(out!.result.regime?.dominanceChange, 'newest − oldest within 24 h').toBeCloseTo(0.6, 10);
    expect(out!.result.regime?.missingInputs.some((m) => m.startsWith('btcDominanceTrend')), 'trend not missing').toBe(false);
    expect(store.global().globalHistory.toArray().length, 'every distinct observation kept (bounded ring)').toBe(3);
  });
});
