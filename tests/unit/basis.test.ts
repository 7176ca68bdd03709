import { describe, expect, it } from 'vitest';
import { BASIS_METHODOLOGY_VERSION, classifyBasis, computeBasisAnalysis } from '../../src/analyzers/basis.js';
import type { BasisAnalysis, BasisInput } from '../../src/analyzers/basis.types.js';

const T = Date.UTC(2025, 0, 1, 12);

function analyze(overrides: Partial<BasisInput> = {}): BasisAnalysis {
  return computeBasisAnalysis({
    symbol: 'BTCUSDT',
    spot: { price: 1000, time: T },
    mark: { markPrice: 1000.5, indexPrice: 1000.25, time: T },
    last: { price: 1000.6, time: T },
    fundingIntervalHours: 8,
    ...overrides,
  });
}

describe('computeBasisAnalysis', () => {
  it('exposes the methodology version', () => {
    expect(BASIS_METHODOLOGY_VERSION, 'consumers pin results to this version').toBe('basis/1.1.0');
  });

  describe('spot basis and annualization', () => {
    // mark 1000.5 vs spot 1000: basis 0.5, 0.5 / 1000 × 100 = 0.05 %; × 1095 periods (8 h) = 54.75 % a year
    it('computes perp − spot from the mark price, in percent, annualized per funding period', () => {
      const a = analyze();
      expect(a.perpPriceSource, 'the mark price is preferred over the last trade').toBe('MARK');
      expect(a.perpPrice).toBe(1000.5);
      expect(a.basis, '1000.5 − 1000').toBe(0.5);
      expect(a.basisPct, '0.5 / 1000 × 100').toBe(0.05);
      expect(a.periodsPerYear, '24 / 8 × 365').toBe(1095);
      expect(a.annualizedBasisPct, '0.05 × 1095').toBeCloseTo(54.75, 12);
      expect(a.skewMs, 'both prices at T').toBe(0);
      expect(a.warmingUp).toBe(false);
    });

    it('annualizes by the funding interval of the symbol', () => {
      expect(analyze({ fundingIntervalHours: 4 }).periodsPerYear, '6 a day × 365').toBe(2190);
      expect(analyze({ fundingIntervalHours: 4 }).annualizedBasisPct, '0.05 × 2190').toBeCloseTo(109.5, 12);
      expect(analyze({ fundingIntervalHours: 1 }).periodsPerYear, '24 a day × 365').toBe(8760);
    });

    // mark 1000.5 vs index 1000.25: 0.25 / 1000.25 × 100 = 0.0249937515621...
    it('computes the mark-vs-index premium the same way', () => {
      const a = analyze();
      expect(a.premium, '1000.5 − 1000.25').toBe(0.25);
      expect(a.premiumPct, '0.25 / 1000.25 × 100').toBeCloseTo(0.02499375156211, 13);
      expect(a.annualizedPremiumPct, '× 1095').toBeCloseTo(0.02499375156211 * 1095, 10);
      expect([a.markPrice, a.indexPrice]).toEqual([1000.5, 1000.25]);
    });

    it('leaves the premium null when the source gives no index price (replay), never a 0 % from index = mark', () => {
      const a = analyze({ spot: null, mark: { markPrice: 1000.5, indexPrice: null, time: T } });
      expect(a.indexPrice).toBeNull();
      expect([a.premium, a.premiumPct, a.annualizedPremiumPct], 'was 0 / 0 % with index = mark').toEqual([null, null, null]);
      expect(a.structure, 'neither spot basis nor premium: no structure (was NORMAL from a fake 0 % premium)').toBeNull();
      expect(a.structureReference).toBeNull();
      expect(a.factors.find((f) => f.name === 'markPremium')?.note).toMatch(/no index price: premium not measured/);
      const withSpot = analyze({ mark: { markPrice: 1000.5, indexPrice: null, time: T } });
      expect(withSpot.basisPct, 'the spot basis still uses the mark').toBe(0.05);
      expect(withSpot.structureReference).toBe('SPOT');
    });

    it('falls back to the last trade when there is no mark price', () => {
      const a = analyze({ mark: null, last: { price: 1001, time: T } });
      expect(a.perpPriceSource, 'no mark: last trade').toBe('LAST');
      expect(a.basisPct, '1 / 1000 × 100').toBe(0.1);
      expect(a.premiumPct, 'no mark, no premium').toBeNull();
      expect(a.structure, '0.1 >= 0.05').toBe('CONTANGO');
    });
  });

  describe('structure', () => {
    it('classifies with inclusive thresholds', () => {
      const table: [number, string][] = [
        [0.5, 'CONTANGO'],
        [0.05, 'CONTANGO'],
        [0.0499, 'NORMAL'],
        [0, 'NORMAL'],
        [-0.0499, 'NORMAL'],
        [-0.05, 'BACKWARDATION'],
        [-1, 'BACKWARDATION'],
      ];
      for (const [pct, structure] of table) expect(classifyBasis(pct), `${pct} %`).toBe(structure);
      expect(classifyBasis(0.04, { contangoPct: 0.03, backwardationPct: -0.03 }), 'thresholds are inputs').toBe('CONTANGO');
    });

    it('reaches both boundaries exactly through the analyzer', () => {
      expect(analyze().structure, 'basis exactly +0.05 %').toBe('CONTANGO');
      const below = analyze({ mark: { markPrice: 999.5, indexPrice: 999.5, time: T } });
      expect(below.basisPct, '−0.5 / 1000 × 100').toBe(-0.05);
      expect(below.structure, 'basis exactly −0.05 %').toBe('BACKWARDATION');
      expect(analyze({ thresholds: { contangoPct: 0.06 } }).structure, '0.05 < 0.06').toBe('NORMAL');
      expect(analyze({ thresholds: { contangoPct: 0.06 } }).contangoPct, 'the thresholds used are echoed').toBe(0.06);
      expect(analyze().backwardationPct, 'default').toBe(-0.05);
    });

    it('decides from the spot basis and shows the premium for context', () => {
      const a = analyze();
      expect(a.structureReference).toBe('SPOT');
      expect(a.factors.map((f) => [f.name, f.weight]), 'spot decides, premium weighs 0').toEqual([
        ['spotBasis', 1],
        ['markPremium', 0],
      ]);
      expect(a.factors[0]!.contribution, '0.05 / 0.05 = 1').toBe(1);
      expect(a.factors[1]!.contribution, 'context only').toBe(0);
      expect(a.factors[1]!.note).toContain('context only');
      // basis 0.025 % is half-way to contango: normalised 0.5
      const half = analyze({ mark: { markPrice: 1000.25, indexPrice: 1000.25, time: T } });
      expect(half.factors[0]!.contribution, '0.025 / 0.05').toBeCloseTo(0.5, 12);
      const down = analyze({ mark: { markPrice: 999.9, indexPrice: 1000, time: T }, thresholds: { backwardationPct: -0.2 } });
      expect(down.factors[0]!.contribution, '−0.01 / 0.2 on the backwardation side').toBeCloseTo(-0.05, 10);
    });
  });

  describe('missing or stale inputs', () => {
    it('warms up without a spot price and classifies from the premium', () => {
      const a = analyze({ spot: null });
      expect(a.warmingUp, 'no spot price yet').toBe(true);
      expect([a.basis, a.basisPct, a.annualizedBasisPct, a.spotPrice, a.skewMs], 'no invented basis').toEqual([null, null, null, null, null]);
      expect(a.structureReference, 'falls back to mark vs index').toBe('INDEX');
      expect(a.structure, 'premium 0.025 % is NORMAL').toBe('NORMAL');
      expect(a.factors.map((f) => f.weight), 'the premium decides').toEqual([0, 1]);
      expect(a.factors[0]!.note).toContain('no spot price yet');
    });

    it('refuses to compare prices more than maxSkewMs apart', () => {
      const stale = analyze({ spot: { price: 1000, time: T - 180_000 } });
      expect(stale.skewMs, '3 minutes apart').toBe(180_000);
      expect(stale.basisPct, 'a 3-minute-old spot against a live mark is not a basis').toBeNull();
      expect(stale.warmingUp, 'not warming up: the spot price exists').toBe(false);
      expect(stale.structureReference).toBe('INDEX');
      expect(stale.factors[0]!.note).toContain('180000 ms apart, more than 120000 ms');
      const edge = analyze({ spot: { price: 1000, time: T - 120_000 } });
      expect(edge.basisPct, 'exactly maxSkewMs is accepted').toBe(0.05);
      expect(analyze({ spot: { price: 1000, time: T - 180_000 }, thresholds: { maxSkewMs: 300_000 } }).basisPct, 'the limit is an input').toBe(0.05);
    });

    it('has no structure when there is no price at all', () => {
      const a = analyze({ spot: null, mark: null, last: null });
      expect([a.structure, a.structureReference, a.perpPrice, a.premiumPct]).toEqual([null, null, null, null]);
      expect(a.factors.every((f) => f.contribution === 0 && f.weight === 0), 'nothing decides').toBe(true);
    });
  });

  describe('preconditions', () => {
    it('throws on invalid prices and parameters, quoting the value', () => {
      expect(() => analyze({ thresholds: { contangoPct: 0 } }), 'contango at 0 would swallow NORMAL').toThrow(
        'computeBasisAnalysis: thresholds.contangoPct must be a finite number > 0, got 0',
      );
      expect(() => analyze({ thresholds: { backwardationPct: 0.1 } }), 'a positive backwardation threshold').toThrow(
        'thresholds.backwardationPct must be a finite number < 0, got 0.1',
      );
      expect(() => analyze({ thresholds: { maxSkewMs: -1 } })).toThrow('thresholds.maxSkewMs must be a finite number >= 0, got -1');
      expect(() => analyze({ spot: { price: -1, time: T } }), 'negative price').toThrow('spot.price must be a finite number > 0, got -1');
      expect(() => analyze({ mark: { markPrice: 1, indexPrice: Number.NaN, time: T } }), 'NaN index').toThrow('mark.indexPrice must be a finite number > 0, got NaN');
      expect(() => analyze({ last: { price: 1, time: Number.POSITIVE_INFINITY } }), 'infinite time').toThrow('last.time must be a finite epoch ms within ±8640000000000000, got Infinity');
      expect(() => analyze({ fundingIntervalHours: 0 })).toThrow('fundingIntervalHours must be a finite number > 0, got 0');
      expect(() => analyze({ fundingIntervalHours: 1e-320 }), 'would annualize to Infinity').toThrow('fundingIntervalHours 1e-320 is too small');
    });
  });
});
