import type { BacktestMetrics, BacktestTrade, EquityPoint } from './backtest.types.js';

const YEAR_MS = 365 * 86_400_000;

export interface MetricsInput {
  initialEquity: number;
  /** One point per simulated bar, at its close. */
  equityCurve: readonly EquityPoint[];
  trades: readonly BacktestTrade[];
  /** Simulated bars during which a position was open at any moment. */
  exposedBars: number;
  /** Bar length (ms): annualisation uses YEAR / intervalMs bars per year (365 days, crypto trades every day). */
  intervalMs: number;
}

/**
 * Performance statistics of a backtest. Conventions (the usual ones, risk-free rate 0):
 * - bar returns rᵢ = Eᵢ / Eᵢ₋₁ − 1 over the equity curve;
 * - Sharpe = mean(r) / sd(r) × √(bars per year), sd with n − 1;
 * - Sortino = mean(r) / √(mean(min(r, 0)²)) × √(bars per year) (downside deviation over all bars);
 * - CAGR = (E_end / E_0)^(year / span) − 1, span from the first to the last point of the curve;
 * - max drawdown = max over t of (peak_t − E_t) / peak_t; Calmar = CAGR / max drawdown;
 * - win rate = trades with pnl > 0 / trades; profit factor = Σ winning pnl / |Σ losing pnl|;
 *   expectancy = mean pnl per trade; exposure = exposed bars / bars.
 * @see https://en.wikipedia.org/wiki/Sharpe_ratio, https://en.wikipedia.org/wiki/Sortino_ratio, https://en.wikipedia.org/wiki/Calmar_ratio
 */
export function computeBacktestMetrics(input: Readonly<MetricsInput>): BacktestMetrics {
  const { equityCurve: curve, trades, initialEquity } = input;
  const finalEquity = curve.at(-1)?.equity ?? initialEquity;
  const totalReturn = finalEquity / initialEquity - 1;
  const span = curve.length > 1 ? curve.at(-1)!.time - curve[0]!.time : 0;
  const cagr = span > 0 && finalEquity > 0 ? (finalEquity / initialEquity) ** (YEAR_MS / span) - 1 : span > 0 ? -1 : null;
  const returns: number[] = [];
  for (let i = 1; i < curve.length; i++) returns.push(curve[i]!.equity / curve[i - 1]!.equity - 1);
  const perYear = YEAR_MS / input.intervalMs;
  let sharpe: number | null = null;
  let sortino: number | null = null;
  if (returns.length >= 2) {
    const mean = returns.reduce((s, r) => s + r, 0) / returns.length;
    const variance = returns.reduce((s, r) => s + (r - mean) ** 2, 0) / (returns.length - 1);
    if (variance > 0) sharpe = (mean / Math.sqrt(variance)) * Math.sqrt(perYear);
    const downside = returns.reduce((s, r) => s + Math.min(r, 0) ** 2, 0) / returns.length;
    if (downside > 0) sortino = (mean / Math.sqrt(downside)) * Math.sqrt(perYear);
  }
  let peak = initialEquity;
  let maxDrawdown = 0;
  for (const p of curve) {
    peak = Math.max(peak, p.equity);
    maxDrawdown = Math.max(maxDrawdown, (peak - p.equity) / peak);
  }
  const wins = trades.filter((t) => t.pnl > 0);
  const grossProfit = wins.reduce((s, t) => s + t.pnl, 0);
  const grossLoss = trades.filter((t) => t.pnl < 0).reduce((s, t) => s - t.pnl, 0);
  return {
    initialEquity,
    finalEquity,
    totalReturn,
    cagr,
    sharpe,
    sortino,
    maxDrawdown,
    calmar: cagr !== null && maxDrawdown > 0 ? cagr / maxDrawdown : null,
    trades: trades.length,
    winRate: trades.length ? wins.length / trades.length : null,
    profitFactor: grossLoss > 0 ? grossProfit / grossLoss : null,
    expectancy: trades.length ? trades.reduce((s, t) => s + t.pnl, 0) / trades.length : null,
    exposure: curve.length ? input.exposedBars / curve.length : 0,
    fees: trades.reduce((s, t) => s + t.fees, 0),
    funding: trades.reduce((s, t) => s + t.funding, 0),
  };
}
