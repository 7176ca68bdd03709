import type { Factor } from './types.js';

/** Classification of one timeframe (efficiency ratio + slope rule, see computeRegimeAnalysis). */
export const MarketRegimes = {
  TREND_UP: 'TREND_UP',
  TREND_DOWN: 'TREND_DOWN',
  RANGE: 'RANGE',
} as const;
export type MarketRegime = (typeof MarketRegimes)[keyof typeof MarketRegimes];

/** Where a timeframe's candles came from. */
export const TimeframeSources = {
  /** Candles of that interval held by the store. */
  STORE: 'STORE',
  /** Aggregated from complete groups of 4 h candles (6 per UTC day). */
  DERIVED_FROM_4H: 'DERIVED_FROM_4H',
  /** Aggregated from complete groups of 1 h candles (4 per 4 h bar, 24 per UTC day). */
  DERIVED_FROM_1H: 'DERIVED_FROM_1H',
  /** Aggregated from complete groups of 7 daily candles (Monday 00:00 UTC weeks). */
  DERIVED_FROM_1D: 'DERIVED_FROM_1D',
  /** Nothing to classify from. */
  NONE: 'NONE',
} as const;
export type TimeframeSource = (typeof TimeframeSources)[keyof typeof TimeframeSources];

/** Why a timeframe has too few bars to classify. */
export const RegimeShortfalls = {
  /** The source can supply more (a live venue or the simulated market backfills or keeps adding bars): warming up. */
  WARMING_UP: 'WARMING_UP',
  /** The source's recordings (a replay) do not reach back far enough: more bars will never come from it. */
  SOURCE_HISTORY: 'SOURCE_HISTORY',
} as const;
export type RegimeShortfall = (typeof RegimeShortfalls)[keyof typeof RegimeShortfalls];

/** Whether returns tend to continue or revert (variance ratio test). */
export const ReturnTendencies = {
  /** VR > 1 significantly (z ≥ zCritical): returns are positively autocorrelated. */
  TREND_CONTINUATION: 'TREND_CONTINUATION',
  /** VR < 1 significantly (z ≤ −zCritical): returns are negatively autocorrelated. */
  MEAN_REVERSION: 'MEAN_REVERSION',
  /** The random-walk hypothesis is not rejected. */
  RANDOM_WALK: 'RANDOM_WALK',
} as const;
export type ReturnTendency = (typeof ReturnTendencies)[keyof typeof ReturnTendencies];

/** Wyckoff-like phase of the 4 h timeframe. */
export const MarketPhases = {
  /** Range after a decline, with rising OBV or CVD (absorption of supply). */
  ACCUMULATION: 'ACCUMULATION',
  /** Range after an advance, with falling OBV or CVD (supply entering). */
  DISTRIBUTION: 'DISTRIBUTION',
  /** 4 h trending up. */
  MARKUP: 'MARKUP',
  /** 4 h trending down. */
  MARKDOWN: 'MARKDOWN',
  /** A range whose prior move or flow does not support either reading. */
  UNDETERMINED: 'UNDETERMINED',
} as const;
export type MarketPhase = (typeof MarketPhases)[keyof typeof MarketPhases];

export const REGIME_TIMEFRAMES = ['1h', '4h', '1d', '1w'] as const;
export type RegimeTimeframe = (typeof REGIME_TIMEFRAMES)[number];

export interface RegimeCandle {
  openTime: number;
  closeTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** Base-asset taker buy volume (for CVD); 0 ≤ takerBuyVolume ≤ volume; null when the source does not record it. */
  takerBuyVolume: number | null;
}

export interface RegimeThresholds {
  /** Bars of the efficiency ratio and slope window per timeframe. Default 20. */
  lookback: number;
  /** |efficiency ratio| at or above which a timeframe trends. Default 0.3. */
  trendEfficiency: number;
  /** ADX period (trading-signals `ADX`; reported as evidence, not in the rule). Default 14. */
  adxPeriod: number;
  /** Aggregation period q of the variance ratio (1 h returns). Default 4. */
  varianceRatioPeriod: number;
  /** |z| of the variance ratio test at which the random walk is rejected. Default 1.96 (5 %, two-sided). */
  zCritical: number;
  /** Net move (%) of the window before the 4 h range that counts as a prior decline / advance. Default 5. */
  priorMovePct: number;
  /** Weights of 1h, 4h, 1d, 1w in the primary regime vote and confidence. Default 1, 2, 3, 3. */
  weights: Readonly<Record<RegimeTimeframe, number>>;
}

export const DEFAULT_REGIME_THRESHOLDS: Readonly<RegimeThresholds> = {
  lookback: 20,
  trendEfficiency: 0.3,
  adxPeriod: 14,
  varianceRatioPeriod: 4,
  zCritical: 1.96,
  priorMovePct: 5,
  weights: { '1h': 1, '4h': 2, '1d': 3, '1w': 3 },
};

export interface RegimeInput {
  symbol: string;
  /** Closed candles per interval, ascending; 1d/1w may be empty (then derived from 4h/1h, 1d). */
  candles: Readonly<Partial<Record<RegimeTimeframe, readonly RegimeCandle[]>>>;
  thresholds?: Partial<Omit<RegimeThresholds, 'weights'>> & { weights?: Readonly<Record<RegimeTimeframe, number>> };
  /**
   * Spans (epoch ms, ascending) the source's recordings of the symbol cover when its history is bounded
   * (a replay); null or absent: the source can supply more (too few bars is then warming up).
   */
  recordedHistory?: readonly { from: number; to: number }[] | null;
}

export interface TimeframeRegime {
  timeframe: RegimeTimeframe;
  source: TimeframeSource;
  /** Closed candles available (after derivation). */
  bars: number;
  /** False when fewer than lookback + 1 bars: regime and measures are null, `note` says why. */
  hasData: boolean;
  /** Why there are too few bars (null when hasData): warming up, or the source's recordings are too short. */
  shortfall: RegimeShortfall | null;
  regime: MarketRegime | null;
  /** (close_n − close_{n−lookback}) / Σ|Δclose|, −1..1. */
  efficiencyRatio: number | null;
  /** OLS slope of ln(close) over the window, % per bar. */
  slopePctPerBar: number | null;
  adx: number | null;
  /** Close time of the latest bar used. */
  time: number | null;
  note: string;
}

export interface VarianceRatioResult {
  /** Aggregation period q. */
  period: number;
  /** Returns used (T). */
  returns: number;
  /** Lo–MacKinlay VR(q) with the overlapping, bias-corrected estimator. */
  ratio: number;
  /** Homoskedastic z statistic. */
  z: number;
}

export interface PhaseEvidence {
  /** Net change (%) of the `lookback` 4 h bars before the current window. */
  priorChangePct: number;
  /** (max high − min low) / min low × 100 of the current window. */
  rangeWidthPct: number;
  /** OLS slope of OBV over the window / mean bar volume (per bar). */
  obvSlope: number;
  /**
   * OLS slope of CVD over the window / mean bar volume (per bar); null when a bar of the window has no
   * taker-buy volume: the phase is then read from OBV alone (see cvdNote).
   */
  cvdSlope: number | null;
  /** Why cvdSlope is null; null when it was measured. */
  cvdNote: string | null;
}

export interface RegimeAnalysis {
  symbol: string;
  /** True when no timeframe has enough bars. */
  warmingUp: boolean;
  /** Close time of the latest 1 h (else 4 h) bar. */
  time: number | null;
  timeframes: TimeframeRegime[];
  /** Weighted vote of the timeframes with data; RANGE on a tie. */
  primaryRegime: MarketRegime | null;
  /** Timeframes (with data) whose regime equals the primary one. */
  agreement: number;
  /** Timeframes with data. */
  timeframesWithData: number;
  /** 100 × weight of agreeing timeframes / weight of all four (missing timeframes lower it). */
  confidence: number;
  varianceRatio: VarianceRatioResult | null;
  /** Hurst exponent by rescaled range (R/S) on 1 h log returns. */
  hurst: number | null;
  tendency: ReturnTendency | null;
  phase: MarketPhase | null;
  phaseEvidence: PhaseEvidence | null;
  factors: Factor[];
  thresholds: RegimeThresholds;
}
