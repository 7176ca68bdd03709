import type { Factor } from './types.js';

/** How far a pair's correlation over the window moved away from its longer baseline. */
export const CorrelationBreakSeverities = {
  /** |window − baseline| ≥ `breakLow` (default 0.15). */
  LOW: 'LOW',
  /** |window − baseline| ≥ `breakMedium` (default 0.30). */
  MEDIUM: 'MEDIUM',
  /** |window − baseline| ≥ `breakHigh` (default 0.50). */
  HIGH: 'HIGH',
} as const;
export type CorrelationBreakSeverity = (typeof CorrelationBreakSeverities)[keyof typeof CorrelationBreakSeverities];

export const CorrelationBreakDirections = {
  /** The pair moves together less than it used to (decoupling). */
  WEAKENING: 'WEAKENING',
  /** The pair moves together more than it used to (recoupling, often in stress). */
  STRENGTHENING: 'STRENGTHENING',
} as const;
export type CorrelationBreakDirection = (typeof CorrelationBreakDirections)[keyof typeof CorrelationBreakDirections];

/** Cross-asset regime read from BTC, the alts and sentiment. */
export const CrossAssetRegimes = {
  /** Risk appetite: BTC rising and/or alts outperforming, greed, dominance falling. */
  RISK_ON: 'RISK_ON',
  /** Risk aversion: BTC falling, alts underperforming, fear, dominance rising. */
  RISK_OFF: 'RISK_OFF',
  /** Alts clearly outperform BTC over the window while BTC dominance is not rising. */
  ALTSEASON: 'ALTSEASON',
} as const;
export type CrossAssetRegime = (typeof CrossAssetRegimes)[keyof typeof CrossAssetRegimes];

/** One close of one symbol; candles must be closed, ascending by open time. */
export interface CorrelationBar {
  openTime: number;
  close: number;
}

export interface CorrelationSeries {
  symbol: string;
  bars: readonly CorrelationBar[];
}

export interface CorrelationThresholds {
  /** Minimum overlapping returns for a pair's correlation (otherwise null). Default 30. */
  minSamples: number;
  /** Baseline length as a multiple of the window. Default 4. */
  baselineMultiple: number;
  /** Largest lag (bars) of the cross-correlation, both directions. Default 12. */
  maxLag: number;
  /** |peak| − |lag 0| at or above which a lead/lag is meaningful (also needs |peak| ≥ 2/√n). Default 0.1. */
  leadMargin: number;
  /** Break severities on |window − baseline| Pearson. Defaults 0.15 / 0.30 / 0.50. */
  breakLow: number;
  breakMedium: number;
  breakHigh: number;
  /** Baseline Pearson at or above which a pair is "highly correlated" for divergence signals. Default 0.7. */
  divergenceMinCorrelation: number;
  /** Bars of the recent return spread tested for divergence. Default 12. */
  divergenceBars: number;
  /** |z| of the recent spread at or above which a divergence is reported. Default 2. */
  divergenceZ: number;
  /** Alt − BTC window log return at or above which the regime is ALTSEASON (0.05 ≈ 5 %). Default 0.05. */
  altseasonEdge: number;
  /** Log return that saturates the return factors (tanh scale). Default 0.05. */
  returnScale: number;
  /** Dominance change (percentage points) that saturates the dominance factor. Default 1. */
  dominanceScale: number;
}

export const DEFAULT_CORRELATION_THRESHOLDS: Readonly<CorrelationThresholds> = {
  minSamples: 30,
  baselineMultiple: 4,
  maxLag: 12,
  leadMargin: 0.1,
  breakLow: 0.15,
  breakMedium: 0.3,
  breakHigh: 0.5,
  divergenceMinCorrelation: 0.7,
  divergenceBars: 12,
  divergenceZ: 2,
  altseasonEdge: 0.05,
  returnScale: 0.05,
  dominanceScale: 1,
};

export interface DominancePoint {
  time: number;
  /** Percent, e.g. 56.3. */
  btcDominance: number;
}

export interface CorrelationInput {
  /** Result key (`ALL` for the default configuration). */
  key: string;
  /** Two or more series (distinct symbols). */
  series: readonly CorrelationSeries[];
  /** Bar length in ms (alignment grid). */
  intervalMs: number;
  /** Returns in the window. */
  window: number;
  /** Symbol used as BTC for the regime; default: the first symbol starting with `BTC`. */
  benchmark?: string | null;
  /** CoinGecko dominance observations, ascending (the latest one at least); empty when absent. */
  dominance?: readonly DominancePoint[];
  /** Latest Crypto Fear & Greed value 0..100, null when absent. */
  fearGreed?: { value: number; time: number } | null;
  thresholds?: Partial<CorrelationThresholds>;
  now: number;
}

export interface LeadLag {
  /** The symbol whose returns come first; null when the peak is at lag 0. */
  leader: string | null;
  follower: string | null;
  /** Bars by which the leader leads (0..maxLag). */
  lagBars: number;
  /** Cross-correlation at the peak lag (largest |value|). */
  peakCorrelation: number;
  /** Cross-correlation at lag 0 (same as the pair's Pearson over the lag grid). */
  lag0Correlation: number;
  /** Peak beats lag 0 by ≥ leadMargin and is significant (≥ 2/√n). */
  meaningful: boolean;
  /** Cross-correlation corr(a[t], b[t+k]) for k = −maxLag..maxLag (null where too few samples). */
  profile: (number | null)[];
}

export interface CorrelationPair {
  a: string;
  b: string;
  pearson: number | null;
  spearman: number | null;
  /** Overlapping returns behind pearson/spearman. */
  samples: number;
  baselinePearson: number | null;
  baselineSamples: number;
  /** pearson − baselinePearson. */
  change: number | null;
  leadLag: LeadLag | null;
  /** Alignment: the crypto candle grid (default) or the macro trading calendar (pairs with SPX, DXY, GOLD). */
  calendar?: 'CRYPTO' | 'MACRO';
  /** Returns in the window spanning closed-market gaps (MACRO calendar only; 0 otherwise). */
  gapReturns?: number;
  /** How the pair was aligned, or why it is null. */
  note?: string | null;
}

export interface CorrelationBreak {
  a: string;
  b: string;
  pearson: number;
  baselinePearson: number;
  change: number;
  direction: CorrelationBreakDirection;
  severity: CorrelationBreakSeverity;
  note: string;
}

export interface PairDivergence {
  a: string;
  b: string;
  baselinePearson: number;
  /** Sum of (r_a − r_b) over the last divergenceBars bars (log units). */
  spread: number;
  /** Spread standardised by the window's per-bar spread mean and σ·√bars. */
  zScore: number;
  /** The symbol that outperformed. */
  outperformer: string;
  note: string;
}

export interface CrossAssetRegimeResult {
  regime: CrossAssetRegime;
  /** −1..1: weighted risk appetite (positive = risk on). */
  score: number;
  benchmark: string;
  btcReturn: number;
  altVsBtcReturn: number;
  averageCorrelationToBtc: number | null;
  btcDominance: number | null;
  /** Dominance change over the available history (pp), null without history. */
  dominanceChange: number | null;
  fearGreed: number | null;
  factors: Factor[];
  /** Inputs that were not available (their factors were left out, weights renormalised). */
  missingInputs: string[];
}

export interface CorrelationAnalysis {
  key: string;
  warmingUp: boolean;
  symbols: string[];
  intervalMs: number;
  window: number;
  baselineWindow: number;
  maxLag: number;
  /** Open time of the newest bar on the alignment grid; null when no data. */
  time: number | null;
  /** Rows/columns in `symbols` order; null where a pair has fewer than minSamples overlapping returns. */
  pearson: (number | null)[][];
  spearman: (number | null)[][];
  samples: number[][];
  pairs: CorrelationPair[];
  /** Mean off-diagonal Pearson (null when none). */
  averageCorrelation: number | null;
  breaks: CorrelationBreak[];
  divergences: PairDivergence[];
  regime: CrossAssetRegimeResult | null;
  notes: string[];
  thresholds: CorrelationThresholds;
}
