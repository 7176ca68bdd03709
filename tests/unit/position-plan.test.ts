import { describe, expect, it } from 'vitest';
import { BTCUSDT_BRACKETS, ETHUSDT_BRACKETS, GENERIC_BRACKETS } from '../../src/analyzers/liquidation-brackets.js';
import { liquidationPrice } from '../../src/analyzers/liquidation-heatmap.js';
import { computePortfolioRisk } from '../../src/analyzers/portfolio-risk.js';
import { computePositionPlan, drawdownGuard, leverageLimit, maxSafeLeverage } from '../../src/analyzers/position-plan.js';
import { PlanRefusedError, type PortfolioPositionInput, type PositionPlanInput } from '../../src/analyzers/position-plan.types.js';
import { createRng } from '../../src/datasources/simulated/random.js';

const btcLong: PositionPlanInput = {
  symbol: 'BTCUSDT',
  side: 'LONG',
  equity: 10_000,
  riskPct: 1,
  entry: 50_000,
  entrySource: 'INPUT',
  stop: 49_000,
  targets: [52_000, 53_500],
  volatility: { riskMultiplier: 0.8, regime: 'HIGH_VOL', atr: 400, stale: false },
  bracketTable: BTCUSDT_BRACKETS,
};

function refusal(fn: () => unknown): PlanRefusedError {
  try {
    fn();
  } catch (error) {
    if (error instanceof PlanRefusedError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('computePositionPlan: size', () => {
  const plan = computePositionPlan(btcLong);

  it('sizes the position so that the stop costs riskPct of equity, scaled by the volatility multiplier', () => {
    expect(plan.stopDistance, '|50 000 − 49 000|').toBe(1_000);
    expect(plan.stopDistancePct, '1 000 / 50 000 × 100').toBeCloseTo(2, 12);
    expect(plan.riskBudget, '10 000 × 1 / 100').toBe(100);
    expect(plan.baseQuantity, '100 / 1 000').toBeCloseTo(0.1, 12);
    expect(plan.volatilityMultiplier, 'the analysis multiplier, ≤ 1 so not capped').toBe(0.8);
    expect(plan.volatilityScaled).toBe(true);
    expect(plan.sizeMultiplier, 'no drawdown guard without a peak').toBe(0.8);
    expect(plan.quantity, '0.1 × 0.8').toBeCloseTo(0.08, 12);
    expect(plan.notional, '0.08 × 50 000').toBeCloseTo(4_000, 9);
    expect(plan.riskAmount, '0.08 × 1 000').toBeCloseTo(80, 9);
    expect(plan.riskAmountPct, '80 / 10 000 × 100').toBeCloseTo(0.8, 9);
  });

  it('takes the bracket of the notional and derives the max safe leverage from the stop and the buffer', () => {
    expect(plan.bracket, '4 000 ≤ 50 000: BTC bracket 1').toMatchObject({ bracket: 1, maxLeverage: 125, maintenanceMarginRate: 0.004, maintenanceAmount: 0 });
    expect(plan.liquidationBuffer, 'max(0.5 % × 50 000 = 250, 0.5 × ATR 400 = 200)').toBe(250);
    // limit = 49 000 − 250 = 48 750, s = 0.975: L ≤ 1 / (1 − 0.975 × 0.996) = 1 / 0.0289 = 34.60
    expect(leverageLimit('LONG', 50_000, 48_750, plan.bracket, plan.notional)).toBeCloseTo(1 / 0.0289, 9);
    expect(plan.maxSafeLeverage, 'floor(34.60)').toBe(34);
    const at34 = plan.leverages.find((l) => l.leverage === 34)!;
    expect(at34.liquidationPrice, '50 000 × (1 − 1/34) / 0.996').toBeCloseTo((50_000 * (1 - 1 / 34)) / 0.996, 6);
    expect(at34.liquidationPrice, '48 724.31 ≤ 48 750').toBeCloseTo(48_724.31, 2);
    expect(liquidationPrice('LONG', 50_000, 35, BTCUSDT_BRACKETS.brackets[0]!, 4_000), '35x: 48 766.5, inside the buffer').toBeGreaterThan(48_750);
    expect(plan.minLeverageForEquity, '4 000 / 10 000').toBeCloseTo(0.4, 12);
  });

  it('lists the ladder up to the max safe leverage with margin and liquidation per leverage', () => {
    expect(plan.leverages.map((l) => l.leverage)).toEqual([1, 2, 3, 5, 10, 20, 25, 34]);
    const at10 = plan.leverages.find((l) => l.leverage === 10)!;
    expect(at10.margin, '4 000 / 10').toBeCloseTo(400, 9);
    expect(at10.marginOfEquityPct, '400 / 10 000 × 100').toBeCloseTo(4, 9);
    expect(at10.liquidationPrice, '50 000 × 0.9 / 0.996').toBeCloseTo(45_180.7229, 3);
    expect(at10.liquidationDistancePct).toBeCloseTo(((50_000 - 45_180.7229) / 50_000) * 100, 4);
    expect(at10.beyondStop, '49 000 − 45 180.72').toBeCloseTo(3_819.2771, 3);
    expect(at10.affordable).toBe(true);
    const at1 = plan.leverages[0]!;
    expect(at1.liquidationPrice, 'a 1x long with cum 0 liquidates at 0').toBeCloseTo(0, 9);
  });

  it('gives R multiples and rewards for the targets', () => {
    expect(plan.targets.map((x) => x.rMultiple), '2 000 / 1 000 and 3 500 / 1 000').toEqual([2, 3.5]);
    expect(plan.targets[0]!.reward, '0.08 × 2 000').toBeCloseTo(160, 9);
    expect(plan.targets[1]!.distancePct, '3 500 / 50 000 × 100').toBeCloseTo(7, 12);
    expect(plan.factors.map((f) => f.name)).toEqual(expect.arrayContaining(['riskBudget', 'baseQuantity', 'volatilityMultiplier', 'quantity', 'notional', 'maxSafeLeverage', 'liquidationBuffer', 'target1R', 'target2R']));
    expect(plan.factors.find((f) => f.name === 'riskBudget')!.formula).toBe('10000 × 1 / 100');
    expect(plan.notes.join(' '), 'says it never places orders').toMatch(/never places/);
  });

  it('caps a volatility multiplier above 1 unless upsizing is allowed', () => {
    const calm = { ...btcLong, volatility: { riskMultiplier: 1.6, regime: 'STABLE', atr: 100, stale: false } };
    const capped = computePositionPlan(calm);
    expect(capped.volatilityMultiplier, 'min(1.6, 1)').toBe(1);
    expect(capped.volatilityMultiplierRaw).toBe(1.6);
    expect(capped.quantity).toBeCloseTo(0.1, 12);
    const upsized = computePositionPlan({ ...calm, allowUpsize: true });
    expect(upsized.volatilityMultiplier).toBe(1.6);
    expect(upsized.quantity, '0.1 × 1.6').toBeCloseTo(0.16, 12);
    expect(upsized.liquidationBuffer, 'ATR 100 × 0.5 = 50 < 250').toBe(250);
  });

  it('leaves the size unscaled and says why when the volatility multiplier is unavailable', () => {
    for (const [volatility, why] of [
      [null, /no VOLATILITY result/],
      [{ riskMultiplier: null, regime: null, atr: null, stale: false }, /warming up/],
      [{ riskMultiplier: 0.5, regime: 'EXTREME', atr: 900, stale: true }, /stale/],
    ] as const) {
      const p = computePositionPlan({ ...btcLong, volatility });
      expect(p.volatilityMultiplier, 'null, never a stand-in').toBeNull();
      expect(p.volatilityScaled).toBe(false);
      expect(p.volatilityNote).toMatch(why);
      expect(p.quantity, 'base size, unscaled').toBeCloseTo(0.1, 12);
      expect(p.liquidationBuffer, 'no (fresh) ATR: 0.5 % of entry').toBe(250);
      expect(p.notes.join(' ')).toMatch(/not scaled by volatility/);
    }
  });

  it('applies the drawdown guard to the size', () => {
    const p = computePositionPlan({ ...btcLong, peakEquity: 12_500 });
    expect(p.drawdown!.drawdownPct, '(12 500 − 10 000) / 12 500').toBeCloseTo(20, 12);
    expect(p.drawdown!.multiplier, '≥ 20 % → 0.25').toBe(0.25);
    expect(p.sizeMultiplier, '0.8 × 0.25').toBeCloseTo(0.2, 12);
    expect(p.quantity, '0.1 × 0.2').toBeCloseTo(0.02, 12);
  });
});

describe('computePositionPlan: shorts, brackets with a maintenance amount, refusals', () => {
  const solShort: PositionPlanInput = {
    symbol: 'SOLUSDT',
    side: 'SHORT',
    equity: 100_000,
    riskPct: 2,
    entry: 100,
    entrySource: 'INPUT',
    stop: 104,
    volatility: null,
    bracketTable: GENERIC_BRACKETS,
  };

  it('caps the max safe leverage by the bracket the notional falls in', () => {
    const p = computePositionPlan(solShort);
    expect(p.quantity, '2 000 / 4, unscaled').toBe(500);
    expect(p.notional).toBe(50_000);
    expect(p.bracket, '25 000 < 50 000 ≤ 62 500: generic bracket 4').toMatchObject({ bracket: 4, maxLeverage: 10, maintenanceMarginRate: 0.05, maintenanceAmount: 700 });
    expect(p.liquidationBuffer, '0.5 % × 100, no ATR').toBeCloseTo(0.5, 12);
    // limit 104.5: L ≤ 1 / (1.045 × 1.05 − 1 − 700/50 000) = 1 / 0.08325 = 12.01, capped at 10
    expect(leverageLimit('SHORT', 100, 104.5, p.bracket, 50_000)).toBeCloseTo(1 / 0.08325, 9);
    expect(p.maxSafeLeverage).toBe(10);
    const at10 = p.leverages.find((l) => l.leverage === 10)!;
    expect(at10.liquidationPrice, '100 × (1 + 0.1 + 0.014) / 1.05').toBeCloseTo(106.095238, 5);
    expect(at10.beyondStop, '106.095 − 104').toBeCloseTo(2.095238, 5);
    const r = refusal(() => computePositionPlan({ ...solShort, leverages: [5, 11] }));
    expect(r.reason).toBe('LEVERAGE_LIQUIDATES_BEFORE_STOP');
    expect(r.message).toMatch(/above the 10x the bracket/);
  });

  it('refuses a leverage that liquidates before the stop and accepts the max safe one', () => {
    const wide = { ...solShort, stop: 108 };
    const p = computePositionPlan(wide);
    expect(p.notional, '2 000 / 8 × 100').toBe(25_000);
    expect(p.bracket, '10 000 < 25 000 ≤ 25 000: bracket 3').toMatchObject({ bracket: 3, maxLeverage: 20, maintenanceMarginRate: 0.025, maintenanceAmount: 75 });
    // limit 108.5: L ≤ 1 / (1.085 × 1.025 − 1 − 0.003) = 1 / 0.109125 = 9.16
    expect(p.maxSafeLeverage).toBe(9);
    const r = refusal(() => computePositionPlan({ ...wide, leverages: [10] }));
    expect(r.reason).toBe('LEVERAGE_LIQUIDATES_BEFORE_STOP');
    expect(r.details.liquidationPrice, '100 × (1.1 + 0.003) / 1.025 = 107.61 < 108').toBeCloseTo(107.609756, 5);
    expect(r.message).toMatch(/before the stop/);
    const ok = computePositionPlan({ ...wide, leverages: [9, 3] });
    expect(ok.leverages.map((l) => l.leverage), 'sorted').toEqual([3, 9]);
    expect(ok.leverages[1]!.liquidationPrice, '100 × (1 + 1/9 + 0.003) / 1.025').toBeCloseTo(108.693767, 5);
    const buffer = refusal(() => computePositionPlan({ ...wide, leverages: [9], thresholds: { liquidationBufferPct: 2 } }));
    expect(buffer.message, '108.69 is beyond the stop 108 but within a 2 buffer').toMatch(/within the buffer beyond the stop/);
    expect(buffer.details.maxSafeLeverage, 'limit 110: 1 / (1.1 × 1.025 − 1.003) = 1 / 0.1245 = 8.03').toBe(8);
  });

  it('refuses a stop on the wrong side of the entry, a target on the loss side and a stop no leverage survives', () => {
    expect(refusal(() => computePositionPlan({ ...btcLong, stop: 50_500 })).reason).toBe('STOP_WRONG_SIDE');
    expect(refusal(() => computePositionPlan({ ...btcLong, stop: 50_000 })).reason, 'stop at the entry').toBe('STOP_WRONG_SIDE');
    expect(refusal(() => computePositionPlan({ ...solShort, stop: 99 })).message).toMatch(/SHORT stop must be above the entry/);
    expect(refusal(() => computePositionPlan({ ...btcLong, targets: [48_000] })).reason).toBe('TARGET_WRONG_SIDE');
    // a 1x short liquidates at 100 × (1 + 1 + c) / (1 + m) ≈ 190: a stop at 250 is never reached first
    expect(refusal(() => computePositionPlan({ ...solShort, stop: 250 })).reason).toBe('NO_SAFE_LEVERAGE');
    expect(refusal(() => computePositionPlan({ ...btcLong, peakEquity: 9_000 })).reason).toBe('PEAK_BELOW_EQUITY');
  });

  it('throws on malformed input with the offending value quoted', () => {
    expect(() => computePositionPlan({ ...btcLong, equity: Number.NaN })).toThrow(/equity must be a positive finite number, got NaN/);
    expect(() => computePositionPlan({ ...btcLong, leverages: [2.5] })).toThrow(/leverages\[0\] must be an integer/);
  });
});

describe('drawdownGuard', () => {
  it('follows the documented schedule with inclusive lower bounds', () => {
    const at = (peak: number) => drawdownGuard(10_000, peak);
    expect(at(10_000).multiplier, 'no drawdown').toBe(1);
    expect(at(10_500).multiplier, '4.76 % < 5 %').toBe(1);
    expect(at(10_000 / 0.95).multiplier, 'exactly 5 %').toBe(0.75);
    expect(at(11_000).drawdownPct, '1 000 / 11 000').toBeCloseTo(9.0909, 4);
    expect(at(11_000).multiplier).toBe(0.75);
    expect(at(12_000).multiplier, '16.7 %').toBe(0.5);
    expect(at(12_500).multiplier, 'exactly 20 %').toBe(0.25);
    expect(at(12_500).recoveryGainPct, '0.2 / 0.8').toBeCloseTo(25, 12);
    expect(at(12_500).step).toBe('drawdown ≥ 20 % → 0.25');
    expect(at(12_000).step).toBe('10 % ≤ drawdown < 20 % → 0.5');
    expect(drawdownGuard(10_000, 20_000, [{ fromDrawdownPct: 0, multiplier: 1 }, { fromDrawdownPct: 40, multiplier: 0 }]).multiplier, 'custom schedule').toBe(0);
  });
});

describe('computePortfolioRisk', () => {
  const equity = 10_000;
  const btc: PortfolioPositionInput = { symbol: 'BTCUSDT', side: 'LONG', quantity: 0.1, price: 50_000, priceSource: 'INPUT', stop: 49_000 };
  const eth: PortfolioPositionInput = { symbol: 'ETHUSDT', side: 'LONG', quantity: 2, price: 3_000, priceSource: 'INPUT', stop: 2_925 };
  const correlations = { symbols: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'], pearson: [[1, 0.8, null], [0.8, 1, 0.6], [null, 0.6, 1]] };

  it('combines two correlated longs as √(wᵀCw) with Euler shares (hand example)', () => {
    const r = computePortfolioRisk({ positions: [btc, eth], equity, correlations });
    expect(r.positions.map((p) => p.risk), '0.1 × 1 000 and 2 × 75').toEqual([100, 150]);
    expect(r.totalRisk).toBe(250);
    expect(r.heatPct, '250 / 10 000 × 100').toBeCloseTo(2.5, 12);
    // wᵀCw = 100² + 150² + 2 × 0.8 × 100 × 150 = 56 500
    expect(r.correlatedRisk, '√56 500').toBeCloseTo(Math.sqrt(56_500), 9);
    expect(r.correlatedRisk).toBeCloseTo(237.6973, 4);
    expect(r.correlatedHeatPct).toBeCloseTo(2.376973, 6);
    expect(r.diversificationRatio).toBeCloseTo(237.6973 / 250, 6);
    // Cw = [100 + 0.8 × 150, 0.8 × 100 + 150] = [220, 230]
    expect(r.positions[0]!.correlatedRiskShare, '100 × 220 / 56 500').toBeCloseTo(22_000 / 56_500, 12);
    expect(r.positions[1]!.correlatedRiskShare, '150 × 230 / 56 500').toBeCloseTo(34_500 / 56_500, 12);
    expect(r.positions[0]!.riskShare).toBeCloseTo(0.4, 12);
    expect(r.pairs).toEqual([{ a: 0, b: 1, symbolA: 'BTCUSDT', symbolB: 'ETHUSDT', correlation: 0.8, source: 'MEASURED' }]);
    expect(r.unknownCorrelations).toBe(0);
    expect(r.concentration).toMatchObject({ longNotional: 11_000, shortNotional: 0, longShare: 1, shortShare: 0, grossLeverage: 1.1, netLeverage: 1.1, dominantSide: 'LONG' });
  });

  it('credits a hedge when the correlation is measured and gives none when it is unknown', () => {
    const ethShort = { ...eth, side: 'SHORT' as const, stop: 3_075 };
    const hedged = computePortfolioRisk({ positions: [btc, ethShort], equity, correlations });
    // w = [100, −150]: 10 000 + 22 500 − 24 000 = 8 500
    expect(hedged.correlatedRisk, '√8 500').toBeCloseTo(Math.sqrt(8_500), 9);
    expect(hedged.totalRisk).toBe(250);
    expect(hedged.concentration.longShare, '5 000 / 11 000').toBeCloseTo(5 / 11, 12);
    expect(hedged.concentration.netNotional).toBe(-1_000);
    expect(hedged.concentration.netLeverage).toBeCloseTo(-0.1, 12);
    expect(hedged.concentration.dominantSide).toBe('SHORT');
    const unknown = computePortfolioRisk({ positions: [btc, ethShort], equity, correlations: null });
    expect(unknown.pairs[0]!.source).toBe('ASSUMED_WORST');
    expect(unknown.pairs[0]!.correlation, 'long × short: returns taken as −1, losses as +1').toBe(-1);
    expect(unknown.correlatedRisk, 'no hedge credit: |100| + |−150|').toBeCloseTo(250, 9);
    expect(unknown.unknownCorrelations).toBe(1);
    expect(unknown.notes.join(' ')).toMatch(/No CORRELATION result/);
    const sol = { symbol: 'SOLUSDT', side: 'LONG' as const, quantity: 10, price: 100, priceSource: 'INPUT' as const, stop: 95 };
    const partial = computePortfolioRisk({ positions: [btc, sol], equity, correlations });
    expect(partial.pairs[0]!.source, 'null cell in the matrix').toBe('ASSUMED_WORST');
    expect(partial.correlatedRisk, '100 + 50').toBeCloseTo(150, 9);
  });

  it('nets the same symbol held long and short and applies the drawdown guard', () => {
    const short = { ...btc, side: 'SHORT' as const, stop: 51_000 };
    const r = computePortfolioRisk({ positions: [btc, short], equity, correlations, peakEquity: 11_000 });
    expect(r.pairs[0]!.source).toBe('SAME_SYMBOL');
    expect(r.correlatedRisk, 'w = [100, −100], C = 1').toBeCloseTo(0, 9);
    expect(r.positions[0]!.correlatedRiskShare, 'no combined risk to share').toBeNull();
    expect(r.drawdown!.multiplier, '9.1 % drawdown').toBe(0.75);
    expect(r.concentration.dominantSide, 'balanced').toBeNull();
  });

  it('refuses a stop already crossed by the price and treats an empty portfolio as no risk', () => {
    const e = refusal(() => computePortfolioRisk({ positions: [{ ...btc, stop: 50_100 }], equity, correlations }));
    expect(e.reason).toBe('STOP_CROSSED');
    const empty = computePortfolioRisk({ positions: [], equity, correlations });
    expect(empty.totalRisk).toBe(0);
    expect(empty.diversificationRatio).toBeNull();
    expect(empty.concentration.longShare).toBeNull();
  });
});

describe('property: the liquidation price at maxSafeLeverage lies beyond the stop by the buffer', () => {
  it('holds over 5 000 generated plans (seeded), and maxSafe + 1 does not (unless capped by the bracket)', () => {
    const rng = createRng(20261204);
    const tables = [BTCUSDT_BRACKETS, ETHUSDT_BRACKETS, GENERIC_BRACKETS];
    let planned = 0;
    let refusedNoSafe = 0;
    for (let k = 0; k < 5_000; k++) {
      const side = rng.chance(0.5) ? ('LONG' as const) : ('SHORT' as const);
      const entry = Math.exp(rng.between(Math.log(1e-3), Math.log(1e5)));
      const distancePct = Math.exp(rng.between(Math.log(0.05), Math.log(side === 'LONG' ? 90 : 150)));
      const stop = side === 'LONG' ? entry * (1 - distancePct / 100) : entry * (1 + distancePct / 100);
      const atr = rng.chance(0.3) ? null : entry * rng.between(0.001, 0.05);
      const input: PositionPlanInput = {
        symbol: 'X',
        side,
        equity: Math.exp(rng.between(Math.log(100), Math.log(1e8))),
        riskPct: rng.between(0.1, 5),
        entry,
        entrySource: 'INPUT',
        stop,
        volatility: rng.chance(0.2) ? null : { riskMultiplier: rng.between(0.25, 2), regime: 'STABLE', atr, stale: false },
        bracketTable: tables[rng.int(3)]!,
      };
      let plan;
      try {
        plan = computePositionPlan(input);
      } catch (error) {
        expect(error instanceof PlanRefusedError && error.reason, `case ${k}: only NO_SAFE_LEVERAGE may refuse`).toBe('NO_SAFE_LEVERAGE');
        expect(side, 'only a short can have no safe leverage').toBe('SHORT');
        refusedNoSafe++;
        continue;
      }
      planned++;
      const sign = side === 'LONG' ? 1 : -1;
      const limit = stop - sign * plan.liquidationBuffer;
      const bracket = { maintenanceMarginRate: plan.bracket.maintenanceMarginRate, maintenanceAmount: plan.bracket.maintenanceAmount };
      const liq = liquidationPrice(side, entry, plan.maxSafeLeverage, bracket, plan.notional);
      const tol = 1e-9 * entry;
      if (side === 'LONG') expect(liq <= Math.max(limit, 0) + tol, `case ${k}: long liq ${liq} beyond stop ${stop} − buffer`).toBe(true);
      else expect(liq >= limit - tol, `case ${k}: short liq ${liq} beyond stop ${stop} + buffer`).toBe(true);
      expect(sign * (entry - liq) > sign * (entry - stop) || liq <= 0, `case ${k}: the stop comes first`).toBe(true);
      expect(plan.riskAmount <= plan.riskBudget * (1 + 1e-12), `case ${k}: never more risk than asked without allowUpsize`).toBe(true);
      if (plan.maxSafeLeverage < plan.bracket.maxLeverage) {
        const next = liquidationPrice(side, entry, plan.maxSafeLeverage + 1, bracket, plan.notional);
        const nextSafe = side === 'LONG' ? next <= Math.max(limit, 0) - tol : next >= limit + tol;
        expect(nextSafe, `case ${k}: maxSafe ${plan.maxSafeLeverage} is the largest safe leverage`).toBe(false);
      }
    }
    expect(planned, 'most generated plans are plannable').toBeGreaterThan(4_000);
    expect(refusedNoSafe, 'shorts with stops beyond ~2× entry are refused').toBeGreaterThan(0);
  });
});

describe('property: correlated heat stays between 0 and the plain heat', () => {
  it('holds over 2 000 generated portfolios with PSD correlation matrices and unknown symbols', () => {
    const rng = createRng(424242);
    const universe = ['A', 'B', 'C', 'D', 'E'];
    for (let k = 0; k < 2_000; k++) {
      // C = normalised L Lᵀ with random loadings: a valid (PSD) correlation matrix over A..D; E is unknown.
      const known = universe.slice(0, 4);
      const loadings = known.map(() => [rng.normal(), rng.normal()]);
      const norm = loadings.map((l) => Math.hypot(l[0]!, l[1]!));
      const pearson = known.map((_, i) => known.map((_, j) => (i === j ? 1 : (loadings[i]![0]! * loadings[j]![0]! + loadings[i]![1]! * loadings[j]![1]!) / (norm[i]! * norm[j]!))));
      const positions: PortfolioPositionInput[] = Array.from({ length: 1 + rng.int(8) }, () => {
        const side = rng.chance(0.5) ? ('LONG' as const) : ('SHORT' as const);
        const price = rng.between(1, 1_000);
        return { symbol: universe[rng.int(5)]!, side, quantity: rng.between(0.1, 10), price, priceSource: 'INPUT' as const, stop: side === 'LONG' ? price * rng.between(0.5, 0.99) : price * rng.between(1.01, 1.5) };
      });
      const r = computePortfolioRisk({ positions, equity: 10_000, correlations: { symbols: known, pearson } });
      expect(r.correlatedRisk, `case ${k}: ≥ 0`).toBeGreaterThanOrEqual(0);
      expect(r.correlatedRisk, `case ${k}: ≤ Σ risk`).toBeLessThanOrEqual(r.totalRisk * (1 + 1e-12));
      if (r.positions[0]!.correlatedRiskShare != null) {
        expect(r.positions.reduce((s, p) => s + p.correlatedRiskShare!, 0), `case ${k}: Euler shares sum to 1`).toBeCloseTo(1, 9);
      }
      const allUnknownSameSide = positions.every((p) => p.symbol === 'E' && p.side === positions[0]!.side);
      if (allUnknownSameSide) expect(r.correlatedRisk, `case ${k}: same symbol, same side: no credit`).toBeCloseTo(r.totalRisk, 9);
    }
  });
});

describe('maxSafeLeverage (shared helper)', () => {
  it('returns the bound, the bracket and null when even 1x fails', () => {
    const a = maxSafeLeverage({ side: 'LONG', entry: 50_000, stop: 49_000, notional: 4_000, bracketTable: BTCUSDT_BRACKETS, buffer: 250 });
    expect(a.maxSafeLeverage, 'floor(34.60), as in the plan above').toBe(34);
    expect(a.limit).toBe(48_750);
    expect(a.bracket.bracket).toBe(1);
    expect(maxSafeLeverage({ side: 'LONG', entry: 100, stop: 99.9, notional: 1_000, bracketTable: BTCUSDT_BRACKETS, buffer: 0 }).maxSafeLeverage, 'a 0.1 % stop allows more than the table: capped at 125x').toBe(125);
    expect(maxSafeLeverage({ side: 'SHORT', entry: 100, stop: 250, notional: 1_000, bracketTable: GENERIC_BRACKETS, buffer: 0 }).maxSafeLeverage).toBeNull();
  });
});
