import { describe, expect, it } from 'vitest';
import { onePerBar, summariseConfirmations, summariseScenarios, type TrackedScenario } from '../../src/analyzers/track-record-summary.js';
import { hitRate, wilsonInterval, type GradeBar } from '../../src/analyzers/track-record.js';

const H = 3_600_000;
/** Six hourly bars [open, high, low, close]. */
const ohlc: [number, number, number, number][] = [
  [100, 101, 99.8, 100],
  [100, 102, 99, 102],
  [102, 103.5, 101, 103],
  [103, 104, 97, 98],
  [98, 99, 96, 97],
  [97, 98, 96.5, 97.5],
];
const bars: GradeBar[] = ohlc.map(([open, high, low, close], i) => ({ openTime: i * H, closeTime: (i + 1) * H - 1, open, high, low, close }));
/** asOf of a record computed at the close of bar i. */
const after = (i: number) => (i + 1) * H - 1;

describe('onePerBar', () => {
  it('keeps the earliest record of each bar, oldest first', () => {
    const picked = onePerBar([{ asOf: 10, v: 'b' }, { asOf: 5, v: 'a' }, { asOf: H + 7, v: 'd' }, { asOf: H, v: 'c' }], (t) => Math.floor(t / H) * H);
    expect(picked.map((r) => r.v)).toEqual(['a', 'c']);
  });
});

describe('summariseConfirmations', () => {
  const r = summariseConfirmations(
    [
      { asOf: after(0), signal: 'BULLISH', quality: 'GOOD' }, // 100 → 103 (bar 2): hit
      { asOf: after(1), signal: 'BEARISH', quality: 'POOR' }, // 102 → 98 (bar 3): hit
      { asOf: after(2), signal: 'BULLISH', quality: 'POOR' }, // 103 → 97 (bar 4): miss
      { asOf: after(3), signal: 'NEUTRAL', quality: 'MODERATE' }, // 98 → 97.5 (bar 5)
      { asOf: after(4), signal: 'BULLISH', quality: 'GOOD' }, // needs bar 6: pending
      { asOf: -5, signal: 'BULLISH', quality: 'EXCELLENT' }, // before the first bar: ungradable
    ],
    bars,
    2 * H,
  );

  it('counts graded, pending and ungradable records apart', () => {
    expect(r.sample).toEqual({ records: 6, graded: 4, pending: 1, ungradable: 1, firstAsOf: -5, lastAsOf: after(4) });
  });

  it('computes hit rates with Wilson intervals overall and per quality bucket', () => {
    expect(r.overall.hitRate).toEqual(hitRate(2, 3));
    expect(r.overall.hitRate.rate).toBeCloseTo(2 / 3, 12);
    const w = wilsonInterval(2, 3)!;
    expect(r.overall.hitRate.low).toBeCloseTo(w.low, 12);
    expect(w.low).toBeCloseTo(0.2077, 3); // (2/3 + 1.96²/6 − 1.96·√(2/27 + 1.96²/36)) / (1 + 1.96²/3)
    const byQ = Object.fromEntries(r.byQuality.map((g) => [g.group, g]));
    expect(r.byQuality.map((g) => g.group)).toEqual(['EXCELLENT', 'GOOD', 'MODERATE', 'POOR']);
    expect(byQ.GOOD!.hitRate).toMatchObject({ n: 1, hits: 1, rate: 1 });
    expect(byQ.POOR!.hitRate).toMatchObject({ n: 2, hits: 1, rate: 0.5 });
    expect(byQ.EXCELLENT!.hitRate).toEqual({ n: 0, hits: 0, rate: null, low: null, high: null });
    expect(byQ.MODERATE!).toMatchObject({ graded: 1, neutral: 1, hitRate: { n: 0 } });
    expect(byQ.MODERATE!.meanAbsoluteMove).toBeCloseTo(1 - 97.5 / 98, 12);
  });

  it('means forward returns, in the signal direction for directional records', () => {
    const fwd = [103 / 100 - 1, 98 / 102 - 1, 97 / 103 - 1, 97.5 / 98 - 1];
    expect(r.overall.meanForwardReturn).toBeCloseTo(fwd.reduce((s, x) => s + x, 0) / 4, 12);
    expect(r.overall.meanDirectionalReturn).toBeCloseTo((fwd[0]! - fwd[1]! + fwd[2]!) / 3, 12);
    const bearish = r.bySignal.find((g) => g.group === 'BEARISH')!;
    expect(bearish.meanDirectionalReturn).toBeCloseTo(1 - 98 / 102, 12);
    expect(r.bySignal.find((g) => g.group === 'NEUTRAL')!.hitRate.n).toBe(0);
  });
});

describe('summariseScenarios', () => {
  const scenario = (s: Partial<TrackedScenario> & Pick<TrackedScenario, 'kind' | 'bias' | 'entry' | 'stopLoss' | 'targets'>): TrackedScenario => ({ horizonMs: 3 * H, ...s });
  const r = summariseScenarios(
    [
      {
        asOf: after(0),
        scenarios: [
          // bar 1 fills (low 99), bar 2 reaches 103 first: TARGET_FIRST, +1.5 R
          scenario({ kind: 'PULLBACK', bias: 'LONG', entry: { priceMin: 99.5, priceMax: 100.5, type: 'LIMIT' }, stopLoss: { price: 98 }, targets: [{ price: 103, rr: 1.5 }] }),
          // bar 1 triggers (low 99) and trades 102 ≥ stop 101.5 in the same bar: STOP_FIRST, −1 R
          scenario({ kind: 'BREAKOUT', bias: 'SHORT', entry: { priceMin: 98.5, priceMax: 99, type: 'STOP' }, stopLoss: { price: 101.5 }, targets: [{ price: 96, rr: 1 }] }),
        ],
      },
      // highs 103.5, 104, 99 never reach 105 within bars 2..4: NOT_FILLED
      { asOf: after(1), scenarios: [scenario({ kind: 'REJECTION', bias: 'SHORT', entry: { priceMin: 105, priceMax: 106, type: 'LIMIT' }, stopLoss: { price: 108 }, targets: [{ price: 100, rr: 2 }] })] },
      // bar 3 fills (low 97), neither 95 nor 105 trade in bars 3..5: NEITHER, 0 R
      { asOf: after(2), scenarios: [scenario({ kind: 'RANGE_FADE', bias: 'LONG', entry: { priceMin: 97.5, priceMax: 98.5, type: 'LIMIT' }, stopLoss: { price: 95 }, targets: [{ price: 105, rr: 7 / 3 }] })] },
      // horizon needs bars 4..6: PENDING
      { asOf: after(3), scenarios: [scenario({ kind: 'PULLBACK', bias: 'LONG', entry: { priceMin: 96, priceMax: 97, type: 'LIMIT' }, stopLoss: { price: 94 }, targets: [{ price: 100, rr: 2 }] })] },
    ],
    bars,
  );

  it('counts outcomes, fills and pending scenarios', () => {
    expect(r.sample).toMatchObject({ records: 4, graded: 4, pending: 1, ungradable: 0 });
    expect(r.overall.outcomes).toEqual({ notFilled: 1, targetFirst: 1, stopFirst: 1, neither: 1 });
    expect(r.overall.filled).toBe(3);
    expect(r.overall.targetFirstRate).toEqual(hitRate(1, 3));
    expect(r.overall.meanR).toBeCloseTo((1.5 - 1 + 0) / 3, 12);
  });

  it('splits by kind and by bias', () => {
    const kind = Object.fromEntries(r.byKind.map((g) => [g.group, g]));
    expect(kind.PULLBACK).toMatchObject({ graded: 1, filled: 1, meanR: 1.5, targetFirstRate: { n: 1, hits: 1 } });
    expect(kind.BREAKOUT).toMatchObject({ filled: 1, meanR: -1, targetFirstRate: { n: 1, hits: 0 } });
    expect(kind.REJECTION).toMatchObject({ graded: 1, filled: 0, meanR: null, targetFirstRate: { n: 0, rate: null } });
    const bias = Object.fromEntries(r.byBias.map((g) => [g.group, g]));
    expect(bias.LONG).toMatchObject({ graded: 2, filled: 2, meanR: 0.75, targetFirstRate: { n: 2, hits: 1, rate: 0.5 } });
    expect(bias.SHORT).toMatchObject({ graded: 2, filled: 1, meanR: -1, targetFirstRate: { n: 1, hits: 0, rate: 0 } });
  });

  it('calls a scenario published before the first bar held ungradable, not a miss', () => {
    const late = summariseScenarios([{ asOf: -2 * H, scenarios: [scenario({ kind: 'PULLBACK', bias: 'LONG', entry: { priceMin: 99, priceMax: 100, type: 'LIMIT' }, stopLoss: { price: 97 }, targets: [{ price: 103, rr: 2 }] })] }], bars);
    expect(late.sample).toMatchObject({ graded: 0, ungradable: 1, pending: 0 });
  });
});
