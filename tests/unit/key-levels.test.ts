import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeKeyLevels, KEY_LEVELS_METHODOLOGY_VERSION, swingClusters, utcDayStart, utcWeekStart, volumeByPrice } from '../../src/analyzers/key-levels.js';
import type { KeyLevelCandle, KeyLevels, KeyLevelsInput } from '../../src/analyzers/key-levels.types.js';
import type { Swing } from '../../src/analyzers/swings.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const MONDAY = Date.UTC(2025, 0, 6); // Monday 2025-01-06 00:00 UTC

/** One bar per close: high = close + 0.5, low = close − 0.5, volume 1. */
const bars = (closes: readonly number[], start = MONDAY, step = MIN): KeyLevelCandle[] =>
  closes.map((c, i) => ({ openTime: start + i * step, closeTime: start + (i + 1) * step - 1, high: c + 0.5, low: c - 0.5, close: c, volume: 1 }));

/** The zig-zag of tests/unit/market-structure.test.ts: with confirmBars 1 its swings are known by hand. */
const ZIGZAG = [10, 12, 11, 13, 12, 14, 11, 9, 10, 8, 9, 11];

const analyze = (candles: readonly KeyLevelCandle[], overrides: Partial<KeyLevelsInput> = {}): KeyLevels =>
  computeKeyLevels({ symbol: 'BTCUSDT', interval: '1m', candles, price: 9.5, time: MONDAY + 12 * MIN, thresholds: { confirmBars: 1, volumeNodes: 0 }, ...overrides });

const swing = (kind: 'HIGH' | 'LOW', price: number, index: number): Swing => ({ kind, price, index, time: MONDAY + index * HOUR, confirmedIndex: index + 2, confirmedAt: 0 });

describe('swingClusters', () => {
  it('groups swings within the tolerance of the lowest member and counts touches', () => {
    const clusters = swingClusters(
      [swing('HIGH', 100.1, 50), swing('LOW', 100, 10), swing('HIGH', 105.1, 70), swing('LOW', 100.14, 90), swing('LOW', 100.2, 60), swing('HIGH', 105, 20)],
      100,
      0.15,
    );
    expect(
      clusters.map((c) => [c.price, c.touches, c.lastTouchTime]),
      '100.14 is 0.14 % above 100 (joins); 100.2 is 0.2 % above (new cluster); 105.1 is 0.095 % above 105',
    ).toEqual([
      [expect.closeTo(100.08, 12), 3, MONDAY + 90 * HOUR],
      [100.2, 1, MONDAY + 60 * HOUR],
      [expect.closeTo(105.05, 12), 2, MONDAY + 70 * HOUR],
    ]);
    // Cluster 1: touches min(3, 4)/4 = 0.75; newest swing on bar 90 of 100 → 9 bars ago → recency 0.91.
    expect(clusters[0]!.strength, '100 × (0.6 × 0.75 + 0.4 × 0.91)').toBeCloseTo(81.4, 9);
    expect(clusters[0]!.factors.map((f) => [f.name, f.value, f.weight])).toEqual([
      ['touches', 3, 0.6],
      ['recency', 9, 0.4],
    ]);
    expect(clusters[0]!.factors.reduce((s, f) => s + f.contribution, 0) * 100, 'strength = 100 × Σ contributions').toBeCloseTo(81.4, 9);
    expect(clusters[0]!.note).toContain('1 swing high(s) and 2 swing low(s)');
  });
});

describe('volumeByPrice', () => {
  it('spreads each candle volume over its range in proportion to the overlap', () => {
    const h = volumeByPrice(
      [
        { low: 0, high: 10, volume: 10 },
        { low: 4, high: 4, volume: 6 },
        { low: 8, high: 9, volume: 3 },
      ],
      5,
    )!;
    expect(h.binSize).toBe(2);
    expect(h.volumes, '2 per bin from the wide bar, +6 in 4..6, +3 in 8..10').toEqual([2, 2, 8, 2, 5]);
    expect(volumeByPrice([], 5)).toBeNull();
    expect(() => volumeByPrice([], 0)).toThrow('got 0');
  });

  it('turns local peaks into VOLUME_NODE levels, the point of control at strength 100', () => {
    const candles: KeyLevelCandle[] = [
      { openTime: 0, closeTime: 59_999, low: 100, high: 110, close: 105, volume: 10 },
      { openTime: 60_000, closeTime: 119_999, low: 104, high: 104, close: 104, volume: 6 },
      { openTime: 120_000, closeTime: 179_999, low: 108, high: 109, close: 109, volume: 3 },
    ];
    const k = computeKeyLevels({ symbol: 'X', interval: '1m', candles, price: 107, time: 180_000, thresholds: { volumeBins: 5, volumeNodes: 3 } });
    const nodes = k.levels.filter((l) => l.kind === 'VOLUME_NODE');
    expect(nodes.map((n) => [n.price, n.strength, n.side]), 'bins 104..106 (8) and 108..110 (5); 5 / 8 = 62.5 %').toEqual([
      [109, 62.5, 'RESISTANCE'],
      [105, 100, 'SUPPORT'],
    ]);
    expect(nodes[1]!.note).toContain('Point of control');
  });
});

describe('computeKeyLevels on a hand-built zig-zag (confirmBars 1)', () => {
  const k = analyze(bars(ZIGZAG));

  it('clusters the two swings at 10.5 and scores them', () => {
    const clusters = k.levels.filter((l) => l.kind === 'SWING_CLUSTER');
    expect(clusters.map((c) => [c.price, c.touches]), 'swings 12.5, 10.5, 13.5, 11.5, 14.5, 8.5, 10.5, 7.5').toEqual([
      [14.5, 1],
      [13.5, 1],
      [12.5, 1],
      [11.5, 1],
      [10.5, 2],
      [8.5, 1],
      [7.5, 1],
    ]);
    const double = clusters[4]!;
    // Newest member: the swing high of bar 8; 12 bars → 3 bars after it → recency 0.75; touches 2/4.
    expect(double.strength, '100 × (0.6 × 0.5 + 0.4 × 0.75)').toBeCloseTo(60, 9);
    expect(double.lastTouchTime).toBe(MONDAY + 8 * MIN);
    expect(double.side).toBe('RESISTANCE');
    expect(double.distancePct, '(10.5 − 9.5) / 9.5 × 100').toBeCloseTo(10.526316, 5);
  });

  it('measures Fibonacci levels on the last confirmed leg (swing high 10.5 → swing low 7.5)', () => {
    expect(k.leg).toEqual({ direction: 'DOWN', fromPrice: 10.5, fromTime: MONDAY + 8 * MIN, toPrice: 7.5, toTime: MONDAY + 9 * MIN, confirmedAt: MONDAY + 11 * MIN - 1 });
    const fib = (kind: string) => k.levels.filter((l) => l.kind === kind).map((l) => [l.ratio, l.price]);
    expect(fib('FIB_RETRACEMENT'), '7.5 + r × 3').toEqual([
      [0.786, expect.closeTo(9.858, 12)],
      [0.618, expect.closeTo(9.354, 12)],
      [0.5, 9],
      [0.382, expect.closeTo(8.646, 12)],
      [0.236, expect.closeTo(8.208, 12)],
    ]);
    expect(fib('FIB_EXTENSION'), '10.5 − e × 3: beyond the leg end').toEqual([
      [1.272, expect.closeTo(6.684, 12)],
      [1.618, expect.closeTo(5.646, 12)],
    ]);
    expect(k.warmingUp).toBe(false);
  });

  it('measures an up leg from the swing low before the last swing high', () => {
    const up = analyze(bars(ZIGZAG.slice(0, 7)));
    expect(up.leg?.direction).toBe('UP');
    expect([up.leg?.fromPrice, up.leg?.toPrice], 'swing low 11.5 (bar 4) → swing high 14.5 (bar 5)').toEqual([11.5, 14.5]);
    const at = (ratio: number) => up.levels.find((l) => l.ratio === ratio)!.price;
    expect(at(0.5), '14.5 − 0.5 × 3').toBeCloseTo(13, 12);
    expect(at(0.618), '14.5 − 0.618 × 3').toBeCloseTo(12.646, 12);
    expect(at(1.618), '11.5 + 1.618 × 3').toBeCloseTo(16.354, 12);
  });

  it('sorts levels by price, sides them against the price and picks the nearest on each side', () => {
    const prices = k.levels.map((l) => l.price);
    expect(prices, 'highest first').toEqual([...prices].sort((a, b) => b - a));
    for (const l of k.levels) expect(l.side, `${l.kind} ${l.price}`).toBe(l.price < 9.5 ? 'SUPPORT' : 'RESISTANCE');
    expect([k.nearestSupport?.kind, k.nearestSupport?.ratio], 'the 0.618 retracement 9.354 is the highest level below 9.5').toEqual(['FIB_RETRACEMENT', 0.618]);
    expect(k.nearestSupport?.distancePct, '(9.354 − 9.5) / 9.5 × 100').toBeCloseTo(-1.536842, 5);
    expect(k.nearestResistance?.price, 'the 0.786 retracement').toBeCloseTo(9.858, 12);
    expect([k.priorDay, k.priorWeek], 'one-minute bars of one Monday cover no prior day or week').toEqual([null, null]);
  });

  it('warms up without a confirmed leg and throws on bad inputs quoting the value', () => {
    const w = analyze(bars([10, 11, 12]));
    expect(w.warmingUp).toBe(true);
    expect(w.leg).toBeNull();
    expect(w.levels.filter((l) => l.kind !== 'VOLUME_NODE')).toEqual([]);
    expect(() => analyze(bars(ZIGZAG), { price: 0 })).toThrow('got 0');
    expect(() => analyze(bars(ZIGZAG), { thresholds: { tolerancePct: 11 } })).toThrow('got 11');
    expect(() => analyze(bars(ZIGZAG), { thresholds: { tolerancePct: -1 } })).toThrow('got -1');
    expect(KEY_LEVELS_METHODOLOGY_VERSION).toBe('key-levels/1.0.0');
  });
});

describe('prior UTC day and week', () => {
  // Hourly bars from Monday 2025-01-06 00:00 to Tuesday 2025-01-14 12:00: close = 1000 + hour index, high = close + 2, low = close − 3.
  const hourly = (from: number, to: number): KeyLevelCandle[] =>
    Array.from({ length: to - from }, (_, j) => {
      const h = from + j;
      const close = 1000 + h;
      return { openTime: MONDAY + h * HOUR, closeTime: MONDAY + (h + 1) * HOUR - 1, high: h === 50 ? 2000 : close + 2, low: close - 3, close, volume: 1 };
    });
  const now = MONDAY + 8 * 24 * HOUR + 12.5 * HOUR; // Tuesday 2025-01-14 12:30

  it('finds the UTC day and Monday-based week boundaries', () => {
    expect(utcDayStart(now)).toBe(Date.UTC(2025, 0, 14));
    expect(utcWeekStart(now), 'the week of Tuesday 14 January starts on Monday 13').toBe(Date.UTC(2025, 0, 13));
    expect(utcWeekStart(Date.UTC(2025, 0, 12, 23, 59)), 'Sunday belongs to the week before').toBe(MONDAY);
    expect(utcWeekStart(MONDAY)).toBe(MONDAY);
  });

  it('reports prior day (Monday 13) and prior week (6–12 January) high, low and close as levels', () => {
    const candles = hourly(0, 8 * 24 + 12);
    const k = computeKeyLevels({ symbol: 'X', interval: '1h', candles, referenceCandles: candles, price: 1180, time: now });
    expect(k.priorDay, 'hours 168..191: high 1191 + 2, low 1168 − 3, close 1191').toEqual({ start: Date.UTC(2025, 0, 13), high: 1193, low: 1165, close: 1191 });
    expect(k.priorWeek, 'hours 0..167 with the 2000 spike at hour 50: low 1000 − 3, close 1167').toEqual({ start: MONDAY, high: 2000, low: 997, close: 1167 });
    const byKind = Object.fromEntries(k.levels.filter((l) => l.kind.startsWith('PRIOR_')).map((l) => [l.kind, [l.price, l.side]]));
    expect(byKind).toEqual({
      PRIOR_DAY_HIGH: [1193, 'RESISTANCE'],
      PRIOR_DAY_LOW: [1165, 'SUPPORT'],
      PRIOR_DAY_CLOSE: [1191, 'RESISTANCE'],
      PRIOR_WEEK_HIGH: [2000, 'RESISTANCE'],
      PRIOR_WEEK_LOW: [997, 'SUPPORT'],
      PRIOR_WEEK_CLOSE: [1167, 'SUPPORT'],
    });
    expect(k.levels.find((l) => l.kind === 'PRIOR_DAY_HIGH')!.distancePct, '(1193 − 1180) / 1180 × 100').toBeCloseTo(1.101695, 5);
  });

  it('reports nothing for a period the candles do not fully cover', () => {
    const late = hourly(1, 8 * 24 + 12); // starts Monday 6 at 01:00
    const k = computeKeyLevels({ symbol: 'X', interval: '1h', candles: late, price: 1180, time: now });
    expect(k.priorWeek, 'the week misses its first hour: no invented low').toBeNull();
    expect(k.priorDay).not.toBeNull();
    const short = hourly(0, 8 * 24 - 1); // ends Monday 13 at 22:59
    expect(computeKeyLevels({ symbol: 'X', interval: '1h', candles: short, price: 1180, time: now }).priorDay, 'the day misses its last hour').toBeNull();
  });
});

// --- Real recorded data (read from ../shared/data when present; never copied into the repository) ---

const BTC_1H = new URL('../../../shared/data/binance-futures/klines/BTCUSDT-1h.freqtrade.json', import.meta.url);

describe.skipIf(!existsSync(BTC_1H))('computeKeyLevels on real BTCUSDT 1h candles (Binance USD-M, 2025-09-19 → 10-23)', () => {
  const rows = JSON.parse(readFileSync(BTC_1H, 'utf8')) as [number, number, number, number, number, number][];
  const candles: KeyLevelCandle[] = rows.map(([t, , h, l, c, v]) => ({ openTime: t, closeTime: t + HOUR - 1, high: h, low: l, close: c, volume: v }));

  it('produces consistent levels every day over five weeks, window by window', () => {
    let days = 0;
    for (let end = 200; end <= candles.length; end += 24) {
      const window = candles.slice(Math.max(0, end - 500), end);
      const last = window.at(-1)!;
      const k = computeKeyLevels({ symbol: 'BTCUSDT', interval: '1h', candles: window, price: last.close, time: last.closeTime + 1 });
      expect(k.warmingUp, '200 hourly bars hold confirmed swings').toBe(false);
      expect(k.priorDay, 'hourly bars cover the whole prior day').not.toBeNull();
      expect(k.priorDay!.high).toBeGreaterThanOrEqual(k.priorDay!.low);
      expect(k.levels.filter((l) => l.kind === 'VOLUME_NODE').length).toBeGreaterThan(0);
      for (const l of k.levels) {
        expect(l.price, `${l.kind} within the plausible BTC range`).toBeGreaterThan(80_000);
        expect(l.price).toBeLessThan(150_000);
        expect(Math.sign(l.distancePct) <= 0, `${l.kind}: side agrees with the distance sign`).toBe(l.side === 'SUPPORT' || l.distancePct === 0);
        if (l.strength !== null) expect(l.strength).toBeGreaterThanOrEqual(0);
        if (l.strength !== null) expect(l.strength).toBeLessThanOrEqual(100);
      }
      if (k.nearestSupport) expect(k.nearestSupport.price).toBeLessThan(k.price);
      if (k.nearestResistance) expect(k.nearestResistance.price).toBeGreaterThanOrEqual(k.price);
      days += 1;
    }
    expect(days).toBeGreaterThan(25);
  });
});
