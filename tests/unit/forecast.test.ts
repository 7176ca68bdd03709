import { describe, expect, it } from 'vitest';
import {
  computeForecastAnalysis,
  contiguousRun,
  fitGarch,
  garchVariances,
  multiStepVariance,
  rollingForecasts,
  summariseHorizon,
} from '../../src/analyzers/forecast.js';
import type { ForecastCandle } from '../../src/analyzers/forecast.types.js';
import { createRng } from '../../src/datasources/simulated/random.js';
import { neweyWestStandardError, wilsonInterval } from '../../src/math/statistics.js';

const H1 = 3_600_000;

/** A GARCH(1,1) path of log returns with Gaussian shocks (seeded). */
function simulateGarch(n: number, seed: number, omega = 1e-7, alpha = 0.1, beta = 0.85, drift = 0): number[] {
  const rng = createRng(seed);
  const out: number[] = [];
  let v = omega / (1 - alpha - beta);
  for (let i = 0; i < n; i++) {
    const e = Math.sqrt(v) * rng.normal();
    out.push(drift + e);
    v = omega + alpha * e * e + beta * v;
  }
  return out;
}

function candlesOf(returns: readonly number[], start = 100): ForecastCandle[] {
  let price = start;
  const out: ForecastCandle[] = [{ openTime: 0, closeTime: H1 - 1, close: price }];
  returns.forEach((r, i) => {
    price *= Math.exp(r);
    out.push({ openTime: (i + 1) * H1, closeTime: (i + 2) * H1 - 1, close: price });
  });
  return out;
}

describe('fitGarch', () => {
  it('recovers α and β of a simulated GARCH(1,1) path (5000 returns, seed 7)', () => {
    const fit = fitGarch(simulateGarch(5000, 7));
    expect(fit.alpha, 'α = 0.10').toBeGreaterThan(0.07);
    expect(fit.alpha).toBeLessThan(0.13);
    expect(fit.beta, 'β = 0.85').toBeGreaterThan(0.8);
    expect(fit.beta).toBeLessThan(0.9);
    expect(fit.persistence, 'stationary').toBeLessThan(1);
    expect(fit.omega, 'variance targeting: ω = σ̄²(1 − α − β)').toBeCloseTo(fit.unconditionalVariance * (1 - fit.alpha - fit.beta), 15);
  });

  it('finds no volatility clustering in i.i.d. returns (α + β small or α ≈ 0)', () => {
    const rng = createRng(11);
    const fit = fitGarch(Array.from({ length: 3000 }, () => 0.01 * rng.normal()));
    expect(fit.alpha, 'no ARCH effect').toBeLessThan(0.03);
  });

  it('shrinks the mean toward 0 by max(0, 1 − (SE / mean)²)', () => {
    // Ten of +0.011 and ten of −0.009: mean 0.001, σ = 0.01, SE = 0.01 / √20 → (SE/mean)² = 5 → factor 0.
    const weak = fitGarch([...Array(10).fill(0.011), ...Array(10).fill(-0.009)]);
    expect(weak.sampleMean).toBeCloseTo(0.001, 12);
    expect(weak.sampleMeanStandardError).toBeCloseTo(0.01 / Math.sqrt(20), 12);
    expect([weak.driftShrinkage, weak.drift], 'a mean within its noise is dropped').toEqual([0, 0]);
    // Ten of 0.012 and ten of 0.008: mean 0.01, σ = 0.002, SE² / mean² = (0.002² / 20) / 0.01² = 0.002.
    const strong = fitGarch([...Array(10).fill(0.012), ...Array(10).fill(0.008)]);
    expect(strong.driftShrinkage).toBeCloseTo(0.998, 10);
    expect(strong.drift).toBeCloseTo(0.00998, 10);
  });

  it('throws on too few returns or zero variance', () => {
    expect(() => fitGarch([0.01, 0.02])).toThrow(/at least 10 returns, got 2/);
    expect(() => fitGarch(Array(20).fill(0.001))).toThrow(/zero variance/);
  });
});

describe('multiStepVariance', () => {
  it('sums the GARCH variance forecasts (hand-checked against the recursion)', () => {
    // φ = 0.9, σ̄² = 1e-4, ω = 1e-5, σ²(t+1) = 2e-4: σ²(t+2) = 1e-5 + 0.9 × 2e-4 = 1.9e-4, σ²(t+3) = 1e-5 + 0.9 × 1.9e-4 = 1.81e-4.
    expect(multiStepVariance({ persistence: 0.9, unconditionalVariance: 1e-4 }, 2e-4, 1)).toBeCloseTo(2e-4, 15);
    expect(multiStepVariance({ persistence: 0.9, unconditionalVariance: 1e-4 }, 2e-4, 3), '2e-4 + 1.9e-4 + 1.81e-4').toBeCloseTo(5.71e-4, 15);
    expect(multiStepVariance({ persistence: 0, unconditionalVariance: 1e-4 }, 3e-4, 4), 'φ = 0: the next bar, then σ̄²').toBeCloseTo(3e-4 + 3e-4, 15);
  });

  it('garchVariances runs the recursion σ²(t+1) = ω + α ε²(t) + β σ²(t)', () => {
    const v = garchVariances([0.01, -0.02], 1e-6, 0.1, 0.8, 1e-4);
    expect(v[1]).toBeCloseTo(1e-6 + 0.1 * 1e-4 + 0.8 * 1e-4, 15);
    expect(v[2]).toBeCloseTo(1e-6 + 0.1 * 4e-4 + 0.8 * v[1]!, 15);
  });
});

describe('statistics helpers', () => {
  it('Wilson interval of 50 hits in 100 is 0.4038..0.5962', () => {
    const w = wilsonInterval(0.5, 100)!;
    expect(w.low).toBeCloseTo(0.40383, 4);
    expect(w.high).toBeCloseTo(0.59617, 4);
    expect(wilsonInterval(0.5, 0)).toBeNull();
  });

  it('Newey–West standard error: lag 0 is σ/√n, lag 1 adds the Bartlett-weighted autocovariance', () => {
    // [1, 2, 3, 4]: γ0 = 1.25, γ1 = (0.75 − 0.25 + 0.75) / 4 = 0.3125; lag 1: 1.25 + 2 × ½ × 0.3125 = 1.5625.
    expect(neweyWestStandardError([1, 2, 3, 4], 0)).toBeCloseTo(Math.sqrt(1.25 / 4), 12);
    expect(neweyWestStandardError([1, 2, 3, 4], 1)).toBeCloseTo(Math.sqrt(1.5625 / 4), 12);
  });
});

describe('contiguousRun', () => {
  it('keeps the candles after the last gap', () => {
    const c = [0, 1, 2, 4, 5, 6].map((i) => ({ openTime: i * H1, closeTime: i * H1 + H1 - 1, close: 100 + i }));
    expect(contiguousRun(c, H1).map((x) => x.close)).toEqual([104, 105, 106]);
  });
});

describe('rollingForecasts', () => {
  it('has no look-ahead: changing returns from index k changes no forecast issued at an origin ≤ k', () => {
    const returns = simulateGarch(500, 3);
    const changed = [...returns];
    const k = 380;
    for (let i = k; i < changed.length; i++) changed[i] = changed[i]! * 5 + 0.01;
    const opts = { evaluationStart: 300, refitEvery: 24 };
    const a = rollingForecasts(returns, [1, 4], opts);
    const b = rollingForecasts(changed, [1, 4], opts);
    const predictive = (r: (typeof a)[number]) => [r.origin, r.steps, r.mean, r.variance, r.bounds, r.upProbability, r.baselineVariance];
    const before = (r: (typeof a)[number]) => r.origin <= k;
    expect(a.filter(before).length, 'origins 300..380 for both horizons').toBe(2 * 81);
    expect(b.filter(before).map(predictive)).toEqual(a.filter(before).map(predictive));
    const after = a.findIndex((r) => r.origin === k + 1);
    expect(b[after]!.variance, 'the first origin after k sees the changed return').not.toBe(a[after]!.variance);
    const straddling = a.find((r) => r.origin === k - 1 && r.steps === 4)!;
    expect(b.find((r) => r.origin === k - 1 && r.steps === 4)!.realised, 'only the realised outcome reads past the origin').not.toBe(straddling.realised);
  });

  it('intervals cover close to their level on simulated GARCH paths (H1 and H4, four seeds pooled)', () => {
    const counts = new Map<string, { inside: number; n: number }>();
    for (const seed of [21, 22, 23, 24]) {
      const records = rollingForecasts(simulateGarch(900, seed), [1, 4], { evaluationStart: 300, refitEvery: 24 });
      for (const r of records) {
        r.bounds.forEach(([lo, hi], li) => {
          const key = `${r.steps}:${[0.5, 0.8, 0.95][li]}`;
          const c = counts.get(key) ?? { inside: 0, n: 0 };
          c.n += 1;
          if (r.realised >= lo && r.realised <= hi) c.inside += 1;
          counts.set(key, c);
        });
      }
    }
    for (const [key, c] of counts) {
      const level = Number(key.split(':')[1]);
      expect(Math.abs(c.inside / c.n - level), `${key}: ${(c.inside / c.n).toFixed(3)} of ${c.n}`).toBeLessThan(0.04);
    }
  });
});

describe('summariseHorizon', () => {
  it('hand-computed coverage, log score and hit rate on three crafted records', () => {
    const rec = (realised: number, up: number) => ({ origin: 0, steps: 1, mean: 0, variance: 1, bounds: [[-1, 1], [-2, 2], [-3, 3]] as [number, number][], upProbability: up, baselineVariance: 1, realised });
    const out = summariseHorizon('H1', 1, [rec(0.5, 0.6), rec(-1.5, 0.6), rec(2.5, 0.4)], { minEvaluationSamples: 3, calibrationTolerance: 0.05, beatZ: 1.96 });
    expect(out.coverage.map((c) => c.observed), '50 %: 1 of 3 inside, 80 %: 2 of 3, 95 %: 3 of 3').toEqual([0.333333, 0.666667, 1]);
    expect(out.logScore!.difference, 'same density as the baseline').toBe(0);
    expect(out.beatsBaseline, '0 > 1.96 × 0 is false').toBe(false);
    expect(out.hitRate!.rate, 'up/up hit, up/down miss, down/up miss').toBeCloseTo(1 / 3, 6);
  });

  it('is null with a reason below minEvaluationSamples, never zeros', () => {
    const out = summariseHorizon('D1', 24, [], { minEvaluationSamples: 100, calibrationTolerance: 0.05, beatZ: 1.96 });
    expect(out).toMatchObject({ coverage: [], logScore: null, hitRate: null, beatsBaseline: null });
    expect(out.reason).toMatch(/0 out-of-sample D1 forecasts, fewer than the 100/);
  });
});

describe('computeForecastAnalysis', () => {
  it('is warming up with a reason on a short history', () => {
    const a = computeForecastAnalysis({ symbol: 'BTCUSDT', intervalMs: H1, candles: candlesOf(simulateGarch(150, 5)) });
    expect([a.warmingUp, a.horizons, a.model, a.evaluation, a.beatsBaseline]).toEqual([true, [], null, null, null]);
    expect(a.reason).toBe('150 contiguous returns, the model needs 200');
  });

  it('forecasts without an evaluation (null with its reason) between 200 and 400 returns', () => {
    const a = computeForecastAnalysis({ symbol: 'BTCUSDT', intervalMs: H1, candles: candlesOf(simulateGarch(350, 5)) });
    expect(a.warmingUp).toBe(false);
    expect(a.horizons.map((h) => h.horizon)).toEqual(['H1', 'H4', 'D1']);
    expect(a.evaluation).toBeNull();
    expect(a.evaluationReason).toMatch(/^350 returns, the evaluation needs 400/);
    expect(a.horizons.every((h) => h.beatsBaseline === null && h.calibrated === null), 'no verdict without an evaluation').toBe(true);
  });

  it('nested intervals around the expected price, factors summing to the directional tilt, evaluation per requested horizon', () => {
    const returns = simulateGarch(700, 9);
    const a = computeForecastAnalysis({ symbol: 'BTCUSDT', intervalMs: H1, candles: candlesOf(returns), horizons: ['H4', 'H1'] });
    expect(a.horizons.map((h) => h.horizon), 'horizon order, not argument order').toEqual(['H1', 'H4']);
    for (const h of a.horizons) {
      const [i50, i80, i95] = h.intervals;
      expect(i95!.low).toBeLessThan(i80!.low);
      expect(i80!.low).toBeLessThan(i50!.low);
      expect(i50!.high).toBeLessThan(i80!.high);
      expect(i80!.high).toBeLessThan(i95!.high);
      expect(h.expectedPrice).toBeGreaterThan(i50!.low);
      expect(h.expectedPrice).toBeLessThan(i50!.high);
      const tilt = h.factors.reduce((s, f) => s + f.contribution, 0);
      expect(tilt, 'Σ contributions = 2 × (upProbability − 0.5)').toBeCloseTo(2 * (h.upProbability - 0.5), 5);
      expect(h.volatility, 'h-step σ from the fit').toBeCloseTo(Math.sqrt(multiStepVariance(a.model!, a.model!.nextVariance, h.steps)), 6);
    }
    expect(a.evaluation!.horizons.map((e) => [e.horizon, e.samples]), 'origins 300..699 (H1), 300..696 (H4)').toEqual([
      ['H1', 400],
      ['H4', 397],
    ]);
    expect(a.beatsBaseline).toBe(a.evaluation!.horizons.every((e) => e.beatsBaseline === true));
  });

  it('a strong drift moves expectedReturn and upProbability up', () => {
    const a = computeForecastAnalysis({ symbol: 'X', intervalMs: H1, candles: candlesOf(simulateGarch(400, 4, 1e-7, 0.05, 0.9, 0.002)), horizons: ['D1'] });
    const d1 = a.horizons[0]!;
    expect(a.model!.driftShrinkage, 'drift 0.002 per bar against σ ≈ 0.0014').toBeGreaterThan(0.9);
    expect(d1.expectedReturn).toBeCloseTo(24 * a.model!.drift, 6);
    expect(d1.upProbability).toBeGreaterThan(0.9);
    expect(d1.factors.find((f) => f.name === 'drift')!.contribution).toBeGreaterThan(0.5);
  });
});
