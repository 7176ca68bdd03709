import { describe, expect, it } from 'vitest';
import type { BacktestMetrics } from '../../src/backtest/backtest.types.js';
import { candidates, optimizeWalkForward, rangeValues, walkForwardWindows, type BarRange, type ParamSet } from '../../src/backtest/optimize.js';

const metrics = (sharpe: number | null): BacktestMetrics => ({
  initialEquity: 1,
  finalEquity: 1,
  totalReturn: 0,
  cagr: null,
  sharpe,
  sortino: null,
  maxDrawdown: 0,
  calmar: null,
  trades: 0,
  winRate: null,
  profitFactor: null,
  expectancy: null,
  exposure: 0,
  fees: 0,
  funding: 0,
});

describe('walk-forward optimizer', () => {
  it('cuts rolling folds: a + windows × b = bars and a / (a + b) ≈ the in-sample fraction', () => {
    // 100 bars, 3 folds, 0.7: b = floor(100 / (3 + 7/3)) = 18, a = 100 − 3 × 18 = 46.
    expect(walkForwardWindows(100, 3, 0.7)).toEqual([
      { inSample: { start: 0, end: 46 }, outOfSample: { start: 46, end: 64 } },
      { inSample: { start: 18, end: 64 }, outOfSample: { start: 64, end: 82 } },
      { inSample: { start: 36, end: 82 }, outOfSample: { start: 82, end: 100 } },
    ]);
    expect(() => walkForwardWindows(5, 3, 0.7), 'folds of under two bars are refused').toThrow(/too few/);
  });

  it('lists grid points (first range slowest) and seeded random draws on the same lattice', () => {
    expect(rangeValues({ name: 'stopAtr', min: 1, max: 2, step: 0.5 })).toEqual([1, 1.5, 2]);
    expect(rangeValues({ name: 'targetAtr', min: 0.1, max: 0.3, step: 0.1 }), 'no float drift past max').toEqual([0.1, 0.2, 0.3]);
    const ranges = [
      { name: 'stopAtr' as const, min: 1, max: 2, step: 0.5 },
      { name: 'holdBars' as const, min: 10, max: 20, step: 10 },
    ];
    expect(candidates({ method: 'GRID', ranges, objective: 'SHARPE' })).toEqual([
      { stopAtr: 1, holdBars: 10 },
      { stopAtr: 1, holdBars: 20 },
      { stopAtr: 1.5, holdBars: 10 },
      { stopAtr: 1.5, holdBars: 20 },
      { stopAtr: 2, holdBars: 10 },
      { stopAtr: 2, holdBars: 20 },
    ]);
    const a = candidates({ method: 'RANDOM', ranges, objective: 'SHARPE', samples: 50, seed: 7 });
    expect(a, 'same seed, same draws').toEqual(candidates({ method: 'RANDOM', ranges, objective: 'SHARPE', samples: 50, seed: 7 }));
    expect(new Set(a.map((s) => JSON.stringify(s))).size, 'duplicates dropped').toBe(a.length);
    expect(a.length, '50 draws over 6 lattice points find all 6').toBe(6);
    for (const s of a) expect([1, 1.5, 2]).toContain(s.stopAtr);
    expect(() => rangeValues({ name: 'holdBars', min: 1, max: 5, step: 0.5 }), 'integer parameter').toThrow(/integer/);
  });

  it('picks the in-sample winner per fold, scores it out of sample and reports the degradation (crafted scores)', () => {
    // stopAtr 1 scores 3 on every range ending by bar 64 and −1 on later ones (it fits the first part only);
    // stopAtr 2 scores 1 everywhere. Folds as in the first test.
    const evaluate = (p: ParamSet, r: BarRange) => metrics(p.stopAtr === 1 ? (r.end <= 64 ? 3 : -1) : 1);
    const calls: Array<[number, number]> = [];
    const report = optimizeWalkForward(
      { method: 'GRID', ranges: [{ name: 'stopAtr', min: 1, max: 2, step: 1 }], objective: 'SHARPE', windows: 3, inSampleFraction: 0.7 },
      100,
      evaluate,
      (done, total) => calls.push([done, total]),
    );
    const w = report.windows.map((x) => [x.bestParams.stopAtr, x.inSampleScore, x.outOfSampleScore, x.degradation, x.efficiency]);
    expect(w, 'fold 0: 1 wins (3), holds out of sample (3); fold 1: 1 wins (3), fails after bar 64 (−1); fold 2: 2 wins (1) and holds').toEqual([
      [1, 3, 3, 0, 1],
      [1, 3, -1, 4, -1 / 3],
      [2, 1, 1, 0, 1],
    ]);
    expect(report.meanInSampleScore).toBeCloseTo(7 / 3, 12);
    expect(report.meanOutOfSampleScore).toBeCloseTo(1, 12);
    expect(report.degradation, '(3 + 3 + 1)/3 − (3 − 1 + 1)/3').toBeCloseTo(4 / 3, 12);
    expect(report.efficiency).toBeCloseTo(3 / 7, 12);
    expect(report.bestParams, 'over all 100 bars stopAtr 1 scores −1, 2 scores 1').toEqual({ stopAtr: 2 });
    expect(report.bestScore).toBe(1);
    expect(report.ranking).toEqual([
      { params: { stopAtr: 2 }, score: 1 },
      { params: { stopAtr: 1 }, score: -1 },
    ]);
    expect(calls.at(-1), '2 candidates × (3 folds + full range) + 3 out-of-sample runs').toEqual([11, 11]);
  });

  it('ranks an undefined score (null) below every number', () => {
    const report = optimizeWalkForward(
      { method: 'GRID', ranges: [{ name: 'holdBars', min: 1, max: 2, step: 1 }], objective: 'SHARPE', windows: 1, inSampleFraction: 0.5 },
      10,
      (p) => metrics(p.holdBars === 1 ? null : -5),
    );
    expect(report.windows[0]!.bestParams).toEqual({ holdBars: 2 });
    expect(report.windows[0]!.efficiency, 'no efficiency for an in-sample score ≤ 0').toBeNull();
  });
});
