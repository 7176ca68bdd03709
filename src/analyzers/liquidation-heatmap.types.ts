import type { Factor } from './types.js';

/** Side of the estimated positions: LONG positions liquidate below the price, SHORT above. */
export const PositionSides = { LONG: 'LONG', SHORT: 'SHORT' } as const;
export type PositionSide = (typeof PositionSides)[keyof typeof PositionSides];

/** How much forced flow a liquidation cluster would release, in minutes of average traded volume. */
export const LiquidationRiskLevels = { LOW: 'LOW', MEDIUM: 'MEDIUM', HIGH: 'HIGH', EXTREME: 'EXTREME' } as const;
export type LiquidationRiskLevel = (typeof LiquidationRiskLevels)[keyof typeof LiquidationRiskLevels];

/** Which side holds more estimated liquidation notional near the price. */
export const LiquidationPressures = { LONG_HEAVY: 'LONG_HEAVY', SHORT_HEAVY: 'SHORT_HEAVY', BALANCED: 'BALANCED' } as const;
export type LiquidationPressure = (typeof LiquidationPressures)[keyof typeof LiquidationPressures];

/** The direction in which a liquidation cascade is more likely. */
export const CascadeDirections = { UP: 'UP', DOWN: 'DOWN', NEUTRAL: 'NEUTRAL' } as const;
export type CascadeDirection = (typeof CascadeDirections)[keyof typeof CascadeDirections];

/** One maintenance-margin bracket of a venue's leverage and margin table. */
export interface MaintenanceBracket {
  bracket: number;
  /** Highest leverage allowed for a position in this bracket. */
  maxLeverage: number;
  /** Position notional (quote currency): notionalFloor < notional ≤ notionalCap. */
  notionalFloor: number;
  notionalCap: number;
  /** Maintenance margin rate, a fraction (0.004 = 0.4 %). */
  maintenanceMarginRate: number;
  /** Maintenance amount ("cum", quote currency) deducted from notional × rate. */
  maintenanceAmount: number;
}

export interface BracketTable {
  /** Human-readable name, echoed in `assumptions`. */
  name: string;
  /** Which published version the rows are copied from. */
  asOf: string;
  /** Ascending by notional; maxLeverage non-increasing. */
  brackets: readonly MaintenanceBracket[];
}

/** A leverage tier of the assumed leverage mix. */
export interface LeverageTier {
  leverage: number;
  /** Share of every position entry assigned to this tier; the mix is normalised to sum 1. */
  weight: number;
}

/**
 * Default leverage mix: most notional at 10–25x, a thin tail up to 125x. No venue publishes the leverage
 * distribution of open positions; this mix follows the tiers public liquidation-map tools draw and is an
 * assumption, echoed in `assumptions`. Weights sum to 1.
 */
export const DEFAULT_LEVERAGE_TIERS: readonly LeverageTier[] = [
  { leverage: 2, weight: 0.05 },
  { leverage: 3, weight: 0.05 },
  { leverage: 5, weight: 0.1 },
  { leverage: 10, weight: 0.2 },
  { leverage: 20, weight: 0.2 },
  { leverage: 25, weight: 0.15 },
  { leverage: 50, weight: 0.12 },
  { leverage: 75, weight: 0.06 },
  { leverage: 100, weight: 0.05 },
  { leverage: 125, weight: 0.02 },
];

/** Default half-width of the price range, in percent of the current price. */
export const DEFAULT_RANGE_PCT = 10;
/** Default number of equal-width price buckets across the range. */
export const DEFAULT_BUCKETS = 100;

/** Candle fields the heatmap uses (a subset of the domain Candle). */
export interface HeatmapCandle {
  openTime: number;
  closeTime: number;
  high: number;
  low: number;
  close: number;
  /** Base-asset volume. */
  volume: number;
  /** Quote-asset volume; null when the source does not record it (the volume reference then ignores the candle). */
  quoteVolume: number | null;
  /** Base volume bought by takers; null when the source does not record it (the long/short split then ignores the candle). */
  takerBuyVolume: number | null;
}

export interface HeatmapTrade {
  time: number;
  price: number;
  qty: number;
  /** Taker side. */
  side: 'BUY' | 'SELL';
}

export interface OpenInterestObservation {
  time: number;
  /** Open interest in base-asset contracts. */
  openInterest: number;
}

export interface LiquidationHeatmapThresholds {
  /** Representative notional of one position (quote) used to pick its maintenance bracket. Default 10 000. */
  positionNotional: number;
  /** ATR period, in candles of `atrCandles`. Default 14. */
  atrPeriod: number;
  /** Cascade reach R = cascadeAtrMultiple × ATR. Default 2. */
  cascadeAtrMultiple: number;
  /** Window of recent traded volume for the volume reference, ms. Default 3 600 000 (1 h). */
  volumeWindowMs: number;
  /** p = 1 − exp(−x / cascadeScaleMinutes), x in minutes of average volume. Default 5. */
  cascadeScaleMinutes: number;
  /** |pressure score| (−100..100) at or above which pressure is one-sided. Default 20. */
  pressureCutoff: number;
  /** Cascade probabilities must differ by at least this for a direction. Default 0.05. */
  directionMargin: number;
  /** A bucket belongs to a zone/cluster when its side notional ≥ this share of the side's largest bucket. Default 0.25. */
  clusterMinShare: number;
  /** Most whale targets reported. Default 5. */
  whaleTargets: number;
  /** Risk level cut-offs, in minutes of average traded volume: ≥ medium MEDIUM, ≥ high HIGH, ≥ extreme EXTREME. Defaults 0.5, 2, 5. */
  riskMediumMinutes: number;
  riskHighMinutes: number;
  riskExtremeMinutes: number;
  /** Time slices of the price × time matrix. Default 24. */
  timelineSlices: number;
  /** Fewest open-interest observations for a non-warming-up result. Default 3. */
  minOpenInterestPoints: number;
  /**
   * History before the first open-interest observation over which that observation's open interest is
   * seeded (entries at the candles' typical prices, volume-weighted), ms. Default 259 200 000 (3 days).
   */
  seedWindowMs: number;
}

export const DEFAULT_LIQUIDATION_HEATMAP_THRESHOLDS: Readonly<LiquidationHeatmapThresholds> = {
  positionNotional: 10_000,
  atrPeriod: 14,
  cascadeAtrMultiple: 2,
  volumeWindowMs: 3_600_000,
  cascadeScaleMinutes: 5,
  pressureCutoff: 20,
  directionMargin: 0.05,
  clusterMinShare: 0.25,
  whaleTargets: 5,
  riskMediumMinutes: 0.5,
  riskHighMinutes: 2,
  riskExtremeMinutes: 5,
  timelineSlices: 24,
  minOpenInterestPoints: 3,
  seedWindowMs: 3 * 86_400_000,
};

export interface LiquidationHeatmapInput {
  symbol: string;
  /** Evaluation time (epoch ms). */
  now: number;
  /** Current price (last trade); long liquidations are reported strictly below it, short strictly above. */
  price: number;
  /** Open-interest observations, strictly ascending by time. */
  openInterest: readonly OpenInterestObservation[];
  /** Candles of one interval, strictly ascending by openTime: the entry price levels and the price path. */
  candles: readonly HeatmapCandle[];
  /** Trades, ascending by time: price levels of open-interest intervals that no candle covers. */
  trades?: readonly HeatmapTrade[];
  /** Candles of the volatility series (ATR), strictly ascending by openTime; usually 1 h. */
  atrCandles: readonly HeatmapCandle[];
  bracketTable: BracketTable;
  /** Leverage mix; default {@link DEFAULT_LEVERAGE_TIERS}. */
  leverageTiers?: readonly LeverageTier[];
  /** Half-width of the bucket range in percent, 0 < rangePct < 100; default 10. */
  rangePct?: number;
  /** Number of buckets, integer 1..10 000; default 100. */
  buckets?: number;
  thresholds?: Partial<LiquidationHeatmapThresholds>;
}

export interface LiquidationTierAmount {
  leverage: number;
  longNotional: number;
  shortNotional: number;
}

export interface LiquidationBucket {
  priceLow: number;
  priceHigh: number;
  /** Bucket mid price. */
  price: number;
  /** Notional (quote, at entry) of long positions that would be liquidated in this bucket. */
  longNotional: number;
  shortNotional: number;
  totalNotional: number;
  /** Per leverage tier, in the order of `leverageTiers`. */
  longByTier: number[];
  shortByTier: number[];
}

export interface LeverageTierSummary {
  /** The tier as requested. */
  leverage: number;
  /** The leverage computed: the tier capped at the bracket table's maximum leverage. */
  effectiveLeverage: number;
  /** Normalised weight. */
  weight: number;
  /** Bracket of the representative position (positionNotional, capped at what this leverage allows). */
  bracket: number;
  positionNotional: number;
  maintenanceMarginRate: number;
  maintenanceAmount: number;
  /** (liquidation price / entry − 1) × 100 for a long, resp. a short, of this tier. */
  longLiquidationOffsetPct: number;
  shortLiquidationOffsetPct: number;
  /** Remaining notional of this tier (all prices, in range or not). */
  longNotional: number;
  shortNotional: number;
}

export interface LiquidationZone {
  side: PositionSide;
  priceLow: number;
  priceHigh: number;
  price: number;
  notional: number;
  /** (price − current price) / current price × 100: negative below, positive above. */
  distancePct: number;
}

export interface WhaleTarget {
  side: PositionSide;
  /** Notional-weighted mean of the cluster's bucket mid prices. */
  price: number;
  priceLow: number;
  priceHigh: number;
  notional: number;
  /** Cluster size in buckets. */
  buckets: number;
  distancePct: number;
  /** notional / average traded quote volume per minute. */
  volumeMinutes: number | null;
  risk: LiquidationRiskLevel;
}

export interface LiquidationCascade {
  /** Average true range of `atrCandles`; null while fewer than atrPeriod + 1 candles exist. */
  atr: number | null;
  atrPeriod: number;
  /** R = cascadeAtrMultiple × ATR, quote currency. */
  reach: number | null;
  /** Average traded quote volume per minute over volumeWindowMs; null without volume. */
  volumePerMinute: number | null;
  /** Σ short notional × max(0, 1 − (liq − price) / R). */
  upMass: number | null;
  /** Σ long notional × max(0, 1 − (price − liq) / R). */
  downMass: number | null;
  /** 1 − exp(−(upMass / volumePerMinute) / cascadeScaleMinutes). */
  upProbability: number | null;
  downProbability: number | null;
  direction: CascadeDirection;
}

export interface LiquidationTotals {
  /** Notional of every position entry created from open-interest increases. */
  allocatedNotional: number;
  /** Removed by proportional reductions when open interest fell. */
  reducedNotional: number;
  /** Removed because the price path crossed their liquidation price. */
  liquidatedNotional: number;
  /** allocated − reduced − liquidated. */
  remainingNotional: number;
  /** Remaining notional inside the bucket range, per side. */
  longNotional: number;
  shortNotional: number;
  /** Remaining notional outside the range (longs below it, shorts above it). */
  outOfRangeLongNotional: number;
  outOfRangeShortNotional: number;
  /** Open-interest increase (base units) of intervals with neither candles nor trades: not placed. */
  unplacedOpenInterest: number;
  /** Open interest (base units) already open at the first observation, seeded over the `seedWindowMs` history before it; 0 when no candle covers that window. */
  seededOpenInterest: number;
  /** Latest open interest × price (quote): the notional the model should account for; null without open interest. */
  openInterestNotional: number | null;
  /** remainingNotional / openInterestNotional (fraction, 1 = every open position modelled); null without open interest. */
  coverage: number | null;
}

export interface LiquidationTimelineSlice {
  time: number;
  /** Remaining liquidation notional (long + short) per bucket at `time`, aligned with `buckets`. */
  notional: number[];
}

export interface LiquidationTimeline {
  slices: LiquidationTimelineSlice[];
  /** Largest cell of the matrix (for colour scaling). */
  maxNotional: number;
}

export interface HeatmapWindow {
  /** First and last open-interest observation used. */
  from: number | null;
  to: number | null;
  openInterestPoints: number;
  increases: number;
  decreases: number;
  candles: number;
  /** closeTime − openTime + 1 of the first candle; null without candles. */
  candleIntervalMs: number | null;
  atrCandles: number;
}

export interface LiquidationHeatmap {
  symbol: string;
  /** True with too few open-interest observations or ATR candles; numbers are then partial, never invented. */
  warmingUp: boolean;
  price: number;
  rangePct: number;
  rangeLow: number;
  rangeHigh: number;
  bucketSize: number;
  buckets: LiquidationBucket[];
  leverageTiers: LeverageTierSummary[];
  bracketTable: string;
  totals: LiquidationTotals;
  nearestAbove: LiquidationZone | null;
  largestAbove: LiquidationZone | null;
  nearestBelow: LiquidationZone | null;
  largestBelow: LiquidationZone | null;
  whaleTargets: WhaleTarget[];
  cascade: LiquidationCascade;
  pressure: LiquidationPressure;
  /** −100..100: positive = long liquidations dominate (downside fuel), negative = shorts. */
  pressureScore: number;
  /** Plain-language reading of the pressure. */
  signal: string;
  factors: Factor[];
  timeline: LiquidationTimeline;
  window: HeatmapWindow;
  assumptions: string[];
}
