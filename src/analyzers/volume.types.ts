import type { Factor } from './types.js';

/** Who the order flow favours over the flow window (see {@link VolumeThresholds.flowBars}). */
export const VolumeFlows = {
  /** Takers buy more than they sell, CVD rises and price holds above the session VWAP. */
  BUYERS_IN_CONTROL: 'BUYERS_IN_CONTROL',
  /** Takers sell more than they buy, CVD falls and price holds below the session VWAP. */
  SELLERS_IN_CONTROL: 'SELLERS_IN_CONTROL',
  /** Neither side dominates (|score| below the flow threshold). */
  BALANCED: 'BALANCED',
} as const;
export type VolumeFlow = (typeof VolumeFlows)[keyof typeof VolumeFlows];

/** Where the anchored VWAP starts. */
export const VwapAnchorSources = {
  /** The caller's `anchor` time. */
  ARGUMENT: 'ARGUMENT',
  /** Default: the bar of the latest confirmed swing high. */
  SWING_HIGH: 'SWING_HIGH',
  /** Default: the bar of the latest confirmed swing low. */
  SWING_LOW: 'SWING_LOW',
} as const;
export type VwapAnchorSource = (typeof VwapAnchorSources)[keyof typeof VwapAnchorSources];

/** One candle as the volume analyzer needs it (base-asset volumes). */
export interface VolumeCandle {
  openTime: number;
  closeTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Base-asset volume. */
  volume: number;
  /**
   * Base-asset volume bought by takers (aggressive buyers); 0 ≤ takerBuyVolume ≤ volume. null when the
   * source does not record it: that bar's delta is unknown (never taken as 0, which would read as all-selling).
   */
  takerBuyVolume: number | null;
}

export interface VolumeThresholds {
  /** Bars of the rolling volume baseline before each bar (mean and population σ). Default 20. */
  lookback: number;
  /** A bar is a spike when its volume z-score is ≥ this (inclusive). Default 2.5. */
  spikeZ: number;
  /** Bars returned in `series` (and scanned for `spikes`). Default 100. */
  seriesLength: number;
  /** Bars of the flow classification window (delta imbalance, CVD slope). Default 20. */
  flowBars: number;
  /** |score| at or above which the flow is BUYERS_/SELLERS_IN_CONTROL. Default 25. */
  flowThreshold: number;
  /** Bars each side of a swing bar for the default anchor (detectSwings left = confirmBars). Default 5. */
  anchorSwingBars: number;
}

export const DEFAULT_VOLUME_THRESHOLDS: Readonly<VolumeThresholds> = {
  lookback: 20,
  spikeZ: 2.5,
  seriesLength: 100,
  flowBars: 20,
  flowThreshold: 25,
  anchorSwingBars: 5,
};

export interface VolumeInput {
  symbol: string;
  /** Candle interval label, e.g. `5m` (reported back as is). */
  interval: string;
  /** Closed candles of one interval, strictly ascending by openTime, gap-free or not. */
  candles: readonly VolumeCandle[];
  /** Start of the anchored VWAP (epoch ms); null/undefined: the latest confirmed swing. */
  anchor?: number | null;
  thresholds?: Partial<VolumeThresholds>;
}

/** VWAP with volume-weighted standard-deviation bands. */
export interface VwapBands {
  vwap: number;
  /** Volume-weighted standard deviation of the typical price around the VWAP. */
  stdDev: number;
  upper1: number;
  lower1: number;
  upper2: number;
  lower2: number;
}

export interface SessionVwap extends VwapBands {
  /** 00:00 UTC of the latest candle's day. */
  sessionStart: number;
  bars: number;
  volume: number;
  /** (close − vwap) / stdDev; null when stdDev is 0. */
  closeZ: number | null;
}

export interface AnchoredVwap {
  source: VwapAnchorSource;
  /** Requested (ARGUMENT) or swing-bar (SWING_*) time. */
  anchor: number;
  /** Open time of the first candle included. */
  startTime: number | null;
  /** Swing price for SWING_* anchors; null for ARGUMENT. */
  anchorPrice: number | null;
  vwap: number | null;
  stdDev: number | null;
  bars: number;
  volume: number;
  /** (close − vwap) / vwap × 100. */
  distancePct: number | null;
  note: string;
}

export interface VolumeBar {
  time: number;
  close: number;
  volume: number;
  /** takerBuy − takerSell = 2 × takerBuy − volume; null when the bar's taker-buy volume is unknown. */
  delta: number | null;
  /** Σ delta since the first bar of the unbroken run of bars with taker-buy volume this bar ends; null when unknown. */
  cvd: number | null;
  /** On-balance volume (trading-signals OBV), starting at the second candle held. */
  obv: number | null;
  volumeZ: number | null;
  spike: boolean;
  sessionVwap: number | null;
  sessionUpper1: number | null;
  sessionLower1: number | null;
  sessionUpper2: number | null;
  sessionLower2: number | null;
  anchoredVwap: number | null;
}

export interface VolumeSpike {
  time: number;
  volume: number;
  volumeZ: number;
  /** null when the bar's taker-buy volume is unknown. */
  delta: number | null;
  /** BUY when takers bought more than they sold in the bar, SELL when less, null when equal or unknown. */
  side: 'BUY' | 'SELL' | null;
}

export interface VolumeAnalysis {
  symbol: string;
  interval: string;
  /** True when there are fewer than max(lookback + 1, flowBars) candles: z-score and flow are null. */
  warmingUp: boolean;
  /** Close time of the latest candle; null without candles. */
  time: number | null;
  bars: number;
  close: number | null;
  volume: number | null;
  delta: number | null;
  cvd: number | null;
  obv: number | null;
  volumeZ: number | null;
  spike: boolean;
  /** Mean and population σ of the baseline of the latest bar. */
  baselineMean: number | null;
  baselineStdDev: number | null;
  session: SessionVwap | null;
  anchored: AnchoredVwap | null;
  /** Σ delta / Σ volume over the last flowBars bars (−1..1); null unless every one has taker-buy volume. */
  deltaImbalance: number | null;
  /** OLS slope of CVD over the last flowBars bars, divided by their mean volume (per bar); null like deltaImbalance. */
  cvdSlope: number | null;
  /**
   * Share (0..1) of the last flowBars bars (fewer while warming up) whose taker-buy volume is known; null
   * without candles. Below 1 the taker measures of the window, the flow and the score are null.
   */
  takerCoverage: number | null;
  /** Why outputs are null (missing inputs, in plain words); empty when everything was measured. */
  unavailable: string[];
  flow: VolumeFlow | null;
  /** −100..100: positive = buyers in control; 0 while warming up, null when taker-buy volume is missing. */
  score: number | null;
  factors: Factor[];
  /** Spikes among the bars of `series`, oldest first. */
  spikes: VolumeSpike[];
  /** The last seriesLength bars, oldest first, for charting. */
  series: VolumeBar[];
  lookback: number;
  spikeZ: number;
}
