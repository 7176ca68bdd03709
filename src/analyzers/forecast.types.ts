import type { Factor } from './types.js';

/** Forecast horizons, in bars of the 1 h series: H1 = 1, H4 = 4, D1 = 24. */
export const ForecastHorizons = {
  /** One hour ahead (1 bar). */
  H1: 'H1',
  /** Four hours ahead (4 bars). */
  H4: 'H4',
  /** One day ahead (24 bars). */
  D1: 'D1',
} as const;
export type ForecastHorizon = (typeof ForecastHorizons)[keyof typeof ForecastHorizons];

/** Hours (bars of the default 1 h series) of each horizon. */
export const HORIZON_HOURS: Readonly<Record<ForecastHorizon, number>> = { H1: 1, H4: 4, D1: 24 };
export const FORECAST_HORIZON_ORDER: readonly ForecastHorizon[] = ['H1', 'H4', 'D1'];

/** Central interval levels reported and evaluated. */
export const FORECAST_LEVELS = [0.5, 0.8, 0.95] as const;

export interface ForecastCandle {
  openTime: number;
  closeTime: number;
  close: number;
}

export interface ForecastThresholds {
  /** Fewest log returns (of one contiguous run) the model is fitted on; fewer → warming up. Default 200. */
  minFitReturns: number;
  /** Returns before the first out-of-sample origin of the evaluation (the first training window). Default 300. */
  evaluationStart: number;
  /** The evaluation refits the model every this many bars (between refits it only filters). Default 24. */
  refitEvery: number;
  /** Fewest evaluated origins of a horizon before its evaluation is reported (else null with a reason). Default 100. */
  minEvaluationSamples: number;
  /** |observed − nominal coverage| at most this is calibrated. Default 0.05. */
  calibrationTolerance: number;
  /** z of the log-score test: the model beats the baseline when the mean difference exceeds z × its standard error. Default 1.96. */
  beatZ: number;
}

export const DEFAULT_FORECAST_THRESHOLDS: Readonly<ForecastThresholds> = {
  minFitReturns: 200,
  evaluationStart: 300,
  refitEvery: 24,
  minEvaluationSamples: 100,
  calibrationTolerance: 0.05,
  beatZ: 1.96,
};

export interface ForecastInput {
  symbol: string;
  /** Bar length of the candles (ms); the horizons count in hours, so it must divide 1 h (default 1 h bars). */
  intervalMs: number;
  /** Closed candles, oldest first. */
  candles: readonly ForecastCandle[];
  /** Horizons to report (default all three); the evaluation always covers these only. */
  horizons?: readonly ForecastHorizon[];
  thresholds?: Partial<ForecastThresholds>;
}

/** A GARCH(1,1) fitted by Gaussian quasi maximum likelihood with variance targeting. */
export interface GarchFit {
  /** ω = σ̄²(1 − α − β) (variance targeting). */
  omega: number;
  /** Weight of the last squared shock. */
  alpha: number;
  /** Weight of the last conditional variance. */
  beta: number;
  /** α + β (< 1: stationary). */
  persistence: number;
  /** Bars for a variance shock to halve, ln ½ / ln(α + β); null when α + β = 0. */
  halfLifeBars: number | null;
  /** σ̄²: sample variance of the returns about their mean (the targeted unconditional variance). */
  unconditionalVariance: number;
  /** Gaussian log-likelihood at the optimum (constant term included). */
  logLikelihood: number;
  /** Log returns fitted. */
  returns: number;
  /** Sample mean log return per bar. */
  sampleMean: number;
  /** Standard error of the sample mean, σ̄ / √n. */
  sampleMeanStandardError: number;
  /** Shrinkage factor applied to the mean, max(0, 1 − (SE / mean)²), 0..1. */
  driftShrinkage: number;
  /** Drift per bar used by the forecast: sampleMean × driftShrinkage. */
  drift: number;
  /** Conditional variance of the next bar's return. */
  nextVariance: number;
}

export interface ForecastInterval {
  /** Nominal central coverage, 0.5, 0.8 or 0.95. */
  level: number;
  /** Lower price bound (quote currency). */
  low: number;
  /** Upper price bound (quote currency). */
  high: number;
  /** Lower bound as a log return from the last close. */
  lowReturn: number;
  /** Upper bound as a log return from the last close. */
  highReturn: number;
}

export interface HorizonForecast {
  horizon: ForecastHorizon;
  /** Bars ahead. */
  steps: number;
  /** Close time of the bar the forecast is about. */
  targetTime: number;
  /** Expected log return from the last close to the target (drift × steps). */
  expectedReturn: number;
  /** Price at the expected log return, close × exp(expectedReturn). */
  expectedPrice: number;
  /** Standard deviation of the log return to the target: √(Σ of the GARCH variance forecasts). */
  volatility: number;
  /** Fraction of the filtered-historical-simulation distribution above the last close, 0..1. */
  upProbability: number;
  intervals: ForecastInterval[];
  factors: Factor[];
  /** From the evaluation: the model beats the random-walk baseline out of sample at this horizon; null when not evaluated. */
  beatsBaseline: boolean | null;
  /** From the evaluation: the 80 % interval is calibrated at this horizon; null when not evaluated. */
  calibrated: boolean | null;
}

export interface CoverageCell {
  horizon: ForecastHorizon;
  level: number;
  /** Nominal coverage (= level). */
  expected: number;
  /** Share of realised outcomes inside the interval, fraction. */
  observed: number;
  samples: number;
  /** |observed − expected| ≤ calibrationTolerance. */
  calibrated: boolean;
}

export interface LogScoreComparison {
  /** Mean Gaussian log density of the realised outcome under the model. */
  model: number;
  /** Same under the random walk: zero drift, variance = steps × the training sample variance. */
  baseline: number;
  /** model − baseline (positive: the model is better). */
  difference: number;
  /** Newey–West standard error of the difference (steps − 1 lags: overlapping outcomes). */
  standardError: number;
  samples: number;
}

export interface HitRate {
  /** Share of directional calls (upProbability ≠ 0.5) whose sign matched the realised return. */
  rate: number;
  /** Wilson 95 % interval on the effective sample. */
  low: number;
  high: number;
  /** Directional calls evaluated. */
  samples: number;
  /** samples / steps: overlapping outcomes count once per horizon length. */
  effectiveSamples: number;
}

export interface HorizonEvaluation {
  horizon: ForecastHorizon;
  steps: number;
  /** Out-of-sample origins evaluated. */
  samples: number;
  /** Per level; empty when unavailable. */
  coverage: CoverageCell[];
  logScore: LogScoreComparison | null;
  hitRate: HitRate | null;
  /** difference > beatZ × standardError; null when unavailable. */
  beatsBaseline: boolean | null;
  /** Why this horizon has no evaluation (too few origins); null when it has one. */
  reason: string | null;
}

export interface ForecastEvaluation {
  /** Close time of the first and last evaluated origin. */
  from: number;
  to: number;
  refitEvery: number;
  /** Returns in the first training window. */
  evaluationStart: number;
  horizons: HorizonEvaluation[];
}

export interface ForecastAnalysis {
  symbol: string;
  /** Bar length (ms). */
  intervalMs: number;
  /** Close time of the last closed candle; null without candles. */
  time: number | null;
  /** Last close; null without candles. */
  close: number | null;
  /** Log returns of the contiguous run the model uses. */
  returns: number;
  /** Too few returns to fit: horizons empty, see reason. */
  warmingUp: boolean;
  /** Why there is no forecast; null when there is one. */
  reason: string | null;
  model: GarchFit | null;
  horizons: HorizonForecast[];
  evaluation: ForecastEvaluation | null;
  /** Why there is no evaluation; null when there is one. */
  evaluationReason: string | null;
  /** True only when every requested horizon beats its baseline out of sample; null without an evaluation. */
  beatsBaseline: boolean | null;
  thresholds: ForecastThresholds;
}
