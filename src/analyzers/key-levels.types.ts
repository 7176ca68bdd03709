import type { CandleInterval } from '../domain/market.js';
import type { Factor } from './types.js';

export const KeyLevelKinds = {
  /** Confirmed swing highs/lows within `tolerancePct` of each other. */
  SWING_CLUSTER: 'SWING_CLUSTER',
  /** A local peak of the volume-by-price histogram (the largest one is the point of control). */
  VOLUME_NODE: 'VOLUME_NODE',
  /** Fibonacci retracement of the last confirmed leg (0.236 … 0.786). */
  FIB_RETRACEMENT: 'FIB_RETRACEMENT',
  /** Fibonacci extension of the last confirmed leg beyond its end (1.272, 1.618). */
  FIB_EXTENSION: 'FIB_EXTENSION',
  PRIOR_DAY_HIGH: 'PRIOR_DAY_HIGH',
  PRIOR_DAY_LOW: 'PRIOR_DAY_LOW',
  PRIOR_DAY_CLOSE: 'PRIOR_DAY_CLOSE',
  PRIOR_WEEK_HIGH: 'PRIOR_WEEK_HIGH',
  PRIOR_WEEK_LOW: 'PRIOR_WEEK_LOW',
  PRIOR_WEEK_CLOSE: 'PRIOR_WEEK_CLOSE',
} as const;
export type KeyLevelKind = (typeof KeyLevelKinds)[keyof typeof KeyLevelKinds];

/** SUPPORT: the level is below the current price; RESISTANCE: at or above it. */
export const LevelSides = { SUPPORT: 'SUPPORT', RESISTANCE: 'RESISTANCE' } as const;
export type LevelSide = (typeof LevelSides)[keyof typeof LevelSides];

export const LegDirections = { UP: 'UP', DOWN: 'DOWN' } as const;
export type LegDirection = (typeof LegDirections)[keyof typeof LegDirections];

export const FIB_RETRACEMENTS = [0.236, 0.382, 0.5, 0.618, 0.786] as const;
export const FIB_EXTENSIONS = [1.272, 1.618] as const;

export interface KeyLevelCandle {
  openTime: number;
  closeTime: number;
  high: number;
  low: number;
  close: number;
  /** Base-asset volume. */
  volume: number;
}

export interface KeyLevelThresholds {
  /** Swings within this percent of a cluster's lowest member join it. Default 0.15 (%). */
  tolerancePct: number;
  /** Swing confirmation bars (each side). Default 2. */
  confirmBars: number;
  /** Bins of the volume-by-price histogram. Default 50. */
  volumeBins: number;
  /** Volume nodes reported (largest local peaks). Default 3. */
  volumeNodes: number;
}

export const DEFAULT_KEY_LEVEL_THRESHOLDS: Readonly<KeyLevelThresholds> = { tolerancePct: 0.15, confirmBars: 2, volumeBins: 50, volumeNodes: 3 };

export interface KeyLevelsInput {
  symbol: string;
  interval: CandleInterval;
  /** Closed candles of `interval`, strictly ascending (swings, volume nodes, Fibonacci leg). */
  candles: readonly KeyLevelCandle[];
  /** Candles for the prior UTC day/week (e.g. hourly); default `candles`. Strictly ascending. */
  referenceCandles?: readonly KeyLevelCandle[];
  /** Current price (distances and sides are measured from it). */
  price: number;
  /** "Now" (epoch ms): decides which UTC day/week is the prior one. */
  time: number;
  thresholds?: Partial<KeyLevelThresholds>;
}

export interface KeyLevel {
  kind: KeyLevelKind;
  price: number;
  /** (level − price) / price × 100: negative below the current price. */
  distancePct: number;
  side: LevelSide;
  /** 0..100 for SWING_CLUSTER (touches and recency) and VOLUME_NODE (volume / largest bin); null for the others. */
  strength: number | null;
  /** Swings in the cluster (SWING_CLUSTER only). */
  touches: number | null;
  /** Open time of the newest swing bar in the cluster (SWING_CLUSTER), or the period start (PRIOR_*). */
  lastTouchTime: number | null;
  /** Fibonacci ratio (FIB_* only). */
  ratio: number | null;
  note: string;
  /** Why the strength is what it is (SWING_CLUSTER, VOLUME_NODE); empty otherwise. */
  factors: Factor[];
}

export interface FibLeg {
  direction: LegDirection;
  fromPrice: number;
  fromTime: number;
  toPrice: number;
  toTime: number;
  /** Close time of the bar that confirmed the leg's end swing. */
  confirmedAt: number;
}

export interface PeriodHlc {
  /** UTC start of the period. */
  start: number;
  high: number;
  low: number;
  close: number;
}

export interface KeyLevels {
  symbol: string;
  interval: CandleInterval;
  tolerancePct: number;
  /** True until one confirmed swing high and one swing low exist (no leg, no swing levels). */
  warmingUp: boolean;
  time: number;
  price: number;
  bars: number;
  /** Every level, highest price first. */
  levels: KeyLevel[];
  /** The highest level below the price. */
  nearestSupport: KeyLevel | null;
  /** The lowest level at or above the price. */
  nearestResistance: KeyLevel | null;
  leg: FibLeg | null;
  /** Null when the reference candles do not cover the whole prior UTC day. */
  priorDay: PeriodHlc | null;
  /** Null when the reference candles do not cover the whole prior UTC week (Monday 00:00 UTC start). */
  priorWeek: PeriodHlc | null;
}
