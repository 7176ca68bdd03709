import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  aggregateCandles,
  classifyTimeframe,
  computeRegimeAnalysis,
  expectedRescaledRange,
  hurstExponent,
  REGIME_METHODOLOGY_VERSION,
  varianceRatio,
} from '../../src/analyzers/regime.js';
import { DEFAULT_REGIME_THRESHOLDS, type RegimeCandle } from '../../src/analyzers/regime.types.js';
import { normalDraws } from '../../src/math/random.js';

const H1 = 3_600_000;
const H4 = 4 * H1;
const DAY = 24 * H1;
const MONDAY = Date.UTC(2026, 0, 5);
const KLINES = '/work/shared/data/binance-futures/klines';

/** Candles from closes (open = previous close, high/low ± 0.1 around the body). */
function fromCloses(closes: readonly number[], intervalMs: number, start = MONDAY, volumes?: readonly number[]): RegimeCandle[] {
  return closes.map((close, i) => {
    const open = i === 0 ? close : closes[i - 1]!;
    const volume = volumes?.[i] ?? 1;
    return {
      openTime: start + i * intervalMs,
      closeTime: start + (i + 1) * intervalMs - 1,
      open,
      high: Math.max(open, close) + 0.1,
      low: Math.min(open, close) - 0.1,
      close,
      volume,
      takerBuyVolume: volume / 2,
    };
  });
}

const linear = (n: number, from: number, step: number) => Array.from({ length: n }, (_, i) => from + i * step);
const zigzag = (n: number, a: number, b: number) => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? a : b));

/** Deterministic N(0,1) draws (mulberry32 + Box–Muller). */
const gaussian = normalDraws;

/** AR(1) returns r_t = φ r_{t−1} + ε_t: φ = 0 random walk, φ > 0 trending, φ < 0 mean-reverting. */
function ar1(phi: number, n: number, seed = 7): number[] {
  const draw = gaussian(seed);
  const out: number[] = [];
  let prev = 0;
  for (let i = 0; i < n; i++) out.push((prev = phi * prev + draw()));
  return out;
}

describe('aggregateCandles', () => {
  it('builds a daily bar from six 4 h bars and drops an incomplete day', () => {
    const four = fromCloses([10, 11, 9, 12, 13, 12, 14, 15], H4);
    const days = aggregateCandles(four, DAY, 6);
    expect(days, 'the second day holds two bars only').toHaveLength(1);
    expect(days[0]).toEqual({ openTime: MONDAY, closeTime: MONDAY + DAY - 1, open: 10, high: 13.1, low: 8.9, close: 12, volume: 6, takerBuyVolume: 3 });
  });

  it('aligns weeks on Monday 00:00 UTC', () => {
    const daily = fromCloses(linear(15, 100, 1), DAY, MONDAY - 2 * DAY); // Saturday start: Sat, Sun, 7 days, 6 days
    const weeks = aggregateCandles(daily, 7 * DAY, 7, 4 * DAY);
    expect(weeks.map((w) => new Date(w.openTime).toISOString()), 'the leading weekend and the trailing six days are incomplete weeks').toEqual(['2026-01-05T00:00:00.000Z']);
    expect(weeks[0]!.close).toBe(108);
  });
});

describe('varianceRatio', () => {
  it('is 0 with z = −2 for perfectly alternating returns (hand-computed, q = 2)', () => {
    // T = 4, μ = 0, σ²_a = 4/3; every 2-period sum is 0 → VR = 0; z = −1 / √(2·3·1 / (3·2·4)) = −2.
    const vr = varianceRatio([1, -1, 1, -1], 2)!;
    expect(vr.ratio).toBe(0);
    expect(vr.z).toBeCloseTo(-2, 12);
  });

  it('is about 1 for a random walk, above for trending and below for mean-reverting returns', () => {
    const rw = varianceRatio(ar1(0, 4000), 4)!;
    expect(Math.abs(rw.ratio - 1), 'random walk: VR ≈ 1').toBeLessThan(0.1);
    expect(Math.abs(rw.z), 'random walk not rejected').toBeLessThan(1.96);
    // Theory for AR(1): VR(4) = 1 + 2 Σ (1 − k/4) φ^k = 1.553 at φ = 0.3, 0.626 at φ = −0.3.
    expect(varianceRatio(ar1(0.3, 4000), 4)!.ratio).toBeCloseTo(1.553, 1);
    expect(varianceRatio(ar1(-0.3, 4000), 4)!.ratio).toBeCloseTo(0.626, 1);
  });

  it('needs 2q returns and rejects q < 2', () => {
    expect(varianceRatio([1, 2, 3], 2)).toBeNull();
    expect(() => varianceRatio([1, 2, 3, 4], 1)).toThrow(/got 1/);
  });
});

describe('hurstExponent (R/S, Anis–Lloyd–Peters corrected)', () => {
  it('expects R/S of independent returns as Anis–Lloyd give it', () => {
    // n = 8: 7.5/8 · Γ(3.5)/(√π Γ(4)) · Σ √((8−i)/i) — Γ(3.5) = 15√π/8, Γ(4) = 6 → factor 15/48.
    let sum = 0;
    for (let i = 1; i < 8; i++) sum += Math.sqrt((8 - i) / i);
    expect(expectedRescaledRange(8)).toBeCloseTo((7.5 / 8) * (15 / 48) * sum, 10);
  });

  it('is about 0.5 for a random walk, higher when trending and lower when mean-reverting', () => {
    const rw = hurstExponent(ar1(0, 4096))!;
    expect(Math.abs(rw - 0.5), `random walk H ${rw}`).toBeLessThan(0.06);
    expect(hurstExponent(ar1(0.5, 4096))!, 'persistent returns').toBeGreaterThan(rw + 0.05);
    expect(hurstExponent(ar1(-0.5, 4096))!, 'anti-persistent returns').toBeLessThan(rw - 0.05);
    expect(hurstExponent(ar1(0, 60)), 'fewer than three chunk sizes').toBeNull();
  });
});

describe('classifyTimeframe', () => {
  const t = DEFAULT_REGIME_THRESHOLDS;
  it('trends up on a straight line (ER = 1) and ranges on a zigzag (ER = 0)', () => {
    expect(classifyTimeframe('1h', fromCloses(linear(30, 100, 1), H1), 'STORE', t)).toMatchObject({ regime: 'TREND_UP', efficiencyRatio: 1 });
    expect(classifyTimeframe('1h', fromCloses(linear(30, 100, -1), H1), 'STORE', t)).toMatchObject({ regime: 'TREND_DOWN', efficiencyRatio: -1 });
    expect(classifyTimeframe('1h', fromCloses(zigzag(31, 100, 101), H1), 'STORE', t)).toMatchObject({ regime: 'RANGE', efficiencyRatio: 0 });
  });

  it('counts ER = trendEfficiency as a trend (inclusive bound)', () => {
    // 20 steps of 0.5: 13 up then 7 down → net 3, path 10, ER = 0.3.
    const closes = [100];
    for (let i = 0; i < 20; i++) closes.push(closes.at(-1)! + (i < 13 ? 0.5 : -0.5));
    const f = classifyTimeframe('4h', fromCloses(closes, H4), 'STORE', t);
    expect(f.efficiencyRatio).toBeCloseTo(0.3, 12);
    expect(f.regime).toBe('TREND_UP');
  });

  it('says how many bars are missing instead of classifying', () => {
    const f = classifyTimeframe('1w', fromCloses(linear(5, 100, 1), 7 * DAY), 'DERIVED_FROM_1D', t);
    expect(f).toMatchObject({ hasData: false, shortfall: 'WARMING_UP', regime: null, efficiencyRatio: null, bars: 5, note: 'warming up: needs 21 closed 1w bars, has 5' });
  });

  it('tells a source whose recordings are too short (a replay) from warming up', () => {
    // Recordings 2025-12-26 22:35 → 2026-01-29 17:10 (the shared feather files): complete Monday weeks
    // Dec 29, Jan 5, 12, 19 = 4; the week of Jan 26 is cut off.
    const spans = [{ from: Date.UTC(2025, 11, 26, 22, 35), to: Date.UTC(2026, 0, 29, 17, 9, 59, 999) }];
    const bars = fromCloses(linear(4, 100, 1), 7 * DAY);
    const f = classifyTimeframe('1w', bars, 'DERIVED_FROM_1D', t, { spans, at: spans[0]!.to });
    expect(f.shortfall).toBe('SOURCE_HISTORY');
    expect(f.note).toBe('not enough history in the source: its recordings hold only 4 complete weeks (2025-12-26 → 2026-01-29), 21 closed 1w bars are needed (has 4); more will not come');
    // The same recordings hold 33 complete days: a daily series short of 21 bars there is warming up.
    const d = classifyTimeframe('1d', fromCloses(linear(10, 100, 1), DAY), 'DERIVED_FROM_1H', t, { spans, at: spans[0]!.to });
    expect([d.shortfall, d.note]).toEqual(['WARMING_UP', 'warming up: needs 21 closed 1d bars, has 10']);
    // An older, separate recording (a gap of two months) does not count towards the stretch that ends now.
    const older = [{ from: Date.UTC(2025, 6, 1), to: Date.UTC(2025, 9, 27) }, ...spans];
    expect(classifyTimeframe('1w', bars, 'DERIVED_FROM_1D', t, { spans: older, at: spans[0]!.to }).note).toMatch(/only 4 complete weeks \(2025-12-26/);
  });
});

describe('computeRegimeAnalysis', () => {
  const up1h = fromCloses(linear(200, 100, 0.1), H1);
  const up4h = fromCloses(linear(60, 100, 0.4), H4);

  it('weights the vote 1/2/3/3 and breaks a tie as RANGE', () => {
    const a = computeRegimeAnalysis({ symbol: 'BTCUSDT', candles: { '1h': up1h, '4h': up4h, '1d': fromCloses(zigzag(25, 100, 103), DAY) } });
    expect(a.timeframes.map((f) => [f.timeframe, f.source, f.regime])).toEqual([
      ['1h', 'STORE', 'TREND_UP'],
      ['4h', 'STORE', 'TREND_UP'],
      ['1d', 'STORE', 'RANGE'],
      ['1w', 'DERIVED_FROM_1D', null],
    ]);
    expect(a.primaryRegime, 'TREND_UP 1 + 2 = 3 ties RANGE 3').toBe('RANGE');
    expect([a.agreement, a.timeframesWithData]).toEqual([1, 3]);
    expect(a.confidence, '100 × 3 / 9').toBe(33);
    expect(a.factors.filter((f) => f.name.startsWith('regime')).reduce((s, f) => s + f.contribution, 0) * 100, 'contributions add up to the confidence').toBeCloseTo(100 / 3, 10);
  });

  it('agrees on three timeframes when the daily trends too', () => {
    const a = computeRegimeAnalysis({ symbol: 'BTCUSDT', candles: { '1h': up1h, '4h': up4h, '1d': fromCloses(linear(25, 100, 2), DAY) } });
    expect(a.primaryRegime).toBe('TREND_UP');
    expect(a.agreement).toBe(3);
    expect(a.confidence, '100 × 6 / 9').toBe(67);
    expect(a.timeframes[3]!.note, 'the weekly lacks data and says so').toMatch(/^warming up: needs 21 closed 1w bars, has \d$/);
  });

  it('derives 4 h and daily bars from 1 h candles when the store has none', () => {
    const a = computeRegimeAnalysis({ symbol: 'BTCUSDT', candles: { '1h': fromCloses(linear(24 * 30, 100, 0.01), H1) } });
    expect(a.timeframes[1]).toMatchObject({ source: 'DERIVED_FROM_1H', bars: 180, regime: 'TREND_UP' });
    expect(a.timeframes[2]).toMatchObject({ source: 'DERIVED_FROM_1H', bars: 30, regime: 'TREND_UP' });
    expect(a.timeframes[3]).toMatchObject({ source: 'DERIVED_FROM_1D', hasData: false });
  });

  it('warms up without candles', () => {
    const a = computeRegimeAnalysis({ symbol: 'BTCUSDT', candles: {} });
    expect([a.warmingUp, a.primaryRegime, a.confidence, a.varianceRatio, a.hurst, a.phase]).toEqual([true, null, 0, null, null, null]);
    expect(a.timeframes.every((f) => f.source === 'NONE' && f.note.startsWith('warming up: no '))).toBe(true);
  });

  it('reads accumulation: a 4 h range after a 10 % decline with OBV rising', () => {
    // Bars 0..20 fall 100 → 90; bars 21..40 alternate 91/90 with volume 2 on up bars and 1 on down bars.
    const closes = [...linear(21, 100, -0.5), ...Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 91 : 90))];
    const volumes = closes.map((c, i) => (i > 20 && c === 91 ? 2 : 1));
    const a = computeRegimeAnalysis({ symbol: 'BTCUSDT', candles: { '4h': fromCloses(closes, H4, MONDAY, volumes) } });
    expect(a.timeframes[1]!.regime, 'net 0 over the window').toBe('RANGE');
    expect(a.phase).toBe('ACCUMULATION');
    expect(a.phaseEvidence!.priorChangePct, '90 / 100 − 1').toBeCloseTo(-10, 10);
    expect(a.phaseEvidence!.obvSlope).toBeGreaterThan(0);
    expect(a.phaseEvidence!.cvdSlope, 'takers balanced').toBe(0);
  });

  it('reads distribution: a 4 h range after a 10 % advance with OBV falling', () => {
    const closes = [...linear(21, 100, 0.5), ...Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 109 : 110))];
    const volumes = closes.map((c, i) => (i > 20 && c === 109 ? 2 : 1));
    const a = computeRegimeAnalysis({ symbol: 'BTCUSDT', candles: { '4h': fromCloses(closes, H4, MONDAY, volumes) } });
    expect(a.phase).toBe('DISTRIBUTION');
    expect(a.phaseEvidence!.priorChangePct).toBeCloseTo(10, 10);
  });

  it('calls a 4 h trend markup', () => {
    expect(computeRegimeAnalysis({ symbol: 'X', candles: { '4h': fromCloses(linear(50, 100, 1), H4) } }).phase).toBe('MARKUP');
  });

  it('classifies the tendency from the variance ratio z', () => {
    const closes = [100];
    for (const r of ar1(0.4, 1500)) closes.push(closes.at(-1)! * Math.exp(r / 1000));
    const a = computeRegimeAnalysis({ symbol: 'X', candles: { '1h': fromCloses(closes, H1) } });
    expect(a.varianceRatio!.z).toBeGreaterThan(1.96);
    expect(a.tendency).toBe('TREND_CONTINUATION');
  });

  it('rejects out-of-range thresholds, quoting them', () => {
    expect(() => computeRegimeAnalysis({ symbol: 'X', candles: {}, thresholds: { trendEfficiency: 1.5 } })).toThrow(/got 1.5/);
    expect(() => computeRegimeAnalysis({ symbol: 'X', candles: {}, thresholds: { lookback: 1 } })).toThrow(/got 1/);
  });
});

describe.skipIf(!existsSync(`${KLINES}/BTCUSDT-1h.freqtrade.json`))('real BTCUSDT perp 1 h candles (Binance, Sep–Oct 2025)', () => {
  it('classifies day by day over five weeks with plausible statistics', () => {
    const rows = JSON.parse(readFileSync(`${KLINES}/BTCUSDT-1h.freqtrade.json`, 'utf8')) as number[][];
    const candles: RegimeCandle[] = rows.map((r) => ({ openTime: r[0]!, closeTime: r[0]! + H1 - 1, open: r[1]!, high: r[2]!, low: r[3]!, close: r[4]!, volume: r[5]!, takerBuyVolume: r[5]! / 2 }));
    for (let end = 24 * 8; end <= candles.length; end += 24) {
      const a = computeRegimeAnalysis({ symbol: 'BTCUSDT', candles: { '1h': candles.slice(0, end) } });
      expect(a.timeframes[0]!.hasData).toBe(true);
      expect(a.timeframes[1]!.source).toBe('DERIVED_FROM_1H');
      expect(a.timeframes[3]!.hasData, 'five weeks never make 21 weekly bars').toBe(false);
      expect(a.confidence).toBeGreaterThanOrEqual(0);
      expect(a.confidence).toBeLessThanOrEqual(100);
      expect(a.varianceRatio!.ratio, 'hourly BTC returns are close to a random walk').toBeGreaterThan(0.6);
      expect(a.varianceRatio!.ratio).toBeLessThan(1.5);
      expect(a.hurst!).toBeGreaterThan(0.3);
      expect(a.hurst!).toBeLessThan(0.75);
      for (const f of a.timeframes) if (f.hasData) expect(Math.abs(f.efficiencyRatio!)).toBeLessThanOrEqual(1);
    }
    const full = computeRegimeAnalysis({ symbol: 'BTCUSDT', candles: { '1h': candles } });
    expect(full.timeframes[2]).toMatchObject({ source: 'DERIVED_FROM_1H', hasData: true });
    expect(full.phase).not.toBeNull();
  });
});

it('versions the methodology', () => {
  expect(REGIME_METHODOLOGY_VERSION).toBe('regime/1.2.0');
});
