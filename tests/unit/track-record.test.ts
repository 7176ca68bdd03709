import { describe, expect, it } from 'vitest';
import { gradeConfirmation, gradeScenario, hitRate, wilsonInterval, type GradableScenario, type GradeBar } from '../../src/analyzers/track-record.js';

const H = 3_600_000;
/** Hourly bars from [open, high, low, close] tuples starting at t0. */
function bars(t0: number, rows: Array<[number, number, number, number]>): GradeBar[] {
  return rows.map(([open, high, low, close], i) => ({ openTime: t0 + i * H, closeTime: t0 + (i + 1) * H - 1, open, high, low, close }));
}

const long: GradableScenario = {
  bias: 'LONG',
  entry: { priceMin: 100, priceMax: 101, type: 'LIMIT' },
  stopLoss: { price: 97 },
  targets: [{ price: 105 }, { price: 110 }],
  horizonMs: 4 * H,
};

describe('gradeScenario', () => {
  it('target first: fills at the zone, then trades the first target', () => {
    expect(gradeScenario(long, 0, bars(0, [[102, 102, 100.5, 101], [101, 104, 100, 103.5], [103.5, 105.2, 103, 105]]))).toBe('TARGET_FIRST');
  });
  it('stop first: fills, then the stop trades before any target', () => {
    expect(gradeScenario(long, 0, bars(0, [[102, 102, 100.5, 101], [101, 101, 96.9, 97.5], [97.5, 106, 97, 105]]))).toBe('STOP_FIRST');
  });
  it('both in one bar: the tie rule reads it as STOP_FIRST', () => {
    expect(gradeScenario(long, 0, bars(0, [[102, 102, 100.5, 101], [101, 106, 96, 100]]))).toBe('STOP_FIRST');
  });
  it('not filled: the zone is never reached within the horizon', () => {
    expect(gradeScenario(long, 0, bars(0, [[103, 106, 102, 105], [105, 107, 104, 106], [106, 108, 105, 107], [107, 108, 106, 107]]))).toBe('NOT_FILLED');
  });
  it('neither: filled, no stop nor target within the horizon (bars after it do not count)', () => {
    const path = bars(0, [[102, 102, 100.5, 101], [101, 103, 99, 102], [102, 103, 100, 101], [101, 102, 100, 101], [101, 120, 101, 119]]);
    expect(gradeScenario(long, 0, path)).toBe('NEITHER');
  });
  it('pending until a bar reaches the end of the horizon; bars before asOf are ignored', () => {
    expect(gradeScenario(long, 0, bars(0, [[102, 102, 100.5, 101], [101, 103, 99, 102]]))).toBe('PENDING');
    // A stop-through bar before asOf does not count.
    expect(gradeScenario(long, H, bars(0, [[100, 100, 90, 95], [102, 102, 100.5, 101], [101, 105.5, 100, 105]]))).toBe('TARGET_FIRST');
  });
  it('a short stop entry fills when the bar trades through its trigger', () => {
    const short: GradableScenario = { bias: 'SHORT', entry: { priceMin: 99, priceMax: 100, type: 'STOP' }, stopLoss: { price: 103 }, targets: [{ price: 95 }], horizonMs: 3 * H };
    expect(gradeScenario(short, 0, bars(0, [[101, 102, 100.5, 101], [101, 101, 99.5, 99.8], [99.8, 100, 94.9, 95]]))).toBe('TARGET_FIRST');
  });
});

describe('gradeConfirmation', () => {
  const path = bars(0, [[100, 101, 99, 100], [100, 103, 100, 102], [102, 104, 101, 104], [104, 105, 97, 98]]);
  it('forward return from the close the record saw to the close at the horizon', () => {
    // asOf = close of bar 0 (H − 1); horizon 2 h → first bar closing at ≥ asOf + 2H is bar 2 (close 104).
    const g = gradeConfirmation('BULLISH', H - 1, 2 * H, path)!;
    expect(g.forwardReturn).toBeCloseTo(0.04, 12);
    expect(g.hit).toBe(true);
    expect(gradeConfirmation('BEARISH', H - 1, 2 * H, path)!.hit).toBe(false);
    expect(gradeConfirmation('NEUTRAL', H - 1, 2 * H, path)!.hit).toBeNull();
  });
  it('pending (null) while the horizon bar is not held', () => {
    expect(gradeConfirmation('BULLISH', 2 * H - 1, 5 * H, path)).toBeNull();
  });
});

describe('wilsonInterval', () => {
  it('matches the textbook value for 8 of 10 at 95 %', () => {
    // p̂ = 0.8, n = 10, z = 1.96: centre (0.8 + 0.19208) / 1.38416, margin 1.96 √(0.016 + 0.00960) / 1.38416
    const w = wilsonInterval(8, 10)!;
    expect(w.low).toBeCloseTo(0.4902, 4);
    expect(w.high).toBeCloseTo(0.9433, 4);
  });
  it('is null without a sample and stays inside 0..1', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(hitRate(0, 5)).toMatchObject({ rate: 0, low: 0 });
    expect(hitRate(5, 5).high).toBe(1);
  });
});
