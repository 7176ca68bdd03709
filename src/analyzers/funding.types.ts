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
}

export const DEFAULT_FUNDING_THRESHOLDS: Readonly<FundingThresholds> = {
  extremeZ: 2.5,
  extremeRate: 0.001,
  anomalyZ: 3.5,
  trendWindow: 6,
  flatSlope: 0.00001,
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
}
