import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildProfileBuckets,
  computeVolumeProfile,
  defaultBucketSize,
  expandValueArea,
  findVolumeNodes,
  VOLUME_PROFILE_METHODOLOGY_VERSION,
} from '../../src/analyzers/volume-profile.js';
import type { ProfileCandle, VolumeProfile, VolumeProfileInput } from '../../src/analyzers/volume-profile.types.js';

const T0 = Date.UTC(2026, 0, 5);
const M5 = 300_000;

/** A zero-range candle at `price` (all its volume lands in one bucket). */
const at = (i: number, price: number, volume: number, takerBuyVolume = volume / 2): ProfileCandle => ({
  openTime: T0 + i * M5,
  high: price,
  low: price,
  close: price,
  volume,
  takerBuyVolume,
});
const profile = (candles: ProfileCandle[], extra: Partial<VolumeProfileInput> = {}): VolumeProfile =>
  computeVolumeProfile({ symbol: 'BTCUSDT', interval: '5m', candles, from: T0, to: T0 + 86_400_000, bucketSize: 1, ...extra });

describe('computeVolumeProfile', () => {
  it('exposes the methodology version', () => {
    expect(VOLUME_PROFILE_METHODOLOGY_VERSION).toBe('volume-profile/1.1.0');
  });

  describe('a profile with a known POC and value area', () => {
    // Bucket volumes at 100..104: 30, 5, 40, 15, 10 (total 100).
    const candles = [at(0, 100.5, 30), at(1, 101.5, 5), at(2, 102.5, 40), at(3, 103.5, 15), at(4, 104.5, 10)];
    const p = profile(candles);
    it('puts the POC at the heaviest bucket', () => {
      expect(p.poc, 'bucket [102, 103) holds 40').toMatchObject({ priceLow: 102, priceHigh: 103, price: 102.5, volume: 40, share: 0.4 });
    });
    it('expands the value area from the POC toward the heavier neighbour until 70 % is covered', () => {
      // 40 → +15 above (15 > 5) = 55 → +10 above (10 > 5) = 65 → top edge, +5 below = 70 → done.
      // The heavy 30 at 100 is outside: it is not adjacent to the value area when the target is reached.
      expect(p.valueAreaLow, 'lower edge of bucket 101').toBe(101);
      expect(p.valueAreaHigh, 'upper edge of bucket 104').toBe(105);
      expect(p.valueAreaVolume).toBe(70);
      expect(p.buckets.map((b) => b.inValueArea)).toEqual([false, true, true, true, true]);
      expect(p.position, 'last close 104.5 is inside 101–105').toBe('INSIDE');
      expect(p.warmingUp).toBe(false);
      expect(p.totalVolume).toBe(100);
    });
    it('adds both neighbours on a tie', () => {
      expect(expandValueArea([10, 20, 40, 20, 10], 2, 70), '40 + 20 + 20 = 80 ≥ 70').toEqual({ lo: 1, hi: 3, volume: 80 });
    });
    it('stops exactly at the target', () => {
      expect(expandValueArea([10, 20, 40, 20, 10], 2, 80)).toEqual({ lo: 1, hi: 3, volume: 80 });
    });
    it('says where the close sits', () => {
      const above = profile([...candles.slice(0, 4), at(4, 110.5, 1)]);
      expect(above.position, 'close 110.5 above the value area').toBe('ABOVE');
      expect(above.factors[0]!.contribution, 'saturates at +1 above VAH').toBe(1);
    });
  });

  describe('allocation', () => {
    it('spreads a candle uniformly over its high-low range', () => {
      const buckets = buildProfileBuckets(
        [
          { openTime: T0, high: 102, low: 100, close: 101, volume: 10, takerBuyVolume: 6 },
          { openTime: T0 + M5, high: 101.5, low: 100.5, close: 101, volume: 4, takerBuyVolume: 0 },
        ],
        1,
      );
      expect(buckets.map((b) => b.priceLow), 'a high exactly on 102 adds no empty bucket').toEqual([100, 101]);
      expect(buckets.map((b) => b.volume), '5 + 2 in each half').toEqual([7, 7]);
      expect(buckets.map((b) => b.buyVolume), 'taker buys spread the same way').toEqual([3, 3]);
      expect(buckets.map((b) => b.sellVolume)).toEqual([4, 4]);
    });
    it('keeps bucket edges free of binary noise', () => {
      const buckets = buildProfileBuckets([{ openTime: T0, high: 0.35, low: 0.3, close: 0.3, volume: 1, takerBuyVolume: 0 }], 0.1);
      expect(buckets.map((b) => [b.priceLow, b.priceHigh]), '0.3 lands in [0.3, 0.4)').toEqual([[0.3, 0.4]]);
    });
    it('profiles only candles opening in [from, to)', () => {
      const p = profile([at(0, 100.5, 10), at(1, 101.5, 20), at(2, 102.5, 30)], { from: T0 + M5, to: T0 + 2 * M5 });
      expect(p.bars).toBe(1);
      expect(p.totalVolume).toBe(20);
      expect(p.complete, 'the candles held reach back to from').toBe(true);
    });
    it('flags a range the candles held do not reach back to', () => {
      const p = profile([at(0, 100.5, 10)], { from: T0 - 3_600_000 });
      expect(p.complete).toBe(false);
      expect(p.note).toContain('only part of the range');
    });
  });

  describe('volume nodes', () => {
    const volumes = [1, 5, 9, 5, 1, 0.5, 1, 6, 10, 6, 1];
    const candles = volumes.map((v, i) => at(i, 100.5 + i, v));
    const buckets = buildProfileBuckets(candles, 1);
    it('finds the two humps as HVNs (heaviest first) and the valley between as an LVN', () => {
      const nodes = findVolumeNodes(buckets, 1, 5);
      expect(nodes.high.map((n) => n.price)).toEqual([108.5, 102.5]);
      expect(nodes.low.map((n) => n.price)).toEqual([105.5]);
    });
    it('still finds them after the default 5-bucket smoothing', () => {
      const p = profile(candles);
      expect(p.highVolumeNodes.map((n) => n.price).sort()).toEqual([102.5, 108.5]);
      expect(p.lowVolumeNodes.map((n) => n.price)).toEqual([105.5]);
    });
  });

  it('derives a 1-2-5 default bucket size of about 0.1 % of price', () => {
    expect(defaultBucketSize(100_000)).toBe(100);
    expect(defaultBucketSize(4_000), '4 rounds to 5').toBe(5);
    expect(defaultBucketSize(0.2)).toBe(0.0002);
  });

  it('gives nulls and warmingUp without volume', () => {
    const p = profile([at(0, 100, 0)]);
    expect(p).toMatchObject({ warmingUp: true, poc: null, valueAreaHigh: null, valueAreaLow: null, position: null });
  });

  it('rejects invalid arguments quoting the value', () => {
    const c = [at(0, 100, 1)];
    expect(() => profile(c, { from: T0, to: T0 })).toThrow(/from must be before to/);
    expect(() => profile(c, { bucketSize: 0 })).toThrow(/bucketSize .* got 0/);
    expect(() => profile(c, { options: { valueAreaPct: 100 } })).toThrow(/valueAreaPct .* got 100/);
    expect(() => profile([{ ...at(0, 100, 1), high: 200, low: 1 }], { bucketSize: 0.0001 })).toThrow(/buckets/);
  });
});

const FUTURES_5M = '../shared/data/binance-futures/klines/BTCUSDT-5m.freqtrade.json';
const ETH_5M = '../shared/data/binance-futures/klines/ETHUSDT-5m.freqtrade.json';

describe.each([FUTURES_5M, ETH_5M])('computeVolumeProfile on recorded 5m futures candles: %s', (file) => {
  it.skipIf(!existsSync(file))('profiles every UTC day with POC and value area inside the range and ≥ 70 % of the volume', () => {
    const rows = JSON.parse(readFileSync(file, 'utf8')) as [number, number, number, number, number, number][];
    const candles: ProfileCandle[] = rows.map(([t, , h, l, c, v]) => ({ openTime: t, high: h, low: l, close: c, volume: v, takerBuyVolume: v / 2 }));
    const DAY = 86_400_000;
    let days = 0;
    for (let from = Math.ceil(candles[0]!.openTime / DAY) * DAY; from + DAY <= candles.at(-1)!.openTime; from += DAY) {
      const day = candles.filter((c) => c.openTime >= from && c.openTime < from + DAY);
      const p = computeVolumeProfile({ symbol: 'X', interval: '5m', candles, from, to: from + DAY, bucketSize: defaultBucketSize(day.at(-1)!.close) });
      const lo = Math.min(...day.map((c) => c.low));
      const hi = Math.max(...day.map((c) => c.high));
      expect(p.bars).toBe(288);
      expect(p.poc!.price).toBeGreaterThanOrEqual(lo - p.bucketSize);
      expect(p.poc!.price).toBeLessThanOrEqual(hi + p.bucketSize);
      expect(p.valueAreaLow!).toBeLessThanOrEqual(p.poc!.priceLow);
      expect(p.valueAreaHigh!).toBeGreaterThanOrEqual(p.poc!.priceHigh);
      expect(p.valueAreaVolume! / p.totalVolume, 'expansion stops at or just past 70 %').toBeGreaterThanOrEqual(0.7 - 1e-9);
      expect(p.totalVolume, 'allocation conserves volume').toBeCloseTo(
        day.reduce((s, c) => s + c.volume, 0),
        3,
      );
      expect(p.buckets.length, '0.1 % buckets over a day of BTC/ETH: tens to a few hundred').toBeLessThan(400);
      days += 1;
    }
    expect(days).toBeGreaterThan(25);
  });
});
