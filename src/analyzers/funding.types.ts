import type { Factor } from './types.js';

export const FundingTrends = { RISING: 'RISING', FALLING: 'FALLING', FLAT: 'FLAT' } as const;
export type FundingTrend = (typeof FundingTrends)[keyof typeof FundingTrends];

/** Who is crowded according to funding: positive funding means longs pay shorts. */
export const FundingSignals = {
  OVERHEATED_LONGS: 'OVERHEATED_LONGS',
  LONG_BIAS: 'LONG_BIAS',
  NEUTRAL: 'NEUTRAL',
  SHORT_BIAS: 'SHORT_BIAS',
  OVERHEATED_SHORTS: 'OVERHEATED_SHORTS',
} as const;
export type FundingSignal = (typeof FundingSignals)[keyof typeof FundingSignals];

/** Sign of a settled rate. */
export const FundingSigns = { POSITIVE: 'POSITIVE', ZERO: 'ZERO', NEGATIVE: 'NEGATIVE' } as const;
export type FundingSign = (typeof FundingSigns)[keyof typeof FundingSigns];

/**
 * Level band of a settled rate (per interval). Asymmetric on purpose: venues pay a positive interest
 * baseline (Binance 0.01 % per 8 h) when the premium is small, so 0..baselineRate is the resting level.
 */
export const FundingBands = {
  /** rate ≤ −elevatedRate */
  STRONGLY_NEGATIVE: 'STRONGLY_NEGATIVE',
  /** −elevatedRate < rate < 0 */
  NEGATIVE: 'NEGATIVE',
  /** 0 ≤ rate ≤ baselineRate */
  BASELINE: 'BASELINE',
  /** baselineRate < rate < elevatedRate */
  ELEVATED: 'ELEVATED',
  /** rate ≥ elevatedRate */
  STRONGLY_POSITIVE: 'STRONGLY_POSITIVE',
} as const;
export type FundingBand = (typeof FundingBands)[keyof typeof FundingBands];

/** Where a stretched rate is expected to go: back toward its mean. */
export const FundingReversionSignals = { REVERT_DOWN: 'REVERT_DOWN', NONE: 'NONE', REVERT_UP: 'REVERT_UP' } as const;
export type FundingReversionSignal = (typeof FundingReversionSignals)[keyof typeof FundingReversionSignals];

export interface FundingSettlement {
  /** Raw fraction per interval (0.0001 = 0.01 %). */
  rate: number;
  fundingTime: number;
}

export interface FundingThresholds {
  /** |z| at or above which the rate is extreme. Default 2.5. */
  extremeZ: number;
  /** |rate| per interval at or above which the rate is extreme regardless of history. Default 0.001 (0.1 %). */
  extremeRate: number;
  /** |z| at or above which the reading is an anomaly. Default 3.5. */
  anomalyZ: number;
  /** Settlements in the trend regression. Default 6 (two days at 8 h). */
  trendWindow: number;
  /** |slope| per settlement below which the trend is FLAT. Default 0.00001 (0.001 %). */
  flatSlope: number;
  /** Upper edge of the BASELINE band (per interval). Default 0.0001 (0.01 %, Binance's interest baseline at 8 h). */
  baselineRate: number;
  /** |rate| at or beyond which the band is STRONGLY_POSITIVE / STRONGLY_NEGATIVE. Default 0.0003 (0.03 %). */
  elevatedRate: number;
  /** |z| at or above which the mean-reversion signal fires. Default 2. */
  reversionZ: number;
  /** Half-width of the band around the current rate within which earlier readings count as similar. Default 0.00005 (0.005 %). */
  reversalBand: number;
  /** Settlements after a similar reading within which a sign flip counts as a reversal. Default 3 (one day at 8 h). */
  reversalHorizon: number;
  /** Fewest similar readings for a reversal probability. Default 10. */
  minReversalSamples: number;
}

export const DEFAULT_FUNDING_THRESHOLDS: Readonly<FundingThresholds> = {
  extremeZ: 2.5,
  extremeRate: 0.001,
  anomalyZ: 3.5,
  trendWindow: 6,
  flatSlope: 0.00001,
  baselineRate: 0.0001,
  elevatedRate: 0.0003,
  reversionZ: 2,
  reversalBand: 0.00005,
  reversalHorizon: 3,
  minReversalSamples: 10,
};

export interface FundingInput {
  symbol: string;
  /** Settled rates, oldest first. The last one is the current settled rate. */
  settlements: readonly FundingSettlement[];
  /** Live estimate for the next settlement when the source publishes one. */
  predictedRate: number | null;
  /** Next settlement time (epoch ms); null when unknown. */
  nextFundingTime: number | null;
  fundingIntervalHours: number;
  /** Settlements before the current one used for mean/std/z-score. */
  historyWindow: number;
  /** Evaluation time (epoch ms). */
  now: number;
  thresholds?: Partial<FundingThresholds>;
}

export interface FundingAnalysis {
  symbol: string;
  /** True when there are too few settlements for statistics; statistics are then null, never invented. */
  warmingUp: boolean;
  /** Latest settled rate (raw fraction per interval). */
  rate: number;
  predictedRate: number | null;
  /** rate × settlements per year (fraction, 0.1095 = 10.95 % APR). */
  annualizedRate: number;
  predictedAnnualizedRate: number | null;
  fundingIntervalHours: number;
  nextFundingTime: number | null;
  timeToNextFundingMs: number | null;
  lastFundingTime: number;
  /** Mean and sample standard deviation of the history window (excluding the current settlement). */
  mean: number | null;
  stdDev: number | null;
  zScore: number | null;
  /** Number of settlements the statistics used. */
  sampleSize: number;
  trend: FundingTrend;
  /** OLS slope of the last `trendWindow` settlements, rate units per settlement. */
  trendSlope: number;
  isExtreme: boolean;
  isAnomaly: boolean;
  signal: FundingSignal;
  /** Composite −100..100: positive = longs crowded (paying), negative = shorts crowded. */
  score: number;
  factors: Factor[];
  /** Percentile rank (0..100, ties half) of the current rate among the history window; null while warming up. */
  percentile: number | null;
  persistence: FundingPersistence;
  meanReversion: FundingMeanReversion;
  reversal: FundingReversal;
}

/** How long the current reading has held, counted over the settlements given (the current one included). */
export interface FundingPersistence {
  sign: FundingSign;
  /** Consecutive settlements, ending with the current one, with the current sign. */
  signStreak: number;
  /** fundingTime of the first settlement of that streak. */
  signSince: number;
  /** True when the streak runs back to the oldest settlement available: the real streak may be longer. */
  signStreakTruncated: boolean;
  band: FundingBand;
  bandStreak: number;
  bandSince: number;
  bandStreakTruncated: boolean;
}

export interface FundingMeanReversion {
  /** REVERT_DOWN when z ≥ reversionZ, REVERT_UP when z ≤ −reversionZ, else NONE (also while warming up). */
  signal: FundingReversionSignal;
  /** Lag-1 autocorrelation of the window (history + current); null with fewer than 10 pairs or no variance. */
  autocorrelation: number | null;
  /** ln ½ / ln φ in settlements for 0 < φ < 1 (AR(1) half-life of a deviation); else null. */
  halfLifeSettlements: number | null;
  /** mean + φ × (rate − mean): the AR(1) expectation for the next settlement; null without mean or φ. */
  expectedNextRate: number | null;
  note: string;
}

export interface FundingReversal {
  /** flips / sampleSize; null when sampleSize < minReversalSamples or the current rate is 0. */
  probability: number | null;
  /** Earlier readings in the window with the current sign, within ±band of the current rate, and `horizon` settlements observed after them. */
  sampleSize: number;
  /** How many of them were followed by a settlement of the opposite sign within `horizon` settlements. */
  flips: number;
  horizon: number;
  band: number;
  note: string;
}
