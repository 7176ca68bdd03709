import type { Candle } from '../domain/market.js';
import type { FundingSettlement } from '../analyzers/funding.types.js';

/** Side of a backtest position. */
export const BacktestSides = { LONG: 'LONG', SHORT: 'SHORT' } as const;
export type BacktestSide = (typeof BacktestSides)[keyof typeof BacktestSides];

/** How an entry is filled: MARKET at the next bar's open, LIMIT/STOP when a later bar trades to `price`. */
export const EntryOrderTypes = { MARKET: 'MARKET', LIMIT: 'LIMIT', STOP: 'STOP' } as const;
export type EntryOrderType = (typeof EntryOrderTypes)[keyof typeof EntryOrderTypes];

/** Why a trade was closed. */
export const ExitReasons = { STOP: 'STOP', TARGET: 'TARGET', SIGNAL: 'SIGNAL', TIME: 'TIME', END: 'END' } as const;
export type ExitReason = (typeof ExitReasons)[keyof typeof ExitReasons];

/** What a strategy decides at the close of a bar; acted on from the next bar on. */
export type Intent =
  | { action: 'HOLD' }
  | { action: 'EXIT' }
  | {
      action: 'ENTER';
      side: BacktestSide;
      type: EntryOrderType;
      /** Order price for LIMIT/STOP; ignored for MARKET. */
      price?: number;
      /** Protective stop (price) or null. */
      stop: number | null;
      /** Take-profit (price) or null. */
      target: number | null;
      /** A LIMIT/STOP order not filled within this many bars is cancelled. Default 1. */
      expiryBars?: number;
      /** Close at the open after this many bars in the trade; null to hold until a stop, target or signal. */
      maxHoldBars?: number | null;
    };

/** What a strategy sees at the close of bar k: bars 0..k only and settlements up to that close. */
export interface StrategyView {
  k: number;
  /** Closed bars 0..k (a prefix of the run; never a later bar). */
  candles: readonly Candle[];
  /** Funding settlements with fundingTime ≤ the close of bar k. */
  funding: readonly FundingSettlement[];
  /** Side of the open position, null when flat. */
  position: BacktestSide | null;
}

export type Strategy = (view: StrategyView) => Intent;

export interface BacktestCosts {
  /** Fee per fill, basis points of the filled notional. */
  feeBps: number;
  /** Every fill moves against the trader by this many basis points. */
  slippageBps: number;
}

export interface SimulationInput {
  candles: readonly Candle[];
  funding?: readonly FundingSettlement[];
  strategy: Strategy;
  costs: BacktestCosts;
  initialEquity: number;
  /** Position notional at entry as a fraction of equity (1 = unlevered, 2 = 2× leverage). Default 1. */
  positionFraction?: number;
  /** Bars before the first strategy call (the analyses warm up). Default 0. */
  warmUpBars?: number;
  /** Called every `progressEvery` bars with bars done and total. */
  onProgress?: (done: number, total: number) => void;
  progressEvery?: number;
}

export interface BacktestTrade {
  side: BacktestSide;
  entryTime: number;
  /** Fill price after slippage. */
  entryPrice: number;
  exitTime: number;
  exitPrice: number;
  quantity: number;
  exitReason: ExitReason;
  /** Fees paid on both fills (quote). */
  fees: number;
  /** Funding received (positive) or paid (negative) while open (quote). */
  funding: number;
  /** Price P&L − fees + funding (quote). */
  pnl: number;
  /** pnl / entry notional. */
  returnFraction: number;
  bars: number;
}

export interface EquityPoint {
  time: number;
  equity: number;
}

export interface BacktestMetrics {
  initialEquity: number;
  finalEquity: number;
  totalReturn: number;
  /** Compound annual growth rate; null for a run shorter than one bar. */
  cagr: number | null;
  /** Annualised, risk-free 0, from bar returns; null with fewer than two bars or no variance. */
  sharpe: number | null;
  sortino: number | null;
  /** Largest peak-to-trough fall of the equity curve, fraction of the peak (≥ 0). */
  maxDrawdown: number;
  /** CAGR / max drawdown; null without a drawdown. */
  calmar: number | null;
  trades: number;
  /** Winning trades / trades; null without trades. */
  winRate: number | null;
  /** Gross profit / gross loss; null without a losing trade. */
  profitFactor: number | null;
  /** Mean net P&L per trade (quote); null without trades. */
  expectancy: number | null;
  /** Bars with an open position / bars simulated. */
  exposure: number;
  fees: number;
  funding: number;
}

export interface BacktestResult {
  metrics: BacktestMetrics;
  equityCurve: EquityPoint[];
  trades: BacktestTrade[];
  /** Bars simulated (after the warm-up). */
  bars: number;
  from: number;
  to: number;
}
