import type { Factor } from './types.js';

/** Four volatility states, from the percentile rank of ATR% against its own recent history. */
export const VolatilityRegimes = {
  /** ATR% below the `highVolPercentile` of its history: ordinary conditions. */
  STABLE: 'STABLE',
  /** ATR% at or above `highVolPercentile`: wider than usual ranges. */
  HIGH_VOL: 'HIGH_VOL',
  /** ATR% at or above `explosivePercentile`: expansion, stops and sizes need adjusting. */
  EXPLOSIVE: 'EXPLOSIVE',
  /** ATR% at or above `extremePercentile`: the top few percent of its history (crash / squeeze bars). */
  EXTREME: 'EXTREME',
} as const;
export type VolatilityRegime = (typeof VolatilityRegimes)[keyof typeof VolatilityRegimes];

/** Order of the regimes (row/column order of the transition matrix). */
export const VOLATILITY_REGIME_ORDER: readonly VolatilityRegime[] = ['STABLE', 'HIGH_VOL', 'EXPLOSIVE', 'EXTREME'];

export interface VolatilityCandle {
  openTime: number;
  closeTime: number;
  /** Opening price (Garman–Klass uses the open-to-close move inside the bar). */
  open: number;
  high: number;
  low: number;
  close: number;
}

export interface VolatilityThresholds {
  /** ATR period (Wilder smoothing, trading-signals `ATR`). Default 14. */
  atrPeriod: number;
  /** Bollinger band period. Default 20. */
  bbPeriod: number;
  /** Bollinger band width in population standard deviations. Default 2. */
  bbStdDev: number;
  /** Log returns in the realized-volatility window. Default 20. */
  realizedVolWindow: number;
  /** ATR% readings before a bar that its percentile rank is taken against (rolling). Default 250. */
  percentileLookback: number;
  /** Minimum ATR% readings before a bar can be classified (otherwise warming up). Default 50. */
  minHistory: number;
  /** Percentile (0..100) of ATR% at or above which the regime is HIGH_VOL. Default 60. */
  highVolPercentile: number;
  /** Percentile at or above which the regime is EXPLOSIVE. Default 85. */
  explosivePercentile: number;
  /** Percentile at or above which the regime is EXTREME. Default 97. */
  extremePercentile: number;
  /** Bars ahead of the persistence (clustering) probability. Default 5. */
  persistenceBars: number;
  /** Annualized volatility the risk multiplier targets (0.5 = 50 %). Default 0.5. */
  targetVolatility: number;
  /** Lower clamp of the risk multiplier. Default 0.25. */
  minRiskMultiplier: number;
  /** Upper clamp of the risk multiplier in STABLE. Default 2. */
  maxRiskMultiplier: number;
  /** Upper clamp of the risk multiplier in HIGH_VOL and EXPLOSIVE: never upsize there. Default 1. */
  elevatedMaxRiskMultiplier: number;
  /** Upper clamp of the risk multiplier in EXTREME. Default 0.5. */
  extremeMaxRiskMultiplier: number;
}

export const DEFAULT_VOLATILITY_THRESHOLDS: Readonly<VolatilityThresholds> = {
  atrPeriod: 14,
  bbPeriod: 20,
  bbStdDev: 2,
  realizedVolWindow: 20,
  percentileLookback: 250,
  minHistory: 50,
  highVolPercentile: 60,
  explosivePercentile: 85,
  extremePercentile: 97,
  persistenceBars: 5,
  targetVolatility: 0.5,
  minRiskMultiplier: 0.25,
  maxRiskMultiplier: 2,
  elevatedMaxRiskMultiplier: 1,
  extremeMaxRiskMultiplier: 0.5,
};

export interface VolatilityInput {
  symbol: string;
  interval: string;
  /** Length of one bar in ms (annualization: 365 × 24 h / intervalMs periods a year, the market trades 24/7). */
  intervalMs: number;
  /** Closed candles, ascending by openTime. */
  candles: readonly VolatilityCandle[];
  thresholds?: Partial<VolatilityThresholds>;
}

export interface BollingerBands {
  upper: number;
  middle: number;
  lower: number;
  /** (upper − lower) / middle × 100. */
  bandwidthPct: number;
  /** (close − lower) / (upper − lower); null when the bands have zero width. */
  percentB: number | null;
}

export interface VolatilityTransition {
  /** Close time of the first bar in the new regime. */
  time: number;
  from: VolatilityRegime;
  to: VolatilityRegime;
  atrPct: number;
  percentile: number;
}

export interface TransitionCell {
  from: VolatilityRegime;
  to: VolatilityRegime;
  count: number;
  /** count / transitions out of `from`; null when `from` was never observed with a successor. */
  probability: number | null;
}

export interface VolatilityPersistence {
  /** Bars ahead (`persistenceBars`). */
  bars: number;
  /** P(stay in the current regime for every one of the next N bars) = p_ii^N; null without a sample. */
  staysProbability: number | null;
  /** P(in the current regime again N bars ahead) = (P^N)_ii (may leave and come back); null without a sample. */
  inRegimeProbability: number | null;
  /** Bar-to-bar transitions observed out of the current regime (the sample behind p_ii). */
  sampleSize: number;
  /** All bar-to-bar transitions in the classified history. */
  totalTransitions: number;
  /** The 4 × 4 transition matrix, row by row in STABLE, HIGH_VOL, EXPLOSIVE, EXTREME order. */
  matrix: TransitionCell[];
}

export interface VolatilityAnalysis {
  symbol: string;
  interval: string;
  /** True while the regime cannot be classified yet (too few candles): regime fields are null. */
  warmingUp: boolean;
  /** Close time of the latest closed candle. */
  time: number | null;
  bars: number;
  close: number | null;
  atr: number | null;
  /** ATR / close × 100. */
  atrPct: number | null;
  /** Percentile rank (0..100) of the latest ATR% among the `percentileLookback` readings before it. */
  atrPctPercentile: number | null;
  bollinger: BollingerBands | null;
  /** Annualized realized volatility (fraction, 0.5 = 50 %). */
  realizedVol: number | null;
  /**
   * Annualized Parkinson (1980) range volatility over the last `realizedVolWindow` bars (fraction):
   * √(mean(ln(H/L)²) / (4 ln 2) × periodsPerYear). Sees intrabar wicks that close-to-close misses.
   */
  parkinsonVol: number | null;
  /**
   * Annualized Garman–Klass (1980) volatility over the last `realizedVolWindow` bars (fraction):
   * √(mean(½ ln(H/L)² − (2 ln 2 − 1) ln(C/O)²) × periodsPerYear). Used by the regime and the risk multiplier.
   */
  garmanKlassVol: number | null;
  /** Percentile rank (0..100) of the latest Garman–Klass volatility among the `percentileLookback` readings before it. */
  rangeVolPercentile: number | null;
  /** Volatility the risk multiplier divides by: max(realizedVol, garmanKlassVol) (fraction, annualized). */
  riskVol: number | null;
  /** Periods per year used to annualize: 365 × 86 400 000 / intervalMs. */
  periodsPerYear: number;
  regime: VolatilityRegime | null;
  /** Close time of the first bar of the current regime run. */
  regimeSince: number | null;
  /** Bars in the current regime run (the latest included). */
  regimeBars: number | null;
  /** True when the run reaches back to the first classified bar (its real start is earlier or unknown). */
  regimeSinceIsLowerBound: boolean;
  /** Regime changes within the classified history, oldest first (at most the last 50). */
  transitions: VolatilityTransition[];
  persistence: VolatilityPersistence | null;
  /**
   * clamp(targetVolatility / riskVol, minRiskMultiplier, cap) with cap = maxRiskMultiplier in STABLE,
   * elevatedMaxRiskMultiplier in HIGH_VOL/EXPLOSIVE, extremeMaxRiskMultiplier in EXTREME: scale a position
   * size by this. Null when warming up.
   */
  riskMultiplier: number | null;
  factors: Factor[];
  thresholds: VolatilityThresholds;
}

/** Payload of `volatility:regime-changed` / `volatilityRegimeChanged` (JSON-safe). */
export interface VolatilityRegimeChange {
  symbol: string;
  interval: string;
  time: number;
  from: VolatilityRegime;
  to: VolatilityRegime;
  atrPct: number | null;
  percentile: number | null;
  riskMultiplier: number | null;
}
