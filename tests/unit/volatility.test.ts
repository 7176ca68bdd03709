import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyVolatility, computeVolatilityAnalysis, markovPersistence, realizedVolatility, VOLATILITY_METHODOLOGY_VERSION } from '../../src/analyzers/volatility.js';
import { DEFAULT_VOLATILITY_THRESHOLDS, type VolatilityAnalysis, type VolatilityCandle, type VolatilityRegime } from '../../src/analyzers/volatility.types.js';
import { createPubSub } from 'graphql-yoga';
import type { AnalysisRecord } from '../../src/domain/analysis.js';
import { createRegimeChangeDetector, createVolatilityEvents } from '../../src/engine/volatility-events.js';
import type { Topics } from '../../src/pubsub.js';

const H1 = 3_600_000;
const KLINES = '/work/shared/data/binance-futures/klines';

/** Flat candles at 100 with a 1-wide range (TR = 1, ATR% = 1), except the bars listed as wide (range 4). */
function flat(n: number, wide: readonly number[] = []): VolatilityCandle[] {
  return Array.from({ length: n }, (_, i) => ({
    openTime: i * H1,
    closeTime: i * H1 + H1 - 1,
    open: 100,
    high: wide.includes(i) ? 102 : 100.5,
    low: wide.includes(i) ? 98 : 99.5,
    close: 100,
  }));
}

const analyze = (candles: VolatilityCandle[], thresholds = {}): VolatilityAnalysis =>
  computeVolatilityAnalysis({ symbol: 'BTCUSDT', interval: '1h', intervalMs: H1, candles, thresholds });

describe('classifyVolatility', () => {
  it('uses inclusive lower bounds 60 / 85 / 97 by default', () => {
    const t = DEFAULT_VOLATILITY_THRESHOLDS;
    expect(classifyVolatility(59.99, t)).toBe('STABLE');
    expect(classifyVolatility(60, t), 'the bound itself is HIGH_VOL').toBe('HIGH_VOL');
    expect(classifyVolatility(84.99, t)).toBe('HIGH_VOL');
    expect(classifyVolatility(85, t)).toBe('EXPLOSIVE');
    expect(classifyVolatility(97, t)).toBe('EXTREME');
    expect(classifyVolatility(100, t)).toBe('EXTREME');
  });
});

describe('markovPersistence', () => {
  const S: VolatilityRegime = 'STABLE';
  const H: VolatilityRegime = 'HIGH_VOL';
  const E: VolatilityRegime = 'EXPLOSIVE';
  const X: VolatilityRegime = 'EXTREME';
  // Steps: S→S ×3, S→H, S→E (5 out of S), H→H, H→S, E→X, X→S.
  const sequence = [S, S, S, H, H, S, S, E, X, S];

  it('estimates the transition matrix by counting consecutive pairs', () => {
    const p = markovPersistence(sequence, S, 2);
    const cell = (from: VolatilityRegime, to: VolatilityRegime) => p.matrix.find((c) => c.from === from && c.to === to)!;
    expect(p.totalTransitions, '10 states, 9 steps').toBe(9);
    expect(p.sampleSize, '5 steps leave STABLE').toBe(5);
    expect(cell(S, S).probability, '3 of 5').toBeCloseTo(0.6, 12);
    expect(cell(S, H).probability).toBeCloseTo(0.2, 12);
    expect(cell(H, S).probability, '1 of 2').toBeCloseTo(0.5, 12);
    expect(cell(E, X).probability, 'the only step out of EXPLOSIVE').toBe(1);
    expect(p.matrix).toHaveLength(16);
  });

  it('gives p_ii^N for staying and (P^N)_ii for being in the regime again', () => {
    const p = markovPersistence(sequence, S, 2);
    expect(p.staysProbability, '0.6²').toBeCloseTo(0.36, 12);
    expect(p.inRegimeProbability, '0.6·0.6 + 0.2·0.5 (via HIGH_VOL) + 0.2·0 (EXPLOSIVE never returns in one step)').toBeCloseTo(0.46, 12);
  });

  it('has no probability for a regime never left', () => {
    const p = markovPersistence([S, S, X], X, 3);
    expect(p.sampleSize).toBe(0);
    expect(p.staysProbability).toBeNull();
    expect(p.matrix.filter((c) => c.from === X).every((c) => c.probability === null)).toBe(true);
  });
});

describe('realizedVolatility', () => {
  it('annualizes the sample σ of log returns with 365 × 24 periods for hourly bars', () => {
    const a = Math.log(1.1);
    // Returns +a, −a: mean 0, sample variance 2a² / 1.
    expect(realizedVolatility([100, 110, 100], 8760)).toBeCloseTo(a * Math.SQRT2 * Math.sqrt(8760), 10);
  });
});

describe('computeVolatilityAnalysis', () => {
  it('walks through hand-computed regime transitions after one wide bar', () => {
    // ATR% = 1 on bars 13..79 (67 readings). Bar 80 (TR 4): Wilder ATR (13·1 + 4) / 14 = 17/14, above every
    // reading → percentile 100. It then decays but stays above the 67 ones and below the newer readings,
    // so bar 80 + k ranks at 67 / (67 + k): 98.5 (k=1), 97.1 (k=2), 95.7 (k=3), 84.8 (k=12), 59.8 (k=45).
    // Garman–Klass (20-bar window, readings from bar 19): the windows ending at bars 80..99 hold the wide
    // bar and read g1 > g0; against 61 g0 readings and k earlier g1 ties bar 80 + k ranks (61 + k/2) / (61 + k):
    // 100 (k=0), 97.7 (k=3), 96.9 (k=4: EXPLOSIVE), 88.1 (k=19); bar 100 falls back to g0 (rank 37.7) while
    // ATR% ranks 67/87 = 77.0 → HIGH_VOL. The regime takes the higher rank.
    const a = analyze(flat(130, [80]));
    expect(a.warmingUp).toBe(false);
    expect(a.transitions.map((t) => [t.time, t.from, t.to])).toEqual([
      [80 * H1 + H1 - 1, 'STABLE', 'EXTREME'],
      [84 * H1 + H1 - 1, 'EXTREME', 'EXPLOSIVE'],
      [100 * H1 + H1 - 1, 'EXPLOSIVE', 'HIGH_VOL'],
      [125 * H1 + H1 - 1, 'HIGH_VOL', 'STABLE'],
    ]);
    expect(a.transitions[0]!.atrPct, 'ATR% = 17/14 at close 100').toBeCloseTo(17 / 14, 12);
    expect(a.transitions[1]!.percentile, 'the Garman–Klass rank at k = 4').toBeCloseTo((100 * 63) / 65, 10);
    expect(a.transitions[2]!.percentile, 'the ATR% rank at k = 20').toBeCloseTo((100 * 67) / 87, 10);
    expect(a.regime).toBe('STABLE');
    expect(a.regimeSince, 'bar 125').toBe(125 * H1 + H1 - 1);
    expect(a.regimeBars, 'bars 125..129').toBe(5);
    expect(a.regimeSinceIsLowerBound).toBe(false);
    expect(a.atrPctPercentile).toBeCloseTo((100 * 67) / (67 + 49), 10);
    expect(a.realizedVol, 'constant closes').toBe(0);
    // Open = close = 100, range 99.5..100.5: per-bar GK variance ½ ln(100.5/99.5)², annualized × 8760.
    const g0 = Math.sqrt(0.5 * Math.log(100.5 / 99.5) ** 2 * 8760);
    expect(a.garmanKlassVol).toBeCloseTo(g0, 12);
    expect(a.parkinsonVol, 'ln(H/L)² / (4 ln 2)').toBeCloseTo(Math.sqrt((Math.log(100.5 / 99.5) ** 2 / (4 * Math.LN2)) * 8760), 12);
    expect(a.riskVol, 'the range sees what constant closes hide').toBeCloseTo(g0, 12);
    expect(a.riskMultiplier, '50 % target / 66.2 % range volatility').toBeCloseTo(0.5 / g0, 12);
    expect(a.bollinger).toMatchObject({ upper: 100, middle: 100, lower: 100, bandwidthPct: 0, percentB: null });
    // Classified bars 63..129 = 67 states, 66 steps.
    expect(a.persistence!.totalTransitions).toBe(66);
  });

  it('never upsizes outside STABLE: cap 1 in HIGH_VOL/EXPLOSIVE, 0.5 in EXTREME', () => {
    // Tiny ranges (0.02 %) keep both volatilities far below the 50 % target, so only the cap binds.
    const quiet = (n: number, wide: readonly number[]): VolatilityCandle[] =>
      Array.from({ length: n }, (_, i) => ({ openTime: i * H1, closeTime: i * H1 + H1 - 1, open: 100, high: wide.includes(i) ? 100.04 : 100.01, low: wide.includes(i) ? 99.96 : 99.99, close: 100 }));
    const extreme = analyze(quiet(81, [80]));
    expect(extreme.regime).toBe('EXTREME');
    expect(extreme.riskVol!, 'well under target').toBeLessThan(0.05);
    expect(extreme.riskMultiplier, 'EXTREME cap').toBe(0.5);
    const explosive = analyze(quiet(86, [80]));
    expect(explosive.regime).toBe('EXPLOSIVE');
    expect(explosive.riskMultiplier, 'elevated cap').toBe(1);
    const stable = analyze(quiet(70, []));
    expect(stable.regime).toBe('STABLE');
    expect(stable.riskMultiplier, 'STABLE may upsize to the upper clamp').toBe(2);
  });

  it('classifies the first bar after minHistory ATR% readings and warms up before', () => {
    const warm = analyze(flat(63));
    expect(warm.warmingUp, 'ATR% from bar 13, 50 readings reached at bar 62 only as history').toBe(true);
    expect(warm.regime).toBeNull();
    expect(warm.persistence).toBeNull();
    expect(warm.riskMultiplier).toBeNull();
    expect(warm.atrPct, 'ATR itself is available').toBeCloseTo(1, 12);
    const ready = analyze(flat(64));
    expect(ready.regime, 'equal to every reading → percentile 50').toBe('STABLE');
    expect(ready.atrPctPercentile).toBe(50);
    expect(ready.regimeSinceIsLowerBound, 'the first classified bar').toBe(true);
  });

  it('clamps the risk multiplier to the target over realized volatility', () => {
    const candles = Array.from({ length: 80 }, (_, i) => {
      const close = i % 2 === 0 ? 100 : 110;
      return { openTime: i * H1, closeTime: i * H1 + H1 - 1, open: close, high: close + 1, low: close - 1, close };
    });
    const a = analyze(candles);
    expect(a.realizedVol!, '±ln 1.1 hourly is far above 50 %/yr').toBeGreaterThan(5);
    expect(a.riskMultiplier, 'lower clamp').toBe(0.25);
    const relaxed = analyze(candles, { targetVolatility: 4, minRiskMultiplier: 0.01 });
    expect(relaxed.riskMultiplier).toBeCloseTo(4 / relaxed.realizedVol!, 12);
  });

  it('rejects thresholds out of order, quoting them', () => {
    expect(() => analyze(flat(10), { highVolPercentile: 90 })).toThrow(/90, 85, 97/);
    expect(() => computeVolatilityAnalysis({ symbol: 'X', interval: '1h', intervalMs: 0, candles: [] })).toThrow(/intervalMs must be > 0, got 0/);
  });

  it('returns nulls without candles', () => {
    const a = analyze([]);
    expect([a.warmingUp, a.atr, a.bollinger, a.realizedVol, a.time]).toEqual([true, null, null, null, null]);
  });
});

describe('createRegimeChangeDetector', () => {
  it('fires only when a symbol’s regime changes, after a first mark', () => {
    const detect = createRegimeChangeDetector();
    const base = analyze(flat(64));
    const at = (regime: VolatilityRegime | null, symbol = 'BTCUSDT'): VolatilityAnalysis => ({ ...base, symbol, regime });
    expect(detect(at('STABLE')), 'first result sets the mark').toBeNull();
    expect(detect(at('STABLE'))).toBeNull();
    expect(detect(at(null)), 'warming up neither fires nor moves the mark').toBeNull();
    expect(detect(at('HIGH_VOL'))).toMatchObject({ symbol: 'BTCUSDT', from: 'STABLE', to: 'HIGH_VOL' });
    expect(detect(at('HIGH_VOL'))).toBeNull();
    expect(detect(at('EXTREME', 'ETHUSDT')), 'symbols are independent').toBeNull();
  });
});

describe('createVolatilityEvents', () => {
  it('publishes volatility:regime-changed for VOLATILITY records and passes every record down the chain', async () => {
    const pubsub = createPubSub<Topics>();
    const passed: string[] = [];
    const hook = createVolatilityEvents({ pubsub, next: (r) => passed.push(r.kind) });
    const iterator = pubsub.subscribe('volatility:regime-changed', 'BTCUSDT')[Symbol.asyncIterator]();
    const base = analyze(flat(64));
    const record = (regime: VolatilityRegime, kind = 'VOLATILITY'): AnalysisRecord =>
      ({ kind, symbol: 'BTCUSDT', result: { ...base, regime }, asOf: 1_000, computedAt: 0, methodologyVersion: 'v', source: 'SIMULATED', venue: 'x' }) as AnalysisRecord;
    const next = iterator.next();
    hook.onResult(record('STABLE'));
    hook.onResult(record('EXTREME', 'TRAPS'));
    hook.onResult(record('EXPLOSIVE'));
    const event = await next;
    expect(event.value, 'STABLE → EXPLOSIVE; the TRAPS record is not a volatility result').toMatchObject({ symbol: 'BTCUSDT', from: 'STABLE', to: 'EXPLOSIVE', interval: '1h' });
    expect(event.value.meta, 'provenance of the result that changed the regime').toEqual({ source: 'SIMULATED', venue: 'x', asOf: 1_000 });
    expect(passed).toEqual(['VOLATILITY', 'TRAPS', 'VOLATILITY']);
    await iterator.return?.();
  });
});

function klines(file: string, intervalMs: number): VolatilityCandle[] {
  const rows = JSON.parse(readFileSync(`${KLINES}/${file}`, 'utf8')) as number[][];
  return rows.map((r) => ({ openTime: r[0]!, closeTime: r[0]! + intervalMs - 1, open: r[1]!, high: r[2]!, low: r[3]!, close: r[4]! }));
}

describe.skipIf(!existsSync(`${KLINES}/BTCUSDT-1h.freqtrade.json`))('real BTCUSDT perp candles (Binance, Sep–Oct 2025)', () => {
  it('keeps hourly ATR%, realized volatility and the risk multiplier in plausible ranges, day by day over five weeks', () => {
    const candles = klines('BTCUSDT-1h.freqtrade.json', H1);
    expect(candles.length, 'five weeks of hours').toBeGreaterThan(800);
    const seen = new Set<string>();
    for (let end = 100; end <= candles.length; end += 24) {
      const a = analyze(candles.slice(0, end));
      expect(a.warmingUp).toBe(false);
      expect(a.atrPct!, 'BTC hourly ATR is a fraction of a percent to a few percent').toBeGreaterThan(0.1);
      expect(a.atrPct!).toBeLessThan(3);
      expect(a.realizedVol!, 'annualized BTC volatility').toBeGreaterThan(0.05);
      expect(a.realizedVol!).toBeLessThan(3);
      expect(a.riskMultiplier!).toBeGreaterThanOrEqual(0.25);
      expect(a.riskMultiplier!).toBeLessThanOrEqual(2);
      expect(a.bollinger!.upper).toBeGreaterThan(a.bollinger!.lower);
      const p = a.persistence!;
      expect(p.staysProbability!).toBeGreaterThanOrEqual(0);
      expect(p.staysProbability!).toBeLessThanOrEqual(p.inRegimeProbability! + 1e-12);
      for (const from of ['STABLE', 'HIGH_VOL', 'EXPLOSIVE', 'EXTREME']) {
        const row = p.matrix.filter((c) => c.from === from && c.probability !== null);
        if (row.length) expect(row.reduce((s, c) => s + c.probability!, 0), 'rows sum to 1').toBeCloseTo(1, 10);
      }
      seen.add(a.regime!);
    }
    const full = analyze(candles);
    expect(new Set(full.transitions.flatMap((t) => [t.from, t.to])).size, 'all four regimes occur over five weeks').toBe(4);
    expect(full.persistence!.matrix.find((c) => c.from === 'STABLE' && c.to === 'STABLE')!.probability!, 'volatility clusters: STABLE usually persists').toBeGreaterThan(0.8);
    expect(seen.size).toBeGreaterThan(1);
  });

  it('sizes down in the 2025-10-10 crash hour (13.4 % range, −11.1 % wick) and never upsizes in a non-STABLE regime', () => {
    const candles = klines('BTCUSDT-1h.freqtrade.json', H1);
    const i = candles.findIndex((c) => c.openTime === Date.UTC(2025, 9, 10, 21));
    const bar = candles[i]!;
    expect((bar.high - bar.low) / bar.low, 'the recorded crash hour').toBeCloseTo(0.1336, 3);
    expect(bar.low / bar.open - 1).toBeCloseTo(-0.1111, 3);
    const a = analyze(candles.slice(0, i + 1));
    expect(a.regime).toBe('EXTREME');
    expect(a.realizedVol!, 'close-to-close misses the wick (was the 0.88 multiplier)').toBeLessThan(0.6);
    // GK over the 20 hours to the crash: the crash bar alone adds (½·ln(115075.6/101516.5)² − 0.386·ln(113253.6/114200.4)²)/20.
    const crashVar = 0.5 * Math.log(115075.6 / 101516.5) ** 2 - (2 * Math.LN2 - 1) * Math.log(113253.6 / 114200.4) ** 2;
    expect(a.garmanKlassVol!, 'at least the crash bar’s share of the window').toBeGreaterThan(Math.sqrt((crashVar / 20) * 8760));
    expect(a.riskVol).toBe(a.garmanKlassVol);
    expect(a.riskMultiplier, '50 % target / Garman–Klass, below the EXTREME cap').toBeCloseTo(0.5 / a.garmanKlassVol!, 12);
    expect(a.riskMultiplier!).toBeLessThan(0.3);
    for (let end = 100; end <= candles.length; end += 7) {
      const b = analyze(candles.slice(0, end));
      if (b.regime !== 'STABLE') expect(b.riskMultiplier!, `${b.regime} at ${new Date(b.time!).toISOString()}`).toBeLessThanOrEqual(b.regime === 'EXTREME' ? 0.5 : 1);
    }
  });

  it('runs on 5 m candles (ten thousand bars) with ATR% below 1', () => {
    const a = computeVolatilityAnalysis({ symbol: 'BTCUSDT', interval: '5m', intervalMs: 300_000, candles: klines('BTCUSDT-5m.freqtrade.json', 300_000) });
    expect(a.periodsPerYear).toBe(105_120);
    expect(a.atrPct!).toBeGreaterThan(0.01);
    expect(a.atrPct!).toBeLessThan(1);
    expect(a.persistence!.totalTransitions).toBeGreaterThan(5000);
  });
});

it('versions the methodology', () => {
  expect(VOLATILITY_METHODOLOGY_VERSION).toBe('volatility/1.1.0');
});
