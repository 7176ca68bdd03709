import { describe, expect, it } from 'vitest';
import type { VolumeProfile } from '../../src/analyzers/volume-profile.types.js';
import type { VolumeAnalysis } from '../../src/analyzers/volume.types.js';
import { ANALYSES, type AnalysisSettings } from '../../src/engine/analyses.js';
import { volumeProfileDefinition } from '../../src/engine/definitions/volume-profile.js';
import { volumeDefinition } from '../../src/engine/definitions/volume.js';
import { createMarketStore } from '../../src/engine/market-store.js';
import { INTERVAL_MS, type Candle, type CandleInterval, type MarketEvent } from '../../src/domain/market.js';

const DAY0 = Date.UTC(2026, 0, 5);
const settings: AnalysisSettings = { fundingHistoryWindow: 90, fundingIntervalHours: () => 8 };

function candle(interval: CandleInterval, i: number, close: number, closed = true): MarketEvent {
  const openTime = DAY0 + i * INTERVAL_MS[interval];
  const c: Candle = {
    symbol: 'BTCUSDT',
    interval,
    openTime,
    closeTime: openTime + INTERVAL_MS[interval] - 1,
    open: close,
    high: close + 10,
    low: close - 10,
    close,
    volume: 2,
    quoteVolume: 2 * close,
    takerBuyVolume: 1.5,
    trades: 1,
    closed,
  };
  return { type: 'candle', candle: c };
}

function market(bars: number, forming = true) {
  const s = createMarketStore(['BTCUSDT']);
  for (let i = 0; i < bars; i += 1) s.apply(candle('5m', i, 100_000 + (i % 10) * 5));
  if (forming) s.apply(candle('5m', bars, 123_456, false));
  return s.get('BTCUSDT')!;
}

describe('volume engine definitions', () => {
  it('are registered', () => {
    expect(ANALYSES.map((d) => d.kind)).toEqual(expect.arrayContaining(['VOLUME', 'VOLUME_PROFILE']));
  });

  it('analyse the closed 5m candles only, stamped at the latest close', () => {
    const m = market(400);
    const out = volumeDefinition.compute(m, 0, settings)!;
    const v = out.result as VolumeAnalysis;
    expect(v.bars, 'the forming bar is left out').toBe(400);
    expect(out.asOf).toBe(DAY0 + 400 * 300_000 - 1);
    expect(v.delta, '2 × 1.5 − 2').toBe(1);
    expect(volumeDefinition.compute(m, 0, settings)!.result, 'an unchanged closed series is not recomputed').toBe(v);
  });

  it('passes caller-chosen parameters through', () => {
    const m = market(400);
    const v = volumeDefinition.computeWith!(m, 0, settings, { spikeZ: 3, lookback: 50, anchor: DAY0 + 3_600_000 })!.result as VolumeAnalysis;
    expect([v.spikeZ, v.lookback]).toEqual([3, 50]);
    expect(v.anchored!.startTime).toBe(DAY0 + 3_600_000);
    expect(volumeDefinition.computeWith!(m, 0, settings, { interval: '1h' }), 'no 1h candles held').toBeNull();
  });

  it('profiles the last 24 h with a 1-2-5 bucket of about 0.1 % of price by default', () => {
    const m = market(400);
    const p = volumeProfileDefinition.compute(m, 0, settings)!.result as VolumeProfile;
    expect(p.to, 'end of the latest closed bar').toBe(DAY0 + 400 * 300_000);
    expect(p.to - p.from).toBe(86_400_000);
    expect(p.bars, '288 five-minute bars in 24 h').toBe(288);
    expect(p.bucketSize, '0.1 % of ~100 000').toBe(100);
    expect(p.totalVolume).toBe(576);
    const custom = volumeProfileDefinition.computeWith!(m, 0, settings, { bucketSize: 5, valueAreaPct: 50, from: DAY0, to: DAY0 + 3_600_000 })!.result as VolumeProfile;
    expect([custom.bucketSize, custom.valueAreaPct, custom.bars]).toEqual([5, 50, 12]);
  });

  it('say nothing without closed candles', () => {
    const m = market(0);
    expect(volumeDefinition.compute(m, 0, settings)).toBeNull();
    expect(volumeProfileDefinition.compute(m, 0, settings)).toBeNull();
  });
});
