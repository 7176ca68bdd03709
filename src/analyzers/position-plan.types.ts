import type { BracketTable, PositionSide } from './liquidation-heatmap.types.js';

/**
 * Position sizing and portfolio risk. These analyzers plan: they compute sizes, margins and liquidation
 * prices from numbers the caller gives and from the latest analyses; they never place, change or cancel an
 * order, and nothing in perpgraph can.
 */

/** One number of a plan and how it was obtained. */
export interface PlanFactor {
  /** Stable machine name, e.g. `riskBudget`. */
  name: string;
  /** The number (units in `note`); null when it could not be computed (the note says why). */
  value: number | null;
  /** The formula with the inputs filled in, e.g. `10000 × 1 / 100`. */
  formula: string;
  /** Plain-language explanation. */
  note: string;
}

/** Why a plan was refused: each is a coded BAD_USER_INPUT at the API. */
export const PlanRefusalReasons = {
  /** The stop is on the profit side of the entry (above it for a long, below for a short) or at it. */
  STOP_WRONG_SIDE: 'STOP_WRONG_SIDE',
  /** A requested leverage liquidates before the stop (or within the safety buffer beyond it). */
  LEVERAGE_LIQUIDATES_BEFORE_STOP: 'LEVERAGE_LIQUIDATES_BEFORE_STOP',
  /** Even 1x liquidates before the stop (a short whose stop is about twice the entry or more). */
  NO_SAFE_LEVERAGE: 'NO_SAFE_LEVERAGE',
  /** A target is on the loss side of the entry. */
  TARGET_WRONG_SIDE: 'TARGET_WRONG_SIDE',
  /** peakEquity below the current equity (the peak includes now). */
  PEAK_BELOW_EQUITY: 'PEAK_BELOW_EQUITY',
  /** A portfolio position whose stop has already been crossed by the price its risk is measured from. */
  STOP_CROSSED: 'STOP_CROSSED',
} as const;
export type PlanRefusalReason = (typeof PlanRefusalReasons)[keyof typeof PlanRefusalReasons];

/**
 * A plan the analyzer will not make, with the numbers behind the refusal. Not a GraphQL error (analyzers
 * know nothing of GraphQL): src/errors.ts maps it to BAD_USER_INPUT with `reason` and `details`.
 */
export class PlanRefusedError extends Error {
  constructor(
    readonly reason: PlanRefusalReason,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'PlanRefusedError';
  }
}

/** One step of the drawdown schedule: from `fromDrawdownPct` (inclusive) the size multiplier is `multiplier`. */
export interface DrawdownStep {
  /** Drawdown from the peak, percent (5 = 5 %), at or above which this step applies. */
  fromDrawdownPct: number;
  multiplier: number;
}

/**
 * Default drawdown schedule: below 5 % full size, 5–10 % three quarters, 10–20 % half, from 20 % a quarter.
 * Why these steps: the gain needed to recover a drawdown d is d / (1 − d) (5 % → 5.3 %, 10 % → 11.1 %,
 * 20 % → 25 %, 30 % → 42.9 %); it grows faster than d, so risk per trade is cut while the hole deepens,
 * and a losing streak at a quarter size digs four times more slowly. The steps are the ones the issue
 * names and the usual prop-desk practice of halving size at a 10 % drawdown; they are a rule of thumb, not
 * an optimum, and can be replaced with `drawdownSchedule`.
 */
export const DEFAULT_DRAWDOWN_SCHEDULE: readonly DrawdownStep[] = [
  { fromDrawdownPct: 0, multiplier: 1 },
  { fromDrawdownPct: 5, multiplier: 0.75 },
  { fromDrawdownPct: 10, multiplier: 0.5 },
  { fromDrawdownPct: 20, multiplier: 0.25 },
];

export interface DrawdownGuard {
  peakEquity: number;
  equity: number;
  /** (peak − equity) / peak × 100. */
  drawdownPct: number;
  /** Size multiplier of the schedule step the drawdown falls in. */
  multiplier: number;
  /** The step applied, e.g. `10 % ≤ drawdown < 20 % → 0.5`. */
  step: string;
  /** Gain that recovers the drawdown, percent: d / (1 − d) × 100. */
  recoveryGainPct: number;
}

/** What the plan takes from the VOLATILITY analysis (null when there is none). */
export interface PlanVolatility {
  /** The analysis' riskMultiplier; null while it warms up. */
  riskMultiplier: number | null;
  regime: string | null;
  /** ATR of the same analysis (quote currency), used for the liquidation buffer; null while warming up. */
  atr: number | null;
  /** True when the analysis' inputs are overdue (meta.stale): its multiplier is then not used. */
  stale: boolean;
}

export interface PositionPlanThresholds {
  /** Minimum gap between the stop and the liquidation price, percent of the entry. Default 0.5. */
  liquidationBufferPct: number;
  /** Minimum gap between the stop and the liquidation price in ATRs (when an ATR is known). Default 0.5. */
  liquidationBufferAtr: number;
  /** Leverages listed when the caller asks for none (those up to the max safe leverage are kept). */
  leverageLadder: readonly number[];
}

export const DEFAULT_POSITION_PLAN_THRESHOLDS: Readonly<PositionPlanThresholds> = {
  liquidationBufferPct: 0.5,
  liquidationBufferAtr: 0.5,
  leverageLadder: [1, 2, 3, 5, 10, 20, 25, 50, 75, 100, 125],
};

export interface PositionPlanInput {
  symbol: string;
  side: PositionSide;
  /** Account equity (quote currency), > 0. */
  equity: number;
  /** Share of equity lost if the stop is hit, percent (1 = 1 %), > 0. */
  riskPct: number;
  entry: number;
  /** Whether `entry` was given by the caller or is the current market price. */
  entrySource: 'INPUT' | 'MARKET';
  stop: number;
  /** Optional take-profit prices (profit side of the entry). */
  targets?: readonly number[];
  /** Leverages to plan; each must be safe or the plan is refused. Default: the ladder up to the max safe leverage. */
  leverages?: readonly number[] | null;
  /** The VOLATILITY analysis of the symbol; null when there is none. */
  volatility: PlanVolatility | null;
  /** Allow a volatility multiplier above 1 (size up in calm markets). Default false: volatility only shrinks the risk asked for. */
  allowUpsize?: boolean;
  /** Peak equity for the drawdown guard; null or absent: no guard. */
  peakEquity?: number | null;
  drawdownSchedule?: readonly DrawdownStep[];
  bracketTable: BracketTable;
  thresholds?: Partial<PositionPlanThresholds>;
}

export interface LeverageOption {
  leverage: number;
  /** Initial margin = notional / leverage (isolated). */
  margin: number;
  /** margin / equity × 100. */
  marginOfEquityPct: number;
  /** Binance isolated-margin liquidation price at this leverage. */
  liquidationPrice: number;
  /** |liquidation − entry| / entry × 100. */
  liquidationDistancePct: number;
  /** How far beyond the stop the liquidation lies (price units, ≥ the buffer for a safe leverage). */
  beyondStop: number;
  /** margin ≤ equity: the account can post this margin. */
  affordable: boolean;
}

export interface PlanTarget {
  price: number;
  /** (target − entry) / (entry − stop), sign-adjusted for the side: reward in units of the risk R. */
  rMultiple: number;
  /** quantity × |target − entry| (quote currency). */
  reward: number;
  /** |target − entry| / entry × 100. */
  distancePct: number;
}

export interface PositionPlan {
  symbol: string;
  side: PositionSide;
  entry: number;
  entrySource: 'INPUT' | 'MARKET';
  stop: number;
  /** |entry − stop|. */
  stopDistance: number;
  /** stopDistance / entry × 100. */
  stopDistancePct: number;
  equity: number;
  riskPct: number;
  /** equity × riskPct / 100: what the stop may cost before multipliers. */
  riskBudget: number;
  /** riskBudget / stopDistance (base asset). */
  baseQuantity: number;
  /** The volatility multiplier applied (capped at 1 unless allowUpsize); null when unavailable (`volatilityNote` says why). */
  volatilityMultiplier: number | null;
  /** The analysis' own multiplier before the cap; null when unavailable. */
  volatilityMultiplierRaw: number | null;
  volatilityRegime: string | null;
  /** True when the size is scaled by volatility; false when the multiplier was unavailable (size unscaled). */
  volatilityScaled: boolean;
  volatilityNote: string;
  drawdown: DrawdownGuard | null;
  /** (volatilityMultiplier ?? 1) × (drawdown multiplier ?? 1). */
  sizeMultiplier: number;
  /** baseQuantity × sizeMultiplier (base asset). */
  quantity: number;
  /** quantity × entry (quote currency). */
  notional: number;
  /** quantity × stopDistance: the loss at the stop (quote currency, fees and slippage aside). */
  riskAmount: number;
  /** riskAmount / equity × 100. */
  riskAmountPct: number;
  /** The maintenance bracket of `notional` and the table it comes from. */
  bracket: { table: string; tableAsOf: string; bracket: number; maxLeverage: number; maintenanceMarginRate: number; maintenanceAmount: number };
  /** Required gap between stop and liquidation (price units): max(bufferPct × entry, bufferAtr × ATR). */
  liquidationBuffer: number;
  /** Largest integer leverage whose liquidation lies beyond the stop by at least the buffer (and allowed by the bracket). */
  maxSafeLeverage: number;
  /** notional / equity: the leverage at which the margin uses the whole equity (below it the margin exceeds equity). */
  minLeverageForEquity: number;
  leverages: LeverageOption[];
  targets: PlanTarget[];
  factors: PlanFactor[];
  notes: string[];
  thresholds: PositionPlanThresholds;
}

// --- Portfolio ---

export interface PortfolioPositionInput {
  symbol: string;
  side: PositionSide;
  /** Position size in the base asset, > 0. */
  quantity: number;
  /** Price the risk is measured from (the entry of a planned position, the current price of an open one). */
  price: number;
  priceSource: 'INPUT' | 'MARKET';
  stop: number;
}

/** Pairwise correlations of the CORRELATION analysis (rows/columns in `symbols` order; null = too few returns). */
export interface PortfolioCorrelations {
  symbols: readonly string[];
  pearson: readonly (readonly (number | null)[])[];
}

export interface PortfolioRiskInput {
  positions: readonly PortfolioPositionInput[];
  equity: number;
  peakEquity?: number | null;
  drawdownSchedule?: readonly DrawdownStep[];
  /** Null when there is no correlation result: every pair is then unknown. */
  correlations: PortfolioCorrelations | null;
}

export const CorrelationSources = {
  /** From the CORRELATION analysis (Pearson of 1 h log returns). */
  MEASURED: 'MEASURED',
  /** Two positions in the same symbol: correlation 1. */
  SAME_SYMBOL: 'SAME_SYMBOL',
  /** Unknown: the signed risks are taken as perfectly correlated (no hedge or diversification credit). */
  ASSUMED_WORST: 'ASSUMED_WORST',
} as const;
export type CorrelationSource = (typeof CorrelationSources)[keyof typeof CorrelationSources];

export interface PortfolioPair {
  /** Indexes into `positions`. */
  a: number;
  b: number;
  symbolA: string;
  symbolB: string;
  /** Correlation of the two symbols' returns used (for ASSUMED_WORST: sideA × sideB, i.e. 1 or −1). */
  correlation: number;
  source: CorrelationSource;
}

export interface PortfolioPositionRisk {
  symbol: string;
  side: PositionSide;
  quantity: number;
  price: number;
  priceSource: 'INPUT' | 'MARKET';
  stop: number;
  /** quantity × price. */
  notional: number;
  /** quantity × |price − stop|. */
  risk: number;
  /** risk / equity × 100. */
  riskPct: number;
  /** risk / total risk. */
  riskShare: number;
  /** Euler share of the correlated risk: w_i (Cw)_i / (wᵀCw); shares sum to 1 (a hedge has a negative share). */
  correlatedRiskShare: number | null;
  /** notional / gross notional. */
  notionalShare: number;
}

export interface DirectionConcentration {
  longNotional: number;
  shortNotional: number;
  grossNotional: number;
  /** long − short. */
  netNotional: number;
  /** long / gross; null without positions. */
  longShare: number | null;
  shortShare: number | null;
  /** gross / equity. */
  grossLeverage: number;
  /** net / equity (signed: negative = net short). */
  netLeverage: number;
  /** LONG or SHORT when its share is above one half, null when balanced or empty. */
  dominantSide: PositionSide | null;
}

export interface PortfolioRisk {
  equity: number;
  /** Σ risk_i: the loss if every stop is hit. */
  totalRisk: number;
  /** totalRisk / equity × 100. */
  heatPct: number;
  /** √(wᵀCw), w_i = side_i × risk_i. */
  correlatedRisk: number;
  correlatedHeatPct: number;
  /** correlatedRisk / totalRisk (1: no diversification credit); null without risk. */
  diversificationRatio: number | null;
  /** Pairs whose correlation was unknown (ASSUMED_WORST). */
  unknownCorrelations: number;
  pairs: PortfolioPair[];
  positions: PortfolioPositionRisk[];
  concentration: DirectionConcentration;
  drawdown: DrawdownGuard | null;
  factors: PlanFactor[];
  notes: string[];
}
