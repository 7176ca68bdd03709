import { describe, expect, it } from 'vitest';
import { CHART_LAYER_PARAMS } from '../../src/analyzers/confirmation-layers-chart.js';
import { emaAdd, emaStable, emaState, technicalReadings, wilderAtr, type Hlc } from '../../src/math/indicators.js';
import * as reference from '../support/indicators-reference.js';
import { loadFuturesBtc5m, recorded5mPresent } from '../support/recorded-5m.js';

const P = CHART_LAYER_PARAMS.technical;

/** Fast vs trading-signals on one window, bit for bit (Object.is, so −0 vs 0 and NaN would show): the differences. */
function differences(window: readonly Hlc[]): string[] {
  const out: string[] = [];
  const same = (name: string, a: unknown, b: unknown): void => void (Object.is(a, b) || out.push(`${name}: ${String(a)} vs ${String(b)}`));
  same('ATR 14', wilderAtr(window, 14), reference.wilderAtr(window, 14));
  const f = technicalReadings(window, P);
  const r = reference.technicalReadings(window, P);
  same('RSI', f.rsi, r.rsi);
  same('MACD histogram', f.macdHistogram, r.macdHistogram);
  same('stochastic %K', f.stoch?.stochK, r.stoch?.stochK);
  same('stochastic %D', f.stoch?.stochD, r.stoch?.stochD);
  f.emas.forEach((e, i) => {
    same(`EMA ${e.interval} stable`, emaStable(e), r.emas[i]!.count > 0);
    if (emaStable(e)) same(`EMA ${e.interval}`, e.result, r.emas[i]!.result);
  });
  return out;
}

const expectSame = (window: readonly Hlc[], where: string): void => expect(differences(window), where).toEqual([]);

describe('plain-number indicators match trading-signals bit for bit', () => {
  it('EMA: seeded with the first price (price × w + price × (1 − w), not the price itself), stable after `interval` prices', () => {
    const e = emaState(3);
    // w = 0.5: 10 × 0.5 + 10 × 0.5 = 10; 13 × 0.5 + 10 × 0.5 = 11.5; 8 × 0.5 + 11.5 × 0.5 = 9.75
    expect(emaAdd(e, 10)).toBe(10);
    expect(emaStable(e), 'one price of 3').toBe(false);
    expect(emaAdd(e, 13)).toBe(11.5);
    expect(emaAdd(e, 8)).toBe(9.75);
    expect(emaStable(e), 'three prices of 3').toBe(true);
  });

  it('ATR: null before `period` candles; SMA of the first true ranges, then Wilder smoothing', () => {
    const c = (high: number, low: number, close: number): Hlc => ({ high, low, close });
    expect(wilderAtr([c(10, 9, 9.5)], 2), 'one candle of 2').toBeNull();
    // TR: 1 (first: high − low), max(1, |11 − 9.5|, |10 − 9.5|) = 1.5 → SMA 1.25; then TR max(0.5, |12 − 10.5|, 1) = 1.5 → 1.25 + 0.25 × 0.5 = 1.375
    expect(wilderAtr([c(10, 9, 9.5), c(11, 10, 10.5)], 2)).toBe(1.25);
    expect(wilderAtr([c(10, 9, 9.5), c(11, 10, 10.5), c(12, 11.5, 12)], 2)).toBe(1.375);
  });

  it('edge cases: flat closes (RSI 100 by the library rule, stochastic range 0), warm-up lengths 1..60', () => {
    const flat: Hlc[] = Array.from({ length: 60 }, () => ({ high: 100, low: 100, close: 100 }));
    expectSame(flat, 'flat 60');
    expect(technicalReadings(flat, P).rsi, 'average loss 0 → 100 (trading-signals)').toBe(100);
    const zigzag: Hlc[] = Array.from({ length: 60 }, (_, i) => ({ high: 101 + (i % 3), low: 99 - (i % 2), close: 100 + Math.sin(i) }));
    for (let n = 1; n <= 60; n++) expectSame(zigzag.slice(0, n), `zigzag length ${n}`);
  });

  it.skipIf(!recorded5mPresent())('windows of the recorded BTCUSDT 5 m month: every one up to 300 bars, then every second 300-bar window (≈ 5 000)', () => {
    const candles = loadFuturesBtc5m();
    expect(candles.length, 'the recording is 2025-12-26 22:35 → 2026-01-29 17:05').toBeGreaterThan(9_000);
    const mismatches: string[] = [];
    for (let end = 1; end <= candles.length; end += end < 400 ? 1 : 2) {
      for (const d of differences(candles.slice(Math.max(0, end - 300), end))) mismatches.push(`window ending at bar ${end - 1}: ${d}`);
    }
    expect(mismatches.slice(0, 5), 'no value differs in any window').toEqual([]);
  }, 60_000);
});
