import type { Factor } from './types.js';

/** Name of each severity, 1 (CALM) to 5 (EXTREME). */
export const CascadeLevels = {
  CALM: 'CALM',
  ELEVATED: 'ELEVATED',
  CASCADE: 'CASCADE',
  SEVERE: 'SEVERE',
  EXTREME: 'EXTREME',
} as const;
export type CascadeLevel = (typeof CascadeLevels)[keyof typeof CascadeLevels];

/** `CASCADE_LEVEL_BY_SEVERITY[severity - 1]`. */
export const CASCADE_LEVEL_BY_SEVERITY: readonly CascadeLevel[] = [
  CascadeLevels.CALM,
  CascadeLevels.ELEVATED,
  CascadeLevels.CASCADE,
  CascadeLevels.SEVERE,
  CascadeLevels.EXTREME,
];

/** Which positions were liquidated in the window. A SELL liquidation order closes a long. */
export const LiquidationDominances = {
  LONGS_LIQUIDATED: 'LONGS_LIQUIDATED',
  SHORTS_LIQUIDATED: 'SHORTS_LIQUIDATED',
  BALANCED: 'BALANCED',
  /** No liquidation in the window. */
  NONE: 'NONE',
} as const;
export type LiquidationDominance = (typeof LiquidationDominances)[keyof typeof LiquidationDominances];

/** Whether the feed reports every liquidation (Bybit allLiquidation, the simulated venue) or samples them (Binance forceOrder). */
export const LiquidationFeeds = { COMPLETE: 'COMPLETE', SAMPLED: 'SAMPLED', UNKNOWN: 'UNKNOWN' } as const;
export type LiquidationFeed = (typeof LiquidationFeeds)[keyof typeof LiquidationFeeds];

/** Four ascending lower bounds: a value at or above the k-th one reaches severity k + 1. */
export type SeverityBoundaries = readonly [number, number, number, number];

/** One liquidation as the analyzer sees it. */
export interface CascadeLiquidation {
  /** Liquidation ORDER side: SELL closes a long, BUY closes a short. */
  side: 'BUY' | 'SELL';
  /** Price the liquidation filled at (quote currency); zones cluster on it. */
  price: number;
  /** Quote-currency (USD) notional. */
  notional: number;
  /** Epoch ms. */
  time: number;
  /** False when the feed only samples liquidations. */
  complete: boolean;
}

export interface LiquidationCascadeOptions {
  /** Velocity window. Default 1 h. */
  windowMs: number;
  /** Short velocity window, the "right now" pace; at most `windowMs`. Default 5 min. */
  shortWindowMs: number;
  /** Longest baseline period, immediately before the window. Default 24 h. */
  baselineWindowMs: number;
  /** Shortest observed baseline period for which the relative measure is used. Default 3 h. */
  minBaselineMs: number;
  /** Boundaries of velocity / baseline velocity. Default [2, 4, 8, 16]. */
  baselineRatioBoundaries: SeverityBoundaries;
  /**
   * Boundaries of velocity / typical hourly volume. Default [0.0025, 0.005, 0.01, 0.02] (0.25 %, 0.5 %,
   * 1 %, 2 %): an ordinary hour liquidates about 0.05-0.3 % of what a major perpetual trades.
   */
  volumeShareBoundaries: SeverityBoundaries;
  /** Share of the window's notional at or above which one side dominates; in (0.5, 1]. Default 0.6. */
  dominanceShare: number;
  /** Liquidations clustered into price zones: those of the last `zoneLookbackMs`. Default 24 h. */
  zoneLookbackMs: number;
  /** A price more than this fraction above the previous one starts a new zone. Default 0.002 (0.2 %). */
  zoneGap: number;
  /** A price more than this fraction above the zone's low starts a new zone. Default 0.01 (1 %). */
  zoneMaxWidth: number;
  /** Fewest liquidations in a reported zone. Default 3. */
  minZoneCount: number;
  /** Smallest share of the lookback's notional in a reported zone. Default 0.05. */
  minZoneShare: number;
  /** Most zones reported (largest notional first). Default 5. */
  maxZones: number;
}

export const DEFAULT_CASCADE_OPTIONS: Readonly<LiquidationCascadeOptions> = {
  windowMs: 3_600_000,
  shortWindowMs: 300_000,
  baselineWindowMs: 86_400_000,
  minBaselineMs: 10_800_000,
  baselineRatioBoundaries: [2, 4, 8, 16],
  volumeShareBoundaries: [0.0025, 0.005, 0.01, 0.02],
  dominanceShare: 0.6,
  zoneLookbackMs: 86_400_000,
  zoneGap: 0.002,
  zoneMaxWidth: 0.01,
  minZoneCount: 3,
  minZoneShare: 0.05,
  maxZones: 5,
};

export interface LiquidationCascadeInput {
  symbol: string;
  /** Liquidations, oldest first (equal times allowed). */
  liquidations: readonly CascadeLiquidation[];
  /**
   * Start of the observed period: `liquidations` holds every event the feed delivered in
   * (observedSince, now]. Events at or before it are ignored.
   */
  observedSince: number;
  /** Typical traded volume, quote currency per hour (e.g. 24 h quote volume / 24); null when unknown. */
  typicalHourlyVolumeUsd: number | null;
  /** Evaluation time (epoch ms); the windows end here. */
  now: number;
  options?: Partial<LiquidationCascadeOptions>;
}

/** A price range where liquidations clustered: possible support (long liquidations below price) or resistance. */
export interface LiquidationZone {
  low: number;
  high: number;
  /** Notional-weighted mean fill price. */
  vwap: number;
  notionalUsd: number;
  count: number;
  longNotionalUsd: number;
  shortNotionalUsd: number;
  firstTime: number;
  lastTime: number;
}

export interface LiquidationCascadeAnalysis {
  symbol: string;
  /** True while the window or the minimum baseline is not fully observed; what is unknown is then null. */
  warmingUp: boolean;
  windowMs: number;
  shortWindowMs: number;
  observedSince: number;
  /** Liquidated notional per hour over the window; null until the window is fully observed. */
  velocityUsdPerHour: number | null;
  shortVelocityUsdPerHour: number | null;
  /** Velocity over the baseline before the window; null until `minBaselineMs` of it is observed. */
  baselineVelocityUsdPerHour: number | null;
  /** velocity / baseline velocity; null when either is unknown or the baseline is 0. */
  baselineRatio: number | null;
  typicalHourlyVolumeUsd: number | null;
  /** velocity / typical hourly volume; null when either is unknown. */
  volumeShare: number | null;
  /** 1..5; null when neither measure is available. */
  severity: number | null;
  level: CascadeLevel | null;
  /** Liquidations observed in the window. */
  notionalUsd: number;
  longNotionalUsd: number;
  shortNotionalUsd: number;
  count: number;
  /** long / (long + short) notional in the window; null without liquidations. */
  longShare: number | null;
  dominance: LiquidationDominance;
  feed: LiquidationFeed;
  /** Largest notional first. */
  zones: LiquidationZone[];
  lastLiquidationTime: number | null;
  factors: Factor[];
}
