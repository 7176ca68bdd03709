import { describe, expect, it } from 'vitest';
import { mean, meanAndStdDev, meanOrNull, olsSlope, olsSlopeOn, pearson, pearsonOverlap, percentileRank, populationStdDev, sampleStdDev, sampleVariance } from '../../src/math/statistics.js';

describe('statistics module', () => {
  it('separates sample (n − 1) from population (n) σ', () => {
    // [2, 4, 4, 4, 5, 5, 7, 9]: mean 5, Σ(x − 5)² = 32 → population σ = √(32/8) = 2, sample σ = √(32/7).
    const xs = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(mean(xs)).toBe(5);
    expect(populationStdDev(xs), 'the textbook example: σ = 2').toBe(2);
    expect(sampleStdDev(xs)).toBeCloseTo(Math.sqrt(32 / 7), 15);
    expect(sampleVariance(xs)).toBeCloseTo(32 / 7, 15);
    expect(() => sampleVariance([1]), 'a sample σ needs two values').toThrow();
    expect(meanOrNull([]), 'no readings: no mean, not 0').toBeNull();
  });

  it('gives a constant series exactly its value and σ 0', () => {
    expect(meanAndStdDev([0.1, 0.1, 0.1], 'sample'), 'no ulp-sized σ from a rounded mean').toEqual({ mean: 0.1, stdDev: 0 });
    expect(meanAndStdDev([1, 3], 'population')).toEqual({ mean: 2, stdDev: 1 });
  });

  it('OLS slope against the index and against xs', () => {
    expect(olsSlope([1, 3, 5, 7]), 'y = 1 + 2x').toBe(2);
    expect(olsSlope([1, 2, 1, 2]), 'Σ(x − 1.5)(y − 1.5) = 1 over Σ(x − 1.5)² = 5').toBeCloseTo(0.2, 15);
    expect(olsSlope([4]), 'one point has no slope').toBe(0);
    expect(olsSlopeOn([1, 2, 4], [3, 5, 9])).toBeCloseTo(2, 14);
    expect(olsSlopeOn([2, 2], [1, 5]), 'xs without variance').toBe(0);
  });

  it('Pearson: exact ±1 on lines, null without variance, gaps skipped', () => {
    expect(pearson([1, 2, 3, 4, 5, 6, 7], [2.1, 4.2, 6.3, 8.4, 10.5, 12.6, 14.7]), 'simple-statistics reads 0.9999999999999998 here').toBe(1);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBe(-1);
    // x = [1, 2, 3, 4], y = [1, 3, 2, 4]: Σdxdy = 4, Σdx² = Σdy² = 5 → r = 0.8.
    expect(pearson([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 15);
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNull();
    expect(pearsonOverlap(Float64Array.from([1, NaN, 2, 3, 4]), 0, Float64Array.from([1, 9, 3, 2, 4]), 0, 5), 'the NaN pair is left out').toBeCloseTo(0.8, 15);
    expect(pearsonOverlap([1, 2, 3], 0, [1, 2, 3], 0, 3, 4), 'below minSamples').toBeNull();
  });

  it('percentile rank counts ties half', () => {
    expect(percentileRank([5], 5), 'equal to the only reading').toBe(50);
    expect(percentileRank([1, 2, 3, 4], 3), '(2 + ½) / 4').toBe(62.5);
    expect(percentileRank([1, 2], 9)).toBe(100);
    expect(percentileRank([], 1)).toBeNull();
  });
});
