import { describe, expect, it } from 'vitest';
import { computeVolumeAnalysis } from '../../src/analyzers/volume.js';
import type { VolumeCandle } from '../../src/analyzers/volume.types.js';
import { computeVolumeProfile } from '../../src/analyzers/volume-profile.js';
import { aggregateCandles } from '../../src/analyzers/regime.js';
import { mapperFor } from '../../src/datasources/replay/replay-mapper.js';

const T0 = Date.UTC(2026, 0, 5);
const M5 = 300_000;

/** 30 rising 5m bars, volume 10; taker-buy volume `taker(i)` (null = the source does not record it). */
function bars(taker: (i: number) => number | null): VolumeCandle[] {
  return Array.from({ length: 30 }, (_, i) => ({
    openTime: T0 + i * M5,
    closeTime: T0 + (i + 1) * M5 - 1,
    open: 100 + i,
    high: 101 + i,
    low: 99 + i,
    close: 100.5 + i,
    volume: 10,
    takerBuyVolume: taker(i),
  }));
}

describe('unknown taker-buy volume stays unknown', () => {
  it('volume: no taker column → delta, CVD, imbalance, flow and score null with a reason, never all-selling', () => {
    const a = computeVolumeAnalysis({ symbol: 'BTCUSDT', interval: '5m', candles: bars(() => null) });
    expect(a.delta, 'was −10 (2 × 0 − 10) before').toBeNull();
    expect(a.cvd, 'was −300 before').toBeNull();
    expect(a.deltaImbalance, 'was −1 before').toBeNull();
    expect(a.cvdSlope).toBeNull();
    expect(a.flow, 'was SELLERS_IN_CONTROL before').toBeNull();
    expect(a.score).toBeNull();
    expect(a.takerCoverage).toBe(0);
    expect(a.unavailable[0]).toMatch(/taker-buy volume unknown for 20 of the last 20 bars/);
    expect(a.series.every((b) => b.delta === null && b.cvd === null)).toBe(true);
    expect(a.volume, 'volume itself is known').toBe(10);
    expect(a.obv, 'OBV needs no taker split: 29 up-closes × 10').toBe(290);
  });

  it('volume: partial coverage → window measures null, coverage = known share; CVD restarts after the gap', () => {
    // Bar 15 unknown, all others 7 of 10 bought (delta +4).
    const a = computeVolumeAnalysis({ symbol: 'BTCUSDT', interval: '5m', candles: bars((i) => (i === 15 ? null : 7)) });
    expect(a.takerCoverage, '19 of the last 20 bars (10..29) known').toBeCloseTo(19 / 20, 12);
    expect(a.deltaImbalance).toBeNull();
    expect(a.flow).toBeNull();
    expect(a.score).toBeNull();
    expect(a.cvd, 'bars 16..29: 14 × 4, restarted after the unknown bar 15').toBe(56);
    expect(a.series[15]?.cvd).toBeNull();
    expect(a.series[14]?.cvd, 'bars 0..14: 15 × 4').toBe(60);
  });

  it('volume: full coverage reads as before (bought 7 of 10 → imbalance 0.4, buyers in control)', () => {
    const a = computeVolumeAnalysis({ symbol: 'BTCUSDT', interval: '5m', candles: bars(() => 7) });
    expect(a.takerCoverage).toBe(1);
    expect(a.unavailable).toEqual([]);
    expect(a.deltaImbalance).toBeCloseTo(0.4, 12);
    expect(a.cvd).toBe(120);
    expect(a.flow).toBe('BUYERS_IN_CONTROL');
  });

  it('volume profile: any candle without taker volume → every bucket buy/sell null, coverage reported', () => {
    const candles = bars((i) => (i < 10 ? 5 : null));
    const p = computeVolumeProfile({ symbol: 'BTCUSDT', interval: '5m', candles, from: T0, to: T0 + 30 * M5, bucketSize: 1 });
    expect(p.takerCoverage, '10 of 30 candles').toBeCloseTo(1 / 3, 12);
    expect(p.buckets.length).toBeGreaterThan(0);
    expect(p.buckets.every((b) => b.buyVolume === null && b.sellVolume === null), 'sellVolume was the whole volume').toBe(true);
    expect(p.totalVolume, 'volume is known').toBeCloseTo(300, 9);
    const full = computeVolumeProfile({ symbol: 'BTCUSDT', interval: '5m', candles: bars(() => 5), from: T0, to: T0 + 30 * M5, bucketSize: 1 });
    expect(full.takerCoverage).toBe(1);
    expect(full.buckets.reduce((s, b) => s + (b.buyVolume ?? 0), 0)).toBeCloseTo(150, 9);
  });

  it('regime: an aggregate with one unknown part is unknown', () => {
    const parts = bars((i) => (i === 2 ? null : 5)).map((c) => ({ ...c }));
    const agg = aggregateCandles(parts.slice(0, 8), 4 * M5, 4);
    expect(agg.map((c) => c.takerBuyVolume)).toEqual([null, 20]);
  });

  it('replay: a freqtrade kline has no taker-buy volume (null, not 0); a vision CSV row has it', () => {
    const ctx = { symbol: 'BTCUSDT', interval: '5m' as const, offset: 0, fundingIntervalHours: 8, header: null };
    const map = mapperFor({ content: 'candles', container: 'freqtrade-json', market: 'futures' });
    const [ft] = map(['1758240000000', '117017.1', '117100.0', '117010.8', '117043.4', '360.735'], ctx);
    expect(ft?.event.type === 'candle' ? ft.event.candle.takerBuyVolume : 'no candle').toBeNull();
    const [csv] = map(['1758240000000', '117017.1', '117100.0', '117010.8', '117043.4', '360.735', '1758240299999', '42218513.2', '10452', '180.1', '21078321.1', '0'], ctx);
    expect(csv?.event.type === 'candle' ? csv.event.candle.takerBuyVolume : 'no candle').toBe(180.1);
  });
});
