import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeTraps, selectTraps } from '../../src/analyzers/traps.js';
import type { TrapBar } from '../../src/analyzers/traps.types.js';
import { createNewTrapDetector } from '../../src/engine/trap-events.js';

const M15 = 900_000;
const T0 = Date.UTC(2026, 0, 5);

type Ohlcv = [open: number, high: number, low: number, close: number, volume?: number];
const bars = (rows: readonly Ohlcv[]): TrapBar[] =>
  rows.map(([open, high, low, close, volume], i) => ({ openTime: T0 + i * M15, closeTime: T0 + (i + 1) * M15 - 1, open, high, low, close, volume: volume ?? 10 }));

/** 20 quiet bars (range 99..101, close 100): true range 2, so ATR(14) = 2. */
const QUIET: Ohlcv[] = Array.from({ length: 20 }, () => [100, 101, 99, 100] as Ohlcv);
const quiet = (count: number): Ohlcv[] => Array.from({ length: count }, () => [100, 101, 99, 100] as Ohlcv);

/** Wilder's ATR(14) by hand: seed 2, one bar of true range 4 (the swing bar), then true ranges of 2. */
const wilder = (prev: number, tr: number) => (prev * 13 + tr) / 14;
const ATR_20 = wilder(2, 4); // 30/14 after the swing bar
const ATR_23 = wilder(wilder(wilder(ATR_20, 2), 2), 2); // as of bar 23, the bar before the pierce

/** A swing high at bar 20 (103), confirmed by bars 21-22 (2 bars each side), quiet bar 23, then `pierce` at 24. */
const swingHighThen = (pierce: Ohlcv, after: Ohlcv[] = quiet(2)) => bars([...QUIET, [100, 103, 99, 100], ...quiet(3), pierce, ...after]);
/** A swing low at bar 20 (97), confirmed by bars 21-22, quiet bar 23, then `rest` from bar 24. */
const swingLowThen = (rest: Ohlcv[]) => bars([...QUIET, [100, 101, 97, 100], ...quiet(3), ...rest]);

describe('computeTraps: liquidity grabs', () => {
  it('detects a wick above a confirmed swing high that closes back below it as a bearish grab', () => {
    const a = computeTraps({ symbol: 'X', interval: '15m', candles: swingHighThen([100, 104, 99.5, 100.5, 30]) });
    expect(a.warmingUp).toBe(false);
    expect(a.traps, 'one stop hunt, nothing else in a quiet series').toHaveLength(1);
    const trap = a.traps[0]!;
    expect(trap.type).toBe('LIQUIDITY_GRAB_HIGH');
    expect(trap.direction, 'buy stops taken above the high, close back below: bearish').toBe('BEARISH');
    expect(trap.level).toBe(103);
    expect(trap.levelSource).toBe('SWING_HIGH');
    expect(trap.levelTime, 'the swing bar is bar 20').toBe(T0 + 20 * M15);
    expect(trap.levelConfirmedAt, 'confirmed when bar 22 closed').toBe(T0 + 23 * M15 - 1);
    expect(trap.time, 'completed by the piercing bar 24').toBe(T0 + 24 * M15);
    expect(trap.detectedAt).toBe(T0 + 25 * M15 - 1);
    expect(trap.id).toBe(`LIQUIDITY_GRAB_HIGH:${T0 + 24 * M15}:103`);
    expect(trap.barsToReclaim).toBe(0);
    expect(trap.extreme).toBe(104);
    expect(trap.pierceDepth).toBe(1);
    expect(trap.atr, 'Wilder ATR(14) as of bar 23').toBeCloseTo(ATR_23, 12);
    expect(trap.threshold).toBeCloseTo(0.2 * ATR_23, 12);
    expect(trap.volumeRatio, '30 against a mean of 10').toBe(3);
    expect(trap.liquidationNotionalUsd, 'no liquidation feed given').toBeNull();
    expect(trap.bar).toEqual({ openTime: T0 + 24 * M15, closeTime: T0 + 25 * M15 - 1, open: 100, high: 104, low: 99.5, close: 100.5, volume: 30 });
    expect(trap.reclaimBar).toEqual(trap.bar);
    const f = Object.fromEntries(trap.factors.map((x) => [x.name, x]));
    expect(f.wickSize!.contribution, '0.3 × (1 / ATR)').toBeCloseTo(0.3 * (1 / ATR_23), 12);
    expect(f.volume!.contribution, '3× volume scores fully').toBeCloseTo(0.25, 12);
    expect(f.levelStrength!.contribution, 'one touch of three').toBeCloseTo(0.25 / 3, 12);
    expect(f.reclaimSpeed!.contribution, 'same-bar reclaim scores fully').toBeCloseTo(0.2, 12);
    expect(trap.confidence).toBeCloseTo(0.3 / ATR_23 + 0.25 + 0.25 / 3 + 0.2, 12);
    expect(trap.factors.reduce((s, x) => s + x.weight, 0)).toBeCloseTo(1, 12);
    expect(a.latest).toEqual(trap);
    expect(a.active, 'the next two bars stay below the 104 extreme').toEqual([trap]);
  });

  it('mirrors below: a wick under a swing low closing back above is a bullish grab', () => {
    const a = computeTraps({ symbol: 'X', interval: '15m', candles: swingLowThen([[100, 100.5, 96, 99.5], ...quiet(2)]) });
    expect(a.traps.map((t) => [t.type, t.direction, t.level, t.extreme])).toEqual([['LIQUIDITY_GRAB_LOW', 'BULLISH', 97, 96]]);
  });

  it('ignores a pierce shallower than sensitivity × ATR and catches it with a lower sensitivity', () => {
    // 0.3 beyond the level: below 0.2 × 2.114 = 0.423, above 0.1 × 2.114 = 0.211.
    const candles = swingHighThen([100, 103.3, 99.5, 100.5]);
    expect(computeTraps({ symbol: 'X', interval: '15m', candles }).traps, 'near miss at the default sensitivity').toEqual([]);
    const loose = computeTraps({ symbol: 'X', interval: '15m', candles, options: { sensitivity: 0.1 } });
    expect(loose.traps.map((t) => t.type)).toEqual(['LIQUIDITY_GRAB_HIGH']);
    expect(loose.traps[0]!.threshold, '0.1 × ATR as of bar 23').toBeCloseTo(0.1 * ATR_23, 12);
  });

  it('does not count a wick that closes beyond the level, nor a level swept twice', () => {
    expect(computeTraps({ symbol: 'X', interval: '15m', candles: swingHighThen([100, 104, 99.5, 103.2]) }).traps, 'close 103.2 is above the level: not back inside').toEqual([]);
    const twice = computeTraps({ symbol: 'X', interval: '15m', candles: swingHighThen([100, 104, 99.5, 100.5], [[100, 104.5, 99.5, 100.5], ...quiet(2)]) });
    expect(twice.traps, 'the first sweep consumes the level').toHaveLength(1);
  });

  it('adds liquidations beyond the level during the pattern as evidence', () => {
    const t24 = T0 + 24 * M15;
    const a = computeTraps({
      symbol: 'X',
      interval: '15m',
      candles: swingHighThen([100, 104, 99.5, 100.5]),
      liquidations: [
        { price: 103.6, notional: 5_000, time: t24 + 60_000 },
        { price: 102, notional: 7_000, time: t24 + 60_000 }, // below the level: not a stop above it
        { price: 103.6, notional: 9_000, time: t24 - 1 }, // before the piercing bar
      ],
    });
    expect(a.traps[0]!.liquidationNotionalUsd).toBe(5_000);
  });
});

describe('computeTraps: fake breakouts', () => {
  it('detects a close below a swing low that closes back above within K bars', () => {
    const a = computeTraps({
      symbol: 'X',
      interval: '15m',
      candles: swingLowThen([
        [100, 100, 95.5, 96], // bar 24: closes 1 below the 97 level
        [96, 97, 95.8, 96.5], // still below
        [96.5, 98.5, 96.3, 98], // bar 26: back above
        ...quiet(2),
      ]),
    });
    expect(a.traps).toHaveLength(1);
    const trap = a.traps[0]!;
    expect(trap.type).toBe('FAKE_BREAKOUT_DOWN');
    expect(trap.direction).toBe('BULLISH');
    expect(trap.level).toBe(97);
    expect(trap.pierceTime, 'the breakout bar 24').toBe(T0 + 24 * M15);
    expect(trap.time, 'the reclaim bar 26 completes it').toBe(T0 + 26 * M15);
    expect(trap.barsToReclaim).toBe(2);
    expect(trap.extreme, 'lowest low during the pattern').toBe(95.5);
    expect(trap.bar.close).toBe(96);
    expect(trap.reclaimBar.close).toBe(98);
    expect(trap.factors.find((f) => f.name === 'reclaimSpeed')!.contribution, '0.2 × (1 − 2/4)').toBeCloseTo(0.1, 12);
  });

  it('mirrors above: a close above a swing high that falls back is FAKE_BREAKOUT_UP', () => {
    const a = computeTraps({ symbol: 'X', interval: '15m', candles: swingHighThen([100, 104.5, 100, 104], [[104, 104.2, 102, 102.5], ...quiet(2)]) });
    expect(a.traps.map((t) => [t.type, t.direction, t.barsToReclaim, t.extreme])).toEqual([['FAKE_BREAKOUT_UP', 'BEARISH', 1, 104.5]]);
  });

  it('treats a breakout that holds K bars as real, and a close beyond by less than the threshold as nothing', () => {
    const held = swingLowThen([[100, 100, 95.5, 96], [96, 96.5, 95, 95.5], [95.5, 96, 94.5, 95], [95, 96, 94.5, 95.5], [95.5, 98.5, 95, 98]]);
    expect(computeTraps({ symbol: 'X', interval: '15m', candles: held }).traps, 'back above only on the 4th bar after the breakout (K = 3)').toEqual([]);
    expect(computeTraps({ symbol: 'X', interval: '15m', candles: held, options: { reclaimBars: 4 } }).traps.map((t) => t.type)).toEqual(['FAKE_BREAKOUT_DOWN']);
    const shallow = swingLowThen([[100, 100, 96.5, 96.8], [96.8, 98.5, 96.6, 98], ...quiet(2)]);
    expect(computeTraps({ symbol: 'X', interval: '15m', candles: shallow }).traps, 'closed 0.2 below the level: under 0.2 ATR').toEqual([]);
  });
});

describe('computeTraps: preconditions, warm-up, selection', () => {
  it('warms up without fabricating values', () => {
    const a = computeTraps({ symbol: 'X', interval: '15m', candles: bars(quiet(10)) });
    expect(a).toMatchObject({ warmingUp: true, atr: null, threshold: null, traps: [], active: [], latest: null, barsAnalyzed: 10 });
    expect(computeTraps({ symbol: 'X', interval: '15m', candles: [] })).toMatchObject({ warmingUp: true, firstBarTime: null, lastBarTime: null });
  });

  it('throws on invalid options and unordered candles, quoting the value', () => {
    expect(() => computeTraps({ symbol: 'X', interval: '15m', candles: [], options: { sensitivity: 0 } })).toThrow('sensitivity must be a finite number > 0, got 0');
    expect(() => computeTraps({ symbol: 'X', interval: '15m', candles: [], options: { reclaimBars: 1.5 } })).toThrow('reclaimBars must be an integer >= 1, got 1.5');
    const candles = bars(quiet(3));
    expect(() => computeTraps({ symbol: 'X', interval: '15m', candles: [candles[1]!, candles[0]!] })).toThrow(`got ${T0} after ${T0 + M15} at index 1`);
    expect(() => selectTraps([], { limit: 0 })).toThrow('limit must be an integer >= 1, got 0');
  });

  it('drops a trap from active once price trades beyond its extreme', () => {
    const a = computeTraps({ symbol: 'X', interval: '15m', candles: swingHighThen([100, 104, 99.5, 100.5], [[100, 104.2, 99.5, 100]]) });
    expect(a.traps).toHaveLength(1);
    expect(a.active, 'a later high of 104.2 exceeded the 104 extreme').toEqual([]);
  });

  it('selects detections by time range, newest first, bounded', () => {
    const a = computeTraps({
      symbol: 'X',
      interval: '15m',
      candles: bars([...QUIET, [100, 103, 99, 100], ...quiet(3), [100, 104, 99.5, 100.5], ...quiet(2), [100, 101, 97, 100], ...quiet(3), [100, 100.5, 96, 99.5], ...quiet(2)]),
    });
    expect(a.traps.map((t) => t.type), 'newest first').toEqual(['LIQUIDITY_GRAB_LOW', 'LIQUIDITY_GRAB_HIGH']);
    expect(selectTraps(a.traps, { from: T0 + 25 * M15, limit: 10 }).map((t) => t.type)).toEqual(['LIQUIDITY_GRAB_LOW']);
    expect(selectTraps(a.traps, { to: T0 + 24 * M15, limit: 10 }).map((t) => t.type), 'to is inclusive').toEqual(['LIQUIDITY_GRAB_HIGH']);
    expect(selectTraps(a.traps, { limit: 1 }).map((t) => t.type)).toEqual(['LIQUIDITY_GRAB_LOW']);
  });
});

describe('new-trap detector (trapDetected)', () => {
  it('announces each detection once, and none from the first (backfilled) result', () => {
    const a = computeTraps({ symbol: 'X', interval: '15m', candles: swingHighThen([100, 104, 99.5, 100.5]) });
    const b = computeTraps({ symbol: 'X', interval: '15m', candles: bars([...QUIET, [100, 103, 99, 100], ...quiet(3), [100, 104, 99.5, 100.5], ...quiet(2), [100, 101, 97, 100], ...quiet(3), [100, 100.5, 96, 99.5]]) });
    const detect = createNewTrapDetector();
    expect(detect('X', a.traps), 'first result only sets the mark').toEqual([]);
    expect(detect('X', a.traps), 'same result again').toEqual([]);
    expect(detect('X', b.traps).map((t) => t.type)).toEqual(['LIQUIDITY_GRAB_LOW']);
    expect(detect('X', b.traps)).toEqual([]);
    expect(detect('Y', b.traps), 'per symbol').toEqual([]);
  });
});

const BTC_15M = '/work/shared/data/binance-futures/klines/BTCUSDT-15m.freqtrade.json';

describe.skipIf(!existsSync(BTC_15M))('computeTraps on real BTCUSDT 15m candles (Binance USD-M, 2025-09-19 → 10-23)', () => {
  const rows = existsSync(BTC_15M) ? (JSON.parse(readFileSync(BTC_15M, 'utf8')) as number[][]) : [];
  const candles: TrapBar[] = rows.map(([t, o, h, l, c, v]) => ({ openTime: t!, closeTime: t! + M15 - 1, open: o!, high: h!, low: l!, close: c!, volume: v! }));

  it('runs over five weeks with a plausible detection rate and sane values', () => {
    const a = computeTraps({ symbol: 'BTCUSDT', interval: '15m', candles, options: { maxTraps: 10_000 } });
    expect(a.barsAnalyzed).toBe(3_355);
    expect(a.warmingUp).toBe(false);
    const perDay = a.traps.length / (candles.length / 96);
    expect(perDay, `${a.traps.length} traps over ${candles.length} bars`).toBeGreaterThan(2);
    expect(perDay, 'a trap on most bars would mean the threshold does nothing').toBeLessThan(25);
    expect(new Set(a.traps.map((t) => t.type)).size, 'all four patterns occur in five weeks').toBe(4);
    expect(new Set(a.traps.map((t) => t.id)).size, 'ids are unique').toBe(a.traps.length);
    for (const t of a.traps) {
      expect(t.confidence).toBeGreaterThanOrEqual(0);
      expect(t.confidence).toBeLessThanOrEqual(1);
      expect(t.pierceDepth, t.id).toBeGreaterThanOrEqual(t.type.startsWith('LIQUIDITY') ? t.threshold - 1e-9 : 0);
      expect(t.levelConfirmedAt, 'the level was known before the piercing bar opened').toBeLessThan(t.pierceTime);
      expect(t.atr / t.level, 'BTC 15m ATR is a fraction of a percent of the price').toBeLessThan(0.02);
    }
    const stricter = computeTraps({ symbol: 'BTCUSDT', interval: '15m', candles, options: { sensitivity: 0.5, maxTraps: 10_000 } });
    expect(stricter.traps.length, 'a higher threshold finds fewer traps').toBeLessThan(a.traps.length);
  });

  it('is causal: replayed bar by bar, a detection reported at step k stays identical later', () => {
    const slice = candles.slice(0, 700);
    const full = new Map(computeTraps({ symbol: 'BTCUSDT', interval: '15m', candles: slice, options: { maxTraps: 10_000 } }).traps.map((t) => [t.id, t]));
    let checked = 0;
    for (let k = 30; k <= slice.length; k += 1) {
      const step = computeTraps({ symbol: 'BTCUSDT', interval: '15m', candles: slice.slice(0, k), options: { maxTraps: 10_000 } });
      for (const t of step.traps) {
        expect(full.get(t.id), `${t.id} reported at step ${k}`).toEqual(t);
        checked += 1;
      }
      expect(step.traps.length, 'nothing reported earlier disappears').toBe([...full.values()].filter((t) => t.detectedAt <= slice[k - 1]!.closeTime).length);
    }
    expect(checked).toBeGreaterThan(1_000);
  });
});
