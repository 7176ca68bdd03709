import { describe, expect, it } from 'vitest';
import { alignDailyPair, mergeMacroCorrelations, type DailySeries, type MacroSeriesState } from '../../src/analyzers/macro-correlation.js';
import { dayStartOf } from '../../src/domain/macro.js';

const day = (date: string, value: number | null) => ({ date, time: dayStartOf(date), value });

/**
 * Crafted calendar: Wed 2025-12-31, Thu 2026-01-01 (New Year: SPX ".", a holiday), Fri 01-02, the weekend
 * 01-03/04 (no SPX rows at all), Mon 01-05, Tue 01-06. BTC trades every day.
 */
const spx: DailySeries = {
  symbol: 'SPX',
  days: [day('2025-12-31', 100), day('2026-01-01', null), day('2026-01-02', 102), day('2026-01-05', 101), day('2026-01-06', 103)],
};
const btc: DailySeries = {
  symbol: 'BTCUSDT',
  days: [
    day('2025-12-31', 40_000),
    day('2026-01-01', 40_400),
    day('2026-01-02', 40_800),
    day('2026-01-03', 41_000),
    day('2026-01-04', 40_500),
    day('2026-01-05', 40_200),
    day('2026-01-06', 40_000),
  ],
};

describe('macro calendar alignment', () => {
  it('uses only days both have a value: returns Dec 31→Jan 2 (holiday), Jan 2→Jan 5 (weekend), Jan 5→Jan 6', () => {
    const r = alignDailyPair(btc, spx, { window: 30, minSamples: 3 });
    // BTC: ln(40800/40000) = 0.019803, ln(40200/40800) = −0.014815, ln(40000/40200) = −0.004988
    // SPX: ln(102/100) = 0.019803, ln(101/102) = −0.009852, ln(103/101) = 0.019608
    // Pearson of these three pairs, by hand: 0.723139. BTC's Jan 1, Jan 3 and Jan 4 closes are never used.
    expect(r.samples, 'three aligned returns').toBe(3);
    expect(r.pearson, 'hand-computed Pearson').toBeCloseTo(0.723139, 6);
    expect(r.spearman, 'ranks BTC (3,1,2) vs SPX (3,1,2)').toBe(1);
    expect(r.gapReturns, 'holiday and weekend returns span gaps').toBe(2);
    expect(r.skippedGapReturns).toBe(0);
    expect(r.firstTime).toBe(dayStartOf('2025-12-31'));
    expect(r.lastTime).toBe(dayStartOf('2026-01-06'));
    expect(r.note).toMatch(/2 of them span closed-market gaps/);
  });

  it('SKIP drops the returns across the holiday and the weekend, leaving too few', () => {
    const r = alignDailyPair(btc, spx, { window: 30, minSamples: 3, gaps: 'SKIP' });
    expect(r.samples, 'only Jan 5→Jan 6 is one calendar day').toBe(1);
    expect(r.skippedGapReturns).toBe(2);
    expect(r.gapReturns).toBe(0);
    expect(r.pearson, 'fewer than minSamples: null, never 0').toBeNull();
    expect(r.note).toMatch(/2 returns across closed-market gaps skipped; fewer than minSamples 3/);
  });

  it('keeps only the newest `window` returns', () => {
    const r = alignDailyPair(btc, spx, { window: 2, minSamples: 3 });
    expect(r.samples).toBe(2);
    expect(r.firstTime, 'starts at Jan 2').toBe(dayStartOf('2026-01-02'));
    expect(r.pearson).toBeNull();
  });

  it('throws on a day time that is not 00:00 UTC', () => {
    expect(() => alignDailyPair({ symbol: 'X', days: [{ date: '2026-01-01', time: dayStartOf('2026-01-01') + 1, value: 1 }] }, spx, { window: 2, minSamples: 3 })).toThrow(/00:00 UTC, got 1767225600001/);
  });
});

describe('matrix with macro series', () => {
  const available: MacroSeriesState = { symbol: 'SPX', status: 'AVAILABLE', reason: null, source: 'FRED', upstreamId: 'SP500', observations: 4, lastTime: dayStartOf('2026-01-06') };
  const missing: MacroSeriesState = { symbol: 'DXY', status: 'UNAVAILABLE', reason: 'FRED_API_KEY not set', source: null, upstreamId: null, observations: 0, lastTime: null };

  it('puts macro pairs on the macro calendar and unavailable series as null with the reason, never zero', () => {
    const m = mergeMacroCorrelations({
      symbols: ['BTCUSDT', 'SPX', 'DXY'],
      macro: [available, missing],
      daily: new Map([
        ['BTCUSDT', btc],
        ['SPX', spx],
      ]),
      base: null,
      window: 30,
      minSamples: 3,
    });
    expect(m.symbols).toEqual(['BTCUSDT', 'SPX', 'DXY']);
    expect(m.pearson[0]![1]).toBeCloseTo(0.723139, 6);
    expect(m.pearson[1]![0], 'symmetric').toBe(m.pearson[0]![1]);
    expect(m.samples[0]![1]).toBe(3);
    expect(m.pearson[0]![2], 'DXY unavailable: null').toBeNull();
    expect(m.pearson[2]![2], 'no diagonal for an unavailable series').toBeNull();
    expect(m.samples[0]![2]).toBe(0);
    const dxy = m.pairs.find((p) => p.b === 'DXY' && p.a === 'BTCUSDT')!;
    expect(dxy).toMatchObject({ pearson: null, spearman: null, samples: 0, calendar: 'MACRO', note: 'DXY is unavailable: FRED_API_KEY not set' });
    expect(m.pairs.find((p) => p.b === 'SPX')).toMatchObject({ calendar: 'MACRO', gapReturns: 2 });
    expect(m.notes).toContain('DXY is unavailable: FRED_API_KEY not set');
    expect(m.macro).toEqual([available, missing]);
    expect(m.averageCorrelation, 'mean over computed pairs only').toBeCloseTo(0.723139, 6);
    expect(m.warmingUp).toBe(false);
  });
});
