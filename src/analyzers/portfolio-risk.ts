import { PositionSides } from './liquidation-heatmap.types.js';
import { drawdownGuard, fmt, sideSign } from './position-plan.js';
import {
  CorrelationSources,
  PlanRefusalReasons,
  PlanRefusedError,
  type DirectionConcentration,
  type DrawdownGuard,
  type PlanFactor,
  type PortfolioPair,
  type PortfolioPositionRisk,
  type PortfolioRisk,
  type PortfolioRiskInput,
} from './position-plan.types.js';

/** Version of the method below; bump it whenever a number this analyzer produces would change. */
export const PORTFOLIO_RISK_METHODOLOGY_VERSION = 'portfolio-risk/1.0.0';

const fail = (message: string): never => {
  throw new Error(`computePortfolioRisk: ${message}`);
};

/**
 * Portfolio heat: what the open (or planned) positions lose if their stops are hit, against equity, plain
 * and correlation-adjusted; how the notional splits between longs and shorts; and the drawdown guard.
 * It only measures; it never places or changes an order.
 *
 * How to read it: `heatPct` is the loss if every stop is hit at once (the worst case); `correlatedHeatPct`
 * combines the risks the way a variance would, √(wᵀCw), so uncorrelated positions diversify and a long
 * against a correlated short hedges. Typical discipline keeps heat under 5–10 % of equity. With every
 * correlation 1 and every position on one side the two are equal. `correlatedRiskShare` says which
 * positions carry the combined risk (Euler allocation; a hedge has a negative share).
 *
 * Method:
 * - risk_i = quantity_i × |price_i − stop_i| (price: the caller's, or the current price); w_i = side_i × risk_i
 *   (+1 long, −1 short), so a short's loss is a rise in price.
 * - C_ij: Pearson correlation of the two symbols' 1 h log returns from the CORRELATION analysis; 1 for the
 *   same symbol; unknown (symbol outside the matrix, too few returns, no result) → side_i × side_j, i.e.
 *   the two losses are taken as perfectly correlated: no diversification and no hedge credit (the worst
 *   case for the pair, which is what "treat unknown as 1" means once sides are signed).
 * - correlatedRisk = √max(0, wᵀCw) (a matrix mixing measured and assumed entries may be indefinite;
 *   it is floored at 0 and said so). It is at most Σ|w_i| = totalRisk.
 * - Euler share_i = w_i (Cw)_i / wᵀCw (shares sum to 1).
 * - This treats the risk to the stop like a volatility, which it is not (a stop is a tail event); read
 *   the adjusted figure as "how much of the worst case is independent", not as a probability.
 *
 * @see https://en.wikipedia.org/wiki/Modern_portfolio_theory#Risk_and_expected_return — σ_p² = wᵀΣw.
 * @see https://en.wikipedia.org/wiki/Risk_parity#Risk_contributions — Euler risk contributions.
 */
export function computePortfolioRisk(input: Readonly<PortfolioRiskInput>): PortfolioRisk {
  const { equity, positions } = input;
  if (!(Number.isFinite(equity) && equity > 0)) fail(`equity must be a positive finite number, got ${equity}`);
  positions.forEach((p, i) => {
    for (const key of ['quantity', 'price', 'stop'] as const) {
      if (!(Number.isFinite(p[key]) && p[key] > 0)) fail(`positions[${i}].${key} must be a positive finite number, got ${p[key]}`);
    }
    if ((p.price - p.stop) * sideSign(p.side) <= 0) {
      throw new PlanRefusedError(
        PlanRefusalReasons.STOP_CROSSED,
        `positions[${i}] (${p.side} ${p.symbol}): the stop ${fmt(p.stop)} is ${p.side === PositionSides.LONG ? 'at or above' : 'at or below'} the price ${fmt(p.price)}${p.priceSource === 'MARKET' ? ' (the current price)' : ''}; it would have triggered already`,
        { index: i, symbol: p.symbol, side: p.side, price: p.price, stop: p.stop },
      );
    }
  });

  const factors: PlanFactor[] = [];
  const notes: string[] = [];
  const risks = positions.map((p) => p.quantity * Math.abs(p.price - p.stop));
  const w = positions.map((p, i) => sideSign(p.side) * risks[i]!);
  const totalRisk = risks.reduce((s, r) => s + r, 0);

  // --- Correlation matrix of the positions ---
  const index = new Map((input.correlations?.symbols ?? []).map((s, i) => [s, i]));
  const n = positions.length;
  const C: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  const pairs: PortfolioPair[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = positions[i]!;
      const b = positions[j]!;
      let correlation: number;
      let source: PortfolioPair['source'];
      const ia = index.get(a.symbol);
      const ib = index.get(b.symbol);
      const measured = ia !== undefined && ib !== undefined ? input.correlations!.pearson[ia]?.[ib] : null;
      if (a.symbol === b.symbol) {
        correlation = 1;
        source = CorrelationSources.SAME_SYMBOL;
      } else if (measured != null && Number.isFinite(measured)) {
        correlation = Math.max(-1, Math.min(1, measured));
        source = CorrelationSources.MEASURED;
      } else {
        correlation = sideSign(a.side) * sideSign(b.side);
        source = CorrelationSources.ASSUMED_WORST;
      }
      C[i]![j] = correlation;
      C[j]![i] = correlation;
      pairs.push({ a: i, b: j, symbolA: a.symbol, symbolB: b.symbol, correlation, source });
    }
  }
  const unknownCorrelations = pairs.filter((p) => p.source === CorrelationSources.ASSUMED_WORST).length;
  const Cw = C.map((row) => row.reduce((s, c, j) => s + c * w[j]!, 0));
  const quadratic = w.reduce((s, wi, i) => s + wi * Cw[i]!, 0);
  if (quadratic < -1e-9 * Math.max(1, totalRisk * totalRisk)) notes.push(`wᵀCw came out negative (${fmt(quadratic)}): the matrix mixing measured and assumed correlations is not positive semi-definite; the correlated risk is floored at 0.`);
  const correlatedRisk = Math.min(totalRisk, Math.sqrt(Math.max(0, quadratic)));
  const shares = quadratic > 0 ? w.map((wi, i) => (wi * Cw[i]!) / quadratic) : w.map(() => null);

  // --- Concentration by direction ---
  const notionals = positions.map((p) => p.quantity * p.price);
  let longNotional = 0;
  let shortNotional = 0;
  positions.forEach((p, i) => {
    if (p.side === PositionSides.LONG) longNotional += notionals[i]!;
    else shortNotional += notionals[i]!;
  });
  const grossNotional = longNotional + shortNotional;
  const longShare = grossNotional > 0 ? longNotional / grossNotional : null;
  const concentration: DirectionConcentration = {
    longNotional,
    shortNotional,
    grossNotional,
    netNotional: longNotional - shortNotional,
    longShare,
    shortShare: longShare == null ? null : 1 - longShare,
    grossLeverage: grossNotional / equity,
    netLeverage: (longNotional - shortNotional) / equity,
    dominantSide: longShare == null || longShare === 0.5 ? null : longShare > 0.5 ? PositionSides.LONG : PositionSides.SHORT,
  };

  const out: PortfolioPositionRisk[] = positions.map((p, i) => ({
    symbol: p.symbol,
    side: p.side,
    quantity: p.quantity,
    price: p.price,
    priceSource: p.priceSource,
    stop: p.stop,
    notional: notionals[i]!,
    risk: risks[i]!,
    riskPct: (risks[i]! / equity) * 100,
    riskShare: totalRisk > 0 ? risks[i]! / totalRisk : 0,
    correlatedRiskShare: shares[i] ?? null,
    notionalShare: grossNotional > 0 ? notionals[i]! / grossNotional : 0,
  }));

  const drawdown: DrawdownGuard | null = input.peakEquity != null ? drawdownGuard(equity, input.peakEquity, input.drawdownSchedule) : null;

  const heatPct = (totalRisk / equity) * 100;
  const correlatedHeatPct = (correlatedRisk / equity) * 100;
  factors.push(
    { name: 'totalRisk', value: totalRisk, formula: positions.map((p) => `${fmt(p.quantity)} × |${fmt(p.price)} − ${fmt(p.stop)}|`).join(' + ') || '0', note: `Loss if every stop is hit: ${fmt(heatPct)} % of equity (heat).` },
    {
      name: 'correlatedRisk',
      value: correlatedRisk,
      formula: `√(wᵀCw) = √${fmt(Math.max(0, quadratic))}`,
      note: `Risks combined with their correlations (w = side × risk): ${fmt(correlatedHeatPct)} % of equity. ${unknownCorrelations} of ${pairs.length} pairs had no measured correlation and were taken as perfectly correlated losses (conservative).`,
    },
    { name: 'longShare', value: longShare, formula: `${fmt(longNotional)} / ${fmt(grossNotional)}`, note: 'Share of the gross notional that is long (fraction); the rest is short.' },
    { name: 'grossLeverage', value: concentration.grossLeverage, formula: `${fmt(grossNotional)} / ${fmt(equity)}`, note: 'Gross notional as a multiple of equity.' },
  );
  if (drawdown) factors.push({ name: 'drawdownMultiplier', value: drawdown.multiplier, formula: `${fmt(drawdown.drawdownPct)} % drawdown: ${drawdown.step}`, note: 'Multiply new position sizes by this while equity is below its peak.' });
  if (!input.correlations) notes.push('No CORRELATION result: every pair of different symbols is taken as perfectly correlated losses.');
  if (n === 0) notes.push('No positions: nothing is at risk.');
  notes.push('Measures only: perpgraph never places, changes or cancels orders.');

  return {
    equity,
    totalRisk,
    heatPct,
    correlatedRisk,
    correlatedHeatPct,
    diversificationRatio: totalRisk > 0 ? correlatedRisk / totalRisk : null,
    unknownCorrelations,
    pairs,
    positions: out,
    concentration,
    drawdown,
    factors,
    notes,
  };
}
