import { describe, expect, it } from 'vitest';
import { computeAggregatedLiquidationCascades } from '../../src/analyzers/aggregated-liquidation-cascades.js';

const T = Date.UTC(2026, 0, 1, 12);
const M = 60_000;
const H = 3_600_000;
const liq = (side: 'BUY' | 'SELL', notional: number, time: number, complete: boolean) => ({ side, price: 100_000, notional, time, complete });

describe('computeAggregatedLiquidationCascades', () => {
  const a = computeAggregatedLiquidationCascades({
    symbol: 'BTCUSDT',
    now: T,
    venues: [
      { venue: 'BINANCE', excluded: null, observedSince: T - 30 * H, typicalHourlyVolumeUsd: 1e8, liquidations: [liq('SELL', 200_000, T - 30 * M, false), liq('SELL', 200_000, T - 10 * M, false)] },
      { venue: 'BYBIT', excluded: null, observedSince: T - 28 * H, typicalHourlyVolumeUsd: 5e7, liquidations: [liq('BUY', 50_000, T - 27 * H, true), liq('BUY', 300_000, T - 20 * M, true)] },
      { venue: 'OKX', excluded: { status: 'STALE', reason: 'mark price overdue' }, observedSince: T, typicalHourlyVolumeUsd: 1e9, liquidations: [liq('SELL', 9e9, T - M, false)] },
    ],
  })!;

  it('merges the venues into one feed: velocity and volume share of the combined notional', () => {
    expect(a.velocityUsdPerHour, '400 k + 300 k in the 1 h window').toBe(700_000);
    expect(a.typicalHourlyVolumeUsd, '1e8 + 5e7').toBe(1.5e8);
    expect(a.volumeShare, '700 000 / 1.5e8').toBeCloseTo(0.0046667, 7);
    // No liquidation in the 24 h baseline (the Bybit one at T − 27 h is before it): ratio null, the share decides.
    expect(a.baselineRatio).toBeNull();
    expect(a.severity, '0.0047 ≥ 0.25 % and < 0.5 %: ELEVATED').toBe(2);
    expect(a.observedSince, 'the span every venue observed: the later start').toBe(T - 28 * H);
    expect([a.longNotionalUsd, a.shortNotionalUsd, a.count]).toEqual([400_000, 300_000, 3]);
  });

  it('each venue share of the window, and the stale venue left out', () => {
    expect(a.venues).toEqual([
      { venue: 'BINANCE', notionalUsd: 400_000, count: 2, share: 4 / 7 },
      { venue: 'BYBIT', notionalUsd: 300_000, count: 1, share: 3 / 7 },
    ]);
    expect(a.contributors).toEqual(['BINANCE', 'BYBIT']);
    expect(a.excluded).toEqual([{ venue: 'OKX', status: 'STALE', reason: 'mark price overdue' }]);
  });

  it('a venue without a typical volume makes the volume measure unknown, not partial', () => {
    const b = computeAggregatedLiquidationCascades({
      symbol: 'BTCUSDT',
      now: T,
      venues: [
        { venue: 'BINANCE', excluded: null, observedSince: T - 30 * H, typicalHourlyVolumeUsd: 1e8, liquidations: [liq('SELL', 200_000, T - 30 * M, false)] },
        { venue: 'OKX', excluded: null, observedSince: T - 30 * H, typicalHourlyVolumeUsd: null, liquidations: [liq('BUY', 100_000, T - 20 * M, false)] },
      ],
    })!;
    expect(b.typicalHourlyVolumeUsd).toBeNull();
    expect(b.volumeShare).toBeNull();
    expect(b.velocityUsdPerHour).toBe(300_000);
  });

  it('null when no venue contributes', () => {
    expect(computeAggregatedLiquidationCascades({ symbol: 'X', now: T, venues: [{ venue: 'OKX', excluded: { status: 'MISSING', reason: 'r' }, observedSince: T, typicalHourlyVolumeUsd: null, liquidations: [] }] })).toBeNull();
  });
});
