import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyFundingBand, classifyFundingScore, computeFundingAnalysis, FUNDING_METHODOLOGY_VERSION } from '../../src/analyzers/funding.js';
import type { FundingAnalysis, FundingInput, FundingSettlement } from '../../src/analyzers/funding.types.js';

const T0 = Date.UTC(2025, 0, 1);
const H8 = 8 * 3_600_000;

/** Settlements every 8 h from T0 with the given rates, oldest first. */
function series(rates: readonly number[]): FundingSettlement[] {
  return rates.map((rate, i) => ({ rate, fundingTime: T0 + i * H8 }));
}

function analyze(rates: readonly number[], overrides: Partial<FundingInput> = {}): FundingAnalysis {
  const settlements = series(rates);
  const last = settlements[settlements.length - 1]?.fundingTime ?? T0;
  return computeFundingAnalysis({
    symbol: 'BTCUSDT',
    settlements,
    predictedRate: null,
    nextFundingTime: last + H8,
    fundingIntervalHours: 8,
    historyWindow: 90,
    now: last + 3_600_000,
    ...overrides,
  });
}

/** Same half-away-from-zero 2-decimal rounding the score promises. */
const round2 = (x: number) => (Math.sign(x) * Math.round(Math.abs(x) * 100)) / 100;
const sumContributions = (a: FundingAnalysis) => a.factors.reduce((s, f) => s + f.contribution, 0);

/** Every number anywhere in the analysis is finite (no NaN / ±Infinity). */
function expectAllFinite(a: FundingAnalysis, context: string): void {
  const visit = (value: unknown, path: string): void => {
    if (typeof value === 'number') expect(Number.isFinite(value), `${context}: ${path} = ${value} must be finite`).toBe(true);
    else if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${path}[${i}]`));
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, `${path}.${k}`);
  };
  visit(a, 'analysis');
}

describe('computeFundingAnalysis', () => {
  it('exposes the methodology version', () => {
    expect(FUNDING_METHODOLOGY_VERSION, '1.2: next funding falls back to the venue schedule').toBe('funding/1.2.0');
  });

  describe('annualization', () => {
    it('annualizes 0.0001 per 8 h to 0.1095 (3 settlements a day × 365)', () => {
      const a = analyze([0.0001]);
      expect(a.rate, 'rate is the last settled rate').toBe(0.0001);
      expect(a.annualizedRate, '0.0001 × 3 × 365 = 0.1095').toBeCloseTo(0.1095, 15);
    });

    it('annualizes 0.0001 per 4 h to 0.219 (6 settlements a day × 365)', () => {
      const a = analyze([0.0001], { fundingIntervalHours: 4 });
      expect(a.annualizedRate, '0.0001 × 6 × 365 = 0.219').toBeCloseTo(0.219, 15);
      expect(a.fundingIntervalHours, 'interval is echoed').toBe(4);
    });

    it('annualizes the predicted rate the same way and leaves it null when the source has none', () => {
      const withPrediction = analyze([0.0001], { predictedRate: 0.0002 });
      expect(withPrediction.predictedRate, 'predicted rate is echoed').toBe(0.0002);
      expect(withPrediction.predictedAnnualizedRate, '0.0002 × 1095 = 0.219').toBeCloseTo(0.219, 15);
      expect(analyze([0.0001]).predictedAnnualizedRate, 'no prediction, nothing to annualize').toBeNull();
    });
  });

  describe('history statistics', () => {
    // History (before the current 0.0007) = [0.0001, 0.0003, 0.0005]
    // mean = (1 + 3 + 5) / 3 × 1e-4 = 3e-4
    // deviations = (−2, 0, +2) × 1e-4; squares = (4, 0, 4) × 1e-8; sum = 8e-8
    // sample variance = 8e-8 / (3 − 1) = 4e-8; stdDev = √4e-8 = 2e-4
    // z = (7e-4 − 3e-4) / 2e-4 = 2
    it('computes mean, sample std dev and z-score on a hand-computed series', () => {
      const a = analyze([0.0001, 0.0003, 0.0005, 0.0007]);
      expect(a.warmingUp, '3 earlier settlements are enough').toBe(false);
      expect(a.sampleSize, 'three earlier settlements used').toBe(3);
      expect(a.mean, '(1 + 3 + 5) / 3 × 1e-4').toBeCloseTo(0.0003, 15);
      expect(a.stdDev, '√(8e-8 / 2) with n − 1 in the denominator').toBeCloseTo(0.0002, 15);
      expect(a.zScore, '(7 − 3) / 2').toBeCloseTo(2, 12);
    });

    it('excludes the current settlement from the history window', () => {
      const a = analyze([0.0001, 0.0003, 0.0005, 0.0007]);
      const b = analyze([0.0001, 0.0003, 0.0005, -0.0009]);
      expect(a.mean, 'with the current 7e-4 included the mean would be 4e-4').toBeCloseTo(0.0003, 15);
      expect(b.mean, 'changing only the current rate leaves the mean unchanged').toBe(a.mean);
      expect(b.stdDev, 'changing only the current rate leaves the std dev unchanged').toBe(a.stdDev);
      expect(b.zScore, '(−9 − 3) / 2').toBeCloseTo(-6, 12);
    });

    it('truncates the history to the historyWindow settlements just before the current one', () => {
      // 0.01 is an outlier outside a window of 3; the window is [1, 3, 5] × 1e-4 as above.
      const a = analyze([0.01, 0.0001, 0.0003, 0.0005, 0.0007], { historyWindow: 3 });
      expect(a.sampleSize, 'window caps the sample at 3').toBe(3);
      expect(a.mean, 'the outlier 0.01 is outside the window').toBeCloseTo(0.0003, 15);
      expect(a.stdDev, 'same window, same std dev').toBeCloseTo(0.0002, 15);
      const wide = analyze([0.01, 0.0001, 0.0003, 0.0005, 0.0007], { historyWindow: 10 });
      expect(wide.sampleSize, 'a larger window takes all 4 earlier settlements').toBe(4);
      expect(wide.mean, '(100 + 1 + 3 + 5) / 4 × 1e-4 = 27.25e-4').toBeCloseTo(0.002725, 15);
    });

    it('reports a z-score of 0 instead of Infinity when the history is constant', () => {
      const a = analyze([0.0002, 0.0002, 0.0002, 0.0009]);
      expect(a.mean, 'constant history has exactly that mean').toBe(0.0002);
      expect(a.stdDev, 'constant history has zero spread').toBe(0);
      expect(a.zScore, 'z is undefined for σ = 0 and reported as 0').toBe(0);
      const z = a.factors.find((f) => f.name === 'zScore');
      expect(z?.note, 'the note says why z is 0').toContain('standard deviation is 0');
      expect(a.isExtreme, '9e-4 is below the 1e-3 absolute threshold and z is 0').toBe(false);
      expectAllFinite(a, 'constant history');
    });
  });

  describe('warming up', () => {
    it('leaves statistics null with fewer than 3 earlier settlements', () => {
      const a = analyze([0.0001, 0.0003, 0.0005]);
      expect(a.warmingUp, 'only 2 earlier settlements').toBe(true);
      expect(a.sampleSize, 'the 2 available earlier settlements are reported').toBe(2);
      expect(a.mean, 'no invented mean').toBeNull();
      expect(a.stdDev, 'no invented std dev').toBeNull();
      expect(a.zScore, 'no invented z-score').toBeNull();
      const z = a.factors.find((f) => f.name === 'zScore');
      expect(z?.value, 'z factor counts as 0 while warming up').toBe(0);
      expect(z?.contribution, 'and contributes nothing').toBe(0);
      expect(z?.note, 'the note says so').toContain('warming up');
    });

    it('still flags an extreme absolute rate but never an anomaly', () => {
      const a = analyze([0.0001, 0.001]);
      expect(a.warmingUp, 'one earlier settlement').toBe(true);
      expect(a.isExtreme, '|0.001| >= extremeRate 0.001 (inclusive)').toBe(true);
      expect(a.isAnomaly, 'anomaly needs a z-score').toBe(false);
      expect(analyze([0.0001, 0.00099]).isExtreme, '0.00099 is below the absolute threshold').toBe(false);
    });

    it('handles a single settlement', () => {
      const a = analyze([-0.0002]);
      expect(a.sampleSize, 'no earlier settlements').toBe(0);
      expect(a.trend, 'one point has no trend').toBe('FLAT');
      expect(a.trendSlope, 'slope not measured').toBe(0);
      expectAllFinite(a, 'single settlement');
    });
  });

  describe('trend', () => {
    it('fits the exact OLS slope of a linear rising series', () => {
      const a = analyze([0.0001, 0.0002, 0.0003, 0.0004, 0.0005, 0.0006]);
      expect(a.trendSlope, 'rates rise by 1e-4 per settlement').toBeCloseTo(0.0001, 15);
      expect(a.trend, '1e-4 >= flatSlope 1e-5').toBe('RISING');
    });

    it('uses only the last trendWindow settlements including the current one', () => {
      // Last 3 = [3, 1, -1] × 1e-4: slope −2e-4; earlier values would pull it elsewhere.
      const a = analyze([0.009, 0.009, 0.009, 0.0003, 0.0001, -0.0001], { thresholds: { trendWindow: 3 } });
      expect(a.trendSlope, 'x = 0,1,2; y falls 2e-4 per step').toBeCloseTo(-0.0002, 15);
      expect(a.trend, 'negative slope beyond flatSlope').toBe('FALLING');
    });

    it('is FLAT when |slope| is below flatSlope', () => {
      // [1.00, 1.05, 1.10] × 1e-4 → slope 5e-6 < 1e-5
      const a = analyze([0.0001, 0.000105, 0.00011]);
      expect(a.trendSlope, 'slope is still reported').toBeCloseTo(0.000005, 15);
      expect(a.trend, '5e-6 < flatSlope 1e-5').toBe('FLAT');
    });

    it('is FLAT with a zero slope when fewer than 3 points exist', () => {
      const a = analyze([0.0001, 0.0009]);
      expect(a.trend, 'two points are not a trend').toBe('FLAT');
      expect(a.trendSlope, 'slope not measured with 2 points').toBe(0);
      expect(a.factors.find((f) => f.name === 'trend')?.note, 'note explains').toContain('trend not measured');
    });
  });

  describe('extremes and anomalies', () => {
    // History [1, 3, 5] × 1e-4: mean 3e-4, σ 2e-4 (see above).
    it('flags extreme by z-score when the absolute rate is moderate', () => {
      const a = analyze([0.0001, 0.0003, 0.0005, 0.0009]);
      expect(a.zScore, '(9 − 3) / 2').toBeCloseTo(3, 12);
      expect(a.isExtreme, '|z| 3 >= extremeZ 2.5 although 9e-4 < 1e-3').toBe(true);
      expect(a.isAnomaly, '|z| 3 < anomalyZ 3.5').toBe(false);
    });

    it('does not flag extreme below both thresholds', () => {
      const a = analyze([0.0001, 0.0003, 0.0005, 0.0007]);
      expect(a.isExtreme, 'z 2 < 2.5 and 7e-4 < 1e-3').toBe(false);
    });

    it('flags an anomaly when |z| reaches anomalyZ, in either direction', () => {
      const a = analyze([0.0001, 0.0003, 0.0005, -0.0005]);
      expect(a.zScore, '(−5 − 3) / 2').toBeCloseTo(-4, 12);
      expect(a.isAnomaly, '|−4| >= 3.5').toBe(true);
      expect(a.isExtreme, '|−4| >= 2.5').toBe(true);
    });

    it('flags extreme by absolute rate even with an unremarkable z-score', () => {
      const a = analyze([0.0015, 0.0005, 0.0025, 0.0012]);
      expect(Math.abs(a.zScore ?? Infinity), 'z is small here').toBeLessThan(1);
      expect(a.isExtreme, '0.0012 >= 0.001').toBe(true);
    });

    it('applies threshold overrides merged over the defaults', () => {
      const a = analyze([0.0001, 0.0003, 0.0005, 0.0007], { thresholds: { extremeZ: 2 } });
      expect(a.isExtreme, 'z 2 >= overridden extremeZ 2').toBe(true);
      expect(a.isAnomaly, 'anomalyZ keeps its default 3.5').toBe(false);
    });
  });

  describe('percentile', () => {
    it('ranks the rate among the history window with ties counted half', () => {
      // History [1, 3, 3, 5] × 1e-4, current 4e-4: 3 below, 0 equal → 100 × 3 / 4 = 75
      expect(analyze([0.0001, 0.0003, 0.0003, 0.0005, 0.0004]).percentile, '3 of 4 earlier readings are lower').toBe(75);
      // Current 3e-4: 1 below, 2 equal → 100 × (1 + 2 / 2) / 4 = 50
      expect(analyze([0.0001, 0.0003, 0.0003, 0.0005, 0.0003]).percentile, 'ties count half').toBe(50);
      // Current 7e-4 above all of [1, 3, 5] → 100; current −1e-4 below all → 0
      expect(analyze([0.0001, 0.0003, 0.0005, 0.0007]).percentile, 'a new high is the 100th percentile').toBe(100);
      expect(analyze([0.0001, 0.0003, 0.0005, -0.0001]).percentile, 'a new low is the 0th percentile').toBe(0);
    });

    it('uses the same window as the z-score and is null while warming up', () => {
      // Window 3 = [3, 5, 7] × 1e-4 (the 0.01 outlier is outside); current 6e-4 → 2 of 3 below → 66.67
      expect(analyze([0.01, 0.0003, 0.0005, 0.0007, 0.0006], { historyWindow: 3 }).percentile, '2 / 3').toBeCloseTo(200 / 3, 12);
      expect(analyze([0.0001, 0.0003, 0.0005]).percentile, 'only 2 earlier settlements').toBeNull();
    });
  });

  describe('persistence', () => {
    it('counts how long the sign and the band have held, with the time each run began', () => {
      // [−1, 2, 1, 3, 2] × 1e-4: positive since index 1 (4 settlements); the current 2e-4 is ELEVATED
      // (between 1e-4 and 3e-4) and the one before, 3e-4, was STRONGLY_POSITIVE (>= 3e-4): band run 1.
      const p = analyze([-0.0001, 0.0002, 0.0001, 0.0003, 0.0002]).persistence;
      expect(p.sign, '2e-4 > 0').toBe('POSITIVE');
      expect(p.signStreak, 'indices 1..4 are positive').toBe(4);
      expect(p.signSince, 'the run began at index 1').toBe(T0 + H8);
      expect(p.signStreakTruncated, 'the negative index 0 ends the run inside the data').toBe(false);
      expect(p.band, '1e-4 < 2e-4 < 3e-4').toBe('ELEVATED');
      expect(p.bandStreak, 'index 3 (3e-4) was in another band').toBe(1);
      expect(p.bandSince, 'the band run is the current settlement').toBe(T0 + 4 * H8);
      expect(p.bandStreakTruncated).toBe(false);
    });

    it('says when a run reaches the oldest settlement given', () => {
      const p = analyze([0.00005, 0.0001, 0.00002]).persistence;
      expect(p.signStreak, 'all three are positive').toBe(3);
      expect(p.signStreakTruncated, 'the real run may be longer than the data').toBe(true);
      expect(p.band, '2e-5 is within 0..1e-4').toBe('BASELINE');
      expect(p.bandStreak, 'all three are in 0..1e-4').toBe(3);
      expect(p.bandStreakTruncated).toBe(true);
      expect(p.bandSince, 'since the first settlement').toBe(T0);
    });

    it('treats zero as its own sign and as BASELINE', () => {
      const p = analyze([0.0001, 0, 0]).persistence;
      expect(p.sign, 'nobody pays').toBe('ZERO');
      expect(p.signStreak, 'two zeros').toBe(2);
      expect(p.band, '0 is within 0..baselineRate').toBe('BASELINE');
      expect(p.bandStreak, '1e-4 is BASELINE too (inclusive upper edge)').toBe(3);
    });

    it('classifies bands with documented, inclusive edges', () => {
      const table: [number, string][] = [
        [-0.001, 'STRONGLY_NEGATIVE'],
        [-0.0003, 'STRONGLY_NEGATIVE'],
        [-0.00029, 'NEGATIVE'],
        [-1e-9, 'NEGATIVE'],
        [0, 'BASELINE'],
        [0.0001, 'BASELINE'],
        [0.00010001, 'ELEVATED'],
        [0.00029, 'ELEVATED'],
        [0.0003, 'STRONGLY_POSITIVE'],
      ];
      for (const [rate, band] of table) expect(classifyFundingBand(rate), `rate ${rate}`).toBe(band);
      expect(classifyFundingBand(0.0002, { baselineRate: 0.0002, elevatedRate: 0.0005 }), 'thresholds are inputs').toBe('BASELINE');
    });
  });

  describe('mean reversion', () => {
    it('signals reversion when |z| reaches reversionZ (inclusive), in either direction', () => {
      expect(analyze([0.0001, 0.0003, 0.0005, 0.0007]).meanReversion.signal, 'z = 2 >= 2: expect a fall').toBe('REVERT_DOWN');
      expect(analyze([0.0001, 0.0003, 0.0005, -0.0009]).meanReversion.signal, 'z = −6: expect a rise').toBe('REVERT_UP');
      expect(analyze([0.0001, 0.0003, 0.0005, 0.0006]).meanReversion.signal, 'z = 1.5').toBe('NONE');
      expect(analyze([0.0001, 0.0003, 0.0005, 0.0007], { thresholds: { reversionZ: 2.5 } }).meanReversion.signal, 'threshold is an input').toBe('NONE');
      expect(analyze([0.0001, 0.0009]).meanReversion.signal, 'no z while warming up').toBe('NONE');
    });

    // Window [0 ×6, 1 ×6] × 1e-4 (12 values, 11 pairs): previous = 6 zeros + 5 ones, next = 5 zeros + 6 ones;
    // pairs (0,0)×5, (0,1)×1, (1,1)×5. Σpn − n·p̄·n̄ = 5 − 11·(5/11)(6/11) = 25/11; Σp² − n·p̄² = 5 − 25/11 = 30/11
    // and likewise 30/11 for next → φ = (25/11) / (30/11) = 5/6. Half-life ln ½ / ln (5/6) = 3.80178...
    // History mean = 5/11 × 1e-4; expected next = 5/11 + 5/6 × (1 − 5/11) = 10/11 (× 1e-4).
    it('estimates the AR(1) coefficient, half-life and expected next rate on a hand-computed series', () => {
      const r = analyze([0, 0, 0, 0, 0, 0, 0.0001, 0.0001, 0.0001, 0.0001, 0.0001, 0.0001]).meanReversion;
      expect(r.autocorrelation, 'lag-1 autocorrelation 5/6').toBeCloseTo(5 / 6, 12);
      expect(r.halfLifeSettlements, 'ln 0.5 / ln(5/6)').toBeCloseTo(Math.log(0.5) / Math.log(5 / 6), 10);
      expect(r.halfLifeSettlements, 'about 3.80 settlements').toBeCloseTo(3.80178, 4);
      expect(r.expectedNextRate, 'mean + φ (rate − mean) = 10/11 × 1e-4').toBeCloseTo((10 / 11) * 1e-4, 15);
      expect(r.note, 'note states the half-life').toContain('halves in 3.8 settlements');
    });

    it('gives no half-life for a negative autocorrelation and nothing with fewer than 10 pairs', () => {
      const alternating = analyze([1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1].map((x) => x * 0.0001)).meanReversion;
      expect(alternating.autocorrelation, 'next = −previous exactly').toBeCloseTo(-1, 12);
      expect(alternating.halfLifeSettlements, 'φ <= 0 has no AR(1) half-life').toBeNull();
      const short = analyze([0.0001, 0.0002, 0.0001, 0.0003, 0.0002, 0.0001, 0.0002, 0.0001, 0.0002, 0.0003]).meanReversion;
      expect(short.autocorrelation, '10 values are only 9 pairs').toBeNull();
      expect(short.expectedNextRate, 'no φ, no expectation').toBeNull();
      expect(short.note).toContain('needs 10 pairs, have 9');
    });
  });

  describe('reversal probability', () => {
    // Rates × 1e-4 (index: rate): 0: 1, 1: −1, 2: 1.2, 3: 2, 4: 0.8, 5: 1, 6: 1.5, 7: 1 (current).
    // Band ±0.5e-4 around 1e-4, horizon 2: candidates need i + 2 <= 7, so i <= 5.
    //   i=0 (1.0) similar, next [−1, 1.2] → flips      i=1 (−1) other sign       i=2 (1.2) similar, next [2, 0.8]
    //   i=3 (2.0) outside the band                    i=4 (0.8) similar, next [1, 1.5]  i=5 (1.0) similar, next [1.5, 1]
    //   → 4 samples, 1 flip → 0.25. (i=6 has only one settlement after it and is left out.)
    const rates = [1, -1, 1.2, 2, 0.8, 1, 1.5, 1].map((x) => x * 0.0001);
    const thresholds = { reversalHorizon: 2, minReversalSamples: 2, reversalBand: 0.00005 };

    it('counts similar earlier readings and how many flipped sign within the horizon', () => {
      const r = analyze(rates, { thresholds }).reversal;
      expect(r.sampleSize, 'indices 0, 2, 4, 5').toBe(4);
      expect(r.flips, 'only index 0 is followed by a negative rate').toBe(1);
      expect(r.probability, '1 / 4').toBe(0.25);
      expect([r.horizon, r.band], 'parameters are echoed').toEqual([2, 0.00005]);
      expect(r.note, 'note says what was counted').toContain('1 of 4 earlier readings');
    });

    it('mirrors for a negative rate', () => {
      const r = analyze(rates.map((x) => -x), { thresholds }).reversal;
      expect([r.sampleSize, r.flips, r.probability], 'same counts with signs swapped').toEqual([4, 1, 0.25]);
      expect(r.note, 'negative readings flip to positive').toContain('turned positive');
    });

    it('is null with too few samples, but still reports the sample size', () => {
      const r = analyze(rates, { thresholds: { ...thresholds, minReversalSamples: 5 } }).reversal;
      expect(r.probability, '4 < 5 samples: no estimate').toBeNull();
      expect(r.sampleSize, 'the sample size is still reported').toBe(4);
      expect(r.note).toContain('need 5');
    });

    it('looks only at the history window', () => {
      // Window 3 → indices 4, 5, 6 are history; 4 and 5 qualify (6 lacks a look-ahead of 2); neither flips.
      const r = analyze(rates, { thresholds, historyWindow: 3 }).reversal;
      expect([r.sampleSize, r.flips, r.probability], 'indices 4 and 5, no flip').toEqual([2, 0, 0]);
    });

    it('is null for a zero rate, which has no sign to flip', () => {
      const r = analyze([...rates, 0], { thresholds }).reversal;
      expect(r.probability, 'zero has no sign').toBeNull();
      expect(r.note).toContain('no sign to flip');
    });

    it('uses documented defaults: band 0.005 %, horizon 3, at least 10 samples', () => {
      const r = analyze(rates).reversal;
      expect([r.band, r.horizon], 'defaults').toEqual([0.00005, 3]);
      expect(r.probability, 'fewer than 10 samples in this short series').toBeNull();
    });
  });

  describe('time to next funding', () => {
    it('is nextFundingTime − now', () => {
      const a = analyze([0.0001], { now: T0 + 1_000, nextFundingTime: T0 + 3_601_000 });
      expect(a.timeToNextFundingMs, 'one hour ahead').toBe(3_600_000);
    });

    it('falls back to the venue schedule when the announced time has passed (replay: 08:00 = last settlement)', () => {
      const a = analyze([0.0001], { now: T0 + H8 + 5_000, nextFundingTime: T0 + H8 });
      expect(a.nextFundingTime, 'next 8 h boundary after now, as sessions.nextFunding says').toBe(T0 + 2 * H8);
      expect(a.timeToNextFundingMs).toBe(H8 - 5_000);
    });

    it('falls back to the venue schedule when the next funding time is not announced', () => {
      const a = analyze([0.0001], { now: T0 + 1_000, nextFundingTime: null });
      expect(a.nextFundingTime).toBe(T0 + H8);
      expect(a.timeToNextFundingMs).toBe(H8 - 1_000);
    });
  });

  describe('factors and score', () => {
    it('has four factors whose weights sum to 1', () => {
      const a = analyze([0.0001, 0.0003, 0.0005, 0.0007]);
      expect(a.factors.map((f) => f.name), 'stable factor names').toEqual(['rateLevel', 'zScore', 'trend', 'predictedShift']);
      expect(a.factors.map((f) => f.weight), 'documented weights').toEqual([0.4, 0.3, 0.15, 0.15]);
      expect(a.factors.reduce((s, f) => s + f.weight, 0), 'weights of one composite sum to 1').toBeCloseTo(1, 15);
    });

    // Rates [1, 3, 5, 7] × 1e-4, no prediction, default thresholds:
    //   rateLevel      0.4  × clamp(7e-4 / 1e-3 = 0.7)          = 0.28
    //   zScore         0.3  × clamp(2 / 2.5 = 0.8)              = 0.24
    //   trend          0.15 × clamp(2e-4 × 6 / 1e-3 = 1.2 → 1)  = 0.15   (4 points, slope 2e-4)
    //   predictedShift 0.15 × 0                                  = 0
    //   score = 100 × 0.67 = 67 → OVERHEATED_LONGS
    it('scores a hand-computed series and explains each factor', () => {
      const a = analyze([0.0001, 0.0003, 0.0005, 0.0007]);
      const [rateLevel, z, trend, predicted] = a.factors;
      expect(rateLevel?.value, 'value is the rate').toBe(0.0007);
      expect(rateLevel?.contribution, '0.4 × 0.7').toBeCloseTo(0.28, 15);
      expect(rateLevel?.note, 'rate as a percentage, who pays').toContain('settled rate 0.0700 % per 8 h: longs pay shorts');
      expect(z?.contribution, '0.3 × 0.8').toBeCloseTo(0.24, 12);
      expect(trend?.value, 'value is the slope').toBeCloseTo(0.0002, 15);
      expect(trend?.contribution, 'normalised 1.2 clamps to 1').toBeCloseTo(0.15, 15);
      expect(predicted?.value, 'no prediction counts as 0').toBe(0);
      expect(predicted?.note, 'note says the source had none').toBe('no predicted rate from source');
      expect(a.score, '100 × (0.28 + 0.24 + 0.15 + 0)').toBe(67);
      expect(a.signal, '67 >= 60').toBe('OVERHEATED_LONGS');
    });

    it('is symmetric for shorts', () => {
      const a = analyze([-0.0001, -0.0003, -0.0005, -0.0007]);
      expect(a.score, 'mirror image of the long case').toBe(-67);
      expect(a.signal, '−67 <= −60').toBe('OVERHEATED_SHORTS');
      expect(a.factors[0]?.note, 'negative funding: shorts pay').toContain('-0.0700 % per 8 h: shorts pay longs');
    });

    it('measures the predicted shift against the settled rate', () => {
      // shift = 3e-4 − 1e-4 = 2e-4; normalised 2e-4 / 1e-3 = 0.2; contribution 0.15 × 0.2 = 0.03
      const a = analyze([0.0001], { predictedRate: 0.0003 });
      const predicted = a.factors.find((f) => f.name === 'predictedShift');
      expect(predicted?.value, 'predicted − settled').toBeCloseTo(0.0002, 15);
      expect(predicted?.contribution, '0.15 × 0.2').toBeCloseTo(0.03, 15);
      expect(predicted?.note, 'shift stated as a percentage').toContain('0.0200 % above');
      // rateLevel 0.4 × 0.1 = 0.04; z and trend 0 (warming up, 1 point) → 100 × 0.07 = 7
      expect(a.score, '100 × (0.04 + 0 + 0 + 0.03)').toBe(7);
      expect(a.signal, '7 is between −20 and 20').toBe('NEUTRAL');
    });

    it('equals 100 × the sum of contributions rounded to 2 decimals', () => {
      const cases: [number[], number | null][] = [
        [[0.0001, 0.0003, 0.0005, 0.0007], null],
        [[0.00013, -0.00007, 0.00021, 0.00002, 0.00011, 0.000037], 0.00009],
        [[-0.0004, 0.0002, -0.0001, 0.0003, -0.00033], -0.0006],
      ];
      for (const [rates, predictedRate] of cases) {
        const a = analyze(rates, { predictedRate });
        expect(a.score, `score of ${rates.join(',')}`).toBe(round2(100 * sumContributions(a)));
        for (const f of a.factors)
          expect(Math.abs(f.contribution), `${f.name} contribution is at most its weight`).toBeLessThanOrEqual(f.weight);
      }
    });

    it('maps scores to signals with inclusive boundaries on the crowded side', () => {
      const table: [number, string][] = [
        [100, 'OVERHEATED_LONGS'],
        [60, 'OVERHEATED_LONGS'],
        [59.99, 'LONG_BIAS'],
        [20, 'LONG_BIAS'],
        [19.99, 'NEUTRAL'],
        [0, 'NEUTRAL'],
        [-19.99, 'NEUTRAL'],
        [-20, 'SHORT_BIAS'],
        [-59.99, 'SHORT_BIAS'],
        [-60, 'OVERHEATED_SHORTS'],
        [-100, 'OVERHEATED_SHORTS'],
      ];
      for (const [score, signal] of table) expect(classifyFundingScore(score), `score ${score}`).toBe(signal);
    });

    it('reaches the ±20 boundary end to end', () => {
      // Single settlement: only rateLevel counts: 100 × 0.4 × (±5e-4 / 1e-3) = ±20.
      const up = analyze([0.0005]);
      expect(up.score, '100 × 0.4 × 0.5').toBe(20);
      expect(up.signal, '20 is LONG_BIAS').toBe('LONG_BIAS');
      const down = analyze([-0.0005]);
      expect(down.score, '100 × 0.4 × −0.5').toBe(-20);
      expect(down.signal, '−20 is SHORT_BIAS').toBe('SHORT_BIAS');
    });
  });

  describe('preconditions', () => {
    it('throws on empty settlements', () => {
      expect(() => analyze([]), 'nothing to analyze').toThrow('computeFundingAnalysis: settlements must not be empty');
    });

    it('throws when settlements are not strictly ascending by fundingTime, quoting the times', () => {
      const settlements = [
        { rate: 0.0001, fundingTime: 2000 },
        { rate: 0.0001, fundingTime: 1000 },
      ];
      expect(() => analyze([0.0001], { settlements }), 'out of order').toThrow(
        'computeFundingAnalysis: settlements must be sorted strictly ascending by fundingTime, but settlements[1].fundingTime 1000 <= settlements[0].fundingTime 2000',
      );
      const duplicate = [
        { rate: 0.0001, fundingTime: 1000 },
        { rate: 0.0002, fundingTime: 1000 },
      ];
      expect(() => analyze([0.0001], { settlements: duplicate }), 'duplicate time').toThrow('settlements[1].fundingTime 1000 <= settlements[0].fundingTime 1000');
    });

    it('throws on a non-finite or out-of-range rate, quoting it', () => {
      expect(() => analyze([0.0001, Number.NaN]), 'NaN rate').toThrow('computeFundingAnalysis: settlements[1].rate must be a finite number, got NaN');
      expect(() => analyze([Number.POSITIVE_INFINITY]), 'infinite rate').toThrow('settlements[0].rate must be a finite number, got Infinity');
      expect(() => analyze([1.5]), 'rate is a fraction').toThrow('settlements[0].rate must be a fraction with |rate| <= 1, got 1.5');
      expect(() => analyze([0.0001], { predictedRate: Number.NaN }), 'NaN prediction').toThrow('predictedRate must be a finite number, got NaN');
    });

    it('throws on fundingIntervalHours <= 0, quoting it', () => {
      expect(() => analyze([0.0001], { fundingIntervalHours: 0 }), 'zero interval').toThrow(
        'computeFundingAnalysis: fundingIntervalHours must be a finite number > 0, got 0',
      );
      expect(() => analyze([0.0001], { fundingIntervalHours: -8 }), 'negative interval').toThrow('got -8');
      expect(() => analyze([0.0001], { fundingIntervalHours: 1e-320 }), 'would annualize to Infinity').toThrow(
        'fundingIntervalHours 1e-320 is too small',
      );
    });

    it('throws on an invalid historyWindow, time or threshold, quoting it', () => {
      expect(() => analyze([0.0001], { historyWindow: 0 }), 'empty window').toThrow('historyWindow must be an integer >= 1, got 0');
      expect(() => analyze([0.0001], { historyWindow: 2.5 }), 'fractional window').toThrow('got 2.5');
      expect(() => analyze([0.0001], { now: Number.NaN }), 'NaN clock').toThrow('now must be a finite epoch ms within ±8640000000000000, got NaN');
      expect(() => analyze([0.0001], { thresholds: { extremeRate: 0 } }), 'division by zero').toThrow(
        'thresholds.extremeRate must be a finite number > 0, got 0',
      );
      expect(() => analyze([0.0001], { thresholds: { trendWindow: 0 } }), 'empty trend window').toThrow('thresholds.trendWindow must be an integer >= 1, got 0');
      expect(() => analyze([0.0001], { thresholds: { elevatedRate: 0.00005 } }), 'bands out of order').toThrow(
        'thresholds.elevatedRate must be a finite number > baselineRate (0.0001), got 0.00005',
      );
      expect(() => analyze([0.0001], { thresholds: { reversalHorizon: 0 } }), 'empty look-ahead').toThrow('thresholds.reversalHorizon must be an integer >= 1, got 0');
      expect(() => analyze([0.0001], { thresholds: { reversalBand: -1 } }), 'negative band').toThrow('thresholds.reversalBand must be a finite number >= 0, got -1');
      expect(() => analyze([0.0001], { thresholds: { reversionZ: 0 } }), 'zero z threshold').toThrow('thresholds.reversionZ must be a finite number > 0, got 0');
    });
  });

  it('produces only finite numbers at the edges of the valid domain', () => {
    const tiny = Number.MIN_VALUE; // 5e-324: squares underflow to 0
    const cases: [string, number[], Partial<FundingInput>][] = [
      ['alternating ±1', [1, -1, 1, -1, 1, -1, 1], { predictedRate: -1 }],
      ['denormal spread', [0, tiny, 0, tiny, 0, 1], {}],
      ['tiny spread, huge z', [0, 1e-160, 0, 1e-160, 1], {}],
      ['short interval', [0.5, -0.5, 0.25, 1], { fundingIntervalHours: 1e-300, predictedRate: 1 }],
      // 12 values so the autocorrelation is attempted: the spread underflows and trading-signals would throw.
      ['denormal autocorrelation', [0, tiny, 0, tiny, 0, tiny, 0, tiny, 0, tiny, 0, tiny], {}],
      ['alternating ±1, long', [1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1], {}],
    ];
    for (const [name, rates, overrides] of cases) {
      const a = analyze(rates, overrides);
      expectAllFinite(a, name);
      expect(Math.abs(a.score), `${name}: score stays within ±100`).toBeLessThanOrEqual(100);
    }
  });
});

// Real Binance settlements, read from the shared data folder when present (never copied into the repo).
// Rows are freqtrade's [fundingTime_ms, rate, 0, 0, 0, 0].
const DATA_DIR = new URL('../../../shared/data/binance-futures/funding-rate/', import.meta.url);

describe.each(['BTCUSDT', 'ETHUSDT'])('real Binance 8 h funding history: %s', (symbol) => {
  const file = new URL(`${symbol}-8h-funding_rate.freqtrade.json`, DATA_DIR);

  describe.skipIf(!existsSync(file))('analyzer over every settlement', () => {
  // Collected even when skipped: read nothing without the recordings.
  if (!existsSync(file)) return;
    const load = (): FundingSettlement[] =>
      (JSON.parse(readFileSync(file, 'utf8')) as number[][]).map((row) => ({ fundingTime: row[0] as number, rate: row[1] as number }));

    it.each([30, 90, 500])('matches independently computed statistics with historyWindow %i', (window) => {
      const settlements = load();
      const n = settlements.length;
      expect(n, 'enough rows for statistics').toBeGreaterThan(3);
      const last = settlements[n - 1] as FundingSettlement;
      const a = computeFundingAnalysis({
        symbol,
        settlements,
        predictedRate: null,
        nextFundingTime: last.fundingTime + H8,
        fundingIntervalHours: 8,
        historyWindow: window,
        now: last.fundingTime + 3_600_000,
      });

      // Independent computation over the rows before the last one.
      const expectedSize = Math.min(window, n - 1);
      let sum = 0;
      for (let i = n - 1 - expectedSize; i < n - 1; i++) sum += (settlements[i] as FundingSettlement).rate;
      const mean = sum / expectedSize;
      let squares = 0;
      for (let i = n - 1 - expectedSize; i < n - 1; i++) squares += ((settlements[i] as FundingSettlement).rate - mean) ** 2;
      const std = Math.sqrt(squares / (expectedSize - 1));

      expect(a.sampleSize, `min(${window}, ${n - 1}) settlements before the current one`).toBe(expectedSize);
      expect(a.warmingUp, 'plenty of history').toBe(false);
      expect(a.rate, 'current = last row').toBe(last.rate);
      expect(a.lastFundingTime, 'last row time').toBe(last.fundingTime);
      expect(a.mean, 'loop mean of the previous rows').toBeCloseTo(mean, 15);
      expect(a.stdDev, 'loop sample std dev of the previous rows').toBeCloseTo(std, 15);
      expect(a.zScore, '(rate − mean) / std').toBeCloseTo((last.rate - mean) / std, 9);
      expect(Math.abs(a.annualizedRate - last.rate * 1095), '8 h: 3 × 365 = 1095 settlements a year').toBeLessThan(1e-12);
      expect(a.timeToNextFundingMs, 'next settlement 8 h after the last, now 1 h after it').toBe(7 * 3_600_000);
      expect(a.score, 'score = 100 × Σ contributions').toBe(round2(100 * sumContributions(a)));
      expectAllFinite(a, `${symbol} window ${window}`);
    });

    // Percentile and reversal statistics recomputed here a different way (sorting, explicit look-ahead
    // slices) at every 10th settlement, so a bug in the analyzer's single pass cannot hide.
    it('matches independently computed percentiles, persistence and reversal statistics', () => {
      const all = load();
      const window = 90;
      let estimated = 0;
      for (let end = 20; end <= all.length; end += 10) {
        const settlements = all.slice(0, end);
        const last = settlements[end - 1] as FundingSettlement;
        const a = computeFundingAnalysis({
          symbol,
          settlements,
          predictedRate: null,
          nextFundingTime: null,
          fundingIntervalHours: 8,
          historyWindow: window,
          now: last.fundingTime,
        });
        const start = Math.max(0, end - 1 - window);
        const history = settlements.slice(start, end - 1).map((x) => x.rate);

        // Percentile: position in the sorted history, ties counted half.
        const sorted = [...history].sort((x, y) => x - y);
        const firstAtOrAbove = sorted.findIndex((x) => x >= last.rate);
        const below = firstAtOrAbove === -1 ? sorted.length : firstAtOrAbove;
        const equal = sorted.filter((x) => x === last.rate).length;
        expect(a.percentile, `${symbol} @${end}: percentile`).toBeCloseTo((100 * (below + equal / 2)) / sorted.length, 10);

        // Sign persistence: walk back while the sign matches.
        let streak = 1;
        while (streak < end && Math.sign((settlements[end - 1 - streak] as FundingSettlement).rate) === Math.sign(last.rate)) streak++;
        expect(a.persistence.signStreak, `${symbol} @${end}: sign streak`).toBe(streak);
        expect(a.persistence.signStreakTruncated, `${symbol} @${end}: truncated iff the streak covers the data`).toBe(streak === end);

        // Reversal: similar readings (same sign, within ±0.00005) with 3 settlements after them.
        const sign = Math.sign(last.rate);
        const similar = history
          .map((rate, k) => ({ rate, at: start + k }))
          .filter(({ rate, at }) => Math.sign(rate) === sign && Math.abs(rate - last.rate) <= 0.00005 && at + 3 <= end - 1);
        const flips = similar.filter(({ at }) =>
          settlements
            .slice(at + 1, at + 4)
            .map((x) => Math.sign(x.rate))
            .includes(-sign),
        ).length;
        expect(a.reversal.sampleSize, `${symbol} @${end}: similar readings`).toBe(sign === 0 ? 0 : similar.length);
        expect(a.reversal.flips, `${symbol} @${end}: flips`).toBe(sign === 0 ? 0 : flips);
        if (sign !== 0 && similar.length >= 10) {
          estimated += 1;
          expect(a.reversal.probability, `${symbol} @${end}: flips / samples`).toBe(flips / similar.length);
        } else {
          expect(a.reversal.probability, `${symbol} @${end}: too few samples, no estimate`).toBeNull();
        }
        expectAllFinite(a, `${symbol} @${end}`);
      }
      expect(estimated, 'real BTC/ETH funding hovers near 0.005 %, so most readings have ≥ 10 similar ones').toBeGreaterThan(3);
    });
  });
});
