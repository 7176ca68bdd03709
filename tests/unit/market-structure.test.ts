import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeMarketStructure, MARKET_STRUCTURE_METHODOLOGY_VERSION } from '../../src/analyzers/market-structure.js';
import type { MarketStructure, StructureCandle } from '../../src/analyzers/market-structure.types.js';

const T0 = Date.UTC(2025, 0, 6);
const MIN = 60_000;

/** One 1-minute bar per close: high = close + 0.5, low = close − 0.5. */
const bars = (closes: readonly number[], step = MIN): StructureCandle[] =>
  closes.map((c, i) => ({ openTime: T0 + i * step, closeTime: T0 + (i + 1) * step - 1, high: c + 0.5, low: c - 0.5, close: c }));

const analyze = (candles: readonly StructureCandle[], confirmBars?: number): MarketStructure =>
  computeMarketStructure({ symbol: 'BTCUSDT', interval: '1m', candles, ...(confirmBars === undefined ? {} : { confirmBars }) });

/**
 * Hand-built zig-zag (confirmBars 1). Bars by index with their close:
 *   0:10  1:12  2:11  3:13  4:12  5:14  6:11  7:9  8:10  9:8  10:9  11:11
 * Swings (bar: price, confirmed at bar): H 1:12.5 (2), L 2:10.5 (3), H 3:13.5 (4) HH, L 4:11.5 (5) HL,
 * H 5:14.5 (6) HH, L 7:8.5 (8) LL, H 8:10.5 (9) LH, L 9:7.5 (10) LL.
 * Breaks: bar 3 closes 13 > 12.5 (BOS up from RANGE), bar 5 closes 14 > 13.5 (BOS up), bar 6 closes 11 < 11.5
 * (CHoCH down), bar 9 closes 8 < 8.5 (BOS down), bar 11 closes 11 > 10.5 (CHoCH up).
 */
const ZIGZAG = [10, 12, 11, 13, 12, 14, 11, 9, 10, 8, 9, 11];

describe('computeMarketStructure on a hand-built zig-zag', () => {
  const s = analyze(bars(ZIGZAG), 1);

  it('confirms each swing confirmBars bars later and labels it against the previous swing of its kind', () => {
    expect(
      s.swings.map((w) => [w.kind, w.price, (w.time - T0) / MIN, (w.confirmedAt + 1 - T0) / MIN - 1, w.label]),
      'swing bar index and confirming bar index as derived by hand',
    ).toEqual([
      ['HIGH', 12.5, 1, 2, null],
      ['LOW', 10.5, 2, 3, null],
      ['HIGH', 13.5, 3, 4, 'HH'],
      ['LOW', 11.5, 4, 5, 'HL'],
      ['HIGH', 14.5, 5, 6, 'HH'],
      ['LOW', 8.5, 7, 8, 'LL'],
      ['HIGH', 10.5, 8, 9, 'LH'],
      ['LOW', 7.5, 9, 10, 'LL'],
    ]);
    expect(s.lastSwingHigh?.price).toBe(10.5);
    expect(s.lastSwingLow?.price).toBe(7.5);
  });

  it('reports BOS in the trend direction and CHoCH against it, with the level, breaking bar and swing', () => {
    expect(
      s.events.map((e) => [e.kind, e.direction, e.level, (e.time - T0) / MIN, e.close, e.trendBefore, e.trendAfter]),
      'closes beyond the active swing high / low, classified against the trend before the bar',
    ).toEqual([
      ['BOS', 'BULLISH', 12.5, 3, 13, 'RANGE', 'UPTREND'],
      ['BOS', 'BULLISH', 13.5, 5, 14, 'UPTREND', 'UPTREND'],
      ['CHOCH', 'BEARISH', 11.5, 6, 11, 'UPTREND', 'DOWNTREND'],
      ['BOS', 'BEARISH', 8.5, 9, 8, 'DOWNTREND', 'DOWNTREND'],
      ['CHOCH', 'BULLISH', 10.5, 11, 11, 'DOWNTREND', 'UPTREND'],
    ]);
    const choch = s.events[2]!;
    expect(choch.swing, 'the CHoCH broke the HL swing low of bar 4').toEqual(s.swings[3]);
    expect(choch.confirmedAt, 'known at the close of the breaking bar').toBe(T0 + 7 * MIN - 1);
    expect(s.lastEvent).toEqual(s.events[4]);
  });

  it('sets the trend from the last break and scores it with explained factors', () => {
    expect(s.warmingUp).toBe(false);
    expect(s.trend, 'the last break (bar 11) was bullish').toBe('UPTREND');
    expect(s.trendSince, 'close time of bar 11').toBe(T0 + 12 * MIN - 1);
    expect(s.factors.map((f) => [f.name, f.value, f.weight])).toEqual([
      ['lastBreak', 1, 0.5],
      ['highSequence', -1, 0.25],
      ['lowSequence', -1, 0.25],
    ]);
    expect(s.score, '100 × (0.5 × 1 + 0.25 × −1 + 0.25 × −1)').toBe(0);
    expect(s.bars).toBe(12);
    expect(s.close).toBe(11);
  });

  it('does not break a level twice and waits for a new swing', () => {
    // Bar 3 broke 12.5; bar 4 closes 12 and bar 5 closes 14 again above 12.5, but only the newer 13.5 counts.
    expect(s.events.filter((e) => e.level === 12.5), 'each swing is broken at most once').toHaveLength(1);
  });
});

describe('computeMarketStructure warm-up and preconditions', () => {
  it('warms up without a confirmed swing high and low', () => {
    const s = analyze(bars([10, 11, 12, 13]));
    expect(s.warmingUp, 'a monotone rise has no confirmed swing').toBe(true);
    expect(s.trend).toBeNull();
    expect(s.swings).toEqual([]);
    expect(s.factors).toEqual([]);
    expect(s.score).toBe(0);
    const empty = analyze([]);
    expect(empty.time).toBeNull();
    expect(empty.close).toBeNull();
    expect(empty.warmingUp).toBe(true);
  });

  it('throws quoting the offending value', () => {
    expect(() => analyze(bars(ZIGZAG), 0)).toThrow('got 0');
    expect(() => analyze(bars(ZIGZAG), 1.5)).toThrow('got 1.5');
    const unsorted = bars([1, 2, 3]);
    unsorted[2] = { ...unsorted[2]!, openTime: unsorted[0]!.openTime };
    expect(() => analyze(unsorted)).toThrow(`openTime ${T0}`);
    const bad = bars([5, 6, 7]);
    bad[1] = { ...bad[1]!, close: 99 };
    expect(() => analyze(bad)).toThrow('close 99');
  });

  it('exposes its methodology version', () => {
    expect(MARKET_STRUCTURE_METHODOLOGY_VERSION).toBe('market-structure/1.0.0');
  });
});

// --- Non-repainting: replay bar by bar ---

/** Everything reported at step k must be reported identically (same order, same values) at every later step. */
function expectNonRepainting(candles: readonly StructureCandle[], confirmBars: number): { swings: number; events: number } {
  const final = analyze(candles, confirmBars);
  const swingsFinal = final.swings.map((x) => JSON.stringify(x));
  const eventsFinal = final.events.map((x) => JSON.stringify(x));
  let previousSwings = 0;
  let previousEvents = 0;
  for (let k = 1; k <= candles.length; k += 1) {
    const step = analyze(candles.slice(0, k), confirmBars);
    // Prefix of the final output with non-decreasing length <=> a prefix of every later step's output.
    expect(step.swings.length, `step ${k}: swings only get appended`).toBeGreaterThanOrEqual(previousSwings);
    expect(step.events.length, `step ${k}: events only get appended`).toBeGreaterThanOrEqual(previousEvents);
    step.swings.forEach((x, i) => {
      if (JSON.stringify(x) !== swingsFinal[i]) expect(JSON.stringify(x), `step ${k}: swing ${i} repainted`).toBe(swingsFinal[i]);
    });
    step.events.forEach((x, i) => {
      if (JSON.stringify(x) !== eventsFinal[i]) expect(JSON.stringify(x), `step ${k}: event ${i} repainted`).toBe(eventsFinal[i]);
    });
    // Swings are in confirmation order, so the newest one bounds them all.
    expect(step.swings.at(-1)?.confirmedAt ?? -Infinity, 'nothing is reported before its confirming bar closed').toBeLessThanOrEqual(candles[k - 1]!.closeTime);
    previousSwings = step.swings.length;
    previousEvents = step.events.length;
  }
  return { swings: final.swings.length, events: final.events.length };
}

describe('computeMarketStructure is non-repainting', () => {
  it('never changes a past swing or event on a synthetic zig-zag replayed bar by bar', () => {
    // Deterministic zig-zag with trend and noise: three overlapping waves.
    const closes = Array.from({ length: 400 }, (_, i) => 100 + 0.02 * i + 3 * Math.sin(i / 7) + 1.5 * Math.sin(i / 2.3) + 0.7 * Math.cos(i * 1.7));
    for (const confirmBars of [1, 2, 3]) {
      const counts = expectNonRepainting(bars(closes), confirmBars);
      expect(counts.swings, 'the zig-zag has many swings').toBeGreaterThan(20);
      expect(counts.events, 'and breaks of both kinds').toBeGreaterThan(5);
    }
  });

  it('reproduces the hand-built zig-zag step by step', () => {
    expectNonRepainting(bars(ZIGZAG), 1);
  });
});

// --- Real recorded data (read from ../shared/data when present; never copied into the repository) ---

const BTC_15M = new URL('../../../shared/data/binance-futures/klines/BTCUSDT-15m.freqtrade.json', import.meta.url);

describe.skipIf(!existsSync(BTC_15M))('computeMarketStructure on real BTCUSDT 15m candles (Binance USD-M, 2025-09-19 → 10-23)', () => {
  const rows = JSON.parse(readFileSync(BTC_15M, 'utf8')) as [number, number, number, number, number, number][];
  const candles: StructureCandle[] = rows.map(([t, , h, l, c]) => ({ openTime: t, closeTime: t + 900_000 - 1, high: h, low: l, close: c }));

  it('never changes a past swing or event when the 3,355 bars are replayed one by one', () => {
    const counts = expectNonRepainting(candles, 2);
    expect(counts.swings, 'five weeks of 15m bars hold hundreds of fractals').toBeGreaterThan(300);
    expect(counts.events).toBeGreaterThan(50);
  }, 120_000);

  it('keeps events consistent with the trend machine and prices within the data range', () => {
    const s = analyze(candles);
    const lo = Math.min(...candles.map((c) => c.low));
    const hi = Math.max(...candles.map((c) => c.high));
    expect(lo, 'the 2025-10-10 crash low').toBe(101_516.5);
    for (const w of s.swings) {
      expect(w.price).toBeGreaterThanOrEqual(lo);
      expect(w.price).toBeLessThanOrEqual(hi);
      expect(w.confirmedAt - w.time, 'confirmed at the close of the 2nd later bar').toBe(3 * 900_000 - 1);
    }
    let trend = 'RANGE';
    for (const e of s.events) {
      expect(e.trendBefore, 'events chain: each starts from the previous trend').toBe(trend);
      expect(e.kind, 'BOS continues (or starts) the trend, CHoCH flips it').toBe(e.trendBefore === 'RANGE' || e.trendBefore === e.trendAfter ? 'BOS' : 'CHOCH');
      expect(e.direction === 'BULLISH' ? e.close > e.level : e.close < e.level, 'the close is beyond the level').toBe(true);
      expect(e.confirmedAt, 'a swing can only be broken after it was confirmed').toBeGreaterThan(e.swing.confirmedAt);
      trend = e.trendAfter;
    }
    expect(s.trend).toBe(trend);
    expect(s.score).toBeGreaterThanOrEqual(-100);
    expect(s.score).toBeLessThanOrEqual(100);
  });
});
